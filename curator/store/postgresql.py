"""The PostgreSQL dialect: one queue on a server, shared by several editors and machines.

Every PostgreSQL-specific statement of the store is here: the psycopg 3 URL, advisory
locks that make a write transaction hold the queue's write lock, `FOR UPDATE SKIP
LOCKED` for claims, the version table, sequences. The password comes from the URL,
PGPASSWORD or ~/.pgpass (libpq reads the last two) and never reaches a message.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from importlib.util import find_spec

from sqlalchemy import Connection, Engine, make_url
from sqlalchemy.engine import URL
from sqlalchemy.exc import ArgumentError
from sqlalchemy.sql.dml import Insert
from sqlmodel import SQLModel, create_engine

from curator.errors import StoreError, UsageError
from curator.store.engine import READ_ONLY, Query

SCHEMES = ("postgresql://", "postgresql+psycopg://", "postgres://")
DRIVER = "postgresql+psycopg"
# Advisory lock keys (any two 32-bit numbers): ASCII "cu" with "wr" (writing), "mi" (migrating).
WRITE_LOCK = (0x6375, 0x7772)
MIGRATION_LOCK = (0x6375, 0x6D69)
VERSION_TABLE = "curator_schema"
# SQLSTATE 25006, read_only_sql_transaction: a hot standby, or default_transaction_read_only.
READ_ONLY_STATE = "25006"
CONNECT_TIMEOUT_S = 10
# Connection parameters that hold a secret, which libpq also takes in the URL's query
# (PostgreSQL docs, 34.1.2 "Parameter Key Words"): left out of the location shown.
SECRET_PARAMETERS = frozenset({"password", "sslpassword"})


def is_url(where: str) -> bool:
    return where.startswith(SCHEMES)


class PostgreSQL:
    """The database a postgresql:// URL names; see engine.Dialect for each method."""

    read_only = False  # the server says so on the first write (READ_ONLY_STATE)

    def __init__(self, where: str) -> None:
        self.url = _driver_url(where)
        url = self.url
        shown = URL.create("postgresql", url.username, None, url.host, url.port, url.database)
        query = {k: v for k, v in url.query.items() if k not in SECRET_PARAMETERS}
        self.location = shown.set(query=query).render_as_string(hide_password=False)

    def engine(self) -> Engine:
        """Timestamps are kept in UTC without a zone, as SQLite keeps them, whatever the
        server's TimeZone; a server that does not answer fails in seconds, not minutes."""
        if find_spec("psycopg") is None:
            raise UsageError(
                f"{self.location}: PostgreSQL needs its driver: pip install 'curator[postgres]'"
            )
        return create_engine(
            self.url,
            connect_args={"options": "-c TimeZone=UTC", "connect_timeout": CONNECT_TIMEOUT_S},
            pool_pre_ping=True,
        )

    def lock_for_writing(self, conn: Connection) -> None:
        """Writers take turns, as on SQLite: `add` reads the keys it will insert, and two
        adds of one key at once would each find it new. The lock ends with the transaction."""
        conn.exec_driver_sql("SELECT pg_advisory_xact_lock(%s, %s)", WRITE_LOCK)

    def begin_row_writes(self, conn: Connection) -> None:
        """Claims and results need no queue-wide lock: `skip_locked` passes over the rows
        another claim holds, and an UPDATE by id waits only for that row, so several
        enrichers claim and store at once."""

    def skip_locked(self, stmt: Query) -> Query:
        return stmt.with_for_update(skip_locked=True)

    def insert_ignore(self, table: type[SQLModel]) -> Insert:
        # SQLAlchemy's PostgreSQL dialect loads here, not when the store does: importing it
        # costs `curator add` on SQLite a twentieth of its start-up (issue 14, item 10).
        from sqlalchemy.dialects.postgresql import insert

        return insert(table).on_conflict_do_nothing()

    def schema_version(self, conn: Connection) -> int:
        exists = conn.exec_driver_sql("SELECT to_regclass(%s)", (VERSION_TABLE,)).scalar()
        if exists is None:
            return 0
        return int(conn.exec_driver_sql(f"SELECT max(version) FROM {VERSION_TABLE}").scalar() or 0)

    def set_schema_version(self, conn: Connection, version: int) -> None:
        conn.exec_driver_sql(f"CREATE TABLE IF NOT EXISTS {VERSION_TABLE} (version integer)")
        conn.exec_driver_sql(f"DELETE FROM {VERSION_TABLE}")
        conn.exec_driver_sql(f"INSERT INTO {VERSION_TABLE} VALUES (%s)", (int(version),))

    @contextmanager
    def migrating(self, conn: Connection) -> Iterator[None]:
        """DDL is transactional on PostgreSQL: the migration commits whole or not at all.
        A second process waits on a session lock, then begins a fresh transaction: one
        begun before the wait would read its stale catalog cache (an advisory lock does
        not make the backend read the invalidations of the tables created meanwhile) and
        find the new schema missing."""
        conn.rollback()
        conn.exec_driver_sql("SELECT pg_advisory_lock(%s, %s)", MIGRATION_LOCK)
        conn.commit()
        try:
            yield
            conn.commit()
        finally:
            conn.rollback()
            conn.exec_driver_sql("SELECT pg_advisory_unlock(%s, %s)", MIGRATION_LOCK)
            conn.commit()

    def keep_ids(self, conn: Connection, table: str, floor: int) -> None:
        """A sequence never hands out an id twice; new ones start above `floor`."""
        conn.exec_driver_sql(
            f"SELECT setval(pg_get_serial_sequence(%s, 'id'), "
            f'greatest(%s, (SELECT coalesce(max(id), 0) FROM "{table}")) + 1, false)',
            (table, floor),
        )

    def resume_ids(self, conn: Connection, table: str) -> None:
        self.keep_ids(conn, table, 0)

    def ready(self, conn: Connection) -> None:
        conn.rollback()

    def is_new(self, conn: Connection) -> bool:
        """No curator schema yet: the database exists on the server, the queue does not."""
        return self.schema_version(conn) == 0

    def reason(self, err: BaseException) -> str:
        orig = getattr(err, "orig", None)
        if getattr(orig, "sqlstate", None) == READ_ONLY_STATE:
            return READ_ONLY
        lines = [line.strip() for line in str(orig or err).splitlines() if line.strip()]
        return " ".join(lines[:2]) if lines else type(err).__name__

    def damage(self, conn: Connection) -> str | None:
        """The server checks its own pages (and checksums, when the cluster has them)."""
        return None


def _driver_url(where: str) -> URL:
    """The URL with psycopg 3 as its driver; postgres:// is libpq's other spelling."""
    try:
        url = make_url(where)
    except ArgumentError:
        raise UsageError(f"not a database URL: {_without_password(where)}") from None
    if url.drivername not in ("postgresql", "postgres", DRIVER):
        raise UsageError(f"unsupported database driver {url.drivername!r}: use postgresql://")
    if not url.database:
        raise StoreError(f"{_without_password(where)}: the URL names no database")
    return url.set(drivername=DRIVER)


def _without_password(where: str) -> str:
    scheme, _, rest = where.partition("://")
    credentials, at, host = rest.rpartition("@")
    return f"{scheme}://{credentials.partition(':')[0]}{at}{host}" if at else where
