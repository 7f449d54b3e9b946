"""Ctrl-C during `curator enrich` (issue 14, item 8): one line saying how many links were
done and how many are left for the next run, exit 130, and every finished link kept.

The real console script runs against a loopback server whose slow pages hold the run in
flight; SIGINT goes to its whole process group, as a terminal's Ctrl-C does."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from curator.store import Store
from curator.values import Candidate
from tests.helpers import NOW, wait_until
from tests.server import LoopbackServer

FAST, SLOW = 3, 6


def page(title: str) -> str:
    return f"<html><head><title>{title}</title></head><body><p>{title}.</p></body></html>"


def done_links(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        return int(conn.execute("SELECT count(*) FROM link WHERE status = 'done'").fetchone()[0])


@pytest.mark.slow
def test_ctrl_c_during_enrich_says_what_was_done_and_what_is_left(
    env: Path, server: LoopbackServer
) -> None:
    (env / "curator.toml").write_text("[fetch]\nper_host = 16\ntimeout = 300\n")
    urls = [server.add(f"/fast/{i}", page(f"Fast {i}")) for i in range(FAST)]
    urls += [server.add(f"/slow/{i}", page(f"Slow {i}"), delay=120) for i in range(SLOW)]
    db = env / "curator.db"
    with Store(db) as store:
        store.add([Candidate(url, "manual") for url in urls], NOW)
    run = start(env, "enrich")
    wait_until(lambda: done_links(db) == FAST, "the fast pages to be enriched")
    wait_until(lambda: hits(server, "/slow/") == SLOW, "every slow page to be requested")
    stdout, stderr = interrupt(run)
    assert (run.returncode, stdout) == (130, "")
    assert (
        stderr == f"curator: interrupted: {FAST} links done, {SLOW} left pending for the next run\n"
    )
    assert done_links(db) == FAST


@pytest.mark.slow
def test_ctrl_c_while_collect_fetches_its_feeds_says_what_is_left(
    env: Path, server: LoopbackServer
) -> None:
    feed = server.add("/slow.rss", "<rss/>", content_type="application/rss+xml", delay=120)
    (env / "curator.toml").write_text(f'[fetch]\ntimeout = 300\n[[feed]]\nurl = "{feed}"\n')
    with Store(env / "curator.db") as store:
        store.add([Candidate(f"https://example.com/{i}", "manual") for i in range(2)], NOW)
    run = start(env, "collect")
    wait_until(lambda: hits(server, "/slow.rss") == 1, "the feed to be requested")
    stdout, stderr = interrupt(run)
    assert (run.returncode, stdout) == (130, "")
    assert stderr == "curator: interrupted: 0 links done, 2 left pending for the next run\n"


def hits(server: LoopbackServer, prefix: str) -> int:
    return sum(1 for seen in server.requests if seen.path.startswith(prefix))


def start(env: Path, command: str) -> subprocess.Popen[str]:
    """The console script in a process group of its own, as a terminal runs it."""
    return subprocess.Popen(
        [str(Path(sys.executable).with_name("curator")), command],
        cwd=env,
        env={**os.environ, "CURATOR_DB": str(env / "curator.db")},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def interrupt(run: subprocess.Popen[str]) -> tuple[str, str]:
    """Ctrl-C: SIGINT to the whole process group; (stdout, stderr) once it has ended."""
    try:
        os.killpg(run.pid, signal.SIGINT)
        return run.communicate(timeout=120)
    finally:
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGKILL)
            run.wait()
