"""Commands that go to the network: collect, enrich; and sources, their state."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from curator.cli import render
from curator.cli.app import app, now, state, stderr
from curator.config import Config, arxiv_name, feed_name
from curator.models import SourceState

if TYPE_CHECKING:
    from curator.pipeline.collecting import SourceReport


@app.command()
def collect(
    ctx: typer.Context,
    source: Annotated[
        str | None, typer.Option("--source", help="Only the feed or arXiv query of this name.")
    ] = None,
    no_enrich: Annotated[
        bool, typer.Option("--no-enrich", help="Queue new links without fetching them.")
    ] = False,
) -> None:
    """Fetch every configured feed and arXiv query, queue new links, then enrich them.

    Example: curator collect   (from cron: 0 7 * * * cd ~/newsletter && curator collect)
    """
    # Imported here: the network stack costs start-up time that `draft` should not pay.
    from curator.cli.progress import RichProgress
    from curator.pipeline.collecting import collect as collect_sources

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
    for item in report.sources:
        table.add_row(item.name, str(item.new), str(item.known), _status(item))
    stderr.print(table)
    if report.failed:
        stderr.print(f"{len(report.failed)} of {len(report.sources)} sources failed")
    if report.enrichment is not None:
        render.enriched(report.enrichment)


def _status(item: SourceReport) -> str:
    if item.error:
        return f"failed: {item.error}"
    words = ["not modified" if item.not_modified else "ok"]
    if item.dropped:
        words.append(f"{item.dropped} non-http links dropped")
    if item.warning:
        words.append(item.warning)
    return "; ".join(words)


@app.command()
def enrich(
    ctx: typer.Context,
    retry_failed: Annotated[
        bool, typer.Option("--retry-failed", help="Also retry links that failed for good.")
    ] = False,
) -> None:
    """Fetch title, summary, source and date for pending links and failed ones now due.

    Example: curator enrich --retry-failed
    """
    # Imported here: the network stack costs start-up time that `draft` should not pay.
    from curator.cli.progress import RichProgress
    from curator.pipeline.enriching import enrich as enrich_links

    obj = state(ctx)
    config = obj.config()
    with obj.store() as store:
        report = enrich_links(
            config, store, now(), retry_failed=retry_failed, progress=RichProgress()
        )
    render.enriched(report)


@app.command()
def sources(
    ctx: typer.Context,
    opml: Annotated[bool, typer.Option("--opml", help="Print the feeds as OPML.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON array.")] = False,
) -> None:
    """Show every configured feed and arXiv query with its fetch state.

    Example: curator sources --opml > feeds.opml
    """
    obj = state(ctx)
    config = obj.config(required=True)
    if opml:
        from curator.opml import to_opml  # lxml: only for this option

        sys.stdout.write(to_opml(config.feed))
        return
    with obj.store() as store:
        states = {(s.kind, s.ref): s for s in store.source_states()}
    rows = _source_rows(config, states)
    if as_json:
        sys.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2) + "\n")
        return
    table = render.make_table()
    for name in ("name", "kind", "last fetched", "last status", "failures", "last error"):
        table.add_column(name, overflow="fold")
    for row in rows:
        table.add_row(
            str(row["name"]),
            str(row["kind"]),
            str(row["last_fetched"] or "never"),
            str(row["last_status"] or ""),
            str(row["failures"]),
            str(row["last_error"] or ""),
        )
    Console().print(table)


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
                "last_fetched": render.when(found.last_fetched) if found.last_fetched else None,
                "last_status": found.last_status,
                "failures": found.failures,
                "last_error": found.last_error,
            }
        )
    return rows
