"""Enrichment's writes on the links: the due ones claimed, results and failures stored.

A result whose final URL is a link already queued merges the two (curator.merging says
what the survivor keeps). Overlapping runs never undo each other (issue 12): a success
is never overwritten by a failure, nor by the result of a run that started earlier; and
they split the queue (issue 19): a run claims the links it is about to fetch, with a
lease that lapses if it dies, and a claimed link is no other run's to fetch.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import bindparam, func
from sqlmodel import Session, col, or_, select, update

from curator import urls
from curator.merging import merged_fields
from curator.models import IssueItem, Link, Merged, Sighting
from curator.store.engine import Base
from curator.store.links import COLUMNS, location_columns, metadata_columns
from curator.values import DONE, FAILED, LINK, PENDING, Metadata

_MARK_FAILED = (
    update(Link)
    .where(col(Link.id) == bindparam("_id"), col(Link.status) != DONE)
    .values(
        status=FAILED,
        error=bindparam("error"),
        attempts=Link.attempts + 1,
        next_attempt_at=bindparam("retry_at", type_=COLUMNS.next_attempt_at.type),
        enriched_at=bindparam("now", type_=COLUMNS.enriched_at.type),
        claimed_by=None,
        claimed_until=None,
    )
)


class Enrichment(Base):
    def due_for_enrichment(
        self,
        now: datetime,
        *,
        retry_failed: bool = False,
        after_id: int = 0,
        limit: int | None = None,
    ) -> list[Link]:
        """Pending links, failed links whose retry is due, and with `retry_failed` every
        failed link, by id: with `after_id` and `limit`, the next batch of a run that
        reads them a batch at a time."""
        stmt = (
            select(Link)
            .where(_due(now, retry_failed), col(Link.id) > after_id)
            .order_by(col(Link.id))
            .limit(limit)
        )
        with self._read() as session:
            return list(session.exec(stmt).all())

    def claim_due(
        self,
        now: datetime,
        run: str,
        until: datetime,
        *,
        retry_failed: bool = False,
        after_id: int = 0,
        limit: int,
    ) -> list[Link]:
        """Claim up to `limit` due links after `after_id`, by id, for run `run` until
        `until`: those no other run holds a live claim on. One short transaction: the rows
        are locked while claimed, and a concurrent claim passes over them (issue 19)."""
        stmt = (
            select(Link)
            .where(_due(now, retry_failed), _unclaimed(now, run), col(Link.id) > after_id)
            .order_by(col(Link.id))
            .limit(limit)
        )
        with self._row_write() as session:
            links = list(session.exec(self.dialect.skip_locked(stmt)).all())
            ids = [link.id for link in links]
            if ids:
                session.exec(
                    update(Link)
                    .where(col(Link.id).in_(ids))
                    .values(claimed_by=run, claimed_until=until)
                )
        return links

    def release_claims(self, run: str) -> None:
        """Give back what run `run` claimed and did not finish (an interrupted run)."""
        with self._write_connection() as conn:
            conn.execute(
                update(Link)
                .where(col(Link.claimed_by) == run)
                .values(claimed_by=None, claimed_until=None)
            )

    def claimants(self) -> list[str]:
        """The runs that hold claims on links."""
        stmt = select(Link.claimed_by).where(col(Link.claimed_by).is_not(None)).distinct()
        with self._read() as session:
            return [run for run in session.exec(stmt) if run]

    def count_due(
        self, now: datetime, *, retry_failed: bool = False, run: str | None = None
    ) -> int:
        """Due links; with `run`, only those that run may claim."""
        stmt = select(func.count()).select_from(Link).where(_due(now, retry_failed))
        if run is not None:
            stmt = stmt.where(_unclaimed(now, run))
        with self._read() as session:
            return session.exec(stmt).one()

    def mark_enriched(self, link_id: int, meta: Metadata, now: datetime) -> int:
        """Store what enrichment found; returns the id of the surviving link.

        When the final URL after redirects is a link already queued, the two merge into the
        older one: sightings move over, and the author's choices on either are kept. This
        runs once per link in the hot loop: without a redirect (`final_url` None) it is one
        UPDATE.

        With overlapping runs, a link that a run started later has already enriched keeps
        that run's result, and a link merged away meanwhile is left alone: its id is never
        reused, so the UPDATE cannot land on another link.
        """
        # URL work before the transaction, which stays short.
        moved = urls.identify(meta.final_url) if meta.final_url else None
        values = metadata_columns(meta, now)
        if moved is None:
            with self._row_write_connection() as conn:
                conn.execute(
                    _update_link(frozenset(values)), {**values, "_id": link_id, "_started": now}
                )
            return link_id
        with self._write() as session:
            target = self._move(session, link_id, moved, values, now)
            session.connection().execute(
                _update_link(frozenset(values)), {**values, "_id": target, "_started": now}
            )
            return target

    def _move(
        self,
        session: Session,
        link_id: int,
        moved: urls.Identity,
        values: dict[str, Any],
        now: datetime,
    ) -> int:
        """A link redirected elsewhere: take the new location, or merge into its owner."""
        row = session.exec(select(Link.key, Link.kind).where(col(Link.id) == link_id)).first()
        if row is None or row[1] != LINK:  # gone (merged by a concurrent run), or a paper
            return link_id
        if moved.key == row[0]:
            values["url"] = moved.url
            return link_id
        other = session.exec(select(Link.id).where(Link.key == moved.key)).first()
        if other is None:
            values.update(location_columns(moved))
            return link_id
        return self._merge(session, link_id, other, now)

    def _merge(self, session: Session, link_id: int, into: int, now: datetime) -> int:
        """Fold link `link_id` into link `into`: sightings, issue items, author's choices.

        The merge is recorded, so that commands given the old id can say where it went;
        links merged into `link_id` earlier now point at `into` too.
        """
        link, other = session.get(Link, link_id), session.get(Link, into)
        assert link is not None and other is not None
        session.exec(update(Sighting).where(col(Sighting.link_id) == link_id).values(link_id=into))
        session.exec(
            update(IssueItem).where(col(IssueItem.link_id) == link_id).values(link_id=into)
        )
        for name, value in merged_fields(other, link).items():
            setattr(other, name, value)
        session.add(other)
        session.delete(link)
        session.exec(update(Merged).where(col(Merged.into_id) == link_id).values(into_id=into))
        session.add(Merged(link_id=link_id, into_id=into, merged_at=now))
        session.flush()
        return into

    def mark_failed(
        self, link_id: int, error: str, now: datetime, retry_at: datetime | None
    ) -> None:
        """Record a failure; `retry_at=None` means permanent (retried only when asked).

        Only while the link is not done: an overlapping run that failed on a link another
        run enriched meanwhile must not overwrite that success (issue 12).
        """
        params = {"_id": link_id, "error": error, "retry_at": retry_at, "now": now}
        with self._row_write_connection() as conn:
            conn.execute(_MARK_FAILED, params)

    def keep_llm_summary(
        self, link_id: int, summary: str | None, model: str, prompt_hash: str
    ) -> None:
        """Cache what `model` answered for this input (issue 20); None: it was rejected."""
        values = {"llm_summary": summary, "llm_model": model, "llm_prompt_hash": prompt_hash}
        with self._write() as session:
            session.exec(update(Link).where(col(Link.id) == link_id).values(**values))


@cache
def _update_link(columns: frozenset[str]) -> Any:
    """UPDATE link SET <columns> WHERE id = :_id, built once per set of columns: building
    and coercing a fresh statement per link cost more than running it (tests/bench)."""
    values: dict[str, Any] = {
        name: bindparam(name, type_=COLUMNS[name].type) for name in sorted(columns)
    }
    # Unless a run that started later (`_started` is this run's start) already enriched it.
    started = bindparam("_started", type_=COLUMNS.enriched_at.type)
    not_newer = or_(
        col(Link.status) != DONE,
        col(Link.enriched_at).is_(None),
        col(Link.enriched_at) <= started,
    )
    values.update(claimed_by=None, claimed_until=None)
    return update(Link).where(col(Link.id) == bindparam("_id"), not_newer).values(values)


def _unclaimed(now: datetime, run: str) -> Any:
    """Links no other run holds: never claimed, claimed by this run, or a lapsed claim."""
    return or_(
        col(Link.claimed_until).is_(None),
        col(Link.claimed_until) <= now,
        col(Link.claimed_by) == run,
    )


def _due(now: datetime, retry_failed: bool) -> Any:
    failed_due = col(Link.status) == FAILED
    if not retry_failed:
        failed_due &= col(Link.next_attempt_at) <= now
    return or_(col(Link.status) == PENDING, failed_due)
