"""The links of the queue: arrivals queued one link per key, read back, decided on.

Each arrival is a sighting; the rules for what it changes on a queued link (the URL shown,
a paper an arXiv query completes) are curator.merging's, applied here in a handful of
set-based statements per batch. Enrichment's writes are in `enrichment`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from itertools import groupby
from typing import Any

from sqlalchemy import func, insert
from sqlmodel import Session, col, or_, select, update

from curator import urls
from curator.merging import AUTHOR_FIELDS, query_result, shown_url
from curator.models import Link, Merged, Sighting
from curator.statuses import STATUS_WORDS
from curator.store.batches import chunks
from curator.store.engine import Base
from curator.values import (
    DONE,
    FEATURE,
    LINK,
    PAPER,
    PENDING,
    PICK,
    PIN,
    AddResult,
    Candidate,
    Metadata,
)

COLUMNS = Link.__table__.c  # type: ignore[attr-defined]
# Every row one `add` inserts has the same columns: an INSERT of many rows takes its
# columns from the first and silently drops the others' extra keys.
_UNSET_ON_ARRIVAL = dict.fromkeys(
    ("source", "site_name", "category", "code_url", "image", "note", "error",
     "next_attempt_at", "enriched_at")
)  # fmt: skip


@dataclass(frozen=True)
class LinkFilter:
    since: datetime | None = None
    until: datetime | None = None
    status: str | None = None  # a word of curator.statuses
    kind: str | None = None
    ids: tuple[int, ...] | None = None


class Links(Base):
    def add(
        self, candidates: Iterable[Candidate], now: datetime, *, repeat_sightings: bool = False
    ) -> AddResult:
        """Queue candidates, one link per key, and record each arrival as a sighting.

        An arrival whose key is not queued, but whose original URL or (source, entry id) a
        sighting holds, belongs to that sighting's link: a short link a feed lists again
        after enrichment followed it elsewhere and changed the link's key (issue 12, item 5).
        A source seeing the same URL or entry again (a feed re-read) adds no sighting unless
        `repeat_sightings` (an author adding a link twice by hand). A handful of set-based
        statements per batch, whatever its size: a feed of 50 entries is one transaction.
        """
        arrivals = [(c, _new_link_row(c, urls.identify(c.url), now)) for c in candidates]
        result = AddResult()
        if not arrivals:
            return result
        with self._write() as session:
            known, shown = self._ids_by_key(session, {row["key"] for _, row in arrivals})
            owners = self._owners(session, arrivals, known)
            new = self._insert_links(session, _unowned_rows(arrivals, owners))
            result.new, result.known = len(new), len(arrivals) - len(new)
            result.new_ids = sorted(new.values())
            self._update_known(session, arrivals, known, shown, now)
            ids = {**known, **new}
            linked = [
                (owner or ids[row["key"]], c)
                for (c, row), owner in zip(arrivals, owners, strict=True)
            ]
            self._add_sightings(session, linked, now, repeat_sightings)
        return result

    def _update_known(
        self,
        session: Session,
        arrivals: list[tuple[Candidate, dict[str, Any]]],
        known: dict[str, int],
        shown: dict[str, str],
        now: datetime,
    ) -> None:
        """What arrivals change on the links queued under their key (`known`, showing
        `shown`): a paper's metadata from an arXiv query, a better URL to show."""
        for candidate, row in arrivals:
            paper = query_result(candidate)
            if paper is not None and row["key"] in known:
                self._complete_paper(session, known[row["key"]], paper, now)
            url = shown.get(row["key"])
            if url is not None and shown_url(url, row["url"]) != url:
                shown[row["key"]] = row["url"]
                session.exec(
                    update(Link).where(col(Link.id) == known[row["key"]]).values(url=row["url"])
                )

    def _owners(
        self,
        session: Session,
        arrivals: list[tuple[Candidate, dict[str, Any]]],
        known: dict[str, int],
    ) -> list[int | None]:
        """The queued link each arrival belongs to, by key or by an earlier sighting."""
        earlier = self._earlier_arrivals(
            session, [c for c, row in arrivals if row["key"] not in known]
        )
        return [known.get(row["key"]) or earlier.link_of(c) for c, row in arrivals]

    def _earlier_arrivals(self, session: Session, candidates: list[Candidate]) -> _Arrivals:
        """The links that sightings of these original URLs and feed entries belong to."""
        found = _Arrivals()
        for chunk in chunks(sorted({c.url for c in candidates})):
            stmt = (
                select(Sighting.url, func.min(Sighting.link_id))
                .where(col(Sighting.url).in_(chunk))
                .group_by(col(Sighting.url))
            )
            found.by_url.update((url, link_id) for url, link_id in session.exec(stmt))
        entries = sorted({(c.via, c.entry_id) for c in candidates if c.entry_id is not None})
        for source, chunk in _by_source(entries):
            by_entry = (
                select(Sighting.entry_id, func.min(Sighting.link_id))
                .where(col(Sighting.source) == source, col(Sighting.entry_id).in_(chunk))
                .group_by(col(Sighting.entry_id))
            )
            for entry, link_id in session.exec(by_entry):
                found.by_entry[source, entry or ""] = link_id
        return found

    def _ids_by_key(
        self, session: Session, keys: set[str]
    ) -> tuple[dict[str, int], dict[str, str]]:
        """Ids and shown URLs of the links already queued under these keys."""
        ids: dict[str, int] = {}
        shown: dict[str, str] = {}
        for chunk in chunks(sorted(keys)):
            stmt = select(Link.key, Link.id, Link.url).where(col(Link.key).in_(chunk))
            for key, link_id, url in session.exec(stmt):
                ids[key], shown[key] = link_id or 0, url
        return ids, shown

    def _insert_links(self, session: Session, rows: list[dict[str, Any]]) -> dict[str, int]:
        """Insert new links; a key another writer added meanwhile is skipped, not doubled."""
        if not rows:
            return {}
        stmt = self.dialect.insert_ignore(Link).returning(col(Link.key), col(Link.id))
        return {key: link_id or 0 for key, link_id in session.connection().execute(stmt, rows)}

    def _complete_paper(
        self, session: Session, link_id: int, paper: Metadata, now: datetime
    ) -> None:
        """A paper queued by URL that an arXiv query now describes; one already enriched
        keeps what its lookup found."""
        session.exec(
            update(Link)
            .where(col(Link.id) == link_id, col(Link.status) != DONE)
            .values(**metadata_columns(paper, now))
        )

    def _add_sightings(
        self,
        session: Session,
        arrivals: list[tuple[int, Candidate]],
        now: datetime,
        repeat: bool,
    ) -> None:
        seen: set[tuple[int, str, str]] = set()  # (link, source, URL or "#" + entry id)
        if not repeat:
            for chunk in chunks(sorted({link_id for link_id, _ in arrivals})):
                stmt = select(
                    Sighting.link_id, Sighting.source, Sighting.url, Sighting.entry_id
                ).where(col(Sighting.link_id).in_(chunk))
                for link_id, source, url, entry_id in session.exec(stmt):
                    seen.update(_sighting_marks(link_id, source, url, entry_id))
        rows = []
        for link_id, candidate in arrivals:
            marks = _sighting_marks(link_id, candidate.via, candidate.url, candidate.entry_id)
            if not seen.isdisjoint(marks):
                continue
            if not repeat:
                seen.update(marks)
            rows.append(
                {"link_id": link_id, "source": candidate.via, "url": candidate.url,
                 "seen_at": now, "note": candidate.note, "entry_id": candidate.entry_id}
            )  # fmt: skip
        if rows:
            session.connection().execute(insert(Sighting), rows)

    # -- reading ------------------------------------------------------------------------

    def links(self, where: LinkFilter = LinkFilter()) -> list[Link]:
        return [link for batch in self.link_batches(where) for link in batch]

    def link_batches(
        self, where: LinkFilter = LinkFilter(), *, size: int = 500
    ) -> Iterator[list[Link]]:
        """The links matching `where`, oldest first, `size` at a time from one cursor over
        one snapshot: memory stays flat however long the queue (issue 12). The read stays
        open until the iterator is exhausted or closed."""
        stmt = select(Link).order_by(col(Link.first_seen), col(Link.id))
        if where.since is not None:
            stmt = stmt.where(col(Link.first_seen) >= where.since)
        if where.until is not None:
            stmt = stmt.where(col(Link.first_seen) <= where.until)
        if where.kind is not None:
            stmt = stmt.where(col(Link.kind) == where.kind)
        if where.ids is not None:
            stmt = stmt.where(col(Link.id).in_(where.ids))
        if where.status is not None:
            stmt = stmt.where(_status_clause(where.status))
        with self._read() as session:
            for batch in session.exec(stmt.execution_options(yield_per=size)).partitions():
                yield list(batch)

    def for_draft(self, since: datetime, until: datetime) -> list[Link]:
        """Unpublished links first seen in the window, plus picked, featured or pinned ones
        from any time (the author asked for them; the draft check warns)."""
        in_window = (col(Link.first_seen) >= since) & (col(Link.first_seen) <= until)
        chosen = col(Link.decision).in_((PICK, FEATURE, PIN))
        stmt = (
            select(Link)
            .where(col(Link.issue_id).is_(None), or_(in_window, chosen))
            .order_by(col(Link.first_seen), col(Link.id))
        )
        with self._read() as session:
            return list(session.exec(stmt).all())

    def sightings(self, link_ids: Sequence[int]) -> dict[int, list[Sighting]]:
        found: dict[int, list[Sighting]] = {i: [] for i in link_ids}
        with self._read() as session:
            for chunk in chunks(link_ids):
                stmt = (
                    select(Sighting)
                    .where(col(Sighting.link_id).in_(chunk))
                    .order_by(col(Sighting.seen_at), col(Sighting.id))
                )
                for sighting in session.exec(stmt):
                    found[sighting.link_id].append(sighting)
        return found

    def source_counts(self, link_ids: Sequence[int]) -> dict[int, int]:
        """How many distinct sources surfaced each link: a ranking signal."""
        counts = dict.fromkeys(link_ids, 0)
        with self._read() as session:
            for chunk in chunks(link_ids):
                stmt = (
                    select(Sighting.link_id, func.count(func.distinct(Sighting.source)))
                    .where(col(Sighting.link_id).in_(chunk))
                    .group_by(col(Sighting.link_id))
                )
                for link_id, count in session.exec(stmt):
                    counts[link_id] = count
        return counts

    # -- the author's decisions ---------------------------------------------------------

    def missing_ids(self, link_ids: Iterable[int]) -> list[int]:
        wanted = sorted(set(link_ids))
        with self._read() as session:
            found = set(session.exec(select(Link.id).where(col(Link.id).in_(wanted))).all())
        return [i for i in wanted if i not in found]

    def merged_into(self, link_ids: Iterable[int]) -> dict[int, int]:
        """For ids of links merged away, the id of the link that holds them now."""
        wanted = sorted(set(link_ids))
        stmt = select(Merged.link_id, Merged.into_id).where(col(Merged.link_id).in_(wanted))
        with self._read() as session:
            return {old: into for old, into in session.exec(stmt)}

    def set_fields(self, link_ids: Sequence[int], *, editor: str, **values: Any) -> None:
        """Set author fields on links, recording `editor` as who set them. One UPDATE:
        two editors' changes to one link never mix; the later one is kept whole
        (issue 19, item 4)."""
        unknown = set(values) - set(AUTHOR_FIELDS)
        if unknown:
            raise ValueError(f"not an author field: {sorted(unknown)}")
        with self._write() as session:
            session.exec(
                update(Link).where(col(Link.id).in_(link_ids)).values(**values, decided_by=editor)
            )

    def set_fields_if(
        self, link_id: int, seen: Mapping[str, Any], *, editor: str, **values: Any
    ) -> bool:
        """Set the author's fields on one link, as `editor`, only while its author fields
        still hold the `seen` values, in one statement: a page edited from a stale copy
        cannot overwrite a newer change (issue 18, item 7). False when nothing changed."""
        unknown = (set(values) | set(seen)) - set(AUTHOR_FIELDS)
        if unknown:
            raise ValueError(f"not an author field: {sorted(unknown)}")
        unchanged = [COLUMNS[name].is_not_distinct_from(value) for name, value in seen.items()]
        stmt = (
            update(Link)
            .where(col(Link.id) == link_id, *unchanged)
            .values(**values, decided_by=editor)
        )
        with self._write() as session:
            return bool(session.exec(stmt).rowcount)


