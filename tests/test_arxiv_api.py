"""curator.arxiv_api against a fake arXiv API on the loopback server, through the Fetcher."""

from __future__ import annotations

import asyncio
import gzip
import socket
import threading
import time
import tracemalloc
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler
from typing import Any, TypeVar
from urllib.parse import urlsplit

import pytest

from curator.arxiv_api import ArxivAPI
from curator.collect.arxiv import collect_query
from curator.config import ArxivSource, FetchConfig
from curator.errors import ContentError, FetchTimeout, HTTPStatusError, NetworkError, TooLargeError
from curator.http import Fetcher
from curator.values import Candidate, Paper
from tests.fakes import API_PATH as API
from tests.fakes import ARXIV, FakeArxiv, query_of, send
from tests.server import LoopbackServer, Seen

T = TypeVar("T")


@dataclass
class Client:
    """One ArxivAPI for several calls, each on a Fetcher of its own, as collect and then
    enrich use it."""

    config: FetchConfig
    api: ArxivAPI

    def run(self, call: Callable[[Fetcher], Awaitable[T]]) -> T:
        async def with_fetcher() -> T:
            async with Fetcher(self.config) as fetcher:
                return await call(fetcher)

        return asyncio.run(with_fetcher())

    def search(self, query: str, max_results: int) -> list[Paper]:
        return self.run(lambda fetcher: self.api.search(fetcher, query, max_results))

    def lookup(self, ids: Sequence[str]) -> dict[str, Paper]:
        return self.run(lambda fetcher: self.api.lookup(fetcher, ids))

    def collect(self, source: ArxivSource) -> list[Candidate]:
        return self.run(lambda fetcher: collect_query(self.api, fetcher, source))


def make_api(server: LoopbackServer, *, delay: float = 0.0, **fetch: Any) -> Client:
    config = FetchConfig(arxiv_api_url=server.url(API), arxiv_delay=delay, **fetch)
    return Client(config, ArxivAPI(config))


def api_requests(server: LoopbackServer) -> list[Seen]:
    return [seen for seen in server.requests if urlsplit(seen.path).path == API]


def test_search_returns_papers_newest_first_with_every_field(server: LoopbackServer) -> None:
    server.add(API, (ARXIV / "query.xml").read_bytes(), content_type="application/atom+xml")

    papers = make_api(server).search("cat:cs.CL", 3)

    assert [p.arxiv_id for p in papers] == ["2401.00002", "2312.11514", "hep-th/0101001"]
    first = papers[0]
    assert first.title == "Teaching Small Models to Count Sheep Reliably"
    assert first.summary == (
        "We show that small language models can count sheep. Our method needs no sheep. "
        "The implementation is at https://gitlab.com/sheep-lab/counter, with data."
    )
    assert first.authors == ("Ada Example", "Bo Sample")
    assert first.published == datetime(2024, 1, 3, 18, 59, 59, tzinfo=UTC)
    assert first.category == "cs.CL"
    assert first.code_url == "https://gitlab.com/sheep-lab/counter"
    assert papers[1].code_url == "https://github.com/example/repo"
    assert papers[2].code_url is None
    assert papers[2].category == "hep-th"
    assert papers[2].summary == "An old-style identifier, for a paper that does not exist."


def test_search_asks_for_newest_first_and_names_curator(server: LoopbackServer) -> None:
    server.add(API, (ARXIV / "query.xml").read_bytes(), content_type="application/atom+xml")

    make_api(server).search('cat:cs.CL AND abs:"language model"', 3)

    [seen] = api_requests(server)
    query = query_of(seen.path)
    assert query["search_query"] == 'cat:cs.CL AND abs:"language model"'
    assert (query["sortBy"], query["sortOrder"]) == ("submittedDate", "descending")
    assert seen.headers["User-Agent"].startswith("curator/")


def test_search_with_no_matches_returns_an_empty_list(server: LoopbackServer) -> None:
    server.add(API, (ARXIV / "empty.xml").read_bytes(), content_type="application/atom+xml")

    assert make_api(server).search("ti:nothing-matches-this", 10) == []


def test_lookup_of_150_ids_takes_exactly_two_requests(server: LoopbackServer) -> None:
    ids = [f"2401.{n:05d}" for n in range(1, 151)]
    fake = FakeArxiv(set(ids))
    server.add_writer(API, fake)

    papers = make_api(server).lookup(ids)

    assert len(api_requests(server)) == 2
    assert [len(batch) for batch in fake.id_lists] == [100, 50]
    assert sorted(papers) == ids
    assert papers["2401.00150"].title == "Paper 2401.00150"
    assert papers["2401.00150"].summary == "The abstract of paper 2401.00150."


