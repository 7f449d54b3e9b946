"""`curator draft` and `curator publish`: a window of the queue -> the week's Markdown.

The window the author's options name is resolved here; publishing records the planned
issue and never renders the template, so a template error cannot block it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from curator.compose import (
    Draft,
    Placed,
    check_draft,
    issue_title,
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
MARKDOWN = "markdown"
HTML = "html"  # one document, CSS inlined, no front matter (issue 16, item 3)
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
class Plan:
    """The planned issue and the links it was planned from."""

    draft: Draft
    links: list[Link]
    warnings: list[str]
    counts: dict[int, int]  # how many sources surfaced each link (`source_counts`)

    @property
    def items(self) -> list[Placed]:
        """Every item in draft order, with its section and place."""
        return placed(self.draft)

    @property
    def unready(self) -> list[str]:
        """Items that failed or are not enriched yet: publishing is refused."""
        return unready(self.draft, self.links)


@dataclass(frozen=True)
class DraftResult:
    plan: Plan
    text: str

    @property
    def draft(self) -> Draft:
        return self.plan.draft

    @property
    def warnings(self) -> list[str]:
        return self.plan.warnings


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
    choice: WindowChoice,
    *,
    number: int | None = None,
    publish_date: date | None = None,
    now: datetime,
    form: str = MARKDOWN,
) -> DraftResult:
    """The draft for the chosen window: planned, rendered (as Markdown, or as HTML for
    email when `form` is HTML) and checked."""
    plan = plan_issue(config, store, choice, number=number, publish_date=publish_date, now=now)
    text = render_draft(plan.draft, config.draft)
    if form == HTML:
        from curator.export import email_html  # css-inline loads only for HTML

        text = email_html(text, issue_title(plan.draft, config.draft))
    return DraftResult(plan, text)


def publish(
    config: Config,
    store: Store,
    choice: WindowChoice,
    *,
    number: int | None = None,
    force: bool = False,
    now: datetime,
) -> Issue:
    """Record the issue the draft holds for the same options, without rendering it."""
    plan = plan_issue(config, store, choice, number=number, now=now)
    return publish_issue(store, plan, now, force=force)


def plan_issue(
    config: Config,
    store: Store,
    choice: WindowChoice,
    *,
    number: int | None = None,
    publish_date: date | None = None,
    now: datetime,
) -> Plan:
    """The issue `draft` would write for the window; `list --draft` shows the same one."""
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
    return Plan(draft, links, check_draft(draft, links), counts)


def next_number(store: Store) -> int:
    last = store.last_issue()
    return last.number + 1 if last else 1


def publish_issue(store: Store, plan: Plan, now: datetime, *, force: bool = False) -> Issue:
    """Record the issue and its items, so later drafts do not repeat them.

    Refused while the draft holds links that failed or are not enriched yet, unless
    `force` (issue 14: a dead link must not be published unnoticed).
    """
    if plan.unready and not force:
        raise NotReadyError(
            f"not published: {', '.join(plan.unready)}; enrich, skip or edit them, "
            "or publish with --force"
        )
    items = [(item.entry.link_id, item.section, item.position) for item in plan.items]
    if not items:
        raise UsageError("the draft is empty: nothing to publish")
    draft = plan.draft
    issue = Issue(number=draft.number, published_at=now, since=draft.since, until=draft.until)
    return store.publish(issue, items)
