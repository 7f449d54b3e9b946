"""Commands on the queue: init, add, import, list, pick, skip, feature, pin, reset, edit.

The pipeline is imported when a command runs: `--help` must not load the store.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from curator.cli import render
from curator.cli.app import Command, app, state, stderr, stdout_console
from curator.errors import UsageError

if TYPE_CHECKING:
    from rich.console import Console

T = TypeVar("T")

# The store's statuses (curator.store.STATUSES, which checks them), for the help text;
# tests/test_cli.py keeps the two equal.
STATUSES_HELP = "pending, done, failed, picked, skipped, featured, pinned, published"


@app.command(cls=Command)
def init(ctx: typer.Context) -> None:
    """Write a starter curator.toml.

    The file goes where --config points (curator.toml by default) and explains every
    setting in comments; an existing file is never overwritten. The queue's database is
    created too, where --db points. Add your feeds and arXiv queries to curator.toml,
    then run `curator collect`.

    Example: curator init && $EDITOR curator.toml
    """
    from curator.files import write_atomically

    obj = state(ctx)
    path = obj.config_path
    if path.exists():
        raise UsageError(f"{path} already exists; edit it, or remove it first")
    obj.store(create=True).close()
    write_atomically(
        path, resources.files("curator.config").joinpath("starter.toml").read_text("utf-8")
    )
    stderr.print(f"wrote {path}: edit the feeds and arXiv queries, then run `curator collect`")


@app.command(cls=Command)
def add(
    ctx: typer.Context,
    urls: Annotated[
        list[str] | None,
        typer.Argument(metavar="URL", help="Web addresses to queue; arxiv:ID for a paper."),
    ] = None,
    file: Annotated[
        Path | None,
        typer.Option(
            "--file",
            "-f",
            metavar="FILE",
            help="Read URLs from FILE, one per line ('-' reads stdin).",
        ),
    ] = None,
    note: Annotated[
        str | None, typer.Option(metavar="TEXT", help="A note kept with the links added.")
    ] = None,
) -> None:
    """Queue links by hand.

    Tracking parameters are removed, and a link already in the queue is not added twice:
    it gets one more sighting instead. In FILE, blank lines and # comments are skipped.

    Example: curator add https://arxiv.org/abs/2312.11514 --note "from a friend"
    """
    from curator.pipeline.queue import add_text, add_urls, queue_for_adding

    if not urls and file is None:
        raise UsageError("give URLs to add, or --file PATH (use - for stdin)")
    obj = state(ctx)
    with queue_for_adding(obj.db) as queue:
        if urls:
            render.added(add_urls(queue, urls, note=note, now=obj.now))
        if file is not None:
            source = "manual" if str(file) == "-" else f"file:{file.name}"
            text = _read_text(file)
            render.added(add_text(queue, text, source=source, note=note, now=obj.now))


@app.command("import", cls=Command)
def import_(
    ctx: typer.Context,
    file: Annotated[
        Path,
        typer.Argument(
            metavar="FILE", help="An OPML file, a bookmarks export (HTML), or a list of URLs."
        ),
    ],
) -> None:
    """Import feeds from OPML, or links from a file.

    The kind of file is recognised from its content. An OPML file's feeds are added to
    curator.toml (ones already there are skipped); bookmarks and URL lists are added
    to the queue, as `curator add --file` does.

    Example: curator import feeds.opml
    """
    # Imported here: lxml and tomlkit cost start-up time other commands should not pay.
    from curator.pipeline.importing import import_file

    obj = state(ctx)
    data = _read_bytes(file)
    with obj.store(create=True) as store:
        report = import_file(store, obj.config_path, data, name=f"import:{file.name}", now=obj.now)
    if report.kind == "opml":
        stderr.print(
            f"{report.feeds_added} feeds added to {obj.config_path}, "
            f"{report.feeds_known} already there"
        )
    else:
        render.added(report.links)


@app.command("list", cls=Command)
def list_(
    ctx: typer.Context,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print a JSON array instead, for scripts.")
    ] = False,
    week: Annotated[
        str | None,
        typer.Option(metavar="WEEK", help="Only links first seen in this ISO week, e.g. 2023-W52."),
    ] = None,
    status: Annotated[
        str | None,
        typer.Option(metavar="STATUS", help=f"Only links with this status: {STATUSES_HELP}."),
    ] = None,
    section: Annotated[
        str | None, typer.Option(metavar="NAME", help="Only links in this draft section.")
    ] = None,
    kind: Annotated[
        str | None, typer.Option(metavar="KIND", help="Only papers or only links: paper, link.")
    ] = None,
    draft: Annotated[
        bool,
        typer.Option(
            "--draft",
            help="Show the items the draft would hold, in its order (with --week: that "
            "week's draft).",
        ),
    ] = False,
    sort: Annotated[
        str | None,
        typer.Option(metavar="ORDER", help="rank: highest rank score first, with its parts."),
    ] = None,
) -> None:
    """Show the links in the queue.

    On a terminal: a table. In a pipe: one link per line, tab-separated: id, status, kind,
    title, URL, error. The ids are what pick, skip, feature, pin, reset and edit take.
    With --draft: the items `curator draft` would write, section by section, with their
    place, decision and source (tab-separated in a pipe: section, position, id, decision,
    source, title), and the draft's warnings on stderr.

    Example: curator list --status failed
    """
    if draft:
        if status or section or kind or sort:
            raise UsageError("--draft takes only --week and --json")
        _list_draft(ctx, week, as_json=as_json)
        return
    from curator.pipeline.queue import as_json as view_json
    from curator.pipeline.queue import link_filter, list_links

    if sort is not None:
        _list_ranked(ctx, (week, status, kind), sort, section, as_json=as_json)
        return
    where = link_filter(week, status, kind)
    obj = state(ctx)
    config = obj.config()
    with obj.store(write=False) as store:  # rows are printed as they stream from the store
        views = list_links(store, config, where, section=section, with_sightings=as_json)
        _show(views, view_json if as_json else None, render.links_table, render.links_lines)


def _list_ranked(
    ctx: typer.Context,
    filters: tuple[str | None, str | None, str | None],
    sort: str,
    section: str | None,
    *,
    as_json: bool,
) -> None:
    """`list --sort rank`: one line a link, its score and the score's parts (issue 17)."""
    from curator.pipeline.queue import as_json as view_json
    from curator.pipeline.queue import link_filter, ranked_links, score_json

    if sort != "rank":
        raise UsageError(f"--sort takes only 'rank', got {sort!r}")
    where = link_filter(*filters)
    obj = state(ctx)
    with obj.store(write=False) as store:
        ranked = ranked_links(store, obj.config(), where, obj.now, section=section)
    if as_json:
        _print_json_array({**view_json(view), "rank": score_json(s)} for view, s in ranked)
        return
    render.ranked_lines(ranked, stdout_console())


