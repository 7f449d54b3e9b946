"""The SQLite dialect: a queue in one file, in WAL mode with a busy timeout.

Every SQLite-specific statement of the store is here: pragmas, BEGIN IMMEDIATE,
INSERT ... ON CONFLICT DO NOTHING, `user_version`, the AUTOINCREMENT rebuild, the
`mode=ro` / `immutable=1` URIs of a database that may not be written, the file header
check and a new file that appears whole.
"""

from __future__ import annotations

import os
import secrets
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sqlalchemy import Connection, Engine, MetaData, event
from sqlalchemy.dialects.sqlite import insert
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import QueuePool
from sqlalchemy.sql.dml import Insert
from sqlmodel import SQLModel, create_engine

from curator.errors import StoreError
from curator.store.engine import READ_ONLY, Query
from curator.store.sqlite_add import BUSY_TIMEOUT_MS, HEADER, PRAGMAS
from curator.text import collapse


class SQLite:
    """The database file at `path`; see engine.Dialect for what each method promises."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.location = str(path)
        self.read_only = _is_read_only(path)

    def exists(self) -> bool:
        return self.path.exists() or self.path.is_symlink()

    def check_file(self) -> None:
        """SQLite would silently turn an empty file into a new database, and opens a file
        whose header is gone as one (issue 14)."""
        try:
            with self.path.open("rb") as file:
                header = file.read(len(HEADER))
        except OSError as err:
            raise StoreError(f"{self.path}: cannot open database: {err.strerror or err}") from None
        if not header:
            raise StoreError(f"{self.path}: the file is empty, not a curator database")
        if header != HEADER:
            raise StoreError(f"{self.path}: not a curator database (not an SQLite file)")

    def create(self, make: Callable[[Path], None]) -> None:
        """A new database appears whole: `make` builds it under a temporary name, which
        is then linked into place (link(2) fails if the name exists, atomically), so a
        second `collect` starting at the same moment never finds the empty file SQLite
        begins with, which it would refuse. The process that loses the race uses the
        winner's database."""
        temporary = self.path.with_name(f".{self.path.name}.{secrets.token_hex(4)}.new")
        try:
            make(temporary)
        except StoreError as err:  # named as the author named it
            raise StoreError(str(err).replace(str(temporary), str(self.path))) from None
        try:
            os.link(temporary, self.path)
        except FileExistsError:
            pass
        except OSError:  # a file system without hard links: rename, unless someone was first
            if not self.path.exists():
                os.replace(temporary, self.path)
        finally:
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(f"{temporary}{suffix}").unlink(missing_ok=True)

    def engine(self) -> Engine:
        """A database on a read-only file, directory or mount opens read-only: commands
        that only read work, rather than failing on "unable to open database file"."""
        if self.read_only:
            return _read_only_engine(self.path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if not os.access(self.path.parent, os.W_OK):
            raise StoreError(f"{self.path}: cannot create the database: read-only directory")
        return _engine(self.path)

    def lock_for_writing(self, conn: Connection) -> None:
        """A deferred transaction that reads and then writes can fail at once with
        SQLITE_BUSY instead of waiting on the busy timeout: take the lock up front."""
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    def begin_row_writes(self, conn: Connection) -> None:
        """SQLite has no row locks: a claim or a result holds the write lock, so they take
        turns."""
        self.lock_for_writing(conn)

    def skip_locked(self, stmt: Query) -> Query:
        return stmt

    def insert_ignore(self, table: type[SQLModel]) -> Insert:
        return insert(table).on_conflict_do_nothing()

    def schema_version(self, conn: Connection) -> int:
        return int(conn.exec_driver_sql("PRAGMA user_version").scalar() or 0)

    def set_schema_version(self, conn: Connection, version: int) -> None:
        conn.exec_driver_sql(f"PRAGMA user_version={int(version)}")

    @contextmanager
    def migrating(self, conn: Connection) -> Iterator[None]:
        """Foreign keys are off while migrating, as SQLite's table rebuild requires
        (https://sqlite.org/lang_altertable.html#otheralter), and checked before commit.
        The pragma is ignored inside a transaction, hence before BEGIN."""
        conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
        conn.exec_driver_sql("BEGIN IMMEDIATE")
        yield
        if conn.exec_driver_sql("PRAGMA foreign_key_check").first() is not None:
            raise StoreError("migrating the database broke a foreign key; nothing was changed")
        conn.commit()
        conn.exec_driver_sql("PRAGMA foreign_keys=ON")

    def keep_ids(self, conn: Connection, table: str, floor: int) -> None:
        _add_autoincrement(conn, table, floor)

    def resume_ids(self, conn: Connection, table: str) -> None:
        """An insert with an explicit id already moves AUTOINCREMENT's sqlite_sequence."""

    def ready(self, conn: Connection) -> None:
        _enable_wal(conn)

    def reason(self, err: BaseException) -> str:
        orig = getattr(err, "orig", None)
        if (
            isinstance(orig, sqlite3.Error)
            and orig.sqlite_errorcode & 0xFF == sqlite3.SQLITE_READONLY
        ):
            return READ_ONLY  # it became read-only after opening: a remount, chattr +i
        return str(orig or err).splitlines()[0]

    def damage(self, conn: Connection) -> str | None:
        found = conn.exec_driver_sql("PRAGMA quick_check(1)").scalar()
        return None if found == "ok" else collapse(str(found))


def _engine(path: Path, uri: str | None = None) -> Engine:
    """An engine on `path`, or on a `file:` URI for it with open flags."""
    if uri is None:
        engine = create_engine(
            f"sqlite:///{path}", connect_args={"timeout": BUSY_TIMEOUT_MS / 1000}
        )
    else:
        engine = create_engine(
            "sqlite://",
            creator=lambda: sqlite3.connect(
                uri, uri=True, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False
            ),
            poolclass=QueuePool,
        )

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn: Any, _: Any) -> None:
        cursor = dbapi_conn.cursor()
        for pragma in PRAGMAS:
            cursor.execute(pragma)
        cursor.close()

    return engine


