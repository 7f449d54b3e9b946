"""Shared fixtures: an isolated environment for every test and a loopback HTTP server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.server import LoopbackServer

DATA = Path(__file__).parent / "data"


@pytest.fixture(autouse=True)
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point the database and config at tmp_path, like llm's env_setup fixture."""
    monkeypatch.setenv("CURATOR_DB", str(tmp_path / "curator.db"))
    monkeypatch.setenv("CURATOR_CONFIG", str(tmp_path / "curator.toml"))
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def server() -> Iterator[LoopbackServer]:
    srv = LoopbackServer()
    yield srv
    srv.stop()


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()
