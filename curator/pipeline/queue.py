"""The queue as the author sees it: adding and importing links, listing, decisions.

The compose stage (and jinja2 with it), the config, the line parser and the Store (and
SQLAlchemy with it) load only where they are used: `curator add URL` must start fast
(issue 14, item 10), so it writes to a current SQLite queue through store.sqlite_add.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, closing
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from curator import urls
from curator.errors import UsageError
from curator.statuses import STATUSES
from curator.store.sqlite_add import QuickAdd
from curator.values import FEATURE, PICK, PIN, SKIP, AddResult, Candidate, Signals

if TYPE_CHECKING:
    from curator.collect import BadLine
    from curator.compose import Placed
    from curator.compose.selection import Score
    from curator.config import Config, DraftConfig
    from curator.models import Link, Sighting
    from curator.store import LinkFilter, Store

MANUAL_SOURCE = "manual"
DECISIONS = {"pick": PICK, "skip": SKIP, "feature": FEATURE, "pin": PIN, "reset": None}


@dataclass
class AddReport:
    new: int = 0
    known: int = 0
    bad: list[BadLine] = field(default_factory=list)
    dropped: int = 0
    new_ids: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class LinkView:
    """A queue row with what `list` shows beside it."""

    link: Link
    sightings: list[Sighting]
    issue_number: int | None
    draft: DraftConfig

    @property
    def section(self) -> str:
        """Worked out when asked: a plain `list` of 200,000 links never needs it."""
        from curator.compose import section_for

        return section_for(self.link, self.draft)

    @property
    def summary_source(self) -> str | None:
        from curator.compose import summary_source

        return summary_source(self.link, self.draft)


class LinkQueue(Protocol):
    """What adding links needs of the queue: the Store, or `curator add`'s quick path."""

    def add(
        self, candidates: Sequence[Candidate], now: datetime, *, repeat_sightings: bool = False
    ) -> AddResult: ...


def queue_for_adding(db: str) -> AbstractContextManager[LinkQueue]:
    """The queue `curator add` fills (issue 14, item 10): a current SQLite queue through
    store.sqlite_add, without loading SQLAlchemy; any other through the Store, opened as
    for every command that fills it (a missing queue is created, a file that is not one
    refused, an older one migrated)."""
    return closing(_Adding(db))


class _Adding:
    """Batches go the quick way until it declines one (a damaged or busy file): that one
    and the rest go to the Store, which refuses or waits with its own message."""

    def __init__(self, db: str) -> None:
        self.db = db
        self.quick = QuickAdd.open(db)
        self.store = None if self.quick else _store_for_adding(db)

    def add(
        self, candidates: Sequence[Candidate], now: datetime, *, repeat_sightings: bool = False
    ) -> AddResult:
        if self.quick is not None and self.store is None:
            found = self.quick.add(candidates, now, repeat_sightings=repeat_sightings)
            if found is not None:
                return found
        if self.store is None:
            self.store = _store_for_adding(self.db)
        return self.store.add(candidates, now, repeat_sightings=repeat_sightings)

    def close(self) -> None:
        for part in (self.quick, self.store):
            if part is not None:
                part.close()


def _store_for_adding(db: str) -> Store:
    from curator.store import open_store

    return open_store(db, create=True, write=True)


def add_urls(
    queue: LinkQueue, texts: Sequence[str], *, note: str | None, now: datetime
) -> AddReport:
    """Queue URLs given on the command line; one bad URL refuses the whole call."""
    candidates = [Candidate(urls.parse(text), MANUAL_SOURCE, note=note) for text in texts]
    return add_candidates(queue, candidates, now)


def add_text(
    queue: LinkQueue, text: str, *, source: str, note: str | None, now: datetime
) -> AddReport:
    """Queue one URL a line; bad lines are reported and the good ones still added."""
    from curator.collect import parse_lines

    candidates, bad = parse_lines(text, source, note)
    report = add_candidates(queue, candidates, now)
    report.bad = bad
    return report


def add_candidates(queue: LinkQueue, candidates: Sequence[Candidate], now: datetime) -> AddReport:
    result = queue.add(candidates, now, repeat_sightings=True)
    return AddReport(new=result.new, known=result.known, new_ids=result.new_ids)


def link_filter(week: str | None, status: str | None, kind: str | None) -> LinkFilter:
    """The `list` options as a filter on the queue, each checked."""
    if status is not None and status not in STATUSES:
        raise UsageError(f"--status must be one of {', '.join(STATUSES)}, got {status!r}")
    if kind is not None and kind not in ("paper", "link"):
        raise UsageError(f"--kind must be 'paper' or 'link', got {kind!r}")
    from curator.pipeline.compose import week_window
    from curator.store import LinkFilter

    window = week_window(week) if week else None
    return LinkFilter(
        since=window.since if window else None,
        until=window.until if window else None,
        status=status,
        kind=kind,
    )


def list_links(
    store: Store,
    config: Config,
    where: LinkFilter,
    *,
    section: str | None = None,
    with_sightings: bool = False,
) -> Iterator[LinkView]:
    """The queue as it streams from the store, a batch of rows at a time (issue 12: flat
    memory over 200,000 links); sightings are read batch by batch when asked for."""
    issues = store.issue_numbers()
    for links in store.link_batches(where):
        ids = [link.id for link in links if link.id is not None]
        sightings = store.sightings(ids) if with_sightings else {}
        for link in links:
            view = LinkView(
                link=link,
                sightings=sightings.get(link.id or 0, []),
                issue_number=issues.get(link.issue_id) if link.issue_id else None,
                draft=config.draft,
            )
            if section is None or view.section.casefold() == section.casefold():
                yield view


