"""The fetch state of each feed and arXiv query: conditional GETs and `curator sources`."""

from __future__ import annotations

from sqlmodel import col, select, update

from curator.models import SourceState
from curator.store.engine import Base


class Sources(Base):
    def source_state(self, kind: str, ref: str, name: str) -> SourceState:
        with self._read() as session:
            stmt = select(SourceState).where(SourceState.kind == kind, SourceState.ref == ref)
            found = session.exec(stmt).first()
        return found or SourceState(kind=kind, ref=ref, name=name)

    def source_states(self) -> list[SourceState]:
        with self._read() as session:
            return list(session.exec(select(SourceState).order_by(col(SourceState.id))).all())

    def save_source_state(self, state: SourceState) -> None:
        """Insert the state, or update the one kept for its (kind, ref)."""
        values = state.model_dump(exclude={"id"})
        insert = self.dialect.insert_ignore(SourceState).values(values)
        with self._write() as session:
            if session.exec(insert.returning(col(SourceState.id))).first() is None:
                session.exec(
                    update(SourceState)
                    .where(col(SourceState.kind) == state.kind, col(SourceState.ref) == state.ref)
                    .values(**values)
                )
