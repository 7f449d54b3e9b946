"""The README cannot drift from the code: every command it shows, with its options, exists;
the offline ones run for real; its config reference names exactly curator's config keys,
with their defaults; every TOML example loads; its environment variables are the CLI's."""

from __future__ import annotations

import json
import re
import shlex
import tomllib
import typing
from dataclasses import MISSING, Field, dataclass, fields, is_dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import typer.main
from typer.core import TyperGroup
from typer.testing import CliRunner

from curator.cli import app
from curator.config import Config, parse_config
from curator.store import Store
from curator.values import Candidate, Metadata

ROOT = Path(__file__).parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
MAKEFILE = (ROOT / "Makefile").read_text(encoding="utf-8")

# Offline and safe in a temporary directory; the others (collect, enrich, import) go to the
# network or read files the README does not create, so only their options are checked.
RUNNABLE = {
    "init", "add", "list", "sources", "pick", "pin", "skip", "feature", "reset", "edit",
    "draft", "publish",
}  # fmt: skip
READS_A_FILE = {"--file", "-f"}
SEPARATORS = {"&&", "||", ";", "|"}
REDIRECTS = {">", ">>", "<", ">&", "2>"}
QUEUED = 20  # links in the queue before the README's commands run; they name ids up to 13


def _group() -> TyperGroup:
    group = typer.main.get_command(app)
    assert isinstance(group, TyperGroup)
    return group


CLI = _group()


@dataclass(frozen=True)
class Shown:
    """One `curator ...` invocation in a README code block."""

    line: str
    args: list[str]  # after the program name
    runnable: bool  # the line starts with it, as a user would type it


def code_blocks(*languages: str) -> list[str]:
    pattern = re.compile(r"^```(\w*)\n(.*?)^```$", re.MULTILINE | re.DOTALL)
    return [m[2] for m in pattern.finditer(README) if m[1] in languages]


def shell_lines() -> list[str]:
    lines = []
    for block in code_blocks("sh", "console"):
        for line in block.splitlines():
            line = line.strip().removeprefix("$ ")
            if line and not line.startswith("#"):
                lines.append(line)
    return lines


def segments(line: str) -> list[list[str]]:
    """The simple commands of a shell line, redirections removed."""
    lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    parts: list[list[str]] = [[]]
    tokens = iter(lexer)
    for token in tokens:
        if token in SEPARATORS:
            parts.append([])
        elif token in REDIRECTS:
            next(tokens, None)
        else:
            parts[-1].append(token)
    return [part for part in parts if part]


def shown_commands() -> list[Shown]:
    found = []
    for line in shell_lines():
        for i, words in enumerate(segments(line)):
            if Path(words[0]).name == "curator":
                found.append(Shown(line, words[1:], runnable=i == 0 and words[0] == "curator"))
    return found


def shown_make_targets(block: str) -> list[str]:
    return [words[1] for line in block.splitlines() for words in segments(line)
            if words[0] == "make"]  # fmt: skip


def makefile_targets() -> set[str]:
    rules = set(re.findall(r"^([\w-]+):", MAKEFILE, re.MULTILINE))
    phony = re.search(r"^\.PHONY:(.*)$", MAKEFILE, re.MULTILINE)
    return rules | set(phony[1].split() if phony else ())


def option_names(params: list[Any]) -> dict[str, Any]:
    return {name: p for p in params for name in [*p.opts, *p.secondary_opts]}


def split_command(args: list[str]) -> tuple[list[str], str, list[str]]:
    """Global options, the command's name, and its arguments."""
    known = option_names(CLI.params)
    position = 0
    while position < len(args) and args[position].startswith("-"):
        option = known.get(args[position].split("=")[0])
        assert option is not None, f"no global option {args[position]}"
        position += 1 if option.is_flag or "=" in args[position] else 2
    assert position < len(args), f"no command in {args}"
    return args[:position], args[position], args[position + 1 :]


def command_options(args: list[str]) -> set[str]:
    return {a.split("=")[0] for a in args if a.startswith("-") and a != "-" and not a[1].isdigit()}


def fill_queue(db: Path) -> None:
    """Enriched papers (odd ids) and links (even ids) with distinct titles and sources."""
    now = datetime.now(UTC)
    with Store(db) as store:
        for number in range(1, QUEUED + 1):
            if number % 2:
                url, source = f"https://arxiv.org/abs/2401.{number:05d}", "arXiv"
            else:
                url, source = f"https://news{number}.example.com/story", f"News {number}"
            [link_id] = store.add([Candidate(url, "readme test")], now).new_ids
            title = f"Story {number}: " + " ".join(["unlike the others"] * number)
            meta = Metadata(title=title, summary=f"Summary {number}.", label=source)
            store.mark_enriched(link_id, meta, now)


