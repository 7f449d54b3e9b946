"""Start-up (issue 14, item 10): `--version` and `--help` load neither rich, nor the
database layer, nor the network stack; the command modules import them only when their
command runs. `add URL` loads the store for SQLite alone. Times are measured by `make
bench`, never asserted here."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

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


def test_add_to_an_existing_queue_loads_only_the_store_for_sqlite(env: Path) -> None:
    loaded("add", "https://example.com/first", cwd=env)
    found = loaded("add", "https://example.com/second", "--note", "n", cwd=env, heavy=NOT_FOR_ADD)
    assert found == []
