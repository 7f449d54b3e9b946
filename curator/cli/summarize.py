"""summarize: LLM summaries for the draft's links or the ones named (issue 20).

llm is imported by the pipeline only when a call is due, never for `--help`.
"""

from __future__ import annotations

from typing import Annotated

import typer

from curator.cli import render
from curator.cli.app import Command, app, state
from curator.cli.compose import DraftWeek, Since, Until, window_choice


@app.command(cls=Command)
def summarize(
    ctx: typer.Context,
    ids: Annotated[
        list[int] | None,
        typer.Argument(metavar="ID", help="Link ids (default: the links the draft holds)."),
    ] = None,
    week: DraftWeek = None,
    since: Since = None,
    until: Until = None,
) -> None:
    """Ask an LLM for short summaries of links, in the newsletter's voice.

    Uses the model `[summaries] model` names in curator.toml, through the llm library
    (pip install 'curator[llm]'), for the links the draft holds (or the ids given). A
    paper's title and abstract, or a page's title and main text, are sent to the model.
    Each answer is cached on its link; the draft shows it when `[draft] summary = "llm"`
    and the link has no summary of your own. A failure is one warning: the links keep
    their extractive summaries.

    Example: curator summarize --week 2023-W52
    """
    from curator.pipeline.summarize import summarize as summarize_links

    choice = window_choice(week, since, until)
    obj = state(ctx)
    config = obj.config()
    with obj.store() as store:
        report = summarize_links(config, store, ids or [], choice, obj.now)
    render.summarized(report)
