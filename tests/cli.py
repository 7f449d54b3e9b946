"""Running curator's CLI in-process from tests, the way the end-to-end tests all do."""

from __future__ import annotations

from typer.testing import CliRunner

from curator.cli import app


def invoke(
    runner: CliRunner, *args: str, input: str | None = None, code: int = 0
) -> tuple[str, str]:
    """Run `curator ARGS`; assert its exit status; return (stdout, stderr)."""
    result = runner.invoke(app, list(args), input=input, catch_exceptions=False)
    assert result.exit_code == code, (result.stdout, result.stderr)
    return result.stdout, result.stderr