# -- commands -----------------------------------------------------------------------------


def test_the_quick_start_is_exactly_make_demo_and_make_test() -> None:
    quick = README.split("\n## Quick start\n", 1)[1].split("\n## ", 1)[0]
    [block] = [block for block in code_blocks("sh") if block in quick]
    assert shown_make_targets(block) == ["demo", "test"]


def test_every_make_target_shown_is_in_the_makefile() -> None:
    shown = {target for block in code_blocks("sh") for target in shown_make_targets(block)}
    assert {"demo", "test"} <= shown
    assert shown <= makefile_targets()


@pytest.mark.parametrize("shown", shown_commands(), ids=lambda shown: shown.line)
def test_every_command_and_option_shown_exists(shown: Shown) -> None:
    _, name, args = split_command(shown.args)
    assert name in CLI.commands, f"no command {name!r}"
    known = option_names(CLI.commands[name].params)
    assert command_options(args) <= known.keys(), f"unknown options in: {shown.line}"


def test_the_offline_commands_shown_run_in_order_and_succeed(runner: CliRunner, env: Path) -> None:
    fill_queue(env / "curator.db")
    ran = set()
    for shown in shown_commands():
        _, name, args = split_command(shown.args)
        if not shown.runnable or name not in RUNNABLE or command_options(args) & READS_A_FILE:
            continue
        result = runner.invoke(app, shown.args, catch_exceptions=False)
        assert result.exit_code == 0, (shown.line, result.stdout, result.stderr)
        ran.add(name)
    assert ran == RUNNABLE  # the README shows every one of them at least once
    assert (env / "drafts" / "next.md").read_text().startswith("---\ntitle:")


def test_the_readme_shows_every_command() -> None:
    names = {split_command(shown.args)[1] for shown in shown_commands()}
    assert names == set(CLI.commands)


# -- configuration ------------------------------------------------------------------------


def documented_tables() -> dict[str, dict[str, str]]:
    """`### \\`[table]\\`` headings of the Configuration section -> {key: default cell}."""
    section = README.split("\n## Configuration\n", 1)[1].split("\n## ", 1)[0]
    tables = {}
    for part in section.split("\n### ")[1:]:
        heading, _, body = part.partition("\n")
        name = re.search(r"`(\[[^`]+\])`", heading)
        assert name, f"a Configuration heading without a `[table]`: {heading}"
        rows = re.findall(r"^\| `(\w+)` \| (.+?) \|", body, re.MULTILINE)
        tables[name[1]] = dict(rows)
    return tables


def config_tables(cls: type[Any] = Config, heading: str = "") -> dict[str, dict[str, Any]]:
    """What config.py accepts: table headings -> {key: default} (MISSING when required).

    A dataclass field is a table, a tuple of dataclasses an array of tables and a dict a
    table of free keys; Config.path is where the file was read from, not a key.
    """
    hints = typing.get_type_hints(cls)
    keys: dict[str, Any] = {}
    nested: dict[str, dict[str, Any]] = {}
    for field in fields(cls):
        if cls is Config and field.name == "path":
            continue
        hint, args = hints[field.name], typing.get_args(hints[field.name])
        dotted = f"{heading.strip('[]')}.{field.name}" if heading else field.name
        if is_dataclass(hint):
            nested.update(config_tables(hint, f"[{dotted}]"))  # type: ignore[arg-type]
        elif typing.get_origin(hint) is tuple and args and is_dataclass(args[0]):
            nested.update(config_tables(args[0], f"[[{dotted}]]"))  # type: ignore[arg-type]
        elif typing.get_origin(hint) is dict:
            nested[f"[{dotted}]"] = {}
        else:
            keys[field.name] = _default(field)
    return ({heading: keys} if heading or keys else {}) | nested


def _default(field: Field[Any]) -> Any:
    if field.default_factory is not MISSING:
        return field.default_factory()
    return field.default


def test_the_config_reference_names_every_table_and_key_and_nothing_else() -> None:
    documented = documented_tables()
    actual = config_tables()
    assert documented.keys() == actual.keys()
    for table, keys in actual.items():
        assert documented[table].keys() == keys.keys(), table


def test_the_config_reference_gives_the_real_defaults() -> None:
    documented = documented_tables()
    for table, keys in config_tables().items():
        for key, default in keys.items():
            cell = documented[table][key]
            literal = re.fullmatch(r"`([^`]+)`", cell)
            if default is MISSING:
                assert cell == "required", (table, key)
            elif literal:
                assert tomllib.loads(f"v = {literal[1]}")["v"] == _as_toml(default), (table, key)
            else:  # a default worked out at run time, described in words
                assert default in (None, ""), (table, key, cell)


