"""The typer app, global options, and how errors become exit statuses.

Exit 2: bad usage, bad URL, bad config or template, no database (one line on stderr).
Exit 1: the database is unusable, or an internal error (one line naming the crash log).
Exit 130: Ctrl-C. Exit 0 otherwise, also when some links or feeds failed, and when the
reader of stdout has gone (`curator list | head -1`).
Imports only what `--version` and `--help` need: rich, the store and the pipeline load
when a command runs (issue 14, item 10).
"""

from __future__ import annotations

import os
import sys
import tempfile
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
from typer._click.exceptions import NoArgsIsHelpError
from typer._click.exceptions import UsageError as ClickUsageError
from typer.core import TyperArgument, TyperCommand, TyperGroup

from curator import __version__
from curator.errors import ConfigError, CuratorError, TemplateError, UsageError

if TYPE_CHECKING:
    from rich.console import Console
    from typer._click import HelpFormatter

    from curator.config import Config
    from curator.store import Store


class _Stderr:
    """stderr: rich's Console made when first needed, since importing rich costs start-up
    time. Lines are never wrapped (soft_wrap): a log file must keep a long URL whole
    (issue 14)."""

    @cached_property
    def console(self) -> Console:
        from rich.console import Console

        return Console(stderr=True, highlight=False, soft_wrap=True)

    def print(self, *objects: Any, **options: Any) -> None:
        """Lines of text go out as they are, never read as markup; rich draws the rest
        (tables). Most commands then never import rich at all."""
        if all(isinstance(item, str) for item in objects):
            sys.stderr.write(" ".join(objects) + "\n")
        else:
            self.console.print(*objects, **options)


stderr = _Stderr()


def stdout_console() -> Console:
    """A Console on stdout for tables. rich ends a process whose reader has gone with
    status 1; curator ends it quietly with 0, as for any other write (issue 14)."""
    from rich.console import Console

    class _Stdout(Console):
        def on_broken_pipe(self) -> None:
            raise BrokenPipeError

    return _Stdout(highlight=False)


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

    def make_context(self, *args: Any, **kwargs: Any) -> Any:
        with _one_line_usage():
            return super().make_context(*args, **kwargs)

    def invoke(self, ctx: typer.Context) -> Any:  # type: ignore[override]
        try:
            with _one_line_usage():
                return super().invoke(ctx)
        except (typer.Exit, typer.Abort, typer.TyperException):
            raise
        except BrokenPipeError:
            _quiet_stdout()
            raise typer.Exit(0) from None
        except (ConfigError, UsageError, TemplateError) as err:
            die(str(err), 2)
        except CuratorError as err:
            die(str(err), 1)
        except KeyboardInterrupt as stop:
            die(str(stop) or "interrupted", 130, prefix="curator: ")
        except Exception as err:
            log = _write_crash_log()
            die(f"internal error ({type(err).__name__}); full trace in {log}", 1)


@contextmanager
def _one_line_usage() -> Iterator[None]:
    """click's usage errors in curator's one line: click prints the usage, a hint and a
    blank line before its message (issue 14, item 5). Help shown for no arguments stays."""
    try:
        yield
    except NoArgsIsHelpError:
        raise
    except ClickUsageError as err:
        ctx = err.ctx
        command = f"curator {ctx.info_name}" if ctx and ctx.parent else "curator"
        die(f"{err.format_message()} (see {command} --help)", 2)


