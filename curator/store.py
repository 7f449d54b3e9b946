"""The queue in SQLite: the only module that opens a Session or builds a query.

Write transactions are short and start with BEGIN IMMEDIATE, so concurrent processes wait
on the busy timeout instead of failing on a lock upgrade; no transaction is ever held open
across network I/O (the caller fetches, then hands results over one at a time).
Dialect-specific pieces (pragmas, upserts) live in `_engine` and `_insert_ignore`, so a
PostgreSQL team mode only has to extend those two.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from itertools import groupby
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote

from sqlalchemy import (
    Connection,
    Engine,
    MetaData,
    bindparam,
    event,
    func,
    insert,
    inspect,
)
from sqlalchemy.dialects import sqlite
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import QueuePool
from sqlmodel import Session, SQLModel, col, create_engine, or_, select, update

from curator import urls
from curator.errors import StoreError
from curator.models import (
    DONE,
    FAILED,
    FEATURE,
    LINK,
    PAPER,
    PENDING,
    PICK,
    SKIP,
    AddResult,
    Candidate,
    Issue,
    IssueItem,
    Link,
    Merged,
    Metadata,
    Sighting,
    SourceState,
)

T = TypeVar("T")
BUSY_TIMEOUT_MS = 30_000
READ_ONLY = "the database is read-only"


def _remember_arrivals_and_found_feeds(conn: Connection) -> None:
    """Sightings keep the feed entry's id and are looked up by original URL, so a feed
    re-read finds the link a short link became (issue 12, item 5); a feed's state keeps
    the feed its page links to (autodiscovery)."""
    _add_column(conn, "sighting", "entry_id")
    _add_column(conn, "sourcestate", "discovered_url")
    conn.exec_driver_sql("CREATE INDEX IF NOT EXISTS ix_sighting_url ON sighting (url)")
    conn.exec_driver_sql(
        "CREATE INDEX IF NOT EXISTS ix_sighting_source_entry_id ON sighting (source, entry_id)"
    )


def _add_column(conn: Connection, table: str, column: str) -> None:
    """A nullable text column, unless a database already has it."""
    if column not in {found["name"] for found in inspect(conn).get_columns(table)}:
        conn.exec_driver_sql(f"ALTER TABLE {table} ADD COLUMN {column} VARCHAR")


# Append-only. A fresh database gets `create_all` and the latest version; an older one runs
# the migrations after its PRAGMA user_version, in order.
MIGRATIONS: list[Callable[[Connection], None]] = [
    lambda conn: SQLModel.metadata.create_all(conn),
    _remember_arrivals_and_found_feeds,
    lambda conn: _keep_link_ids(conn),
]

# Fields the author sets by hand; merging keeps them, enrichment never writes them.
AUTHOR_FIELDS = (
    "decision",
    "section",
    "position",
    "user_title",
    "user_summary",
    "user_url",
    "issue_id",
)


@dataclass(frozen=True)
class LinkFilter:
    since: datetime | None = None
    until: datetime | None = None
    status: str | None = None  # pending | done | failed | picked | skipped | featured | published
    kind: str | None = None
    ids: tuple[int, ...] | None = None


class Store:
    def __init__(self, path: Path) -> None:
        """Open (or create) the queue. A database on a read-only file, directory or mount
        opens read-only: commands that only read work, and the first write fails with a
        StoreError saying so, rather than SQLite's "unable to open database file"."""
        self.path = path
        self.read_only = _is_read_only(path)
        try:
            if self.read_only:
                self.engine = _read_only_engine(path)
                _check_schema(self.engine, path)
            else:
                path.parent.mkdir(parents=True, exist_ok=True)
                if not os.access(path.parent, os.W_OK):
                    raise StoreError(f"{path}: cannot create the database: read-only directory")
                self.engine = _engine(path)
                _setup_schema(self.engine)
        except (OSError, SQLAlchemyError) as err:
            raise StoreError(f"{path}: cannot open database: {_reason(err)}") from None

    def close(self) -> None:
        self.engine.dispose()

    def check_intact(self) -> None:
        """Refuse a damaged file before writing to it. quick_check reads every page (0.2 s
        over 200,000 links), so the CLI asks only before commands that write (issue 14)."""
        with _errors(self.path), self.engine.connect() as conn:
            found = conn.exec_driver_sql("PRAGMA quick_check(1)").scalar()
        if found != "ok":
            detail = " ".join(str(found).split())  # one line, as every error
            raise StoreError(f"{self.path}: the database is damaged ({detail})")

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # -- adding -------------------------------------------------------------------------

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
            fresh: dict[str, dict[str, Any]] = {}
            for (_, row), owner in zip(arrivals, owners, strict=True):
                if owner is None:
                    fresh.setdefault(row["key"], row)
            new = self._insert_links(session, list(fresh.values()))
            result.new, result.known = len(new), len(arrivals) - len(new)
            result.new_ids = sorted(new.values())
            ids = {**known, **new}
            for candidate, row in arrivals:
                if candidate.paper and row["key"] in known:
                    self._complete_paper(session, known[row["key"]], candidate, now)
                if shown.get(row["key"], "").startswith("http:") and row["url"].startswith(
                    "https:"
                ):
                    shown[row["key"]] = row["url"]  # any source offering https wins over http
                    session.exec(
                        update(Link).where(col(Link.id) == ids[row["key"]]).values(url=row["url"])
                    )
            linked = [
                (owner or ids[row["key"]], c)
                for (c, row), owner in zip(arrivals, owners, strict=True)
            ]
            self._add_sightings(session, linked, now, repeat_sightings)
        return result

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
        for chunk in _chunks(sorted({c.url for c in candidates}), 500):
            stmt = (
                select(Sighting.url, func.min(Sighting.link_id))
                .where(col(Sighting.url).in_(chunk))
                .group_by(col(Sighting.url))
            )
            found.by_url.update((url, link_id) for url, link_id in session.exec(stmt))
        entries = sorted({(c.source, c.entry_id) for c in candidates if c.entry_id is not None})
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
        for chunk in _chunks(sorted(keys), 500):
            stmt = select(Link.key, Link.id, Link.url).where(col(Link.key).in_(chunk))
            for key, link_id, url in session.exec(stmt):
                ids[key], shown[key] = link_id or 0, url
        return ids, shown

    def _insert_links(self, session: Session, rows: list[dict[str, Any]]) -> dict[str, int]:
        """Insert new links; a key another writer added meanwhile is skipped, not doubled."""
        if not rows:
            return {}
        stmt = _insert_ignore(self.engine, Link).returning(col(Link.key), col(Link.id))
        return {key: link_id for key, link_id in session.connection().execute(stmt, rows)}

    def _complete_paper(
        self, session: Session, link_id: int, candidate: Candidate, now: datetime
    ) -> None:
        """A paper queued by URL that an arXiv query now describes needs no lookup."""
        session.exec(
            update(Link)
            .where(col(Link.id) == link_id, col(Link.status) != DONE)
            .values(**_paper_values(candidate), status=DONE, error=None, enriched_at=now)
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
            for chunk in _chunks(sorted({link_id for link_id, _ in arrivals}), 500):
                stmt = select(
                    Sighting.link_id, Sighting.source, Sighting.url, Sighting.entry_id
                ).where(col(Sighting.link_id).in_(chunk))
                for link_id, source, url, entry_id in session.exec(stmt):
                    seen.update(_sighting_marks(link_id, source, url, entry_id))
        rows = []
        for link_id, candidate in arrivals:
            marks = _sighting_marks(link_id, candidate.source, candidate.url, candidate.entry_id)
            if not seen.isdisjoint(marks):
                continue
            if not repeat:
                seen.update(marks)
            rows.append(
                {"link_id": link_id, "source": candidate.source, "url": candidate.url,
                 "seen_at": now, "note": candidate.note, "entry_id": candidate.entry_id}
            )  # fmt: skip
        if rows:
            session.connection().execute(insert(Sighting), rows)

    # -- enrichment ---------------------------------------------------------------------

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

    def count_due(self, now: datetime, *, retry_failed: bool = False) -> int:
        stmt = select(func.count()).select_from(Link).where(_due(now, retry_failed))
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
        values = _metadata_values(meta, now)
        if moved is None:
            with self._write_connection() as conn:
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
            values.update(_location_columns(moved))
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
        for name in AUTHOR_FIELDS:
            if getattr(other, name) is None and getattr(link, name) is not None:
                setattr(other, name, getattr(link, name))
        other.first_seen = min(other.first_seen, link.first_seen)
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
        with self._write_connection() as conn:
            conn.execute(_MARK_FAILED, params)

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
            stmt = stmt.where(_STATUS_CLAUSES[where.status])
        with self._read() as session:
            for batch in session.exec(stmt.execution_options(yield_per=size)).partitions():
                yield list(batch)

    def for_draft(self, since: datetime, until: datetime) -> list[Link]:
        """Unpublished links first seen in the window, plus picked or featured ones from
        any time (the author asked for them; the draft check warns)."""
        in_window = (col(Link.first_seen) >= since) & (col(Link.first_seen) <= until)
        chosen = col(Link.decision).in_((PICK, FEATURE))
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
            for chunk in _chunks(link_ids, 500):
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
            for chunk in _chunks(link_ids, 500):
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

    def set_fields(self, link_ids: Sequence[int], **values: Any) -> None:
        unknown = set(values) - set(AUTHOR_FIELDS)
        if unknown:
            raise ValueError(f"not an author field: {sorted(unknown)}")
        with self._write() as session:
            session.exec(update(Link).where(col(Link.id).in_(link_ids)).values(**values))

    # -- sources ------------------------------------------------------------------------

    def source_state(self, kind: str, ref: str, name: str) -> SourceState:
        with self._read() as session:
            stmt = select(SourceState).where(SourceState.kind == kind, SourceState.ref == ref)
            found = session.exec(stmt).first()
        return found or SourceState(kind=kind, ref=ref, name=name)

    def source_states(self) -> list[SourceState]:
        with self._read() as session:
            return list(session.exec(select(SourceState).order_by(col(SourceState.id))).all())

    def save_source_state(self, state: SourceState) -> None:
        values = state.model_dump(exclude={"id"})
        with self._write() as session:
            stmt = _insert_ignore(self.engine, SourceState).values(values)
            if session.exec(stmt).rowcount == 0:
                session.exec(
                    update(SourceState)
                    .where(col(SourceState.kind) == state.kind, col(SourceState.ref) == state.ref)
                    .values(**values)
                )

    # -- issues -------------------------------------------------------------------------

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

    # -- plumbing -----------------------------------------------------------------------

    @contextmanager
    def _read(self) -> Iterator[Session]:
        with _errors(self.path), Session(self.engine, expire_on_commit=False) as session:
            yield session

    @contextmanager
    def _write_connection(self) -> Iterator[Connection]:
        """A bare write transaction for the per-link hot path: a Session costs more than
        the one statement it would run."""
        self._refuse_if_read_only()
        with _errors(self.path), self.engine.connect() as conn:
            self._lock_for_writing(conn)
            yield conn
            conn.commit()

    @contextmanager
    def _write(self) -> Iterator[Session]:
        self._refuse_if_read_only()
        with _errors(self.path), Session(self.engine, expire_on_commit=False) as session:
            self._lock_for_writing(session.connection())
            yield session
            session.commit()

    def _refuse_if_read_only(self) -> None:
        if self.read_only:
            raise StoreError(f"{self.path}: {READ_ONLY}; this command needs to write to it")

    def _lock_for_writing(self, conn: Connection) -> None:
        """Take SQLite's write lock up front: a deferred transaction that reads and then
        writes can fail at once with SQLITE_BUSY instead of waiting on the busy timeout."""
        if self.engine.dialect.name == "sqlite":
            conn.exec_driver_sql("BEGIN IMMEDIATE")


@dataclass
class _Arrivals:
    """Links earlier sightings belong to, by original URL and by (source, entry id)."""

    by_url: dict[str, int] = field(default_factory=dict)
    by_entry: dict[tuple[str, str], int] = field(default_factory=dict)

    def link_of(self, candidate: Candidate) -> int | None:
        if candidate.url in self.by_url or candidate.entry_id is None:
            return self.by_url.get(candidate.url)
        return self.by_entry.get((candidate.source, candidate.entry_id))


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
        yield from ((source, chunk) for chunk in _chunks([e for _, e in group], 500))


def _new_link_row(candidate: Candidate, place: urls.Identity, now: datetime) -> dict[str, Any]:
    row: dict[str, Any] = {
        **_location_columns(place),
        "title": candidate.title,
        "summary": candidate.summary,
        "published": candidate.published,
        "authors": [],
        "first_seen": now,
        "status": PENDING,
        "attempts": 0,
    }
    if candidate.paper:
        row.update(_paper_values(candidate), status=DONE, enriched_at=now)
    return row


def _paper_values(candidate: Candidate) -> dict[str, Any]:
    paper = candidate.paper
    assert paper is not None
    return {
        "title": paper.title,
        "summary": paper.summary,
        "authors": list(paper.authors),
        "published": paper.published,
        "category": paper.category,
        "code_url": paper.code_url,
        "source": "arXiv",
    }


def _location_columns(place: urls.Identity) -> dict[str, Any]:
    """Where a link lives; only a link (never a paper) ever moves, to a link or a paper."""
    columns: dict[str, Any] = {
        "key": place.key,
        "url": place.url,
        "canonical_url": place.canonical_url,
        "arxiv_id": place.arxiv_id,
        "kind": PAPER if place.arxiv_id else LINK,
    }
    return columns


_COLUMNS = Link.__table__.c  # type: ignore[attr-defined]
_MARK_FAILED = (
    update(Link)
    .where(col(Link.id) == bindparam("_id"), col(Link.status) != DONE)
    .values(
        status=FAILED,
        error=bindparam("error"),
        attempts=Link.attempts + 1,
        next_attempt_at=bindparam("retry_at", type_=_COLUMNS.next_attempt_at.type),
        enriched_at=bindparam("now", type_=_COLUMNS.enriched_at.type),
    )
)


@cache
def _update_link(columns: frozenset[str]) -> Any:
    """UPDATE link SET <columns> WHERE id = :_id, built once per set of columns: building
    and coercing a fresh statement per link cost more than running it (tests/bench)."""
    values = {name: bindparam(name, type_=_COLUMNS[name].type) for name in sorted(columns)}
    # Unless a run that started later (`_started` is this run's start) already enriched it.
    started = bindparam("_started", type_=_COLUMNS.enriched_at.type)
    not_newer = or_(
        col(Link.status) != DONE,
        col(Link.enriched_at).is_(None),
        col(Link.enriched_at) <= started,
    )
    return update(Link).where(col(Link.id) == bindparam("_id"), not_newer).values(values)


def _metadata_values(meta: Metadata, now: datetime) -> dict[str, Any]:
    """Columns to set from Metadata: what it found, never the author's fields."""
    values: dict[str, Any] = {
        name: getattr(meta, name)
        for name in ("title", "summary", "source", "site_name", "published", "category",
                     "code_url")
        if getattr(meta, name) is not None
    }  # fmt: skip
    if meta.authors:
        values["authors"] = list(meta.authors)
    values.update(note=meta.note, status=DONE, error=None, next_attempt_at=None, enriched_at=now)
    return values


def _due(now: datetime, retry_failed: bool) -> Any:
    failed_due = col(Link.status) == FAILED
    if not retry_failed:
        failed_due &= col(Link.next_attempt_at) <= now
    return or_(col(Link.status) == PENDING, failed_due)


# `curator list --status` values: the enrichment states, the author's decisions, published.
_STATUS_CLAUSES: dict[str, Any] = {
    PENDING: col(Link.status) == PENDING,
    DONE: col(Link.status) == DONE,
    FAILED: col(Link.status) == FAILED,
    "picked": col(Link.decision) == PICK,
    "skipped": col(Link.decision) == SKIP,
    "featured": col(Link.decision) == FEATURE,
    "published": col(Link.issue_id).is_not(None),
}
STATUSES = tuple(_STATUS_CLAUSES)


def _chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# -- dialect-specific pieces ------------------------------------------------------------


def _engine(path: Path, uri: str | None = None) -> Engine:
    """An engine on `path`, or on a `file:` URI for it with open flags."""
    if uri is None:
        engine = create_engine(
            f"sqlite:///{path}", connect_args={"timeout": BUSY_TIMEOUT_MS / 1000}
        )
    else:
        engine = create_engine(
            "sqlite://",
            creator=lambda: sqlite3.connect(
                uri, uri=True, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False
            ),
            poolclass=QueuePool,
        )

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn: Any, _: Any) -> None:
        cursor = dbapi_conn.cursor()
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    return engine


