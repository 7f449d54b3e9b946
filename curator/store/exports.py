"""The remote drafts exports made: one per service and window start, kept so a re-export
of the same issue updates that draft instead of creating a second one (issue 16, item 4)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import select
from sqlmodel.sql.expression import SelectOfScalar

from curator.models import Export
from curator.store.engine import Base


class Exports(Base):
    def remote_draft(self, service: str, since: datetime) -> Export | None:
        """The draft an earlier export of the window starting at `since` made, if any."""
        with self._read() as session:
            return session.exec(_where(service, since)).first()

    def keep_export(self, export: Export) -> None:
        """Record (or replace) the remote draft of export's service and window start."""
        with self._write() as session:
            found = session.exec(_where(export.service, export.since)).first()
            if found is None:
                session.add(export)
                return
            found.until, found.remote_id, found.url = export.until, export.remote_id, export.url
            found.exported_at = export.exported_at
            session.add(found)


def _where(service: str, since: datetime) -> SelectOfScalar[Export]:
    return select(Export).where(Export.service == service, Export.since == since)
