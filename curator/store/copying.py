"""Moving a queue between databases (issue 19, item 5): every row of every table, ids
kept, so `list --json` reads the same on both; copying again copies nothing new.

Rows go in the tables' dependency order (issues before the links published in them),
a batch at a time; a row whose key the target already holds is skipped, which is what
makes a second copy a no-op. The target's id counters then resume past the copied ids.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import Table, select
from sqlmodel import SQLModel

from curator.models import Issue, IssueItem, Link, Merged, Sighting, SourceState
from curator.store.batches import BATCH
from curator.store.engine import Base

# In the order foreign keys need: link.issue_id names an issue, items name both.
TABLES: tuple[type[SQLModel], ...] = (Issue, Link, Sighting, Merged, SourceState, IssueItem)


class Copying(Base):
    def copy_from(self, source: Base) -> dict[str, int]:
        """Copy every row of `source` this database lacks; how many of each table."""
        self._refuse_if_read_only()
        copied: dict[str, int] = {}
        with source._errors():  # a failure reading names the source
            for model in TABLES:
                table = _table(model)
                copied[table.name] = sum(self._insert(model, rows) for rows in _rows(source, table))
        with self._errors(), self.engine.connect() as conn:
            for model in TABLES:
                if "id" in _table(model).c:
                    self.dialect.resume_ids(conn, _table(model).name)
            conn.commit()
        return copied

    def _insert(self, model: type[SQLModel], rows: list[dict[str, Any]]) -> int:
        key = next(iter(_table(model).primary_key.columns))
        stmt = self.dialect.insert_ignore(model).returning(key)
        with self._write_connection() as conn:
            return len(conn.execute(stmt, rows).all())


def _table(model: type[SQLModel]) -> Table:
    table: Table = model.__table__  # type: ignore[attr-defined]
    return table


def _rows(source: Base, table: Table) -> Iterator[list[dict[str, Any]]]:
    """The table's rows by primary key, a batch at a time from one cursor."""
    stmt = select(table).order_by(*table.primary_key.columns)
    with source.engine.connect() as conn:
        result = conn.execution_options(yield_per=BATCH).execute(stmt)
        for rows in result.mappings().partitions():
            yield [dict(row) for row in rows]
