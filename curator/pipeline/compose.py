"""`curator draft` and `curator publish`: a window of the queue -> the week's Markdown.

The window the author's options name is resolved here; publishing records the planned
issue and never renders the template, so a template error cannot block it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from curator.compose import Draft, check_draft, plan_draft, render_draft
from curator.config import Config
from curator.errors import UsageError
from curator.models import Issue, Link
from curator.store import Store

DEFAULT_DAYS = 7
_WEEK = re.compile(r"(\d{4})-?W(\d{1,2})", re.IGNORECASE)


@dataclass(frozen=True)
class Window:
    since: datetime
    until: datetime


@dataclass(frozen=True)
class WindowChoice:
    """The window options as typed: --week, or --since and --until, or none of them."""

    week: str | None = None
    since: date | None = None
    until: date | None = None

    def __post_init__(self) -> None:
        """Checked as the options are read, before any database is opened."""
        if self.week and (self.since or self.until):
            raise UsageError("use either --week or --since/--until, not both")
        if self.week:
            week_window(self.week)


@dataclass(frozen=True)
class DraftResult:
    draft: Draft
    text: str
    warnings: list[str]


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


def resolve_window(store: Store, choice: WindowChoice, now: datetime) -> Window:
    """The window the options name: a week, days (a missing end is today), or by default
    from the end of the last published issue."""
    if choice.week:
        return week_window(choice.week)
    if choice.since or choice.until:
        today = now.date()
        return day_window(choice.since or today, choice.until or today)
    return default_window(store, now)


def default_window(store: Store, now: datetime) -> Window:
    """From the end of the last published issue (or 7 days back) to now."""
    last = store.last_issue()
    since = last.until if last else now - timedelta(days=DEFAULT_DAYS)
    return Window(min(since, now), now)


def build_draft(
    config: Config,
    store: Store,
    choice: WindowChoice,
    *,
    number: int | None = None,
    publish_date: date | None = None,
    now: datetime,
) -> DraftResult:
    """The draft for the chosen window: planned, rendered and checked."""
    draft, links = _plan(config, store, choice, number, publish_date, now)
    return DraftResult(draft, render_draft(draft, config.draft), check_draft(draft, links))


def publish(
    config: Config,
    store: Store,
    choice: WindowChoice,
    *,
    number: int | None = None,
    now: datetime,
) -> Issue:
    """Record the issue the draft holds for the same options, without rendering it."""
    draft, _ = _plan(config, store, choice, number, None, now)
    return publish_issue(store, draft, now)


def _plan(
    config: Config,
    store: Store,
    choice: WindowChoice,
    number: int | None,
    publish_date: date | None,
    now: datetime,
) -> tuple[Draft, list[Link]]:
    window = resolve_window(store, choice, now)
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
    return draft, links


def next_number(store: Store) -> int:
    last = store.last_issue()
    return last.number + 1 if last else 1


def publish_issue(store: Store, draft: Draft, now: datetime) -> Issue:
    """Record the issue and its items, so later drafts do not repeat them."""
    items = [(entry.link_id, "Featured", i) for i, entry in enumerate(draft.featured, 1)]
    for section in draft.sections:
        items += [(entry.link_id, section.name, i) for i, entry in enumerate(section.entries, 1)]
    if not items:
        raise UsageError("the draft is empty: nothing to publish")
    issue = Issue(number=draft.number, published_at=now, since=draft.since, until=draft.until)
    return store.publish(issue, items)
