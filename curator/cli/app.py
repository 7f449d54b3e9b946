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
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
from rich.console import Console
from typer.core import TyperArgument, TyperCommand, TyperGroup

from curator import __version__
from curator.config import Config, load_config
from curator.errors import ConfigError, CuratorError, TemplateError, UsageError
from curator.store import Store

if TYPE_CHECKING:
    from typer._click import HelpFormatter

stderr = Console(stderr=True, highlight=False)


# `curator --help` lists commands in the order of a week's work, not of registration.
WORKFLOW = (
    "init", "collect", "add", "import", "enrich", "list", "sources",
    "pick", "pin", "skip", "feature", "reset", "edit", "draft", "publish",
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


class Command(TyperCommand):
    """Help that names an argument by its metavar alone, as click does: `ID...`.

    typer 0.29 shows a required list argument as `{ID}...` in the usage line and as
    `ID <list[int]>` in the Arguments section, which reads like a set and a type name.
    """

    def collect_usage_pieces(self, ctx: typer.Context) -> list[str]:  # type: ignore[override]
        pieces = [self.options_metavar] if self.options_metavar else []
        for argument in _arguments(self):
            label = _label(argument)
            pieces.append(label if argument.required else f"[{label}]")
        return pieces

    def format_options(self, ctx: typer.Context, formatter: HelpFormatter) -> None:  # type: ignore[override]
        arguments = [(_label(argument), argument.help or "") for argument in _arguments(self)]
        options = [
            record
            for param in self.get_params(ctx)
            if not isinstance(param, TyperArgument) and (record := param.get_help_record(ctx))
        ]
        for title, rows in (("Arguments", arguments), ("Options", options)):
            if rows:
                with formatter.section(title):
                    formatter.write_dl(rows)


def _arguments(command: TyperCommand) -> list[TyperArgument]:
    return [param for param in command.params if isinstance(param, TyperArgument)]


def _label(argument: TyperArgument) -> str:
    name = argument.metavar or (argument.name or "").upper()
    return f"{name}..." if argument.nargs != 1 else name


app = typer.Typer(
    cls=_Group,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    help="Collect links during the week; draft the link-roundup newsletter on the day.\n\n"
    "A week with curator:\n\n"
    "\b\n"
    "  curator init                         once; then edit curator.toml\n"
    "  curator collect                      daily, e.g. from cron\n"
    "  curator pick 12 15                   choose links (or skip, feature, edit)\n"
    "  curator draft --out drafts/next.md   on the day: write the issue\n"
    "  curator publish                      record it, with the draft's options\n\n"
    "The options below go before the command: curator --db week.db list\n\n"
    "Run curator COMMAND --help for a command's options and an example.",
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
        typer.Option(
            "--db", envvar="CURATOR_DB", metavar="PATH", help="SQLite database holding the queue."
        ),
    ] = Path("data/curator.db"),
    config: Annotated[
        Path,
        typer.Option(
            "--config",
            envvar="CURATOR_CONFIG",
            metavar="FILE",
            help="Config file: feeds, arXiv queries, draft settings.",
        ),
    ] = Path("curator.toml"),
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_show_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """Resolve the global options, which go before the command, into ctx.obj."""
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
