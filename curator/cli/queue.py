"""Commands on the queue: init, add, import, list, pick, skip, feature, reset, edit."""

from __future__ import annotations

import json
import sys
from importlib import resources
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from curator.cli import render
from curator.cli.app import app, now, state, stderr
from curator.errors import UsageError
from curator.pipeline.drafting import week_window
from curator.pipeline.queue import add_text, add_urls, decide, list_links
from curator.pipeline.queue import as_json as view_json
from curator.pipeline.queue import edit as edit_link
from curator.store import STATUSES, LinkFilter


@app.command()
def init(ctx: typer.Context) -> None:
    """Write a commented starter curator.toml (never overwrites one).

    Example: curator init && $EDITOR curator.toml
    """
    path = state(ctx).config_path
    if path.exists():
        raise UsageError(f"{path} already exists; edit it, or remove it first")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(resources.files("curator").joinpath("starter.toml").read_text("utf-8"))
    stderr.print(f"wrote {path}: edit the feeds and arXiv queries, then run `curator collect`")


@app.command()
def add(
    ctx: typer.Context,
    urls: Annotated[list[str] | None, typer.Argument(help="URLs (or arxiv:ID) to queue.")] = None,
    file: Annotated[
        Path | None,
        typer.Option("--file", "-f", help="Read URLs from a file, one a line ('-' for stdin)."),
    ] = None,
    note: Annotated[str | None, typer.Option(help="A note kept with this sighting.")] = None,
) -> None:
    """Queue links by hand; duplicates of queued links are recognised.

    Example: curator add https://arxiv.org/abs/2312.11514 --note "from a friend"
    """
    if not urls and file is None:
        raise UsageError("give URLs to add, or --file PATH (use - for stdin)")
    obj = state(ctx)
    with obj.store() as store:
        if urls:
            render.added(add_urls(store, urls, note=note, now=now()))
        if file is not None:
            source = "manual" if str(file) == "-" else f"file:{file.name}"
            text = _read_text(file)
            render.added(add_text(store, text, source=source, note=note, now=now()))


@app.command("import")
def import_(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="OPML, bookmarks HTML, or a list of URLs.")],
) -> None:
    """Import feeds from OPML into curator.toml, or links from bookmarks or a URL list.

    Example: curator import feeds.opml
    """
    # Imported here: lxml and tomlkit cost start-up time other commands should not pay.
    from curator.pipeline.importing import import_file

    obj = state(ctx)
    data = _read_bytes(file)
    with obj.store() as store:
        report = import_file(store, obj.config_path, data, name=f"import:{file.name}", now=now())
    if report.kind == "opml":
        stderr.print(
            f"{report.feeds_added} feeds added to {obj.config_path}, "
            f"{report.feeds_known} already there"
        )
    else:
        render.added(report.links)


@app.command("list")
def list_(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON array on stdout.")] = False,
    week: Annotated[
        str | None, typer.Option(help="Only links first seen in this ISO week (2023-W52).")
    ] = None,
    status: Annotated[
        str | None, typer.Option(help=f"Only links with this status: {', '.join(STATUSES)}.")
    ] = None,
    section: Annotated[str | None, typer.Option(help="Only links in this draft section.")] = None,
    kind: Annotated[str | None, typer.Option(help="Only 'paper' or 'link'.")] = None,
) -> None:
    """Show the queue: a table on a terminal, tab-separated lines in a pipe.

    Example: curator list --status failed
    """
    if status is not None and status not in STATUSES:
        raise UsageError(f"--status must be one of {', '.join(STATUSES)}, got {status!r}")
    if kind is not None and kind not in ("paper", "link"):
        raise UsageError(f"--kind must be 'paper' or 'link', got {kind!r}")
    window = week_window(week) if week else None
    where = LinkFilter(
        since=window.since if window else None,
        until=window.until if window else None,
        status=status,
        kind=kind,
    )
    obj = state(ctx)
    config = obj.config()
    with obj.store() as store:
        views = list_links(store, config, where, section=section)
    if as_json:
        _print_json([view_json(v) for v in views])
        return
    console = Console(highlight=False)
    if console.is_terminal:
        render.links_table(views, console)
    else:
        render.links_lines(views, console)


def _decision_command(action: str, summary: str, example: str) -> None:
    def command(
        ctx: typer.Context,
        ids: Annotated[list[int], typer.Argument(help="Link ids, as `curator list` shows.")],
    ) -> None:
        with state(ctx).store() as store:
            decide(store, ids, action)
        stderr.print(f"{action}: {', '.join(map(str, ids))}")

    command.__doc__ = f"{summary}\n\nExample: {example}"
    app.command(action)(command)


_decision_command(
    "pick",
    "Put links in the next draft; once any link is picked, only picked ones go in.",
    "curator pick 12 15 18",
)
_decision_command("skip", "Keep links out of every draft.", "curator skip 7")
_decision_command(
    "feature",
    "Feature links at the top of the draft, each with its own section.",
    "curator feature 12",
)
_decision_command("reset", "Forget pick, skip or feature on links.", "curator reset 12")


@app.command()
def edit(
    ctx: typer.Context,
    link_id: Annotated[int, typer.Argument(help="The link's id.")],
    title: Annotated[str | None, typer.Option(help="Your own title.")] = None,
    summary: Annotated[str | None, typer.Option(help="Your own summary.")] = None,
    section: Annotated[str | None, typer.Option(help="Put it in this draft section.")] = None,
    position: Annotated[
        int | None, typer.Option(min=1, help="Its position in the section, from 1.")
    ] = None,
    url: Annotated[str | None, typer.Option(help="Link to this URL instead.")] = None,
) -> None:
    """Override a link's title, summary, section, position or URL in the draft.

    Example: curator edit 12 --title "A shorter title" --position 1
    """
    changes: dict[str, Any] = {
        "user_title": title,
        "user_summary": summary,
        "section": section,
        "position": position,
        "user_url": url,
    }
    changes = {k: v for k, v in changes.items() if v is not None}
    if not changes:
        raise UsageError(
            "nothing to change: give --title, --summary, --section, --position or --url"
        )
    with state(ctx).store() as store:
        edit_link(store, link_id, changes)
    stderr.print(f"edited {link_id}")


def _read_text(path: Path) -> str:
    if str(path) == "-":
        return sys.stdin.read()
    return _read_bytes(path).decode("utf-8", "replace")


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as err:
        raise UsageError(f"{path}: {err.strerror or err}") from None


def _print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, ensure_ascii=False, indent=2) + "\n")
