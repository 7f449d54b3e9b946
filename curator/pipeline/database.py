"""Opening the queue for a command (issue 14, item 6): which commands may start a new
database, and files that are not one refused before anything writes to them.

Only init, add, import and collect create a database; a command that reads never leaves
a file or a folder behind.
"""

from __future__ import annotations

from pathlib import Path

from curator.errors import StoreError, UsageError
from curator.store import Store

# The first 16 bytes of every SQLite database (https://sqlite.org/fileformat.html, 1.3).
SQLITE_HEADER = b"SQLite format 3\x00"


def open_store(path: Path, *, create: bool, write: bool) -> Store:
    """The queue at `path`. A missing one is a usage error unless `create`; an empty or
    foreign file is refused by every command, and a damaged one by those that `write`."""
    if path.exists() or path.is_symlink():
        check_file(path)
    elif not create:
        raise UsageError(
            f"no database at {path}: start one with `curator init` or `curator add URL`, "
            "or choose another with --db"
        )
    store = Store(path)
    if write:
        try:
            store.check_intact()
        except StoreError:
            store.close()
            raise
    return store


def check_file(path: Path) -> None:
    """SQLite would silently turn an empty file into a new database, and opens a file
    whose header is gone as one (issue 14)."""
    try:
        with path.open("rb") as file:
            header = file.read(len(SQLITE_HEADER))
    except OSError as err:
        raise StoreError(f"{path}: cannot open database: {err.strerror or err}") from None
    if not header:
        raise StoreError(f"{path}: the file is empty, not a curator database")
    if header != SQLITE_HEADER:
        raise StoreError(f"{path}: not a curator database (not an SQLite file)")