def ranked_links(
    store: Store, config: Config, where: LinkFilter, now: datetime, *, section: str | None = None
) -> list[tuple[LinkView, Score]]:
    """The links matching `where`, highest rank score first (`list --sort rank`): the
    score the draft's automatic selection ranks by, with the window ending `now`."""
    from curator.compose.selection import score

    views = list(list_links(store, config, where, section=section, with_sightings=True))
    counts = store.source_counts([view.link.id or 0 for view in views])
    scored = [
        (view, score(view.link, counts.get(view.link.id or 0, 0), config.draft, now))
        for view in views
    ]
    return sorted(scored, key=lambda pair: (-pair[1].total, pair[0].link.id or 0))


def score_json(found: Score) -> dict[str, float]:
    """The `rank` object of `list --sort rank --json`: the score and its weighted parts."""
    return {"score": round(found.total, 2), **{k: round(v, 2) for k, v in asdict(found).items()}}


def as_json(view: LinkView) -> dict[str, Any]:
    """The `list --json` object: DESIGN.md's keys first, then everything else."""
    link = view.link
    return {
        "id": link.id,
        "url": link.url,
        "canonical_url": link.canonical_url,
        "kind": link.kind,
        "title": link.title,
        "source": link.source,
        "summary": link.summary,
        "status": link.status,
        "error": link.error,
        "key": link.key,
        "arxiv_id": link.arxiv_id,
        "site_name": link.site_name,
        "authors": link.authors,
        "published": _iso(link.published),
        "first_seen": _iso(link.first_seen),
        "category": link.category,
        "code_url": link.code_url,
        "image": link.image,
        "note": link.note,
        "attempts": link.attempts,
        "next_attempt_at": _iso(link.next_attempt_at),
        "decision": link.decision,
        "section": view.section,
        "position": link.position,
        "user_title": link.user_title,
        "user_summary": link.user_summary,
        "user_url": link.user_url,
        "user_image": link.user_image,
        "summary_source": view.summary_source,
        "llm_summary": link.llm_summary,
        "llm_model": link.llm_model,
        "decided_by": link.decided_by,
        "published_in": view.issue_number,
        "signals": Signals.of(link.signals).shown(),
        "covers": link.covers,
        "sources": len({s.source for s in view.sightings}),
        "sightings": [
            {"source": s.source, "url": s.url, "seen_at": _iso(s.seen_at), "note": s.note}
            for s in view.sightings
        ],
    }


def draft_item_json(item: Placed) -> dict[str, Any]:
    """One `list --draft --json` object: where the item stands in the draft, and what."""
    entry = item.entry
    return {
        "id": entry.link_id,
        "section": item.section,
        "position": item.position,
        "decision": entry.decision,
        "source": entry.source,
        "title": entry.title,
        "url": entry.url,
        "kind": entry.kind,
        "summary": entry.summary,
    }


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def decide(store: Store, ids: Sequence[int], action: str, *, editor: str) -> None:
    """pick / skip / feature / pin / reset the given links, as `editor`."""
    require_links(store, ids)
    store.set_fields(ids, editor=editor, decision=DECISIONS[action])


def edit(store: Store, link_id: int, changes: dict[str, Any], *, editor: str) -> None:
    """Set the author's own title, summary, section, position, URL or image on one link,
    as `editor`; an image of "" shows none."""
    require_links(store, [link_id])
    store.set_fields([link_id], editor=editor, **checked(changes))


def checked(changes: dict[str, Any]) -> dict[str, Any]:
    """The author's changes with their URLs checked, as every edit takes them."""
    if changes.get("user_url") is not None:
        changes["user_url"] = urls.check(changes["user_url"])
    if changes.get("user_image"):
        changes["user_image"] = urls.check(changes["user_image"])
    return changes


def require_links(store: Store, ids: Sequence[int]) -> None:
    """Every id must name a link. An id merged into another (a short link that turned out
    to be a queued article) is refused with where it went, rather than acted on: the
    author then chooses for the link that is left, which may carry choices of its own."""
    missing = store.missing_ids(ids)
    if not missing:
        return
    merged = store.merged_into(missing)
    problems = [f"link {old} was merged into {merged[old]}" for old in missing if old in merged]
    unknown = [str(i) for i in missing if i not in merged]
    if unknown:
        problems.append(f"no link with id {', '.join(unknown)}")
    raise UsageError(f"{'; '.join(problems)} (see `curator list`)")


def copy_queue(source: str, target: str) -> tuple[dict[str, int], str]:
    """Every link, sighting, decision, channel state and published issue of the queue at
    `source` that the one at `target` lacks (created if need be), copied with their ids
    (issue 19, item 5): rows copied by table, and how messages name the target."""
    from curator.store import open_store

    with (
        open_store(source, create=False, write=False) as src,
        open_store(target, create=True, write=True) as dst,
    ):
        return dst.copy_from(src), dst.dialect.location
