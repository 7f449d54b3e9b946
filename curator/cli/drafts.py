"""Commands that write the issue: draft and publish."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from curator.cli.app import State, app, now, state, stderr
from curator.errors import UsageError
from curator.pipeline.drafting import (
    DraftResult,
    Window,
    build_draft,
    day_window,
    default_window,
    publish_issue,
    week_window,
)
from curator.store import Store

Week = Annotated[
    str | None, typer.Option(help="The ISO week to draft, e.g. 2023-W52 (Monday to Sunday, UTC).")
]
Since = Annotated[
    datetime | None,
    typer.Option(formats=["%Y-%m-%d"], help="First day of the window (inclusive, UTC)."),
]
Until = Annotated[
    datetime | None,
    typer.Option(formats=["%Y-%m-%d"], help="Last day of the window (inclusive, UTC)."),
]
Number = Annotated[
    int | None, typer.Option(min=1, help="Issue number (default: the last published + 1).")
]
PublishDate = Annotated[
    datetime | None,
    typer.Option("--date", formats=["%Y-%m-%d"], help="publishDate (default: today)."),
]


@app.command()
def draft(
    ctx: typer.Context,
    week: Week = None,
    since: Since = None,
    until: Until = None,
    number: Number = None,
    publish_date: PublishDate = None,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write here instead of stdout.")
    ] = None,
    check: Annotated[
        bool, typer.Option("--check", help="Exit 1 when the pre-publish check warns.")
    ] = False,
    publish: Annotated[
        bool, typer.Option("--publish", help="Also record the issue as published.")
    ] = False,
) -> None:
    """Write the week's Markdown draft (default window: since the last issue, or 7 days).

    Example: curator draft --week 2023-W52 --out drafts/2023-W52.md
    """
    result = _build(state(ctx), week, since, until, number, publish_date)
    for warning in result.warnings:
        stderr.print(f"warning: {warning}", markup=False, soft_wrap=True)
    if out is None:
        typer.echo(result.text, nl=False)
    else:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(result.text, encoding="utf-8")
        stderr.print(f"wrote {out}", markup=False)
    if publish:
        _publish(state(ctx), result)
    if check and result.warnings:
        raise typer.Exit(1)


@app.command()
def publish(
    ctx: typer.Context,
    week: Week = None,
    since: Since = None,
    until: Until = None,
    number: Number = None,
    publish_date: PublishDate = None,
) -> None:
    """Record the issue the draft would contain, so the next draft does not repeat it.

    Example: curator publish --number 7
    """
    result = _build(state(ctx), week, since, until, number, publish_date)
    _publish(state(ctx), result)


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


def _publish(obj: State, result: DraftResult) -> None:
    with obj.store() as store:
        issue = publish_issue(store, result, now())
    stderr.print(f"published issue #{issue.number}")