def _as_toml(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def test_every_toml_example_is_a_valid_config() -> None:
    blocks = code_blocks("toml")
    assert blocks
    for block in blocks:
        parse_config(block, Path("README.md"))


def test_the_environment_variables_named_are_the_clis() -> None:
    named = set(re.findall(r"\bCURATOR_[A-Z_]+\b", README))
    envvars = {p.envvar for p in CLI.params if p.envvar}
    assert named == envvars == {"CURATOR_DB", "CURATOR_CONFIG", "CURATOR_EDITOR"}


def test_the_draft_and_list_draft_formats_are_as_the_readme_states(
    runner: CliRunner, env: Path
) -> None:
    """Issue 14: the line shapes and the `list --draft` fields the README names."""
    assert "`N. [title](url) (Source) - summary`" in README
    assert "section, position, id, decision (`picked`, `featured`, `pinned` or\n`auto`)" in README
    fill_queue(env / "curator.db")
    for args in (["edit", "2", "--summary", "Mine."], ["feature", "4"], ["pick", "1", "2"]):
        assert runner.invoke(app, args).exit_code == 0
    draft = runner.invoke(app, ["draft"], catch_exceptions=False).stdout
    assert "](https://news2.example.com/story) (News 2) - Mine.\n" in draft
    assert "_Source: [News 4](https://news4.example.com/story)_\n" in draft
    shown = runner.invoke(app, ["list", "--draft"], catch_exceptions=False).stdout
    rows = [line.split("\t") for line in shown.splitlines()]
    assert [row[:4] for row in rows] == [
        ["Featured", "1", "4", "featured"],
        ["AI Papers", "1", "1", "picked"],
        ["Other interesting stuff", "1", "2", "picked"],
    ]
    assert [row[4] for row in rows] == ["News 4", "arXiv", "News 2"]
    objects = json.loads(runner.invoke(app, ["list", "--draft", "--json"]).stdout)
    shown_keys = (
        "`id`, `section`, `position`,\n`decision`, `source`, `title`, `url`, `kind`, `summary`"
    )
    assert shown_keys in README and list(objects[0]) == re.findall(r"`(\w+)`", shown_keys)


# -- output formats -----------------------------------------------------------------------


def described_keys(command: str) -> tuple[list[str], str]:
    """The keys the README's bullet for `command` names, in order (words in parentheses
    describe a value, not a key), and the bullet's text."""
    bullet = README.split(f"- `{command}`: ", 1)[1].split("\n- ", 1)[0].split("\n\n", 1)[0]
    outside = re.sub(r"\([^()]*\)", "", bullet)
    return re.findall(r"`(\w+)`", outside), " ".join(bullet.split())


def shape(text: str) -> str:
    return re.sub(r"\d", "9", text)


def test_sources_json_has_the_keys_and_the_date_format_the_readme_states(
    runner: CliRunner, env: Path
) -> None:
    (env / "curator.toml").write_text('[[feed]]\nname = "F"\nurl = "https://example.com/f"\n')
    with Store(env / "curator.db") as store:
        state = store.source_state("feed", "https://example.com/f", "F")
        state.last_fetched, state.last_status = datetime(2024, 1, 12, 7, tzinfo=UTC), "3 new"
        store.save_source_state(state)
    keys, bullet = described_keys("curator sources --json")
    example = re.search(r"`last_fetched` \(ISO 8601 in UTC, such as `([^`]+)`", bullet)
    assert example, bullet
    [row] = json.loads(runner.invoke(app, ["sources", "--json"], catch_exceptions=False).stdout)
    assert list(row) == keys
    assert shape(row["last_fetched"]) == shape(example[1])
    assert datetime.fromisoformat(row["last_fetched"]) == datetime(2024, 1, 12, 7, tzinfo=UTC)


def test_list_json_gives_dates_in_iso_8601_utc_as_the_readme_states(
    runner: CliRunner, env: Path
) -> None:
    fill_queue(env / "curator.db")
    keys, bullet = described_keys("curator list --json")
    assert "Dates are ISO 8601 in UTC." in bullet
    items = json.loads(runner.invoke(app, ["list", "--json"], catch_exceptions=False).stdout)
    assert set(keys) <= set(items[0])
    for item in items:
        assert datetime.fromisoformat(item["first_seen"]).utcoffset() == timedelta(0)
