"""collect, and sources: the feeds and queries it reads, with their state.

The pipeline is imported when a command runs: `--help` must not load the network stack.
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from curator.cli import render
from curator.cli.app import Command, app, state, stderr, stdout_console
from curator.errors import UsageError

if TYPE_CHECKING:
    from curator.config import Config
    from curator.pipeline.collect import ChannelReport, ChannelRow, CollectReport


@app.command(cls=Command)
def collect(
    ctx: typer.Context,
    source: Annotated[
        str | None,
        typer.Option(
            "--source",
            metavar="NAME",
            help="Only the source named NAME, as `curator sources` shows it.",
        ),
    ] = None,
    no_enrich: Annotated[
        bool,
        typer.Option("--no-enrich", help="Queue new links without fetching their pages."),
    ] = False,
) -> None:
    """Fetch feeds and arXiv queries; queue new links.

    Fetches every feed and arXiv query in curator.toml, queues the links not seen before,
    then fetches their titles and summaries as `curator enrich` does. A source that fails
    is reported and the others go on; when every source failed, collect exits with
    status 1.

    Example: curator collect

    From cron: 0 7 * * * cd ~/newsletter && curator collect
    """
    from curator.cli.progress import RichProgress
    from curator.pipeline.collect import collect as collect_sources

    obj = state(ctx)
    config = obj.config(required=True)
    with obj.store(create=True) as store:
        report = collect_sources(
            config, store, obj.now, only=source, then_enrich=not no_enrich,
            progress=RichProgress(),
        )  # fmt: skip
    _show(report)
    if report.all_failed:
        raise typer.Exit(1)


def _show(report: CollectReport) -> None:
    """The table, the enrichment, then the failures last, where cron's mail ends."""
    table = render.make_table("Collected")
    for name in ("source", "new", "known", "status"):
        table.add_column(name, justify="right" if name in ("new", "known") else "left")
    for item in report.channels:
        table.add_row(item.name, str(item.new), str(item.known), _status(item))
    stderr.print(table)
    if report.enrichment is not None:
        render.enriched(report.enrichment)
    if report.all_failed:
        stderr.print(f"every source failed ({len(report.channels)}): nothing was collected")
    elif report.failed:
        stderr.print(f"{len(report.failed)} of {len(report.channels)} sources failed")


def _status(item: ChannelReport) -> str:
    if item.error:
        return f"failed: {item.error}"
    if item.skipped:
        return "skipped: another collect is fetching it"
    words = ["not modified" if item.not_modified else "ok"]
    if item.dropped:
        words.append(f"{item.dropped} non-http links dropped")
    if item.warning:
        words.append(item.warning)
    return "; ".join(words)


@app.command(cls=Command)
def sources(
    ctx: typer.Context,
    opml: Annotated[
        bool, typer.Option("--opml", help="Print the feeds as OPML, for a feed reader.")
    ] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print a JSON array instead, for scripts.")
    ] = False,
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", metavar="FILE", help="With --opml: write it to FILE."),
    ] = None,
) -> None:
    """Show feeds and arXiv queries with fetch state.

    For each source in curator.toml: its name (what `curator collect --source` takes),
    when it was last fetched, what that fetch gave, and how many fetches in a row failed.
    A feed configured by a web page's URL shows the feed found on that page.

    Example: curator sources --opml --out feeds.opml
    """
    from curator.pipeline.collect import channel_rows

    if out is not None and not opml:
        raise UsageError("--out goes with --opml")
    obj = state(ctx)
    config = obj.config(required=True)
    if opml:
        _export_opml(config, out)
        return
    with obj.store(write=False) as store:
        rows = channel_rows(config, store)
    if as_json:
        sys.stdout.write(json.dumps([_json(row) for row in rows], ensure_ascii=False, indent=2))
        sys.stdout.write("\n")
        return
    _table(rows)


def _json(row: ChannelRow) -> dict[str, object]:
    """Dates in ISO 8601, UTC, as in `list --json`."""
    found = asdict(row)
    found["last_fetched"] = row.last_fetched.isoformat() if row.last_fetched else None
    return found


def _table(rows: list[ChannelRow]) -> None:
    table = render.make_table()
    names = ("name", "kind", "found feed", "last fetched", "last status", "failures", "last error")
    for name in names:
        table.add_column(name, overflow="fold")
    for row in rows:
        table.add_row(
            row.name, row.kind, row.discovered_feed or "", render.when(row.last_fetched),
            row.last_status or "", str(row.failures), row.last_error or "",
        )  # fmt: skip
    stdout_console().print(table)


def _export_opml(config: Config, out: Path | None) -> None:
    from curator.collect.opml import to_opml  # lxml: only for this option
    from curator.files import write_atomically

    if out is None:
        sys.stdout.write(to_opml(config.feed))
        return
    write_atomically(out, to_opml(config.feed))
    stderr.print(f"wrote {out}", markup=False)
