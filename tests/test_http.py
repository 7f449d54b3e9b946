"""The shared HTTP client against a real loopback server: limits, deadline, cap, redirects."""

from __future__ import annotations

import asyncio
import gzip
from http.server import BaseHTTPRequestHandler

import pytest

from curator import __version__
from curator.config import FetchConfig
from curator.errors import (
    BlockedURLError,
    FetchError,
    FetchTimeout,
    HTTPStatusError,
    NetworkError,
    TooLargeError,
)
from curator.http import Fetcher, Response, retry_after
from tests.helpers import fetch_all
from tests.server import Gauge, LoopbackServer


def fetch(url: str, config: FetchConfig | None = None, **kwargs: object) -> Response:
    async def go() -> Response:
        async with Fetcher(config or FetchConfig(timeout=3)) as fetcher:
            return await fetcher.get(url, **kwargs)  # type: ignore[arg-type]

    return asyncio.run(go())


def test_get_returns_final_url_body_and_lower_case_headers(server: LoopbackServer) -> None:
    server.add("/start", status=301, headers={"Location": "/end"})
    server.add("/end", "<html>hi</html>", headers={"ETag": '"v1"'})
    response = fetch(server.url("/start"))
    assert response.url == server.url("/end")
    assert response.body == b"<html>hi</html>"
    assert response.headers["etag"] == '"v1"'
    assert response.content_type == "text/html"


def test_user_agent_names_curator_and_its_version(server: LoopbackServer) -> None:
    server.add("/", "ok")
    fetch(server.url("/"))
    assert f"curator/{__version__}" in server.requests[0].headers["User-Agent"]


def test_a_server_that_never_answers_times_out(server: LoopbackServer) -> None:
    server.add("/hang", "late", delay=30)
    with pytest.raises(FetchTimeout, match="timed out after 1 s"):
        fetch(server.url("/hang"), FetchConfig(timeout=1))


def test_a_body_dripped_a_byte_at_a_time_stops_at_the_total_deadline(
    server: LoopbackServer,
) -> None:
    server.add_drip("/drip", 1000, b"x")
    # Each byte comes well within a per-read timeout; only a total deadline ends this.
    with pytest.raises(FetchTimeout, match="timed out after 1 s"):
        fetch(server.url("/drip"), FetchConfig(timeout=1))


@pytest.mark.parametrize("declared", [True, False])
def test_bodies_over_the_cap_are_refused(server: LoopbackServer, declared: bool) -> None:
    body = b"x" * 2_000_000
    if declared:
        server.add("/big", body)
    else:

        def chunked(handler: BaseHTTPRequestHandler) -> None:
            handler.send_response(200)
            handler.send_header("Transfer-Encoding", "chunked")
            handler.end_headers()
            for start in range(0, len(body), 65536):
                part = body[start : start + 65536]
                handler.wfile.write(f"{len(part):x}\r\n".encode() + part + b"\r\n")
            handler.wfile.write(b"0\r\n\r\n")

        server.add_writer("/big", chunked)
    with pytest.raises(TooLargeError, match="larger than 1,000,000 bytes"):
        fetch(server.url("/big"), FetchConfig(max_bytes=1_000_000))


def test_a_gzip_bomb_stops_at_the_cap_after_decompression(server: LoopbackServer) -> None:
    member = gzip.compress(b"\0" * 10_000_000, compresslevel=9)
    bomb = member * 100  # 1 GB decoded from about 1 MB on the wire
    server.add("/bomb", bomb, headers={"Content-Encoding": "gzip"})
    with pytest.raises(TooLargeError):
        fetch(server.url("/bomb"), FetchConfig(max_bytes=1_000_000))


def test_gzip_bodies_are_decoded_including_concatenated_members(server: LoopbackServer) -> None:
    body = gzip.compress(b"<p>hello ") + gzip.compress(b"world</p>")
    server.add("/gz", body, headers={"Content-Encoding": "gzip"})
    assert fetch(server.url("/gz")).body == b"<p>hello world</p>"


def test_five_redirects_are_followed_and_a_sixth_is_an_error(server: LoopbackServer) -> None:
    for i in range(6):
        server.add(f"/r{i}", status=302, headers={"Location": f"/r{i + 1}"})
    server.add("/r6", "done")
    assert fetch(server.url("/r1")).body == b"done"
    with pytest.raises(FetchError, match="more than 5 redirects"):
        fetch(server.url("/r0"))


