"""Two `enrich` runs over one queue: a later failure never overwrites a success, and a
run does not fetch again what another finished meanwhile (issue 12)."""

from __future__ import annotations

import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest

from curator.config import Config, FetchConfig
from curator.pipeline import enrich as enriching
from curator.pipeline.enrich import EnrichReport, enrich
from curator.store import Store
from curator.values import DONE, Candidate, Metadata
from tests.fakes import send
from tests.helpers import DATA, HUNG_AFTER, NOW
from tests.server import LoopbackServer

PAGE = (DATA / "pages" / "with_og_site_name.html").read_bytes()
TITLE = "Robots learn to fold laundry from a single demonstration"
# Generous: the held request must outlast the whole other run on a busy machine.
CONFIG = Config(fetch=FetchConfig(timeout=120))


class FirstWaitsThen503:
    """The first request is held until `release`, then answered 503; later ones get the
    page. So the run that asked first fails, after the one that asked second succeeded."""

    def __init__(self) -> None:
        self.first_arrived = threading.Event()
        self.release = threading.Event()
        self.hits = 0
        self._lock = threading.Lock()

    def __call__(self, handler: BaseHTTPRequestHandler) -> None:
        with self._lock:
            self.hits += 1
            first = self.hits == 1
        if first:
            self.first_arrived.set()
            self.release.wait(timeout=HUNG_AFTER)
            send(handler, 503, b"busy", "text/plain")
        else:
            send(handler, 200, PAGE, "text/html; charset=utf-8")


def test_a_503_in_an_overlapping_run_does_not_overwrite_the_other_runs_success(
    tmp_path: Path, server: LoopbackServer
) -> None:
    route = FirstWaitsThen503()
    url = server.add_writer("/robots", route)
    db = tmp_path / "queue.db"
    Store(db).add([Candidate(url, "manual")], NOW)
    first_report: list[EnrichReport] = []
    first = threading.Thread(
        target=lambda: first_report.append(enrich(CONFIG, Store(db), NOW)), daemon=True
    )
    first.start()
    assert route.first_arrived.wait(timeout=HUNG_AFTER), "hung: the first run never asked"
    # The first run's claim has lapsed (issue 19): as if it hung far beyond its lease.
    second = enrich(CONFIG, Store(db), NOW + enriching.LEASE + timedelta(minutes=1))
    route.release.set()
    first.join(timeout=HUNG_AFTER)
    assert not first.is_alive(), "hung: the first run never ended"
    assert (second.enriched, first_report[0].retry_later) == (1, 1)
    [link] = Store(db).links()
    assert (link.status, link.title, link.error, link.attempts) == (DONE, TITLE, None, 0)


def test_a_run_skips_links_another_run_finished_while_it_worked(
    tmp_path: Path, server: LoopbackServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(enriching, "BATCH", 1)
    db = tmp_path / "queue.db"
    urls = [server.url(f"/{i}") for i in range(3)]
    Store(db).add([Candidate(url, "manual") for url in urls], NOW)
    for i in (1, 2):
        server.add(f"/{i}", PAGE)

    def first_page_while_another_run_finishes_the_last(handler: BaseHTTPRequestHandler) -> None:
        Store(db).mark_enriched(3, Metadata(title="Done elsewhere"), NOW)
        send(handler, 200, PAGE, "text/html; charset=utf-8")

    server.add_writer("/0", first_page_while_another_run_finishes_the_last)
    report = enrich(CONFIG, Store(db), NOW)
    assert report.enriched == 2
    assert server.hits("/2") == []
    assert [link.title for link in Store(db).links()] == [TITLE, TITLE, "Done elsewhere"]
