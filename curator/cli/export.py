"""`curator export buttondown|ghost`: the week's draft as a draft on the service.

The pipeline is imported when the command runs: `--help` must not load the store.
"""

from __future__ import annotations

import os
from enum import StrEnum
from typing import Annotated

import typer

from curator.cli import render
from curator.cli.app import Command, app, state, stderr
from curator.cli.compose import DraftDate, DraftNumber, DraftWeek, Since, Until, window_choice


class Service(StrEnum):
    buttondown = "buttondown"
    ghost = "ghost"


@app.command(cls=Command)
def export(
    ctx: typer.Context,
    service: Annotated[Service, typer.Argument(metavar="SERVICE", help="buttondown or ghost.")],
    week: DraftWeek = None,
    since: Since = None,
    until: Until = None,
    number: DraftNumber = None,
    publish_date: DraftDate = None,
) -> None:
    """Send the draft to Buttondown or Ghost as a draft, never sent or published.

    The draft is the one `curator draft` writes with the same options; its id (Buttondown)
    or editor URL (Ghost) is printed. Exporting the same issue again updates that draft.
    The key comes from the environment only: BUTTONDOWN_API_KEY, or GHOST_ADMIN_API_KEY
    (id:secret); [export.buttondown] api_url and [export.ghost] url say where to.

    Example: BUTTONDOWN_API_KEY=... curator export buttondown --week 2024-W02
    """
    from curator.pipeline.export import export_draft

    choice = window_choice(week, since, until)
    obj = state(ctx)
    config = obj.config()
    day = publish_date.date() if publish_date else None
    with obj.store() as store:
        exported = export_draft(
            config,
            store,
            service.value,
            choice,
            environ=os.environ,
            number=number,
            publish_date=day,
            now=obj.now,
        )
    render.warnings(exported.result.warnings)
    verb = "updated" if exported.is_update else "created"
    stderr.print(f"{verb} the {service.value} draft", markup=False)
    typer.echo(exported.remote.url)
