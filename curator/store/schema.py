"""The queue's schema: created fresh, migrated from an older version, refused when newer.

A fresh database gets `create_all` and the latest version; an older one runs the
migrations after its version, in order (the versions count MIGRATIONS, append-only).
The dialect keeps the version and locks the database while a migration runs.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Connection, Engine, func, inspect, select
from sqlmodel import SQLModel

from curator.errors import StoreError
from curator.models import Link, Sighting
from curator.store.engine import READ_ONLY, Dialect


def _remember_arrivals_and_found_feeds(conn: Connection, _: Dialect) -> None:
    """Sightings keep the feed entry's id and are looked up by original URL, so a feed
    re-read finds the link a short link became (issue 12, item 5); a feed's state keeps
    the feed its page links to (autodiscovery)."""
    _add_column(conn, "sighting", "entry_id")
    _add_column(conn, "sourcestate", "discovered_url")
    conn.exec_driver_sql("CREATE INDEX IF NOT EXISTS ix_sighting_url ON sighting (url)")
    conn.exec_driver_sql(
        "CREATE INDEX IF NOT EXISTS ix_sighting_source_entry_id ON sighting (source, entry_id)"
    )


def _keep_link_ids(conn: Connection, dialect: Dialect) -> None:
    """Version 2 (issue 12): link ids are never reused, and merges are recorded.

    Ids handed out before it may belong to links merged away since, unrecorded. Every new
    link came with a sighting, and sightings are never deleted, so no link id was ever
    above the highest sighting id: numbering resumes past both.
    """
    SQLModel.metadata.tables["merged"].create(conn, checkfirst=True)
    highest_sighting = conn.execute(select(func.max(Sighting.id))).scalar()
    dialect.keep_ids(conn, "link", highest_sighting or 0)


def _keep_images_and_exports(conn: Connection, _: Dialect) -> None:
    """Version 3 (issue 16): a page's featured image and the author's override of it
    (item 6), and the remote draft each exported window made, so a re-export updates it
    (item 4)."""
    _add_column(conn, "link", "image")
    _add_column(conn, "link", "user_image")
    SQLModel.metadata.tables["export"].create(conn, checkfirst=True)


def _keep_llm_summaries(conn: Connection, _: Dialect) -> None:
    """Version 4 (issue 20): a link keeps its LLM summary with the model and prompt hash
    that made it, so the same input never costs a second call."""
    for column in ("llm_summary", "llm_model", "llm_prompt_hash"):
        _add_column(conn, "link", column)


def _keep_signals(conn: Connection, _: Dialect) -> None:
    """Version 5 (issue 17): links keep what Hugging Face and Hacker News say of them,
    and the paper a page covers."""
    present = {found["name"] for found in inspect(conn).get_columns("link")}
    for name in ("signals", "covers"):
        if name not in present:
            kind = Link.__table__.c[name].type.compile(conn.dialect)  # type: ignore[attr-defined]
            conn.exec_driver_sql(f"ALTER TABLE link ADD COLUMN {name} {kind}")


def _claim_work(conn: Connection, _: Dialect) -> None:
    """Version 6 (issue 19, item 3): links and channels carry a lease, so concurrent runs split the
    work; a lease a killed run left lapses at `claimed_until`."""
    for table in ("link", "sourcestate"):
        _add_column(conn, table, "claimed_by")
        _add_column(conn, table, "claimed_until", "TIMESTAMP")


def _name_editors(conn: Connection, _: Dialect) -> None:
    """Version 7 (issue 19, item 4): who set a link's decision."""
    _add_column(conn, "link", "decided_by")


def _add_column(conn: Connection, table: str, column: str, kind: str = "VARCHAR") -> None:
    """A nullable column (text unless `kind` says), unless a database already has it."""
    if column not in {found["name"] for found in inspect(conn).get_columns(table)}:
        conn.exec_driver_sql(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")


MIGRATIONS: list[Callable[[Connection, Dialect], None]] = [
    lambda conn, _: SQLModel.metadata.create_all(conn),
    _remember_arrivals_and_found_feeds,
    _keep_link_ids,
    _keep_images_and_exports,
    _keep_llm_summaries,
    _keep_signals,
    _claim_work,
    _name_editors,
]


def prepare(engine: Engine, dialect: Dialect) -> None:
    """Bring the schema up to date, or check it is when the database is read-only."""
    if dialect.read_only:
        _check(engine, dialect)
    else:
        _set_up(engine, dialect)


def _set_up(engine: Engine, dialect: Dialect) -> None:
    """Create or migrate the schema; safe when several processes open a fresh file at once:
    the version is read again once the migration holds the database."""
    with engine.connect() as conn:
        if dialect.schema_version(conn) != len(MIGRATIONS):
            with dialect.migrating(conn):
                _migrate(conn, dialect, dialect.schema_version(conn))
        dialect.ready(conn)


def _migrate(conn: Connection, dialect: Dialect, version: int) -> None:
    _refuse_newer(version, dialect)
    if version == 0 and not inspect(conn).get_table_names():
        SQLModel.metadata.create_all(conn)
    else:
        for migrate in MIGRATIONS[version:]:
            migrate(conn, dialect)
    dialect.set_schema_version(conn, len(MIGRATIONS))


def _check(engine: Engine, dialect: Dialect) -> None:
    """A read-only database cannot be migrated: it must already have this curator's schema."""
    with engine.connect() as conn:
        version = dialect.schema_version(conn)
    _refuse_newer(version, dialect)
    if version < len(MIGRATIONS):
        raise StoreError(
            f"{dialect.location}: {READ_ONLY} and needs upgrading to this curator's schema: "
            "open it once where it can be written"
        )


def _refuse_newer(version: int, dialect: Dialect) -> None:
    """Issue 19, item 2: one line naming both versions."""
    if version > len(MIGRATIONS):
        raise StoreError(
            f"{dialect.location}: the database has schema version {version}, newer than "
            f"this curator's {len(MIGRATIONS)}; upgrade curator"
        )
