"""Store: the queue's mixins over one engine, and how a command opens it.

`dialect_for` chooses the dialect a `--db` names; `open_store` creates a queue only for
the commands that fill it and refuses a file that is not one (issue 14, item 6).
"""

from __future__ import annotations

from pathlib import Path

from curator.errors import StoreError, UsageError
from curator.store import schema
from curator.store.copying import Copying
from curator.store.engine import Dialect, opening
from curator.store.enrichment import Enrichment
from curator.store.exports import Exports
from curator.store.issues import Issues
from curator.store.links import Links
from curator.store.postgresql import PostgreSQL, is_url
from curator.store.signals import SignalStore
from curator.store.sources import Sources
from curator.store.sqlite import SQLite


class Store(Links, Enrichment, Sources, Issues, Exports, SignalStore, Copying):
    def __init__(self, where: Path | str) -> None:
        """Open (or create) the queue in the SQLite file at `where`, or in the PostgreSQL
        database its postgresql:// URL names. A database that may not be written opens
        read-only: commands that only read work, and the first write fails with a
        StoreError saying so."""
        dialect = dialect_for(where)
        with opening(dialect):
            super().__init__(dialect)
            schema.prepare(self.engine, dialect)


def dialect_for(where: Path | str) -> Dialect:
    """A postgresql:// (or postgresql+psycopg://) URL names a server's database; anything
    else is the path of an SQLite file."""
    if isinstance(where, str) and is_url(where):
        return PostgreSQL(where)
    return SQLite(Path(where))


def open_store(where: Path | str, *, create: bool, write: bool) -> Store:
    """The queue for a command (issue 14, item 6). A missing one is a usage error unless
    the command fills the queue (`create`: init, add, import, collect), so a command that
    reads never leaves a file, a folder or a schema behind; a file that is not a database
    is refused by every command, and a damaged one by those that `write`."""
    dialect = dialect_for(where)
    if isinstance(dialect, PostgreSQL):
        if not create:
            _refuse_missing_schema(dialect)
    elif isinstance(dialect, SQLite):
        _create_file(dialect, create)
    store = Store(where)
    if write:
        try:
            store.check_intact()
        except StoreError:
            store.close()
            raise
    return store


def _create_file(dialect: SQLite, create: bool) -> None:
    if not dialect.exists():
        if not create:
            raise UsageError(
                f"no database at {dialect.path}: start one with `curator init` or "
                "`curator add URL`, or choose another with --db"
            )
        dialect.create(lambda where: Store(where).close())
    dialect.check_file()


def _refuse_missing_schema(dialect: PostgreSQL) -> None:
    """A command that only reads never creates the schema of an empty server database."""
    engine = dialect.engine()
    try:
        with opening(dialect), engine.connect() as conn:
            new = dialect.is_new(conn)
    finally:
        engine.dispose()
    if new:
        raise UsageError(
            f"no curator queue in {dialect.location}: start one with `curator init` or "
            "`curator add URL`, or choose another with --db"
        )
