"""enrich: fetch titles and summaries for the queued links."""

from __future__ import annotations

from typing import Annotated

import typer

from curator.cli import render
from curator.cli.app import Command, app, state


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
) -> None:
    """Fetch titles and summaries for queued links.

    Fetches the page of each link not yet enriched (arXiv papers come from the arXiv API)
    for its title, summary, site name and date. Links that failed for a passing reason,
    such as a timeout, are retried later with growing delays. `curator collect` already
    runs this after collecting.

    Example: curator enrich --retry-failed
    """
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