def _is_read_only(path: Path) -> bool:
    """An existing database we may not write: access(2) also answers for root on a
    read-only mount (EROFS) or an immutable file. SQLite writes its -wal, -shm and
    journal files beside the database, so the directory counts too."""
    return path.exists() and not (os.access(path, os.W_OK) and os.access(path.parent, os.W_OK))


def _read_only_engine(path: Path) -> Engine:
    """`mode=ro`, or `immutable=1` when even that fails: a reader of a WAL database needs
    its -shm file, which a read-only directory cannot hold once the last writer has
    removed it (https://sqlite.org/wal.html#readonly). Immutable means SQLite takes no
    locks and reads no WAL, right for a file nobody may write."""
    uri = f"file:{quote(str(path.resolve()))}?mode=ro"
    engine = _engine(path, uri)
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA user_version")
        return engine
    except SQLAlchemyError:
        engine.dispose()
    return _engine(path, uri + "&immutable=1")


def _add_autoincrement(conn: Connection, name: str, floor: int) -> None:
    """Rebuild table `name` with AUTOINCREMENT, which SQLite cannot ALTER in: a copy
    reflected from the file (so later migrations still find the columns they expect),
    the rows, then the indexes, in SQLite's documented order (lang_altertable.html); new
    ids then start above `floor`."""
    index_sql = list(
        conn.exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql NOT NULL",
            (name,),
        ).scalars()
    )
    reflected = MetaData()
    reflected.reflect(conn)  # whole, so that foreign keys find their tables
    rebuilt = reflected.tables[name].to_metadata(reflected, name=f"{name}_rebuilt")
    rebuilt.indexes.clear()  # recreated under their own names once the old table is gone
    rebuilt.dialect_kwargs["sqlite_autoincrement"] = True
    rebuilt.create(conn)
    conn.exec_driver_sql(f'INSERT INTO "{rebuilt.name}" SELECT * FROM "{name}"')
    conn.exec_driver_sql(f'DROP TABLE "{name}"')
    conn.exec_driver_sql(f'ALTER TABLE "{rebuilt.name}" RENAME TO "{name}"')
    for sql in index_sql:
        conn.exec_driver_sql(sql)
    conn.exec_driver_sql("DELETE FROM sqlite_sequence WHERE name = ?", (name,))
    conn.exec_driver_sql(
        "INSERT INTO sqlite_sequence (name, seq) "
        f'SELECT ?, max(?, coalesce(max(id), 0)) FROM "{name}"',
        (name, floor),
    )


def _enable_wal(conn: Connection) -> None:
    """WAL lets `collect` write while `draft` or `list` read. The mode persists in the file;
    switching can fail at once while another process holds a lock, so retry briefly."""
    for attempt in range(50):
        try:
            mode = conn.exec_driver_sql("PRAGMA journal_mode").scalar()
            if mode == "wal":
                return
            conn.exec_driver_sql("PRAGMA journal_mode=WAL")
            return
        except SQLAlchemyError:
            conn.rollback()
            time.sleep(0.05 * (attempt + 1))
    raise StoreError("cannot switch the database to WAL mode: it stays locked")
