"""The week as `curator serve` shows it, and the author's changes made from that page.

Candidates are grouped the way `plan_issue` places them (featured, then each section in
the draft's order), the rest under the section `section_for` gives them. Changes go
through the queue's own rules (its decision words, `checked`, `require_links`) and are applied
only while the link still holds what the page saw (issue 18, item 7).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from curator.compose import section_for
from curator.config import Config
from curator.errors import CuratorError, UsageError
from curator.merging import AUTHOR_FIELDS
from curator.models import Link
from curator.pipeline.compose import DraftResult, WindowChoice, build_draft
from curator.pipeline.queue import DECISIONS, checked, link_filter, require_links
from curator.store import LinkFilter, Store


class StaleError(CuratorError):
    """The link changed after the page read it: the change is refused, not applied."""


@dataclass(frozen=True)
class View:
    """What the page shows besides the window: filters by status word and kind, and the
    published issues' links, hidden unless asked for."""

    status: str | None = None
    kind: str | None = None
    published: bool = False


@dataclass(frozen=True)
class Card:
    """One candidate: its link, where it stands, and how many sources surfaced it."""

    link: Link
    section: str
    place: int | None  # its 1-based place in the draft, None when the draft leaves it out
    sources: int

    @property
    def version(self) -> str:
        return version(self.link)


@dataclass(frozen=True)
class Group:
    name: str
    cards: list[Card]


@dataclass(frozen=True)
class Week:
    draft: DraftResult
    groups: list[Group]


def review_week(
    config: Config, store: Store, choice: WindowChoice, view: View, now: datetime
) -> Week:
    """The draft `curator draft` writes for the window, and the candidates beside it."""
    result = build_draft(config, store, choice, now=now)
    published = _published(store, result) if view.published else []
    shown = _matching(store, result.plan.links + published, view)
    counts = result.plan.counts
    if published:
        counts = counts | store.source_counts([link.id for link in published if link.id])
    return Week(result, _groups(result, shown, config, counts))


def _published(store: Store, result: DraftResult) -> list[Link]:
    draft = result.draft
    return store.links(LinkFilter(since=draft.since, until=draft.until, status="published"))


def _matching(store: Store, links: list[Link], view: View) -> list[Link]:
    """The links the filters keep, in their order; the store reads the status words."""
    if view.status is None and view.kind is None:
        return links
    where = link_filter(None, view.status, view.kind)
    ids = tuple(link.id for link in links if link.id is not None)
    kept = {
        link.id for link in store.links(LinkFilter(ids=ids, status=where.status, kind=where.kind))
    }
    return [link for link in links if link.id in kept]


def _groups(
    result: DraftResult, links: list[Link], config: Config, counts: dict[int, int]
) -> list[Group]:
    by_id = {link.id: link for link in links}
    items = [item for item in result.plan.items if item.entry.link_id in by_id]
    placed = {item.entry.link_id for item in items}
    where = [(by_id[item.entry.link_id], item.section, item.position) for item in items] + [
        (link, section_for(link, config.draft), None) for link in links if link.id not in placed
    ]
    groups: dict[str, list[Card]] = {}
    for link, section, place in where:
        groups.setdefault(section, []).append(
            Card(link, section, place, counts.get(link.id or 0, 0))
        )
    return [Group(name, found) for name, found in groups.items()]


def version(link: Link) -> str:
    """The author's fields as the page saw them, sent back with every change."""
    return json.dumps({name: getattr(link, name) for name in AUTHOR_FIELDS}, sort_keys=True)


def decide(store: Store, link_id: int, action: str, seen: str, *, editor: str) -> list[int]:
    """pick / skip / feature / pin / reset one link as `editor`, as `curator pick` does;
    the ids of the links changed."""
    if action not in DECISIONS:
        raise UsageError(f"no such decision: {action!r}")
    _change(store, link_id, seen, {"decision": DECISIONS[action]}, editor)
    return [link_id]


def edit(
    store: Store, link_id: int, seen: str, changes: dict[str, Any], *, editor: str
) -> list[int]:
    """The author's title, summary or URL, as `curator edit` sets them; empty clears."""
    cleared = {name: (value.strip() or None) for name, value in changes.items()}
    _change(store, link_id, seen, checked(cleared), editor)
    return [link_id]


def move(store: Store, week: Week, link_id: int, step: int, seen: str, *, editor: str) -> list[int]:
    """Move a draft item one place up (-1) or down (+1) within its section, as `curator
    edit --position` would; a neighbour the author placed takes the place it leaves."""
    group, index = _find(week, link_id)
    target = index + step
    card = group.cards[index]
    if card.place is None or not 0 <= target < len(group.cards):
        raise UsageError(f"link {link_id} cannot move that way in {group.name}")
    other = group.cards[target]
    if other.place is None:
        raise UsageError(f"link {link_id} is already the last of the draft in {group.name}")
    _change(store, link_id, seen, {"position": other.place}, editor)
    if other.link.position is None or other.link.id is None:
        return [link_id]
    _change(store, other.link.id, other.version, {"position": card.place}, editor)
    return [link_id, other.link.id]


def current(store: Store, link_ids: list[int]) -> list[Link]:
    """The links as they are now, for the page to carry on from after a change."""
    return store.links(LinkFilter(ids=tuple(link_ids)))


def _find(week: Week, link_id: int) -> tuple[Group, int]:
    for group in week.groups:
        for index, card in enumerate(group.cards):
            if card.link.id == link_id:
                return group, index
    raise UsageError(f"link {link_id} is not on the page")


def _change(store: Store, link_id: int, seen: str, values: dict[str, Any], editor: str) -> None:
    if store.set_fields_if(link_id, _seen_fields(seen), editor=editor, **values):
        return
    require_links(store, [link_id])
    raise StaleError(
        f"link {link_id} was changed elsewhere since this page read it; "
        "it now shows the current values: check them and try again"
    )


def _seen_fields(seen: str) -> dict[str, Any]:
    try:
        fields = json.loads(seen)
    except json.JSONDecodeError:
        raise UsageError("the page sent no version of the link") from None
    if not isinstance(fields, dict) or set(fields) != set(AUTHOR_FIELDS):
        raise UsageError("the page sent no version of the link")
    return fields
