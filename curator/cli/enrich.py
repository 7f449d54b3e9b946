"""enrich: fetch titles and summaries for the queued links."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from curator.cli import render
from curator.cli.app import Command, app, state

if TYPE_CHECKING:
    from curator.enrich import Explained


@app.command(cls=Command)
def enrich(
    ctx: typer.Context,
    retry_failed: Annotated[
        bool,
        typer.Option(
            "--retry-failed",
            help="Also retry links that failed permanently (404, not HTML, too large).",
        ),
    ] = False,
    explain: Annotated[
        int | None,
        typer.Option(
            "--explain",
            metavar="ID",
            help="Fetch link ID again and show which rules give its title and source; "
            "the queue is not changed.",
        ),
    ] = None,
) -> None:
    """Fetch titles and summaries for queued links.

    Fetches the page of each link not yet enriched (arXiv papers come from the arXiv API)
    for its title, summary, site name and date. Links that failed for a passing reason,
    such as a timeout, are retried later with growing delays. `curator collect` already
    runs this after collecting.

    Example: curator enrich --retry-failed
    """
    if explain is not None:
        _explain(ctx, explain)
        return
    # Imported here: the network stack costs start-up time that `draft` should not pay.
    from curator.cli.progress import RichProgress
    from curator.pipeline.enrich import enrich as enrich_links

    obj = state(ctx)
    config = obj.config()
    with obj.store() as store:
        report = enrich_links(
            config, store, obj.now, retry_failed=retry_failed, progress=RichProgress()
        )
    render.enriched(report)


def _explain(ctx: typer.Context, link_id: int) -> None:
    from curator.pipeline.enrich import explain

    obj = state(ctx)
    with obj.store(write=False) as store:  # --explain changes nothing: no integrity check
        found = explain(obj.config(), store, link_id)
    typer.echo(explanation(found))


def explanation(found: Explained) -> str:
    """The title and label of a link, the rules that gave them and the page's signals."""
    from curator import urls
    from curator.enrich.labels import NAME_SIGNALS, RULE_NAMES

    meta = found.metadata
    host = urls.host(meta.final_url or "")
    lines = [
        f"title:  {meta.title}",
        f"        rule: {found.title_rule}",
        f"source: {meta.label}",
        f"        rule: {found.label_rule}",
        "signals:",
    ]
    for name in NAME_SIGNALS:
        if value := getattr(found.signals, name):
            lines.append(f"  {RULE_NAMES[name]}: {value}")
    if found.signals.author:
        lines.append(f"  author: {found.signals.author}")
    if host:
        lines += ["To choose another source, add to curator.toml:", "  [sources]"]
        lines.append(f'  "{host}" = "{meta.label}"')
    return "\n".join(lines)