@pytest.mark.parametrize(
    "target",
    [
        "file:///etc/passwd",
        "ftp://127.0.0.1/x",
        "gopher://127.0.0.1/",
        "javascript:alert(1)",
        "data:text/html,hi",
    ],
)
def test_redirects_to_other_schemes_are_never_followed(server: LoopbackServer, target: str) -> None:
    server.add("/jump", status=302, headers={"Location": target})
    with pytest.raises(BlockedURLError, match="redirect refused"):
        fetch(server.url("/jump"))
    assert len(server.requests) == 1


@pytest.mark.parametrize(
    ("status", "transient"), [(404, False), (410, False), (500, True), (503, True), (429, True)]
)
def test_error_statuses_say_whether_they_are_worth_retrying(
    server: LoopbackServer, status: int, transient: bool
) -> None:
    server.add("/e", status=status, headers={"Retry-After": "120"})
    with pytest.raises(HTTPStatusError) as caught:
        fetch(server.url("/e"))
    assert str(caught.value) == f"HTTP {status}: {server.url('/e')}"
    assert caught.value.transient is transient
    assert caught.value.retry_after == 120


def test_retry_after_accepts_seconds_and_http_dates() -> None:
    from datetime import UTC, datetime

    now = datetime(2023, 12, 27, 12, 0, tzinfo=UTC)
    assert retry_after("30") == 30
    assert retry_after("Wed, 27 Dec 2023 12:05:00 GMT", now) == 300
    assert retry_after("soon") is None


def test_a_refused_connection_is_a_network_error() -> None:
    with pytest.raises(NetworkError, match="cannot connect"):
        fetch("http://127.0.0.1:9/")


def test_not_modified_is_returned_for_conditional_gets(server: LoopbackServer) -> None:
    server.add("/feed", status=304, content_type=None)
    assert fetch(server.url("/feed"), headers={"If-None-Match": '"v1"'}).status == 304
    assert server.requests[0].headers["If-None-Match"] == '"v1"'


def test_bodies_of_unwanted_types_are_not_downloaded(server: LoopbackServer) -> None:
    server.add("/paper.pdf", b"%PDF-1.4" + b"0" * 3_000_000, content_type="application/pdf")
    response = fetch(
        server.url("/paper.pdf"), FetchConfig(max_bytes=1_000_000), body_types=("text/html",)
    )
    assert (response.content_type, response.body) == ("application/pdf", b"")
    assert response.body_skipped
    server.add("/page", "<p>wanted</p>")
    assert not fetch(server.url("/page"), body_types=("text/html",)).body_skipped


def test_concurrency_is_limited_overall_and_per_host() -> None:
    overall = Gauge()
    servers = [LoopbackServer(host, shared=overall) for host in ("127.0.0.1", "127.0.0.2")]
    try:
        for srv in servers:
            srv.add("/slow", "ok", delay=0.2)
        urls = [srv.url("/slow") for _ in range(8) for srv in servers]
        results = fetch_all(urls, FetchConfig(concurrency=5, per_host=3))
        assert all(isinstance(r, Response) for r in results)
        assert overall.max == 5
        assert max(srv.max_in_flight for srv in servers) == 3
    finally:
        for srv in servers:
            srv.stop()


def test_the_suite_cannot_reach_past_loopback() -> None:
    with pytest.raises(BaseExceptionGroup) as caught:  # anyio groups the connect error
        fetch("http://192.0.2.1/", FetchConfig(timeout=1))
    assert caught.group_contains(AssertionError, match="outside loopback")


def test_idle_connection_pools_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    """A week of links to many sites must not keep a socket open per site."""
    import curator.http

    monkeypatch.setattr(curator.http, "MAX_POOLS", 2)
    servers = [LoopbackServer() for _ in range(4)]
    try:
        for srv in servers:
            srv.add("/", "ok")

        async def go() -> int:
            async with Fetcher(FetchConfig()) as fetcher:
                for srv in servers:
                    await fetcher.get(srv.url("/"))
                return len(fetcher._transport._pools)

        assert asyncio.run(go()) == 2
        assert all(len(srv.requests) == 1 for srv in servers)
    finally:
        for srv in servers:
            srv.stop()
