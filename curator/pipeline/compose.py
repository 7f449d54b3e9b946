"""`curator draft` and `curator publish`: a window of the queue -> the week's Markdown."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from curator.compose import (
    Draft,
    Placed,
    check_draft,
    placed,
    plan_draft,
    render_draft,
    unready,
)
from curator.config import Config
from curator.errors import NotReadyError, UsageError
from curator.models import Issue, Link
from curator.store import Store

DEFAULT_DAYS = 7
_WEEK = re.compile(r"(\d{4})-?W(\d{1,2})", re.IGNORECASE)


@dataclass(frozen=True)
class Window:
    since: datetime
    until: datetime


@dataclass(frozen=True)
class Plan:
    """The planned issue and the links it was planned from."""

    draft: Draft
    links: list[Link]
    warnings: list[str]

    @property
    def items(self) -> list[Placed]:
        """Every item in draft order, with its section and place."""
        return placed(self.draft)


@dataclass(frozen=True)
class DraftResult:
    draft: Draft
    text: str
    warnings: list[str]
    unready: list[str]  # items that failed or are not enriched: publishing is refused


def week_window(spec: str) -> Window:
    """An ISO week such as 2023-W52: Monday 00:00 to Sunday 23:59:59.999999 UTC."""
    match = _WEEK.fullmatch(spec.strip())
    if not match:
        raise UsageError(f"--week must look like 2023-W52, got {spec!r}")
    try:
        monday = date.fromisocalendar(int(match[1]), int(match[2]), 1)
    except ValueError:
        raise UsageError(f"no such ISO week: {spec}") from None
    return day_window(monday, monday + timedelta(days=6))


def day_window(since: date, until: date) -> Window:
    """Whole days in UTC, both inclusive."""
    if until < since:
        raise UsageError(f"--until {until} is before --since {since}")
    start = datetime.combine(since, time.min, UTC)
    end = datetime.combine(until, time.max, UTC)
    return Window(start, end)


def default_window(store: Store, now: datetime) -> Window:
    """From the end of the last published issue (or 7 days back) to now.

    A last issue whose window ended after it was published (`--until` today) could not
    hold the links first seen after publishing: the next window starts then instead.
    """
    last = store.last_issue()
    since = min(last.until, last.published_at) if last else now - timedelta(days=DEFAULT_DAYS)
    return Window(min(since, now), now)


def build_draft(
    config: Config,
    store: Store,
    window: Window,
    *,
    number: int | None = None,
    publish_date: date | None = None,
    now: datetime,
) -> DraftResult:
    plan = plan_issue(config, store, window, number=number, publish_date=publish_date, now=now)
    text = render_draft(plan.draft, config.draft)
    return DraftResult(plan.draft, text, plan.warnings, unready(plan.draft, plan.links))


def plan_issue(
    config: Config,
    store: Store,
    window: Window,
    *,
    number: int | None = None,
    publish_date: date | None = None,
    now: datetime,
) -> Plan:
    """The issue `draft` would write for the window; `list --draft` shows the same one."""
    links = store.for_draft(window.since, window.until)
    counts = store.source_counts([link.id for link in links if link.id is not None])
    draft = plan_draft(
        links,
        counts,
        config.draft,
        number=number or next_number(store),
        publish_date=publish_date or min(window.until, now).date(),
        since=window.since,
        until=window.until,
    )
    return Plan(draft, links, check_draft(draft, links))


def next_number(store: Store) -> int:
    last = store.last_issue()
    return last.number + 1 if last else 1


def publish_issue(
    store: Store, result: DraftResult, now: datetime, *, force: bool = False
) -> Issue:
    """Record the issue and its items, so later drafts do not repeat them.

    Refused while the draft holds links that failed or are not enriched yet, unless
    `force` (issue 14: a dead link must not be published unnoticed).
    """
    draft = result.draft
    if result.unready and not force:
        raise NotReadyError(
            f"not published: {', '.join(result.unready)}; enrich, skip or edit them, "
            "or publish with --force"
        )
    items = [(item.entry.link_id, item.section, item.position) for item in placed(draft)]
    if not items:
        raise UsageError("the draft is empty: nothing to publish")
    issue = Issue(number=draft.number, published_at=now, since=draft.since, until=draft.until)
    return store.publish(issue, items)
