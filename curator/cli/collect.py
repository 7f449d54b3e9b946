"""collect, and sources: the feeds and queries it reads, with their state."""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from curator.cli import render
from curator.cli.app import Command, app, now, state, stderr
from curator.config import Config, arxiv_name, feed_name
from curator.errors import UsageError
from curator.files import write_atomically
from curator.models import SourceState

if TYPE_CHECKING:
    from curator.pipeline.collect import ChannelReport


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
    is reported and the others go on.

    Example: curator collect

    From cron: 0 7 * * * cd ~/newsletter && curator collect
    """
    # Imported here: the network stack costs start-up time that `draft` should not pay.
    from curator.cli.progress import RichProgress
    from curator.pipeline.collect import collect as collect_sources

    obj = state(ctx)
    config = obj.config(required=True)
    with obj.store() as store:
        report = collect_sources(
            config, store, now(), only=source, then_enrich=not no_enrich,
            progress=RichProgress(),
        )  # fmt: skip
    table = render.make_table("Collected")
    for name in ("source", "new", "known", "status"):
        table.add_column(name, justify="right" if name in ("new", "known") else "left")
    for item in report.channels:
        table.add_row(item.name, str(item.new), str(item.known), _status(item))
    stderr.print(table)
    if report.failed:
        stderr.print(f"{len(report.failed)} of {len(report.channels)} sources failed")
    if report.enrichment is not None:
        render.enriched(report.enrichment)


def _status(item: ChannelReport) -> str:
    if item.error:
        return f"failed: {item.error}"
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
    if out is not None and not opml:
        raise UsageError("--out goes with --opml")
    obj = state(ctx)
    config = obj.config(required=True)
    if opml:
        _export_opml(config, out)
        return
    with obj.store() as store:
        states = {(s.kind, s.ref): s for s in store.source_states()}
    rows = _source_rows(config, states)
    if as_json:
        text = json.dumps(rows, ensure_ascii=False, indent=2, default=datetime.isoformat)
        sys.stdout.write(text + "\n")
        return
    table = render.make_table()
    names = ("name", "kind", "found feed", "last fetched", "last status", "failures", "last error")
    for name in names:
        table.add_column(name, overflow="fold")
    for row in rows:
        table.add_row(
            str(row["name"]),
            str(row["kind"]),
            str(row["discovered_feed"] or ""),
            render.when(row["last_fetched"]),  # type: ignore[arg-type]
            str(row["last_status"] or ""),
            str(row["failures"]),
            str(row["last_error"] or ""),
        )
    Console().print(table)


def _export_opml(config: Config, out: Path | None) -> None:
    from curator.collect.opml import to_opml  # lxml: only for this option

    if out is None:
        sys.stdout.write(to_opml(config.feed))
        return
    write_atomically(out, to_opml(config.feed))
    stderr.print(f"wrote {out}", markup=False)


def _source_rows(
    config: Config, states: dict[tuple[str, str], SourceState]
) -> list[dict[str, object]]:
    configured = [("feed", feed_name(f), f.url) for f in config.feed]
    configured += [("arxiv", arxiv_name(q), q.query) for q in config.arxiv]
    rows: list[dict[str, object]] = []
    for kind, name, ref in configured:
        found = states.get((kind, ref)) or SourceState(kind=kind, ref=ref, name=name)
        rows.append(
            {
                "name": name,
                "kind": kind,
                "ref": ref,
                "discovered_feed": found.discovered_url,
                "last_fetched": found.last_fetched,
                "last_status": found.last_status,
                "failures": found.failures,
                "last_error": found.last_error,
            }
        )
    return rows