@dataclass
class _Arrivals:
    """Links earlier sightings belong to, by original URL and by (source, entry id)."""

    by_url: dict[str, int] = field(default_factory=dict)
    by_entry: dict[tuple[str, str], int] = field(default_factory=dict)

    def link_of(self, candidate: Candidate) -> int | None:
        if candidate.url in self.by_url or candidate.entry_id is None:
            return self.by_url.get(candidate.url)
        return self.by_entry.get((candidate.via, candidate.entry_id))


def _unowned_rows(
    arrivals: list[tuple[Candidate, dict[str, Any]]], owners: list[int | None]
) -> list[dict[str, Any]]:
    """The rows of arrivals no queued link owns, the first of each key."""
    fresh: dict[str, dict[str, Any]] = {}
    for (_, row), owner in zip(arrivals, owners, strict=True):
        if owner is None:
            fresh.setdefault(row["key"], row)
    return list(fresh.values())


def _sighting_marks(
    link_id: int, source: str, url: str, entry_id: str | None
) -> tuple[tuple[int, str, str], ...]:
    """What makes an arrival a repeat for a link: the same source with the same original
    URL, or with the same entry id (a feed entry whose link changed)."""
    by_url = (link_id, source, url)
    return (by_url, (link_id, source, "#" + entry_id)) if entry_id else (by_url,)


