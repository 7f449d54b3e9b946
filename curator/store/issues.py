"""Published issues and their items; publishing marks the links it took."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import col, select, update

from curator.errors import StoreError
from curator.models import Issue, IssueItem, Link
from curator.store.engine import Base


class Issues(Base):
    def last_issue(self) -> Issue | None:
        with self._read() as session:
            return session.exec(select(Issue).order_by(col(Issue.number).desc())).first()

    def issue_numbers(self) -> dict[int, int]:
        with self._read() as session:
            return {i: n for i, n in session.exec(select(Issue.id, Issue.number))}  # type: ignore[misc]

    def publish(self, issue: Issue, items: Sequence[tuple[int, str, int]]) -> Issue:
        """Record an issue and its (link id, section, position) items in one transaction."""
        with self._write() as session:
            if session.exec(select(Issue).where(Issue.number == issue.number)).first():
                raise StoreError(f"issue #{issue.number} is already published")
            session.add(issue)
            session.flush()
            assert issue.id is not None
            for link_id, section, position in items:
                session.add(
                    IssueItem(
                        issue_id=issue.id, link_id=link_id, section=section, position=position
                    )
                )
            ids = [link_id for link_id, _, _ in items]
            session.exec(update(Link).where(col(Link.id).in_(ids)).values(issue_id=issue.id))
            return issue