def _is_read_only(path: Path) -> bool:
    """An existing database we may not write: access(2) also answers for root on a
    read-only mount (EROFS) or an immutable file. SQLite writes its -wal, -shm and
    journal files beside the database, so the directory counts too."""
    return path.exists() and not (os.access(path, os.W_OK) and os.access(path.parent, os.W_OK))


def _read_only_engine(path: Path) -> Engine:
    """`mode=ro`, or `immutable=1` when even that fails: a reader of a WAL database needs
    its -shm file, which a read-only directory cannot hold once the last writer has
    removed it (https://sqlite.org/wal.html#readonly). Immutable means SQLite takes no
    locks and reads no WAL, right for a file nobody may write."""
    uri = f"file:{quote(str(path.resolve()))}?mode=ro"
    engine = _engine(path, uri)
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA user_version")
        return engine
    except SQLAlchemyError:
        engine.dispose()
    return _engine(path, uri + "&immutable=1")


def _insert_ignore(engine: Engine, table: type[SQLModel]) -> Any:
    """INSERT ... ON CONFLICT DO NOTHING, in the engine's dialect."""
    if engine.dialect.name == "postgresql":
        from sqlalchemy.dialects import postgresql  # 60 ms to import; only for that server

        return postgresql.insert(table).on_conflict_do_nothing()
    return sqlite.insert(table).on_conflict_do_nothing()


