"""The fetch state of each feed and arXiv query: conditional GETs and `curator sources`,
and the lease a collect run holds on a channel while it fetches it (issue 19)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import col, or_, select, update

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

    def claim_source(
        self, kind: str, ref: str, name: str, run: str, now: datetime, until: datetime
    ) -> SourceState | None:
        """The channel's state, claimed for run `run` until `until`; None when another
        run holds a live claim on it (it is fetching the channel now)."""
        new = {"kind": kind, "ref": ref, "name": name, "failures": 0}
        free = or_(
            col(SourceState.claimed_until).is_(None),
            col(SourceState.claimed_until) <= now,
            col(SourceState.claimed_by) == run,
        )
        claim = (
            update(SourceState)
            .where(col(SourceState.kind) == kind, col(SourceState.ref) == ref, free)
            .values(claimed_by=run, claimed_until=until)
            .returning(col(SourceState.id))
        )
        with self._write() as session:
            session.exec(self.dialect.insert_ignore(SourceState).values(new))
            if session.exec(claim).first() is None:
                return None
            stmt = select(SourceState).where(SourceState.kind == kind, SourceState.ref == ref)
            return session.exec(stmt).one()
