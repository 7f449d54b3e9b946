"""Commands that write the issue: draft and publish."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from curator.cli.app import Command, State, app, now, state, stderr
from curator.errors import UsageError
from curator.files import write_atomically
from curator.pipeline.compose import (
    DraftResult,
    Window,
    build_draft,
    day_window,
    default_window,
    publish_issue,
    week_window,
)
from curator.store import Store

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
    publish: Annotated[
        bool,
        typer.Option("--publish", help="Also record the issue as published, as `publish` does."),
    ] = False,
    force: Force = False,
) -> None:
    """Write the newsletter draft in Markdown.

    The draft holds the unpublished links first seen in a window of days (or only the
    picked ones), ranked and grouped into sections. The window runs from the end of the
    last published issue (or 7 days back) to now; --week, or --since and --until, choose
    another. Problems found by the pre-publish check, such as an empty section, are
    printed as warnings on stderr. With --publish, a draft that holds links that failed or
    are not enriched yet is written but not published (exit 1), unless --force.

    Example: curator draft --week 2023-W52 --out drafts/2023-W52.md
    """
    result = _build(state(ctx), week, since, until, number, publish_date)
    for warning in result.warnings:
        stderr.print(f"warning: {warning}", markup=False, soft_wrap=True)
    if out is None:
        typer.echo(result.text, nl=False)
    else:
        write_atomically(out, result.text)
        stderr.print(f"wrote {out}", markup=False)
    if publish:
        _publish(state(ctx), result, force=force)
    if check and result.warnings:
        raise typer.Exit(1)


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
    result = _build(state(ctx), week, since, until, number, publish_date)
    _publish(state(ctx), result, force=force)


def _build(
    obj: State,
    week: str | None,
    since: datetime | None,
    until: datetime | None,
    number: int | None,
    publish_date: datetime | None,
) -> DraftResult:
    config = obj.config()
    with obj.store() as store:
        window = _window(store, week, since, until)
        return build_draft(
            config,
            store,
            window,
            number=number,
            publish_date=publish_date.date() if publish_date else None,
            now=now(),
        )


def _window(
    store: Store, week: str | None, since: datetime | None, until: datetime | None
) -> Window:
    if week and (since or until):
        raise UsageError("use either --week or --since/--until, not both")
    if week:
        return week_window(week)
    if since or until:
        today = now().date()
        return day_window((since.date() if since else today), until.date() if until else today)
    return default_window(store, now())


def _publish(obj: State, result: DraftResult, *, force: bool) -> None:
    with obj.store() as store:
        issue = publish_issue(store, result, now(), force=force)
    stderr.print(f"published issue #{issue.number}")