def _setup_schema(engine: Engine) -> None:
    """Create or migrate the schema; safe when several processes open a fresh file at once.

    Foreign keys are off while migrating, as SQLite's table rebuild requires
    (https://sqlite.org/lang_altertable.html#otheralter); they are checked before commit.
    The pragma is ignored inside a transaction, hence before BEGIN.
    """
    with engine.connect() as conn:
        version = conn.exec_driver_sql("PRAGMA user_version").scalar()
        if version == len(MIGRATIONS):
            _enable_wal(conn)
            return
        conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
        conn.exec_driver_sql("BEGIN IMMEDIATE")
        version = conn.exec_driver_sql("PRAGMA user_version").scalar() or 0
        _refuse_newer(version)
        if version == 0 and not inspect(conn).get_table_names():
            SQLModel.metadata.create_all(conn)
        else:
            for migrate in MIGRATIONS[version:]:
                migrate(conn)
        if conn.exec_driver_sql("PRAGMA foreign_key_check").first() is not None:
            raise StoreError("migrating the database broke a foreign key; nothing was changed")
        conn.exec_driver_sql(f"PRAGMA user_version={len(MIGRATIONS)}")
        conn.commit()
        conn.exec_driver_sql("PRAGMA foreign_keys=ON")
        _enable_wal(conn)