def _list_draft(ctx: typer.Context, week: str | None, *, as_json: bool) -> None:
    """The same plan as `curator draft` (pipeline.compose.plan_issue), shown as a list."""
    from curator.pipeline.compose import WindowChoice, plan_issue
    from curator.pipeline.queue import draft_item_json

    choice = WindowChoice(week)
    obj = state(ctx)
    config = obj.config()
    with obj.store(write=False) as store:
        plan = plan_issue(config, store, choice, now=obj.now)
    render.warnings(plan.warnings)
    to_json = draft_item_json if as_json else None
    _show(plan.items, to_json, render.draft_table, render.draft_lines)


def _decision_command(action: str, summary: str, example: str) -> None:
    def command(
        ctx: typer.Context,
        ids: Annotated[
            list[int], typer.Argument(metavar="ID", help="Link ids, as `curator list` shows them.")
        ],
    ) -> None:
        from curator.pipeline.queue import decide

        obj = state(ctx)
        with obj.store() as store:
            decide(store, ids, action, editor=obj.editor)
        stderr.print(f"{action}: {', '.join(map(str, ids))}")

    command.__doc__ = f"{summary}\n\nExample: {example}"
    app.command(action, cls=Command)(command)


_decision_command(
    "pick",
    "Put links in the next draft.\n\n"
    "Once any link is picked or featured, the draft holds only those (and the pinned "
    "ones), whichever week they came from.",
    "curator pick 12 15 18",
)
_decision_command(
    "pin",
    "Put links in the next draft on top of the automatic selection.\n\n"
    "Unlike pick, pinning keeps the rest of the week's links: the pinned ones go in "
    "beside them, whichever week they came from, past the section caps.",
    "curator pin 12",
)
_decision_command("skip", "Keep links out of every draft.", "curator skip 7")
_decision_command(
    "feature",
    "Feature links at the top of the draft.\n\n"
    "Featured links lead the issue, each in its own block. Featuring counts as picking.",
    "curator feature 12",
)
_decision_command(
    "reset",
    "Undo pick, skip, feature or pin.\n\nThe draft then treats the links like any other.",
    "curator reset 12",
)


