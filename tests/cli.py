"""Running curator's CLI in-process from tests, the way the end-to-end tests all do."""

from __future__ import annotations

import json
from typing import Any

from typer.testing import CliRunner

from curator.cli import app


def invoke(
    runner: CliRunner, *args: str, input: str | None = None, code: int = 0
) -> tuple[str, str]:
    """Run `curator ARGS`; assert its exit status; return (stdout, stderr)."""
    result = runner.invoke(app, list(args), input=input, catch_exceptions=False)
    assert result.exit_code == code, (result.stdout, result.stderr)
    return result.stdout, result.stderr


def queue(runner: CliRunner) -> list[dict[str, Any]]:
    """`curator list --json`, parsed: the queue as a script sees it."""
    stdout, _ = invoke(runner, "list", "--json")
    return json.loads(stdout)  # type: ignore[no-any-return]
