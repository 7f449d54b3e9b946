"""Opening the queue for a command (issue 14, item 6): which commands may start a new
database, and files that are not one refused before anything writes to them.

Only init, add, import and collect create a database; a command that reads never leaves
a file or a folder behind.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from curator.errors import StoreError, UsageError
from curator.store import Store

# The first 16 bytes of every SQLite database (https://sqlite.org/fileformat.html, 1.3).
SQLITE_HEADER = b"SQLite format 3\x00"


def open_store(path: Path, *, create: bool, write: bool) -> Store:
    """The queue at `path`. A missing one is a usage error unless `create`; an empty or
    foreign file is refused by every command, and a damaged one by those that `write`."""
    if not (path.exists() or path.is_symlink()):
        if not create:
            raise UsageError(
                f"no database at {path}: start one with `curator init` or `curator add URL`, "
                "or choose another with --db"
            )
        _create(path)
    check_file(path)
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


def _create(path: Path) -> None:
    """A new database appears whole: made under a temporary name, then linked into place
    (link(2) fails if the name exists, atomically), so a second `collect` starting at the
    same moment never finds the empty file SQLite begins with, which it would refuse. The
    process that loses the race uses the winner's database."""
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.new")
    try:
        Store(temporary).close()
    except StoreError as err:  # named as the author named it
        raise StoreError(str(err).replace(str(temporary), str(path))) from None
    try:
        os.link(temporary, path)
    except FileExistsError:
        pass
    except OSError:  # a file system without hard links: rename, unless someone was first
        if not path.exists():
            os.replace(temporary, path)
    finally:
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{temporary}{suffix}").unlink(missing_ok=True)
