"""The queue's database: the only package that opens a Session or builds a query.

Contract: `open_store(where, ...)` opens the queue for a command (creating it only for
the commands that fill it, refusing a file that is not one); `Store(where)` opens (or
creates, or migrates) the queue, an SQLite file or a postgresql:// URL, and offers
intent-named methods over links (`links`, `enrichment`), sources and issues, which take
and return curator.values and curator.models values and raise StoreError, never a
driver's error. It imports no stage, pipeline, http or cli. Every statement one database
does its own way is behind `engine.Dialect`: `sqlite` and `postgresql` (issue 19);
`sqlite_add` queues hand-added links on the standard library's sqlite3 alone.

The entry points are imported from here; each loads its module on first use, so that
`curator add` can import `sqlite_add` without SQLAlchemy (issue 14, item 10).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from curator import lazy
from curator.statuses import STATUSES

if TYPE_CHECKING:
    from curator.store.links import LinkFilter
    from curator.store.schema import MIGRATIONS
    from curator.store.store import Store, dialect_for, open_store

_HOMES = {
    "LinkFilter": "links",
    "MIGRATIONS": "schema",
    "Store": "store",
    "dialect_for": "store",
    "open_store": "store",
}
__all__ = ["MIGRATIONS", "STATUSES", "LinkFilter", "Store", "dialect_for", "open_store"]

__getattr__ = lazy.attributes(__name__, _HOMES)
