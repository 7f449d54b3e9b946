"""Many runs on one queue, on each backend (issue 19, item 7): three enrichers and two
collects at once fetch every page exactly once, and a SIGKILLed enricher's claims are
finished by the next run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest

from curator.store import LinkFilter, Store
from curator.values import DONE
from tests.fakes import send
from tests.helpers import DATA, HUNG_AFTER, finish, run, wait_until
from tests.server import LoopbackServer

PAGE = (DATA / "pages" / "with_og_site_name.html").read_bytes()
COMMAND = [sys.executable, "-m", "curator"]


def _rss(urls: list[str]) -> bytes:
    items = "".join(
        f"<item><title>Item {i}</title><link>{u}</link></item>" for i, u in enumerate(urls)
    )
    return f'<rss version="2.0"><channel><title>Team</title>{items}</channel></rss>'.encode()


def _environment(env: Path, db: str) -> dict[str, str]:
    return {**os.environ, "CURATOR_DB": db, "CURATOR_CONFIG": str(env / "curator.toml")}


def _done(db: str) -> int:
    with Store(db) as store:
        return len(store.links(LinkFilter(status=DONE)))


@pytest.mark.slow
def test_three_enrichers_and_two_collects_fetch_every_page_once(
    env: Path, server: LoopbackServer, db: str
) -> None:
    pages = [server.add(f"/page/{i}", PAGE, delay=0.02) for i in range(1000)]
    fed = [server.add(f"/fed/{i}", PAGE) for i in range(20)]
    collects: list[subprocess.Popen[str]] = []

    def feed_held_until_the_other_collect_ends(handler: BaseHTTPRequestHandler) -> None:
        """The run that asked first holds the feed until the other has ended: that one
        found the feed claimed, skipped it, and enriched its share."""
        deadline = time.monotonic() + HUNG_AFTER
        while not any(c.poll() is not None for c in collects) and time.monotonic() < deadline:
            time.sleep(0.05)
        send(handler, 200, _rss(fed), "application/rss+xml")

    feed = server.add_writer("/feed.xml", feed_held_until_the_other_collect_ends)
    (env / "curator.toml").write_text(
        f'[fetch]\ntimeout = 60\n\n[[feed]]\nname = "Team"\nurl = "{feed}"\n'
    )
    (env / "urls.txt").write_text("\n".join(pages) + "\n")
    environ = _environment(env, db)
    run([*COMMAND, "add", "--file", "urls.txt"], cwd=env, env=environ, check=True)
    enrichers = [_start(["enrich"], env, environ) for _ in range(3)]
    collects.extend(_start(["collect"], env, environ) for _ in range(2))
    outputs = [finish(p) for p in [*enrichers, *collects]]
    assert [p.returncode for p in [*enrichers, *collects]] == [0] * 5, outputs
    assert sum("skipped: another collect is fetching it" in err for _, err in outputs) == 1
    assert not [err for _, err in outputs if "error" in err.lower()]
    assert _done(db) == 1020
    counts = [len(server.hits(url.removeprefix(server.base_url))) for url in pages + fed]
    assert set(counts) == {1}
    assert len(server.hits("/feed.xml")) == 1


def _start(args: list[str], env: Path, environ: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [*COMMAND, *args], cwd=env, env=environ, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


@pytest.mark.slow
def test_a_killed_enrichers_claims_are_finished_by_the_next_run(
    env: Path, server: LoopbackServer, db: str
) -> None:
    pages = [server.add(f"/slow/{i}", PAGE, delay=0.1) for i in range(200)]
    (env / "curator.toml").write_text("[fetch]\ntimeout = 60\nconcurrency = 4\n")
    (env / "urls.txt").write_text("\n".join(pages) + "\n")
    environ = _environment(env, db)
    run([*COMMAND, "add", "--file", "urls.txt"], cwd=env, env=environ, check=True)
    killed = subprocess.Popen(
        [*COMMAND, "enrich"], cwd=env, env=environ, stderr=subprocess.DEVNULL, text=True
    )
    wait_until(lambda: _done(db) >= 20, "20 links enriched before the kill")
    os.kill(killed.pid, signal.SIGKILL)
    finish(killed)
    with Store(db) as store:
        finished = {link.url for link in store.links(LinkFilter(status=DONE))}
        assert store.claimants(), "the killed run left its claims behind"
    assert 20 <= len(finished) < 200
    run([*COMMAND, "enrich"], cwd=env, env=environ, check=True, stderr=subprocess.DEVNULL)
    assert _done(db) == 200
    for url in finished:
        assert len(server.hits(url.removeprefix(server.base_url))) == 1
    assert all(len(server.hits(f"/slow/{i}")) <= 2 for i in range(200))
