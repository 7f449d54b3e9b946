"""How an enrichment run claims the queue (issue 19): a batch at a time, the next one taken
while the last drains, so its fetches never wait for a batch's slowest page, and never
more than half a batch ahead."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler

import pytest

from curator.config import Config, FetchConfig
from curator.pipeline import enrich as enriching
from curator.pipeline.enrich import EnrichReport, enrich
from curator.store import Store
from curator.values import Candidate
from tests.fakes import send
from tests.helpers import DATA, HUNG_AFTER, NOW
from tests.server import LoopbackServer

PAGE = (DATA / "pages" / "with_og_site_name.html").read_bytes()
# The held page outlasts its wait on the server, so only that wait decides the outcome.
CONFIG = Config(fetch=FetchConfig(timeout=2 * HUNG_AFTER, per_host=4))
SIZE = 4  # links per claim, with BATCH patched down to it
LINKS = 12


class SlowFirstPage:
    """Holds page 0 until a page of the second batch is asked for, and notes how many
    links the queue had claimed at each request."""

    def __init__(self, db: str) -> None:
        self.store = Store(db)
        self.second_batch_asked = threading.Event()
        self.claimed: list[int] = []
        self.waited_for_second_batch = False

    def __call__(self, handler: BaseHTTPRequestHandler) -> None:
        self.claimed.append(sum(link.claimed_by is not None for link in self.store.links()))
        number = int(handler.path.strip("/"))
        if number == 0:
            self.waited_for_second_batch = self.second_batch_asked.wait(timeout=HUNG_AFTER)
        elif number >= SIZE:
            self.second_batch_asked.set()
        send(handler, 200, PAGE, "text/html; charset=utf-8")


def enriched_with_a_slow_first_page(
    db: str, server: LoopbackServer, monkeypatch: pytest.MonkeyPatch
) -> tuple[EnrichReport, SlowFirstPage]:
    """LINKS pages enriched SIZE at a time, page 0 held until the second batch is asked for."""
    monkeypatch.setattr(enriching, "BATCH", SIZE)
    route = SlowFirstPage(db)
    urls = [server.add_writer(f"/{i}", route) for i in range(LINKS)]
    Store(db).add([Candidate(url, "manual") for url in urls], NOW)
    return enrich(CONFIG, Store(db), NOW), route


def test_a_run_claims_its_next_batch_while_a_slow_page_of_the_last_one_is_in_flight(
    db: str, server: LoopbackServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    report, route = enriched_with_a_slow_first_page(db, server, monkeypatch)
    assert route.waited_for_second_batch, "the next batch waited for the slowest page"
    assert report.enriched == LINKS
    assert [len(server.hits(f"/{i}")) for i in range(LINKS)] == [1] * LINKS


def test_a_run_holds_at_most_a_batch_and_a_half_of_claims(
    db: str, server: LoopbackServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, route = enriched_with_a_slow_first_page(db, server, monkeypatch)
    assert max(route.claimed) <= SIZE + SIZE // 2
    assert Store(db).claimants() == []
