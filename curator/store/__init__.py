"""The queue's database: the only package that opens a Session or builds a query.

Contract: `open_store(path, ...)` opens the queue for a command (creating it only for
the commands that fill it, refusing a file that is not one); `Store(path)` opens (or
creates, or migrates) the queue and offers intent-named
methods over links (`links`, `enrichment`), sources and issues, which take and return
curator.models values and raise StoreError, never a driver's error. It imports no stage,
pipeline, http or cli. Every statement one database does its own way is behind
`engine.Dialect`: a second database is one more module beside `sqlite`.
"""

from __future__ import annotations

from pathlib import Path

from curator.errors import StoreError, UsageError
from curator.statuses import STATUSES
from curator.store import schema
from curator.store.engine import opening
from curator.store.enrichment import Enrichment
from curator.store.exports import Exports
from curator.store.issues import Issues
from curator.store.links import LinkFilter, Links
from curator.store.schema import MIGRATIONS
from curator.store.signals import SignalStore
from curator.store.sources import Sources
from curator.store.sqlite import SQLite

__all__ = ["MIGRATIONS", "STATUSES", "LinkFilter", "Store", "open_store"]


class Store(Links, Enrichment, Sources, Issues, Exports, SignalStore):
    def __init__(self, path: Path) -> None:
        """Open (or create) the queue in the SQLite file at `path`. A database that may not
        be written opens read-only: commands that only read work, and the first write fails
        with a StoreError saying so."""
        self.path = path
        dialect = SQLite(path)
        with opening(dialect):
            super().__init__(dialect)
            schema.prepare(self.engine, dialect)


def open_store(path: Path, *, create: bool, write: bool) -> Store:
    """The queue for a command (issue 14, item 6). A missing one is a usage error unless
    the command fills the queue (`create`: init, add, import, collect), so a command that
    reads never leaves a file or a folder behind; a file that is not a database is refused
    by every command, and a damaged one by those that `write`."""
    dialect = SQLite(path)
    if not dialect.exists():
        if not create:
            raise UsageError(
                f"no database at {path}: start one with `curator init` or `curator add URL`, "
                "or choose another with --db"
            )
        dialect.create(lambda where: Store(where).close())
    dialect.check_file()
    store = Store(path)
    if write:
        try:
            store.check_intact()
        except StoreError:
            store.close()
            raise
    return store