@app.command(cls=Command)
def edit(
    ctx: typer.Context,
    link_id: Annotated[
        int, typer.Argument(metavar="ID", help="The link's id, as `curator list` shows it.")
    ],
    title: Annotated[
        str | None, typer.Option(metavar="TEXT", help="Title to use instead of the fetched one.")
    ] = None,
    summary: Annotated[
        str | None,
        typer.Option(metavar="TEXT", help="Summary to use instead of the fetched one."),
    ] = None,
    section: Annotated[
        str | None,
        typer.Option(metavar="NAME", help="Put the link in this section (a new name is fine)."),
    ] = None,
    position: Annotated[
        int | None,
        typer.Option(min=1, metavar="N", help="Put the link at place N in its section."),
    ] = None,
    url: Annotated[
        str | None, typer.Option(metavar="URL", help="Make the draft link to URL instead.")
    ] = None,
    image: Annotated[
        str | None,
        typer.Option(metavar="URL", help="Show this image when the link is featured."),
    ] = None,
    no_image: Annotated[
        bool, typer.Option("--no-image", help="Show no image when the link is featured.")
    ] = False,
) -> None:
    """Change how a link appears in the draft.

    Your title, summary, URL and image replace the fetched ones in every later draft;
    --section and --position place the link. Give at least one option.

    Example: curator edit 12 --title "A shorter title" --position 1
    """
    from curator.pipeline.queue import edit as edit_link

    changes: dict[str, Any] = {
        "user_title": title,
        "user_summary": summary,
        "section": section,
        "position": position,
        "user_url": url,
        "user_image": "" if no_image else image,
    }
    if no_image and image is not None:
        raise UsageError("use either --image or --no-image, not both")
    changes = {k: v for k, v in changes.items() if v is not None}
    if not changes:
        raise UsageError(
            "nothing to change: give --title, --summary, --section, --position, --url, "
            "--image or --no-image"
        )
    obj = state(ctx)
    with obj.store() as store:
        edit_link(store, link_id, changes, editor=obj.editor)
    stderr.print(f"edited {link_id}")


def _read_text(path: Path) -> str:
    if str(path) == "-":
        return sys.stdin.read()
    return _read_bytes(path).decode("utf-8", "replace")


def _read_bytes(path: Path) -> bytes:
    """The file's bytes; a binary one (an image, an archive: text never holds a NUL) is
    refused in one line rather than reported as dozens of bad lines (issue 14)."""
    try:
        data = path.read_bytes()
    except OSError as err:
        raise UsageError(f"{path}: {err.strerror or err}") from None
    if b"\x00" in data:
        raise UsageError(f"{path}: a binary file, not OPML, bookmarks or a list of URLs")
    return data


def _show(
    rows: Iterable[T],
    to_json: Callable[[T], Any] | None,
    table: Callable[[Any, Console], None],
    lines: Callable[[Any, Console], None],
) -> None:
    """`list`'s three looks: a JSON array when `to_json` is given, else a table on a
    terminal and lines in a pipe."""
    if to_json is not None:
        _print_json_array(map(to_json, rows))
        return
    console = stdout_console()
    (table if console.is_terminal else lines)(rows, console)


def _print_json_array(items: Iterable[Any]) -> None:
    """A JSON array written an item at a time, one object a line: over 200,000 links this
    holds one in memory, and runs json's C encoder, which `indent` would turn off."""
    opening = "[\n"
    for item in items:
        sys.stdout.write(opening + json.dumps(item, ensure_ascii=False))
        opening = ",\n"
    sys.stdout.write("[]\n" if opening == "[\n" else "\n]\n")
