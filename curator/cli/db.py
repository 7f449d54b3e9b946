"""`curator db copy`: moving a queue between databases (issue 19, item 5)."""

from __future__ import annotations

from typing import Annotated

import typer

from curator.cli.app import Command, app, stderr

db_app = typer.Typer(
    no_args_is_help=True,
    rich_markup_mode=None,
    help="Work on the queue's database itself: copy it to another.",
)
app.add_typer(db_app, name="db")


@db_app.command(cls=Command)
def copy(
    source: Annotated[
        str, typer.Argument(metavar="SRC", help="The queue to copy: a path or a URL.")
    ],
    target: Annotated[
        str, typer.Argument(metavar="DST", help="Where to copy it: a path or a URL.")
    ],
) -> None:
    """Copy a queue to another database.

    Every link, sighting, decision, source state and published issue goes over with its
    id, between SQLite files and PostgreSQL databases either way. Copying again copies
    only what is new; the rows DST already has are left as they are.

    Example: curator db copy data/curator.db postgresql://ana@db.example/newsletter
    """
    from curator.pipeline.queue import copy_queue

    copied, location = copy_queue(source, target)
    counts = ", ".join(f"{count} {table}" for table, count in copied.items())
    stderr.print(f"copied {counts} into {location}", markup=False, highlight=False)
