"""How reports look: rich tables and progress bars on stderr, plain text when piped.

rich and the pipeline's types load only when a report is drawn (start-up time).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict
from datetime import datetime
from typing import TYPE_CHECKING

from curator.cli.app import stderr
from curator.text import collapse

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table

    from curator.compose import Placed
    from curator.compose.selection import Score
    from curator.pipeline.enrich import EnrichReport
    from curator.pipeline.queue import AddReport, LinkView
    from curator.pipeline.summarize import SummarizeReport

MAX_LISTED_FAILURES = 20
DECISION_WORDS = {"pick": "picked", "skip": "skipped", "feature": "featured", "pin": "pinned"}


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


def warnings(texts: Iterable[str]) -> None:
    for text in texts:
        stderr.print(f"warning: {text}", markup=False)


def summarized(report: SummarizeReport) -> None:
    """What `summarize` did, then its warnings."""
    line = f"summaries: {report.made} made, {report.cached} cached"
    if report.own:
        line += f", {report.own} with your own"
    if report.capped:
        line += f", {report.capped} left for the next run (max_per_run)"
    stderr.print(line, markup=False)
    warnings(report.warnings)


def enriched(report: EnrichReport) -> None:
    stderr.print(
        f"enriched {report.enriched}, failed {report.failed}, retry later {report.retry_later}"
    )
    signals = report.signals
    if signals is not None and signals.checked:
        stderr.print(
            f"signals: {signals.checked} links asked, {signals.failed} unanswered "
            f"({signals.calls} calls)"
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
    """A table for the terminal: it is sized to all its rows, so it holds them all; the
    error column appears when a row has an error."""
    rows = [
        (
            str(view.link.id),
            flags(view),
            view.link.kind,
            view.link.user_title or view.link.title or view.link.url,
            view.link.source or "",
            view.link.first_seen.strftime("%Y-%m-%d"),
            view.link.error or "",
        )
        for view in views
    ]
    names = ["id", "status", "kind", "title", "source", "first seen", "error"]
    if not any(row[-1] for row in rows):
        names.pop()
    table = make_table()
    for name in names:
        table.add_column(name, no_wrap=name not in ("title", "error"), overflow="fold")
    for row in rows:
        table.add_row(*row[: len(names)])
    console.print(table)


def links_lines(views: Iterable[LinkView], console: Console) -> None:
    """Tab-separated, one link a line, for pipes: id, status, kind, title, url, and the
    error of a link that has one as a sixth field; printed as the rows arrive."""
    for view in views:
        link = view.link
        fields = [str(link.id), flags(view), link.kind, collapse(link.user_title or link.title)]
        fields += [link.url, collapse(link.error)] if link.error else [link.url]
        print("\t".join(fields), file=console.file)


def ranked_lines(ranked: Iterable[tuple[LinkView, Score]], console: Console) -> None:
    """`list --sort rank`: score, id, the score's parts, title; tab-separated."""
    for view, found in ranked:
        parts = " ".join(f"{name}={value:+.1f}" for name, value in asdict(found).items())
        title = collapse(view.link.user_title or view.link.title or view.link.url)
        print(f"{found.total:8.1f}\t{view.link.id}\t{parts}\t{title}", file=console.file)


def draft_table(items: Sequence[Placed], console: Console) -> None:
    """`list --draft` on a terminal: the draft's items in its order, a block per section."""
    table = make_table()
    for name in ("section", "#", "id", "decision", "source", "title"):
        table.add_column(name, no_wrap=name != "title", overflow="fold")
    for i, item in enumerate(items):
        is_first = i == 0 or items[i - 1].section != item.section
        if is_first and i:
            table.add_section()
        table.add_row(item.section if is_first else "", *_draft_cells(item))
    console.print(table)


def draft_lines(items: Iterable[Placed], console: Console) -> None:
    """`list --draft` in a pipe: section, position, id, decision, source, title."""
    for item in items:
        print("\t".join((item.section, *map(collapse, _draft_cells(item)))), file=console.file)


def _draft_cells(item: Placed) -> tuple[str, str, str, str, str]:
    entry = item.entry
    decision = DECISION_WORDS.get(entry.decision or "", "auto")
    return (str(item.position), str(entry.link_id), decision, entry.source, entry.title)


def flags(view: LinkView) -> str:
    link = view.link
    words = [link.status]
    if link.decision:
        words.append(DECISION_WORDS[link.decision])
    if view.issue_number is not None:
        words.append(f"published #{view.issue_number}")
    return ",".join(words)


def when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else "never"
