"""The links' signals (issue 17): what Hugging Face and Hacker News say, kept per link.

Signals are one JSON value per link (values.Signals.stored()); a write merges what it
brings over what the link had, so the two services' answers never erase each other.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlmodel import col, select, update

from curator.models import Link
from curator.store.batches import chunks
from curator.store.engine import Base
from curator.values import Signals


class SignalStore(Base):
    def save_signals(self, by_key: Mapping[str, Signals]) -> int:
        """Merge signals into the links queued under these keys; returns how many were."""
        with self._write() as session:
            found: dict[str, tuple[int, Signals]] = {}
            for chunk in chunks(sorted(by_key)):
                stmt = select(Link.key, Link.id, Link.signals).where(col(Link.key).in_(chunk))
                for key, link_id, stored in session.exec(stmt):
                    found[key] = (link_id or 0, Signals.of(stored))
            for key, (link_id, old) in found.items():
                merged = old.merged(by_key[key]).stored()
                session.exec(update(Link).where(col(Link.id) == link_id).values(signals=merged))
        return len(found)

    def signal_candidates(self, since: datetime) -> list[Link]:
        """Unpublished links first seen since `since`: the ones a draft may still rank
        (issue 17: signals matter only there)."""
        stmt = (
            select(Link)
            .where(col(Link.issue_id).is_(None), col(Link.first_seen) >= since)
            .order_by(col(Link.id))
        )
        with self._read() as session:
            return list(session.exec(stmt).all())