def test_lookup_pages_when_arxiv_answers_with_fewer_entries_than_asked(
    server: LoopbackServer,
) -> None:
    ids = [f"2401.{n:05d}" for n in range(1, 31)]
    server.add_writer(API, FakeArxiv(set(ids), page_cap=12))

    papers = make_api(server).lookup(ids)

    starts = [query_of(seen.path)["start"] for seen in api_requests(server)]
    assert starts == ["0", "12", "24"]
    assert sorted(papers) == ids


def test_lookup_matches_by_id_and_leaves_unknown_ids_out(server: LoopbackServer) -> None:
    server.add_writer(API, FakeArxiv({"2401.00001", "hep-th/0101001"}))

    papers = make_api(server).lookup(["2401.99999", "hep-th/0101001v2", "2401.00001"])

    assert sorted(papers) == ["2401.00001", "hep-th/0101001"]
    assert papers["hep-th/0101001"].arxiv_id == "hep-th/0101001"


def test_lookup_never_sends_a_malformed_id(server: LoopbackServer) -> None:
    fake = FakeArxiv({"2401.00001", "2401.00002"})
    server.add_writer(API, fake)

    papers = make_api(server).lookup(["2401.00001", "abc", "2401.00001", "2401.00002"])

    assert sorted(papers) == ["2401.00001", "2401.00002"]
    assert fake.id_lists == [["2401.00001", "2401.00002"]]


def test_lookup_of_only_malformed_ids_makes_no_request(server: LoopbackServer) -> None:
    server.add_writer(API, FakeArxiv(set()))

    assert make_api(server).lookup(["abc", "https://example.com/"]) == {}
    assert api_requests(server) == []


def test_a_503_is_retried_and_the_next_answer_used(server: LoopbackServer) -> None:
    answers = [503, 200]

    def flaky(handler: BaseHTTPRequestHandler) -> None:
        status = answers.pop(0)
        body = (ARXIV / "query.xml").read_bytes() if status == 200 else b"busy"
        send(handler, status, body, "application/atom+xml")

    server.add_writer(API, flaky)

    papers = make_api(server).search("cat:cs.CL", 3)

    assert len(papers) == 3
    assert len(api_requests(server)) == 2


def test_an_error_status_that_persists_becomes_http_status_error(server: LoopbackServer) -> None:
    server.add(API, b"down", status=503, content_type="text/plain")

    with pytest.raises(HTTPStatusError) as caught:
        make_api(server).search("cat:cs.CL", 3)

    assert caught.value.status == 503
    assert caught.value.url.startswith(server.url(API) + "?")
    assert len(api_requests(server)) == 3  # the first try and two retries


def test_a_400_is_not_retried(server: LoopbackServer) -> None:
    server.add(API, (ARXIV / "error.xml").read_bytes(), status=400)

    with pytest.raises(HTTPStatusError, match="HTTP 400"):
        make_api(server).lookup(["2401.00001"])

    assert len(api_requests(server)) == 1


def test_a_server_that_never_answers_times_out(server: LoopbackServer) -> None:
    def silent(handler: BaseHTTPRequestHandler) -> None:
        server.stopping.wait(10)

    server.add_writer(API, silent)

    with pytest.raises(FetchTimeout, match="timed out after 1 s"):
        make_api(server, timeout=1).search("cat:cs.CL", 3)

    assert len(api_requests(server)) == 1  # the deadline bounds the call: no retry


def test_an_endpoint_dripping_a_byte_a_second_times_out(server: LoopbackServer) -> None:
    def drip(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "application/atom+xml")
        handler.send_header("Content-Length", "100000")
        handler.end_headers()
        for byte in (ARXIV / "query.xml").read_bytes():
            if server.stopping.wait(1):
                return
            handler.wfile.write(bytes([byte]))
            handler.wfile.flush()

    server.add_writer(API, drip)

    with pytest.raises(FetchTimeout) as caught:
        make_api(server, timeout=2).lookup(["2401.00001"])

    assert caught.value.reason == "timed out after 2 s"
    assert len(api_requests(server)) == 1


