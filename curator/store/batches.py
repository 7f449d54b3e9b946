"""Values per `IN (...)`: long lists of keys or ids go to the database in batches below
every database's limit on bound parameters (SQLite's was 999 before 3.32). Standard
library only: sqlite_add uses it without SQLAlchemy."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TypeVar

T = TypeVar("T")
BATCH = 500


def chunks(items: Sequence[T], size: int = BATCH) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