def _keep_link_ids(conn: Connection) -> None:
    """Version 2 (issue 12): link ids are never reused, and merges are recorded.

    Ids handed out before it may belong to links merged away since, unrecorded. Every new
    link came with a sighting, and sightings are never deleted, so no link id was ever
    above the highest sighting id: numbering resumes past both.
    """
    SQLModel.metadata.tables["merged"].create(conn, checkfirst=True)
    if conn.dialect.name == "sqlite":  # other databases' identity columns never reuse ids
        highest_sighting = conn.execute(select(func.max(Sighting.id))).scalar()
        _sqlite_add_autoincrement(conn, "link", highest_sighting or 0)


def _sqlite_add_autoincrement(conn: Connection, name: str, floor: int) -> None:
    """Rebuild table `name` with AUTOINCREMENT, which SQLite cannot ALTER in: a copy
    reflected from the file (so later migrations still find the columns they expect),
    the rows, then the indexes, in SQLite's documented order (lang_altertable.html); new
    ids then start above `floor`."""
    index_sql = list(
        conn.exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql NOT NULL",
            (name,),
        ).scalars()
    )
    reflected = MetaData()
    reflected.reflect(conn)  # whole, so that foreign keys find their tables
    rebuilt = reflected.tables[name].to_metadata(reflected, name=f"{name}_rebuilt")
    rebuilt.indexes.clear()  # recreated under their own names once the old table is gone
    rebuilt.dialect_kwargs["sqlite_autoincrement"] = True
    rebuilt.create(conn)
    conn.exec_driver_sql(f'INSERT INTO "{rebuilt.name}" SELECT * FROM "{name}"')
    conn.exec_driver_sql(f'DROP TABLE "{name}"')
    conn.exec_driver_sql(f'ALTER TABLE "{rebuilt.name}" RENAME TO "{name}"')
    for sql in index_sql:
        conn.exec_driver_sql(sql)
    conn.exec_driver_sql("DELETE FROM sqlite_sequence WHERE name = ?", (name,))
    conn.exec_driver_sql(
        "INSERT INTO sqlite_sequence (name, seq) "
        f'SELECT ?, max(?, coalesce(max(id), 0)) FROM "{name}"',
        (name, floor),
    )


