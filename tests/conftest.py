"""Fixtures only: an isolated environment for every test, a loopback HTTP server, a CLI
runner. Constants and functions shared by test files live in tests/helpers.py."""

from __future__ import annotations

import ipaddress
import os
import signal
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from tests import postgres
from tests.server import LoopbackServer

PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy", "no_proxy")


def pytest_configure(config: pytest.Config) -> None:
    """The tests that press Ctrl-C need it to reach the commands they start. A shell
    ignores SIGINT for what it starts in the background (`make test &` in a script), a
    process started so keeps ignoring it, and Python then never raises KeyboardInterrupt;
    a handler here is not inherited, so the commands start with the default again."""
    if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)


@pytest.fixture(autouse=True)
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point the database and config at tmp_path, like llm's env_setup fixture. The config
    is the default `curator.toml` of the working directory: a CURATOR_CONFIG naming a
    missing file is an error, and most tests run without one."""
    monkeypatch.setenv("CURATOR_DB", str(tmp_path / "curator.db"))
    monkeypatch.delenv("CURATOR_CONFIG", raising=False)
    monkeypatch.setenv("COLUMNS", "200")
    # Papers are asked about on Hugging Face by default; the tests that do so use a fake.
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    for name in PROXY_VARIABLES:  # the machine's own proxies are not the tests'
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path


_connect = socket.socket.connect


def _loopback_only(sock: socket.socket, address: Any) -> None:
    """No test may reach past 127.0.0.0/8: the suite runs offline, and must not pass by
    accident because some address happened to answer."""
    if sock.family in (socket.AF_INET, socket.AF_INET6):
        host = address[0]
        if not ipaddress.ip_address(host).is_loopback:
            raise AssertionError(f"a test tried to connect to {host}, outside loopback")
    _connect(sock, address)


@pytest.fixture(autouse=True)
def offline(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(socket.socket, "connect", _loopback_only)


@pytest.fixture
def server() -> Iterator[LoopbackServer]:
    srv = LoopbackServer()
    yield srv
    srv.stop()


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    """A PostgreSQL server for the session (tests/postgres.py). Without the binaries the
    PostgreSQL tests skip with what to install, except under CI, where they must run."""
    why = postgres.missing()
    if why is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(why.replace("skipped", "cannot run under CI"))
        pytest.skip(why)
    with postgres.cluster() as url:
        yield url


@pytest.fixture
def pg_url(pg_server: str) -> str:
    """A fresh, empty database on the session's server."""
    return postgres.new_database(pg_server)


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Where a test's queue lives, once on each backend (issue 19, item 6): the path of
    an SQLite file or a postgresql:// URL, as --db takes it."""
    if request.param == "sqlite":
        return str(tmp_path / "queue.db")
    url: str = request.getfixturevalue("pg_url")
    return url
