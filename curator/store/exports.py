"""The remote drafts exports made: one per (service, window), kept so a re-export of the
same window updates that draft instead of creating a second one (issue 16, item 4)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import select
from sqlmodel.sql.expression import SelectOfScalar

from curator.models import Export
from curator.store.engine import Base


class Exports(Base):
    def remote_draft(self, service: str, since: datetime, until: datetime) -> Export | None:
        """The draft an earlier export of this window to `service` made, if any."""
        with self._read() as session:
            return session.exec(_where(service, since, until)).first()

    def keep_export(self, export: Export) -> None:
        """Record (or replace) the remote draft of export's service and window."""
        with self._write() as session:
            found = session.exec(_where(export.service, export.since, export.until)).first()
            if found is None:
                session.add(export)
                return
            found.remote_id, found.url = export.remote_id, export.url
            found.exported_at = export.exported_at
            session.add(found)


def _where(service: str, since: datetime, until: datetime) -> SelectOfScalar[Export]:
    return select(Export).where(
        Export.service == service, Export.since == since, Export.until == until
    )
