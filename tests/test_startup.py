"""Start-up (issue 14, item 10): `--version` and `--help` load neither rich, nor the
database layer, nor the network stack; the command modules import them only when their
command runs. Times are measured by `make bench`, never asserted here."""

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

SCRIPT = """
import json, sys
from curator.cli import app
try:
    app(sys.argv[1:], prog_name="curator")
except SystemExit:
    pass
heavy = {heavy}
print(json.dumps(sorted(m for m in sys.modules if any(
    m == h or m.startswith(h + ".") for h in heavy))))
"""


def loaded(*args: str, cwd: Path) -> list[str]:
    """The heavy modules a whole `curator ARGS` process has loaded when it ends."""
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT.format(heavy=repr(HEAVY)), *args],
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