def _quiet_stdout() -> None:
    """The reader of stdout has gone: point stdout at /dev/null, so that the final flush
    cannot fail again (https://docs.python.org/3/library/signal.html#note-on-sigpipe)."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # a stdout without a file descriptor (tests)
        pass
    finally:
        os.close(devnull)


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
    """What the global options resolve to, and the command's clock, read once when it
    starts and passed down (issue 13, item 3); commands get it from ctx.obj."""

    db: str  # a path, or a postgresql:// URL (issue 19)
    config_path: Path
    config_is_explicit: bool
    now: datetime
    editor: str  # who decides and edits, in `list --json` (issue 19)

    def config(self, *, required: bool = False) -> Config:
        """The config; a missing file is an error only when required or named explicitly."""
        from curator.config import load_config

        return load_config(self.config_path, required=required or self.config_is_explicit)

    def store(self, *, create: bool = False, write: bool = True) -> Store:
        """The queue. Only the commands that fill it (`create`) may start a new one; a
        command that writes first checks the file is intact (issue 14, item 6)."""
        from curator.store import open_store

        return open_store(self.db, create=create, write=write)


def state(ctx: typer.Context) -> State:
    found = ctx.find_root().obj
    assert isinstance(found, State)
    return found


def die(message: str, code: int, *, prefix: str = "curator: error: ") -> NoReturn:
    stderr.print(f"{prefix}{message}", markup=False, highlight=False)
    raise typer.Exit(code)


def _write_crash_log() -> Path:
    folder = Path(tempfile.gettempdir()) / "curator"
    folder.mkdir(parents=True, exist_ok=True)
    log = folder / f"crash-{datetime.now(UTC):%Y%m%dT%H%M%S%f}.log"
    log.write_text(f"curator {__version__} {' '.join(sys.argv)}\n{traceback.format_exc()}")
    return log


def _login_name() -> str:
    """The login name (LOGNAME, USER, then the password database), as getpass finds it."""
    import getpass

    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no such variables, and a uid with no entry (a container)
        return "unknown"


VERSION = f"curator {__version__}"


def _show_version(value: bool) -> None:
    if value:
        typer.echo(VERSION)
        raise typer.Exit()


@app.callback()
def global_options(
    ctx: typer.Context,
    db: Annotated[
        str,
        typer.Option(
            "--db",
            envvar="CURATOR_DB",
            metavar="PATH|URL",
            help="The queue: an SQLite file, or postgresql://user@host:port/name.",
        ),
    ] = "data/curator.db",
    config: Annotated[
        Path,
        typer.Option(
            "--config",
            envvar="CURATOR_CONFIG",
            metavar="FILE",
            help="Config file: feeds, arXiv queries, draft settings.",
        ),
    ] = Path("curator.toml"),
    editor: Annotated[
        str | None,
        typer.Option(
            "--editor",
            envvar="CURATOR_EDITOR",
            metavar="NAME",
            help="Who is deciding and editing, shown in list --json (default: login name).",
        ),
    ] = None,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_show_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """Resolve the global options, which go before the command, into ctx.obj."""
    # A config named by --config or CURATOR_CONFIG must exist (issue 14, item 6); the
    # default may be missing (defaults apply) except for commands that need sources.
    source = ctx.get_parameter_source("config")
    named = source is not None and source.name in ("COMMANDLINE", "ENVIRONMENT")
    ctx.obj = State(db, config, named, datetime.now(UTC), editor or _login_name())


def main() -> NoReturn:
    """Console-script entry point.

    Ends with os._exit: the interpreter's own teardown spends about 0.2 s freeing
    SQLAlchemy's and pydantic's objects one by one, a fifth of `curator draft`'s budget.
    Nothing is lost by skipping it: every command commits and closes its store before it
    returns, worker processes are joined, and stdout and stderr are flushed here.
    `curator --version` alone is answered before typer builds every command (issue 14,
    item 10); placed after other global options, the option's callback answers it.
    """
    if sys.argv[1:] == ["--version"]:
        print(VERSION)
        code = 0
    else:
        code = _run()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:  # `curator list | head` closed the pipe early
        code = code or 0
    os._exit(code)


def _run() -> int:
    try:
        app()  # click's standalone mode always ends in SystemExit
    except SystemExit as done:
        return _exit_code(done.code)
    except KeyboardInterrupt:  # between commands' own handling, e.g. while parsing
        print("curator: interrupted", file=sys.stderr)
        return 130
    return 0


def _exit_code(code: object) -> int:
    if code is None or isinstance(code, int):
        return code or 0
    print(code, file=sys.stderr)  # SystemExit("message") means: print it, status 1
    return 1
