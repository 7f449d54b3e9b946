"""Commands that write the issue: draft and publish.

The pipeline is imported when a command runs: `--help` must not load the store.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from curator.cli import render
from curator.cli.app import Command, app, state, stderr
from curator.errors import UsageError

if TYPE_CHECKING:
    from curator.compose import Placed
    from curator.config import FetchConfig
    from curator.pipeline.compose import WindowChoice

# draft and publish take the same window options: publish records what draft would write.
Since = Annotated[
    datetime | None,
    typer.Option(formats=["%Y-%m-%d"], metavar="YYYY-MM-DD", help="First day of the window (UTC)."),
]
Until = Annotated[
    datetime | None,
    typer.Option(
        formats=["%Y-%m-%d"], metavar="YYYY-MM-DD", help="Last day of the window, included (UTC)."
    ),
]
DraftWeek = Annotated[
    str | None,
    typer.Option(
        metavar="WEEK", help="Draft this ISO week, e.g. 2023-W52 (Monday to Sunday, UTC)."
    ),
]
PublishWeek = Annotated[
    str | None,
    typer.Option(metavar="WEEK", help="The ISO week the draft was for, e.g. 2023-W52."),
]
DraftNumber = Annotated[
    int | None,
    typer.Option(min=1, metavar="N", help="Issue number (default: the last published + 1)."),
]
PublishNumber = Annotated[
    int | None,
    typer.Option(
        min=1, metavar="N", help="The draft's issue number (default: the last published + 1)."
    ),
]
DraftDate = Annotated[
    datetime | None,
    typer.Option(
        "--date",
        formats=["%Y-%m-%d"],
        metavar="YYYY-MM-DD",
        help="Date printed as publishDate in the front matter (default: today, or the "
        "window's last day when that is earlier).",
    ),
]
Force = Annotated[
    bool,
    typer.Option("--force", help="Publish even with links that failed or are not enriched yet."),
]
PublishDate = Annotated[
    datetime | None,
    typer.Option(
        "--date",
        formats=["%Y-%m-%d"],
        metavar="YYYY-MM-DD",
        help="Accepted so the draft's options can be repeated; not recorded.",
    ),
]


class Format(StrEnum):
    markdown = "markdown"
    html = "html"


@app.command(cls=Command)
def draft(
    ctx: typer.Context,
    week: DraftWeek = None,
    since: Since = None,
    until: Until = None,
    number: DraftNumber = None,
    publish_date: DraftDate = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", metavar="FILE", help="Write the draft to FILE, not stdout."),
    ] = None,
    check: Annotated[
        bool, typer.Option("--check", help="Exit with status 1 when the draft has warnings.")
    ] = False,
    links: Annotated[
        bool,
        typer.Option(
            "--links",
            help="With --check: fetch every link of the draft, report dead and moved ones, "
            "and exit with status 1 when any is dead.",
        ),
    ] = False,
    publish: Annotated[
        bool,
        typer.Option("--publish", help="Also record the issue as published, as `publish` does."),
    ] = False,
    force: Force = False,
    form: Annotated[
        Format,
        typer.Option(
            "--format",
            metavar="FORMAT",
            help="markdown, or html: one HTML document with its CSS inlined and no front "
            "matter, to paste into an email editor.",
        ),
    ] = Format.markdown,
    summarize: Annotated[
        bool,
        typer.Option(
            "--summarize", help="First ask the LLM for summaries, as `curator summarize` does."
        ),
    ] = False,
) -> None:
    """Write the newsletter draft in Markdown (or HTML, for email).

    The draft holds the unpublished links first seen in a window of days (or only the
    picked ones), ranked and grouped into sections. The window runs from the end of the
    last published issue (or 7 days back) to now; --week, or --since and --until, choose
    another. Problems found by the pre-publish check, such as an empty section, are
    printed as warnings on stderr; --check --links also fetches every link and reports
    dead ones (404, 410, no such host, repeated 5xx) and moved ones, by item number, with
    the `curator edit` that applies the new URL. With --publish, a draft that holds links
    that failed or are not enriched yet is written but not published (exit 1), unless
    --force.

    Example: curator draft --week 2023-W52 --out drafts/2023-W52.md
    """
    from curator.files import write_atomically
    from curator.pipeline.compose import build_draft, publish_issue

    if links and not check:
        raise UsageError("--links goes with --check: curator draft --check --links")
    choice = window_choice(week, since, until)
    obj = state(ctx)
    config = obj.config()
    day = publish_date.date() if publish_date else None
    with obj.store(write=publish or summarize) as store:
        if summarize:
            from curator.pipeline.summarize import summarize as summarize_links

            render.summarized(summarize_links(config, store, [], choice, obj.now))
        result = build_draft(
            config, store, choice, number=number, publish_date=day, now=obj.now, form=form.value
        )
        render.warnings(result.warnings)
        if out is None:
            typer.echo(result.text, nl=False)
        else:
            write_atomically(out, result.text)
            stderr.print(f"wrote {out}", markup=False)
        if publish:
            _published(publish_issue(store, result.plan, obj.now, force=force).number)
    is_dead = links and _check_links(config.fetch, result.plan.items)
    if check and (result.warnings or is_dead):
        raise typer.Exit(1)


def _check_links(config: FetchConfig, items: list[Placed]) -> bool:
    """Report the draft's dead, moved and unchecked links; whether any is dead."""
    from curator.pipeline.linkcheck import DEAD, check_links

    problems = check_links(config, items)
    for problem in problems:
        stderr.print(str(problem), markup=False)
    return any(problem.kind == DEAD for problem in problems)


@app.command(cls=Command)
def publish(
    ctx: typer.Context,
    week: PublishWeek = None,
    since: Since = None,
    until: Until = None,
    number: PublishNumber = None,
    publish_date: PublishDate = None,
    force: Force = False,
) -> None:
    """Record an issue as published.

    Records the issue the draft would contain for the same window and --number, so later
    drafts do not repeat its links and the next issue gets the next number. Give it the
    same options as the draft you are publishing, or use `curator draft --publish`.
    A draft holding links that failed or are not enriched yet is refused (exit 1) unless
    --force.

    Example: curator publish --number 7
    """
    from curator.pipeline.compose import publish as publish_window

    choice = window_choice(week, since, until)
    obj = state(ctx)
    config = obj.config()
    with obj.store() as store:
        issue = publish_window(config, store, choice, number=number, force=force, now=obj.now)
    _published(issue.number)


def window_choice(week: str | None, since: datetime | None, until: datetime | None) -> WindowChoice:
    from curator.pipeline.compose import WindowChoice

    return WindowChoice(week, since.date() if since else None, until.date() if until else None)


def _published(number: int) -> None:
    stderr.print(f"published issue #{number}")