def _by_source(entries: list[tuple[str, str]]) -> Iterator[tuple[str, Sequence[str]]]:
    """(source, entry id) pairs, sorted, as chunks of ids for one source at a time."""
    for source, group in groupby(entries, key=lambda pair: pair[0]):
        yield from ((source, chunk) for chunk in chunks([e for _, e in group]))


def _new_link_row(candidate: Candidate, place: urls.Identity, now: datetime) -> dict[str, Any]:
    row: dict[str, Any] = {
        **_UNSET_ON_ARRIVAL,
        **location_columns(place),
        "title": candidate.meta.title,
        "summary": candidate.meta.summary,
        "published": candidate.meta.published,
        "authors": [],
        "first_seen": now,
        "status": PENDING,
        "attempts": 0,
    }
    paper = query_result(candidate)
    if paper is not None:
        row.update(metadata_columns(paper, now))
    return row


def location_columns(place: urls.Identity) -> dict[str, Any]:
    """Where a link lives; only a link (never a paper) ever moves, to a link or a paper."""
    return {
        "key": place.key,
        "url": place.url,
        "canonical_url": place.canonical_url,
        "arxiv_id": place.arxiv_id,
        "kind": PAPER if place.arxiv_id else LINK,
    }


def metadata_columns(meta: Metadata, now: datetime) -> dict[str, Any]:
    """Columns to set from Metadata: what it found, never the author's fields."""
    found = {
        "title": meta.title,
        "summary": meta.summary,
        "source": meta.label,  # the column keeps its name: `source` in `list --json`
        "site_name": meta.site_name,
        "published": meta.published,
        "category": meta.category,
        "code_url": meta.code_url,
        "image": meta.image,
        "covers": meta.covers,
    }
    values: dict[str, Any] = {name: value for name, value in found.items() if value is not None}
    if meta.authors:
        values["authors"] = list(meta.authors)
    values.update(note=meta.note, status=DONE, error=None, next_attempt_at=None, enriched_at=now)
    return values


def _status_clause(word: str) -> Any:
    """The condition a `curator list --status` word stands for (curator.statuses)."""
    selects = STATUS_WORDS[word]
    column = COLUMNS[selects.column]
    return column.in_(selects.values) if selects.values else column.is_not(None)
