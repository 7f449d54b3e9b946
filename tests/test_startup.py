"""Start-up (issue 14, item 10): `--version` and `--help` load neither rich, nor the
database layer, nor the network stack; the command modules import them only when their
command runs. `add URL` to a queue that exists loads no database layer at all: it takes
the standard library's sqlite3 (curator.store.sqlite_add). Times are measured by `make
bench`, never asserted here."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from curator import __version__
from tests.cli import invoke, queue

# Each costs start-up time that a command which does not use it should not pay.
HEAVY = (
    "curator.store", "curator.pipeline", "curator.models", "sqlalchemy", "sqlmodel",
    "httpx", "feedparser", "trafilatura", "jinja2", "rich", "lxml",
    "llm", "openai",  # the summaries' extra (issue 20): about a second
    "starlette", "uvicorn", "markdown_it", "curator.web",
)  # fmt: skip

# What `curator add URL` needs none of: other stages, the config, the PostgreSQL dialect.
NOT_FOR_ADD = (
    "httpx", "trafilatura", "feedparser", "jinja2", "rich", "lxml", "starlette",
    "curator.collect", "curator.enrich", "curator.compose", "curator.config",
    "curator.pipeline.compose", "curator.pipeline.enrich", "curator.pipeline.collect",
    "sqlalchemy.dialects.postgresql", "psycopg", "tomllib", "html.parser",
)  # fmt: skip
# What `curator add` to a queue that exists needs none of either (issue 14, item 10): the
# database layer. (pydantic still loads: typer 0.29 coerces every option's value with it.)
DATABASE_LAYER = (
    "sqlalchemy", "sqlmodel", "curator.models", "curator.store.store", "curator.store.links",
    "curator.store.sqlite",
)  # fmt: skip

SCRIPT = """
import json, sys
from curator.cli import app
try:
    app(sys.argv[2:], prog_name="curator")
except SystemExit:
    pass
heavy = json.loads(sys.argv[1])
print(json.dumps(sorted(m for m in sys.modules if any(
    m == h or m.startswith(h + ".") for h in heavy))))
"""


def loaded(*args: str, cwd: Path, heavy: tuple[str, ...] = HEAVY) -> list[str]:
    """The `heavy` modules a whole `curator ARGS` process has loaded when it ends."""
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, json.dumps(heavy), *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        check=True,
        timeout=120,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["--version"],
        ["--help"],
        ["draft", "--help"],
        ["list", "--help"],
        ["summarize", "--help"],
        ["serve", "--help"],
    ],
)
def test_version_and_help_load_nothing_heavy(env: Path, args: list[str]) -> None:
    assert loaded(*args, cwd=env) == []


def test_add_loads_the_store_and_nothing_else_heavy(env: Path) -> None:
    found = loaded("add", "https://example.com/a", cwd=env)
    assert "curator.store" in found
    assert [m for m in found if m.split(".")[0] in ("httpx", "trafilatura", "jinja2", "rich")] == []


def test_add_to_an_existing_queue_loads_no_database_layer_and_queues_the_link(
    runner: CliRunner, env: Path
) -> None:
    loaded("add", "https://example.com/first", cwd=env)
    found = loaded(
        "add",
        "https://example.com/second",
        "--note",
        "n",
        cwd=env,
        heavy=(*NOT_FOR_ADD, *DATABASE_LAYER),
    )
    assert found == []
    assert [(link["id"], link["url"]) for link in queue(runner)] == [
        (1, "https://example.com/first"),
        (2, "https://example.com/second"),
    ]
    assert queue(runner)[1]["sightings"][0]["note"] == "n"


def test_add_file_to_an_existing_queue_loads_no_database_layer_and_queues_the_links(
    runner: CliRunner, env: Path
) -> None:
    loaded("add", "https://example.com/first", cwd=env)
    (env / "links.txt").write_text("https://example.com/a  # from Ana\nhttps://example.com/first\n")
    assert loaded("add", "--file", "links.txt", cwd=env, heavy=DATABASE_LAYER) == []
    assert [link["url"] for link in queue(runner)] == [
        "https://example.com/first",
        "https://example.com/a",
    ]
    assert [s["source"] for s in queue(runner)[0]["sightings"]] == ["manual", "file:links.txt"]


def test_version_alone_prints_what_the_option_prints_after_other_options(
    runner: CliRunner, env: Path
) -> None:
    """`curator --version` is answered before the commands are built (main)."""

    def version(*options: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "curator", *options, "--version"],
            capture_output=True,
            text=True,
            check=True,
            cwd=env,
            timeout=120,
        )
        return done.stdout

    shown = f"curator {__version__}\n"
    assert version() == version("--db", "x.db") == invoke(runner, "--version")[0] == shown
    assert not (env / "x.db").exists()
