"""The store's engine: the Dialect seam, transactions, and errors wrapped at this edge.

Everything a database does its own way sits behind `Dialect` (one implementation per
database: `sqlite.SQLite`, `postgresql.PostgreSQL`); the rest of the store is portable
SQLAlchemy. Write transactions are short and take the write lock up front; none is held
across network I/O.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any, Protocol, Self, TypeVar

from sqlalchemy import Connection, Engine, Select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.sql.dml import Insert
from sqlmodel import Session, SQLModel

from curator.errors import StoreError

Query = TypeVar("Query", bound=Select[Any])
READ_ONLY = "the database is read-only"


class Dialect(Protocol):
    """What one database does its own way. A method names what the store needs done,
    never how (SQLite's pragmas, PostgreSQL's advisory locks stay inside)."""

    location: str  # how messages name the database: its path, or a URL without password
    read_only: bool  # writes are refused before they start

    def engine(self) -> Engine:
        """An engine on the database, which is created unless it is read-only."""
        ...

    def lock_for_writing(self, conn: Connection) -> None:
        """Begin a transaction that holds the write lock from its first statement, so a
        concurrent writer waits instead of failing on a lock upgrade."""
        ...

    def begin_row_writes(self, conn: Connection) -> None:
        """Begin a short transaction that writes only rows it names by id: claims of work
        (issue 19) and each link's result. On a database without row locks, one that
        holds the write lock; otherwise a plain one, so that runs never queue behind one
        another for the write lock once per link."""
        ...

    def skip_locked(self, stmt: Query) -> Query:
        """`stmt` locking the rows it reads for this transaction, passing over rows
        another transaction holds (a claim of the same work)."""
        ...

    def insert_ignore(self, table: type[SQLModel]) -> Insert:
        """INSERT that skips a row whose unique key is taken (ON CONFLICT DO NOTHING);
        count what it inserted with RETURNING, never rowcount."""
        ...

    def schema_version(self, conn: Connection) -> int:
        """How many migrations the database has had: 0 for a new one."""
        ...

    def set_schema_version(self, conn: Connection, version: int) -> None: ...

    def migrating(self, conn: Connection) -> AbstractContextManager[None]:
        """One exclusive transaction for a migration: a process opening the database
        meanwhile waits; integrity is checked before the commit, which ends the block."""
        ...

    def keep_ids(self, conn: Connection, table: str, floor: int) -> None:
        """Make `table` never reuse an id, new ids starting above `floor`."""
        ...

    def resume_ids(self, conn: Connection, table: str) -> None:
        """New ids of `table` start past the highest one, after rows came with their ids."""
        ...

    def ready(self, conn: Connection) -> None:
        """Settings for concurrent use, made once the schema is current."""
        ...

    def reason(self, err: BaseException) -> str:
        """A driver error as one line: READ_ONLY when the database refused a write."""
        ...

    def damage(self, conn: Connection) -> str | None:
        """What an integrity check finds wrong with the stored data, or None."""
        ...


class Base:
    """An open store: the engine and the transactions the domain mixins run in."""

    def __init__(self, dialect: Dialect) -> None:
        self.dialect = dialect
        self.read_only = dialect.read_only
        self.engine = dialect.engine()

    def close(self) -> None:
        self.engine.dispose()

    def check_intact(self) -> None:
        """Refuse a damaged database before writing to it. The check reads every page
        (0.2 s over 200,000 links on SQLite), so only commands that write ask (issue 14)."""
        with self._errors(), self.engine.connect() as conn:
            found = self.dialect.damage(conn)
        if found is not None:
            raise StoreError(f"{self.dialect.location}: the database is damaged ({found})")

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    @contextmanager
    def _read(self) -> Iterator[Session]:
        with self._errors(), Session(self.engine, expire_on_commit=False) as session:
            yield session

    def _write_connection(self) -> AbstractContextManager[Connection]:
        """A bare write transaction for the per-link hot path: a Session costs more than
        the one statement it would run."""
        return self._connection(self.dialect.lock_for_writing)

    def _row_write_connection(self) -> AbstractContextManager[Connection]:
        """A bare transaction that writes rows by id (Dialect.begin_row_writes)."""
        return self._connection(self.dialect.begin_row_writes)

    def _write(self) -> AbstractContextManager[Session]:
        return self._session(self.dialect.lock_for_writing)

    def _row_write(self) -> AbstractContextManager[Session]:
        """A Session that writes rows by id (Dialect.begin_row_writes): claims of work."""
        return self._session(self.dialect.begin_row_writes)

    @contextmanager
    def _connection(self, begin: Callable[[Connection], None]) -> Iterator[Connection]:
        self._refuse_if_read_only()
        with self._errors(), self.engine.connect() as conn:
            begin(conn)
            yield conn
            conn.commit()

    @contextmanager
    def _session(self, begin: Callable[[Connection], None]) -> Iterator[Session]:
        self._refuse_if_read_only()
        with self._errors(), Session(self.engine, expire_on_commit=False) as session:
            begin(session.connection())
            yield session
            session.commit()

    def _refuse_if_read_only(self) -> None:
        if self.read_only:
            raise StoreError(
                f"{self.dialect.location}: {READ_ONLY}; this command needs to write to it"
            )

    @contextmanager
    def _errors(self) -> Iterator[None]:
        try:
            yield
        except SQLAlchemyError as err:
            raise StoreError(f"{self.dialect.location}: {self.dialect.reason(err)}") from None


@contextmanager
def opening(dialect: Dialect) -> Iterator[None]:
    """Any failure to open or set up the database, as one StoreError."""
    try:
        yield
    except (OSError, SQLAlchemyError) as err:
        raise StoreError(
            f"{dialect.location}: cannot open database: {dialect.reason(err)}"
        ) from None