def test_a_gzip_bomb_fails_the_batch_as_too_large_in_bounded_memory(
    server: LoopbackServer,
) -> None:
    bomb = gzip.compress(b"\0" * 10_000_000, compresslevel=9) * 100  # 1 GB decoded
    server.add(API, bomb, content_type="application/atom+xml",
               headers={"Content-Encoding": "gzip"})  # fmt: skip
    client = make_api(server, max_bytes=2_000_000)

    tracemalloc.start()
    try:
        with pytest.raises(TooLargeError) as caught:
            client.lookup(["2401.00001"])
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    assert caught.value.reason == "body larger than 2,000,000 bytes"
    assert peak < 50_000_000, f"{peak / 1e6:.0f} MB allocated for a 2 MB cap"


def test_a_refused_connection_becomes_network_error() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = FetchConfig(arxiv_api_url=f"http://127.0.0.1:{port}/api/query", arxiv_delay=0)

    with pytest.raises(NetworkError, match="cannot connect"):
        Client(config, ArxivAPI(config)).lookup(["2401.00001"])


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"Rate exceeded.", "not XML"),
        (b"<html><body><p>Maintenance</p></body></html>", "answered with <html>"),
        ((ARXIV / "error.xml").read_bytes(), "incorrect id format for nonsense"),
    ],
)
def test_a_200_that_is_not_an_api_feed_is_a_content_error(
    server: LoopbackServer, body: bytes, reason: str
) -> None:
    server.add(API, body)

    with pytest.raises(ContentError, match=reason):
        make_api(server).lookup(["2401.00001"])


def test_an_entry_with_a_broken_date_is_a_content_error(server: LoopbackServer) -> None:
    body = (ARXIV / "query.xml").read_text().replace("2023-12-18T12:00:00Z", "last Monday")
    server.add(API, body, content_type="application/atom+xml")

    with pytest.raises(ContentError, match="unreadable arXiv API response"):
        make_api(server).search("cat:cs.CL", 3)


def test_the_configured_proxy_carries_the_arxiv_requests(server: LoopbackServer) -> None:
    # The loopback server stands in for a forward proxy that answers for the API itself;
    # the endpoint's name resolves nowhere, so only the proxy can answer it.
    server.add_writer(API, FakeArxiv({"2401.00001"}))
    api_url = "http://export.arxiv.invalid/api/query"
    config = FetchConfig(arxiv_api_url=api_url, arxiv_delay=0, proxy=server.base_url)

    papers = Client(config, ArxivAPI(config)).lookup(["2401.00001"])

    assert list(papers) == ["2401.00001"]
    [seen] = server.requests
    assert seen.path.startswith(api_url + "?")  # the absolute form sent to a proxy


def test_the_delay_holds_between_two_calls(server: LoopbackServer) -> None:
    # Taken just before each answer is sent, so the client gets the first one later: the gap
    # can only grow on a loaded machine, and the bound below is the delay itself.
    arrivals: list[float] = []
    lock = threading.Lock()

    def timed(handler: BaseHTTPRequestHandler) -> None:
        with lock:
            arrivals.append(time.monotonic())
        send(handler, 200, (ARXIV / "empty.xml").read_bytes(), "application/atom+xml")

    server.add_writer(API, timed)
    api = make_api(server, delay=0.5)

    api.search("ti:one", 5)  # as collect does, on its Fetcher
    api.lookup(["2401.00001"])  # as enrich then does, on another

    assert len(arrivals) == 2
    assert arrivals[1] - arrivals[0] >= 0.5


def test_collect_query_gives_enriched_candidates_with_abs_links(server: LoopbackServer) -> None:
    server.add(API, (ARXIV / "query.xml").read_bytes(), content_type="application/atom+xml")
    source = ArxivSource(query="cat:cs.CL", max_results=3)

    candidates = make_api(server).collect(source)

    assert [c.url for c in candidates] == [
        "https://arxiv.org/abs/2401.00002",
        "https://arxiv.org/abs/2312.11514",
        "https://arxiv.org/abs/hep-th/0101001",
    ]
    first = candidates[0]
    assert (first.via, first.is_enriched) == ("arXiv: cat:cs.CL", True)
    assert first.meta.title == "Teaching Small Models to Count Sheep Reliably"
    assert first.meta.published == datetime(2024, 1, 3, 18, 59, 59, tzinfo=UTC)
    assert first.meta.authors == ("Ada Example", "Bo Sample")
    assert first.meta.label == "arXiv"
