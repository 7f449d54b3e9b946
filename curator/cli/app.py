"""The typer app, global options, and how errors become exit statuses.

Exit 2: bad usage, bad URL, bad config or template (one line on stderr). Exit 1: the
database is unusable, or an internal error (one line naming the crash log). Exit 0
otherwise, also when some links or feeds failed: they are reported and kept.
"""

from __future__ import annotations

import os
import sys
import tempfile
import traceback
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from typer.core import TyperGroup

from curator import __version__
from curator.config import Config, load_config
from curator.errors import ConfigError, CuratorError, TemplateError, UsageError
from curator.store import Store

stderr = Console(stderr=True, highlight=False)


# `curator --help` lists commands in the order of a week's work, not of registration.
WORKFLOW = (
    "init", "collect", "add", "import", "enrich", "list", "sources",
    "pick", "skip", "feature", "reset", "edit", "draft", "publish",
)  # fmt: skip


class _Group(TyperGroup):
    # typer.Context is what arrives; the base class names click's private Context type.
    def list_commands(self, ctx: typer.Context) -> list[str]:  # type: ignore[override]
        names = super().list_commands(ctx)
        order = {name: i for i, name in enumerate(WORKFLOW)}
        return sorted(names, key=lambda name: order.get(name, len(order)))

    def invoke(self, ctx: typer.Context) -> Any:  # type: ignore[override]
        try:
            return super().invoke(ctx)
        except (typer.Exit, typer.Abort, typer.TyperException):
            raise
        except (ConfigError, UsageError, TemplateError) as err:
            die(str(err), 2)
        except CuratorError as err:
            die(str(err), 1)
        except Exception as err:
            log = _write_crash_log()
            die(f"internal error ({type(err).__name__}); full trace in {log}", 1)


app = typer.Typer(
    cls=_Group,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    help="Collect links during the week; draft the link-roundup newsletter on the day.\n\n"
    "A week with curator: `curator init` once, `curator collect` daily (e.g. from cron), "
    "`curator draft --out drafts/next.md` on publishing day, then `curator publish`.",
)


@dataclass(frozen=True)
class State:
    """What the global options resolve to; commands get it from ctx.obj."""

    db: Path
    config_path: Path
    config_is_explicit: bool

    def config(self, *, required: bool = False) -> Config:
        """The config; a missing file is an error only when required or named explicitly."""
        return load_config(self.config_path, required=required or self.config_is_explicit)

    def store(self) -> Store:
        return Store(self.db)


def state(ctx: typer.Context) -> State:
    found = ctx.find_root().obj
    assert isinstance(found, State)
    return found


def now() -> datetime:
    return datetime.now(UTC)


def die(message: str, code: int) -> NoReturn:
    stderr.print(f"curator: error: {message}", markup=False, highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def _write_crash_log() -> Path:
    folder = Path(tempfile.gettempdir()) / "curator"
    folder.mkdir(parents=True, exist_ok=True)
    log = folder / f"crash-{datetime.now(UTC):%Y%m%dT%H%M%S%f}.log"
    log.write_text(f"curator {__version__} {' '.join(sys.argv)}\n{traceback.format_exc()}")
    return log


def _show_version(value: bool) -> None:
    if value:
        typer.echo(f"curator {__version__}")
        raise typer.Exit()


@app.callback()
def global_options(
    ctx: typer.Context,
    db: Annotated[
        Path,
        typer.Option("--db", envvar="CURATOR_DB", help="SQLite database holding the queue."),
    ] = Path("data/curator.db"),
    config: Annotated[
        Path,
        typer.Option("--config", envvar="CURATOR_CONFIG", help="The curator.toml to read."),
    ] = Path("curator.toml"),
    version: Annotated[
        bool,
        typer.Option("--version", callback=_show_version, is_eager=True, help="Print version."),
    ] = False,
) -> None:
    """Global options go before the command, e.g. `curator --db week.db list`."""
    # A --config typed on the command line must exist; the default or CURATOR_CONFIG may be
    # missing (defaults apply) except for commands that need sources, such as collect.
    source = ctx.get_parameter_source("config")
    ctx.obj = State(db, config, source is not None and source.name == "COMMANDLINE")


def main() -> NoReturn:
    """Console-script entry point.

    Ends with os._exit: the interpreter's own teardown spends about 0.2 s freeing
    SQLAlchemy's and pydantic's objects one by one, a fifth of `curator draft`'s budget.
    Nothing is lost by skipping it: every command commits and closes its store before it
    returns, worker processes are joined, and stdout and stderr are flushed here.
    """
    try:
        app()  # click's standalone mode always ends in SystemExit
        code: int = 0
    except SystemExit as done:
        code = _exit_code(done.code)
    except KeyboardInterrupt:
        stderr.print("curator: interrupted")
        code = 130
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:  # `curator list | head` closed the pipe early
        code = code or 0
    os._exit(code)


def _exit_code(code: object) -> int:
    if code is None or isinstance(code, int):
        return code or 0
    print(code, file=sys.stderr)  # SystemExit("message") means: print it, status 1
    return 1
