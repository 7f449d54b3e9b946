"""A throw-away PostgreSQL cluster for the tests (issue 19, item 6): initdb into a fresh
directory, a server on a free loopback port, no Docker.

initdb refuses to run as root: as root, the cluster belongs to the `postgres` user that
Debian's package creates, in a directory under /tmp (pytest's temp root is 0700, out of
that user's reach). CURATOR_TEST_PG_URL names an existing server instead.
"""

from __future__ import annotations

import itertools
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

BIN = Path(os.environ.get("CURATOR_TEST_PG_BIN", "/usr/lib/postgresql/15/bin"))
INSTALL = "PostgreSQL tests skipped: no server binaries in {bin}; apt-get install -y postgresql"
_names = itertools.count(1)


def missing() -> str | None:
    """Why no cluster can start here, or None."""
    if os.environ.get("CURATOR_TEST_PG_URL"):
        return None
    if not (BIN / "initdb").exists() or not (BIN / "pg_ctl").exists():
        return INSTALL.format(bin=BIN)
    return None


@contextmanager
def cluster(password: str | None = None) -> Iterator[str]:
    """The URL of a server's `postgres` database, for making test databases on it. With
    `password`, a cluster of its own that asks for it (SCRAM), left out of the URL."""
    given = os.environ.get("CURATOR_TEST_PG_URL")
    if given and password is None:
        yield given
        return
    folder = Path(tempfile.mkdtemp(prefix="curator-pg-", dir="/tmp"))
    data, port = folder / "data", _free_port()
    as_user = _owner(folder)
    auth = ["-A", "trust"]
    if password is not None:
        (folder / "password").write_text(password)
        shutil.chown(folder / "password", *(["postgres"] if as_user else [os.getuid()]))
        auth = ["-A", "scram-sha-256", f"--pwfile={folder / 'password'}"]
    try:
        _run([*as_user, str(BIN / "initdb"), "-N", "-D", str(data), "-U", "postgres",
              *auth, "-E", "UTF8", "--locale=C.UTF-8"])  # fmt: skip
        options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        options += " -c max_connections=200 -c full_page_writes=off"
        pg_ctl = [*as_user, str(BIN / "pg_ctl"), "-D", str(data), "-l", str(folder / "log")]
        _run([*pg_ctl, "-w", "-o", options, "start"])
        try:
            yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
        finally:
            _run([*pg_ctl, "-w", "-m", "immediate", "stop"])
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def new_database(server: str) -> str:
    """A fresh, empty database on the server, named for this test process."""
    import psycopg  # the dev extra installs it; a machine without a server never needs it

    name = f"curator_test_{os.getpid()}_{next(_names)}"
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return server.rsplit("/", 1)[0] + "/" + name


def _owner(folder: Path) -> list[str]:
    """The command prefix that runs the server's programs as a user initdb accepts."""
    if os.geteuid() != 0:
        return []
    shutil.chown(folder, "postgres")
    return ["runuser", "-u", "postgres", "--"]


def _run(command: list[str]) -> None:
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{done.stdout}{done.stderr}")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