def _check_schema(engine: Engine, path: Path) -> None:
    """A read-only database cannot be migrated: it must already have this curator's schema."""
    with engine.connect() as conn:
        version = conn.exec_driver_sql("PRAGMA user_version").scalar() or 0
    _refuse_newer(version)
    if version < len(MIGRATIONS):
        raise StoreError(
            f"{path}: {READ_ONLY} and needs upgrading to this curator's schema: "
            "open it once where it can be written"
        )


def _refuse_newer(version: int) -> None:
    if version > len(MIGRATIONS):
        raise StoreError("the database was written by a newer curator; upgrade curator")


def _enable_wal(conn: Connection) -> None:
    """WAL lets `collect` write while `draft` or `list` read. The mode persists in the file;
    switching can fail at once while another process holds a lock, so retry briefly."""
    for attempt in range(50):
        try:
            mode = conn.exec_driver_sql("PRAGMA journal_mode").scalar()
            if mode == "wal":
                return
            conn.exec_driver_sql("PRAGMA journal_mode=WAL")
            return
        except SQLAlchemyError:
            conn.rollback()
            time.sleep(0.05 * (attempt + 1))
    raise StoreError("cannot switch the database to WAL mode: it stays locked")


@contextmanager
def _errors(path: Path) -> Iterator[None]:
    try:
        yield
    except SQLAlchemyError as err:
        raise StoreError(f"{path}: {_reason(err)}") from None


def _reason(err: BaseException) -> str:
    orig = getattr(err, "orig", None)
    if isinstance(orig, sqlite3.Error) and orig.sqlite_errorcode & 0xFF == sqlite3.SQLITE_READONLY:
        return READ_ONLY  # it became read-only after opening: a remount, chattr +i
    return str(orig or err).splitlines()[0]
