"""How reports look: rich tables and progress bars on stderr, plain text when piped.

rich and the pipeline's types load only when a report is drawn (start-up time).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from curator.cli.app import stderr

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table

    from curator.pipeline.enrich import EnrichReport
    from curator.pipeline.queue import AddReport, LinkView

MAX_LISTED_FAILURES = 20


def make_table(title: str | None = None) -> Table:
    from rich.table import Table  # rich.table and rich.progress load only when drawn

    return Table(title=title, title_justify="left")


def added(report: AddReport) -> None:
    for bad in report.bad:
        stderr.print(f"line {bad.number}: {bad.reason}", markup=False)
    parts = [f"{report.new} new", f"{report.known} already queued"]
    if report.bad:
        parts.append(f"{len(report.bad)} bad line{'s' if len(report.bad) != 1 else ''} skipped")
    if report.dropped:
        parts.append(f"{report.dropped} non-http links skipped")
    stderr.print(", ".join(parts), markup=False)


def enriched(report: EnrichReport) -> None:
    stderr.print(
        f"enriched {report.enriched}, failed {report.failed}, retry later {report.retry_later}"
    )
    failures(report.failures)


def failures(pairs: Sequence[tuple[str, str]]) -> None:
    for url, reason in pairs[:MAX_LISTED_FAILURES]:
        stderr.print(f"  failed: {url}: {reason}", markup=False, soft_wrap=True)
    if len(pairs) > MAX_LISTED_FAILURES:
        stderr.print(
            f"  ... and {len(pairs) - MAX_LISTED_FAILURES} more (curator list --status failed)"
        )


def links_table(views: Iterable[LinkView], console: Console) -> None:
    """A table for the terminal: it is sized to all its rows, so it holds them all."""
    table = make_table()
    for name in ("id", "status", "kind", "title", "source", "first seen"):
        table.add_column(name, no_wrap=name != "title", overflow="fold")
    for view in views:
        link = view.link
        table.add_row(
            str(link.id),
            flags(view),
            link.kind,
            link.user_title or link.title or link.url,
            link.source or "",
            link.first_seen.strftime("%Y-%m-%d"),
        )
    console.print(table)


def links_lines(views: Iterable[LinkView], console: Console) -> None:
    """Tab-separated, one link a line, for pipes: id, status, kind, title, url; printed
    as the rows arrive."""
    for view in views:
        link = view.link
        title = " ".join((link.user_title or link.title or "").split())
        print(f"{link.id}\t{flags(view)}\t{link.kind}\t{title}\t{link.url}", file=console.file)


def flags(view: LinkView) -> str:
    link = view.link
    words = [link.status]
    if link.decision:
        words.append({"pick": "picked", "skip": "skipped", "feature": "featured"}[link.decision])
    if view.issue_number is not None:
        words.append(f"published #{view.issue_number}")
    return ",".join(words)


def when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else "never"
