"""The HTTP client against the shape of the real web: hundreds of keep-alive hosts, TLS
from a local CA, proxies from the environment or the config, redirects that interleave
hosts, bodies that lie about their encoding, and redirects into private networks."""

from __future__ import annotations

import gzip
import resource
import socket
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from curator.config import FetchConfig
from curator.errors import (
    BlockedURLError,
    CertificateError,
    ContentError,
    FetchError,
    UnreachableError,
)
from curator.http import Response
from tests.helpers import INVALID_DEFLATE, fetch_all
from tests.webworld import EXPIRED, UNTRUSTED, WRONG_HOST, Page, Site, World, addresses

HTML = b"<html><head><title>A page</title></head><body><p>Text.</p></body></html>"


@pytest.fixture
def world() -> Iterator[World]:
    with World() as w:
        yield w


def enough_files(wanted: int) -> None:
    """Raise this process's open-file limit (often 1024) to `wanted`, or skip."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft >= wanted:
        return
    if hard != resource.RLIM_INFINITY and hard < wanted:
        pytest.skip(f"the open-file limit is {hard}, below {wanted}")
    resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))


def closed_port() -> int:
    """A loopback port that nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def fetch(url: str, config: FetchConfig | None = None) -> Response | FetchError:
    return fetch_all([url], config or FetchConfig(timeout=5))[0]


def test_a_thousand_keep_alive_hosts_are_fetched_without_a_crash(world: World) -> None:
    enough_files(4096)  # 1,000 listening sockets and their clients, in one process
    sites = [world.add_site(address) for address in addresses(1000)]
    for site in sites:
        site.pages["/a"] = Page(HTML, delay=0.01)
    for site in sites[:200]:
        site.pages["/b"] = Page(HTML)
    urls = [site.url(path) for site in sites for path in site.pages]
    results = fetch_all(urls, FetchConfig(timeout=20))
    assert [r for r in results if not isinstance(r, Response)] == []
    assert all(sorted(site.requests) == sorted(site.pages) for site in sites)


@pytest.mark.timeout(120)
def test_a_redirect_to_a_busy_host_cannot_deadlock_with_one_slot_each(world: World) -> None:
    first, second = world.add_site("127.0.9.1"), world.add_site("127.0.9.2")
    first.pages["/short"] = Page(status=302, headers={"Location": second.url("/story")})
    second.pages["/story"] = Page(HTML, delay=0.05)
    second.pages["/other"] = Page(HTML, delay=0.05)
    config = FetchConfig(concurrency=1, per_host=1, timeout=5)
    results = fetch_all([first.url("/short"), second.url("/other")], config)
    assert all(isinstance(r, Response) for r in results)


@pytest.mark.timeout(120)
def test_short_links_to_a_host_with_its_own_queue_cannot_deadlock(world: World) -> None:
    target = world.add_site("127.0.9.10")
    shorteners = [world.add_site(f"127.0.9.{11 + i}") for i in range(4)]
    urls = []
    for i in range(16):
        target.pages[f"/story{i}"] = Page(HTML, delay=0.05)
        shortener = shorteners[i % 4]
        location = target.url(f"/story{i}")
        shortener.pages[f"/s{i}"] = Page(status=301, headers={"Location": location})
        urls.append(shortener.url(f"/s{i}"))
    for i in range(8):
        target.pages[f"/own{i}"] = Page(HTML, delay=0.05)
        urls.append(target.url(f"/own{i}"))
    results = fetch_all(urls, FetchConfig(timeout=5))
    assert all(isinstance(r, Response) for r in results)


def test_https_is_verified_against_the_configured_ca_bundle(world: World, tmp_path: Path) -> None:
    site = world.add_site("127.0.8.1", tls=True)
    site.pages["/"] = Page(HTML)
    trusted = FetchConfig(timeout=5, ca_bundle=world.ca_bundle(tmp_path))
    response = fetch(site.url("/"), trusted)
    assert isinstance(response, Response) and response.body == HTML


def test_ssl_cert_file_from_the_environment_is_trusted(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = world.add_site("127.0.8.2", tls=True)
    site.pages["/"] = Page(HTML)
    assert isinstance(fetch(site.url("/")), CertificateError)
    monkeypatch.setenv("SSL_CERT_FILE", str(world.ca_bundle(tmp_path)))
    assert isinstance(fetch(site.url("/")), Response)


@pytest.mark.parametrize(
    ("spoiled", "reason"),
    [
        (UNTRUSTED, "unable to get local issuer certificate"),
        (EXPIRED, "certificate has expired"),
        (WRONG_HOST, "mismatch, certificate is not valid for"),
    ],
)
def test_a_bad_certificate_fails_the_link_for_good_with_a_reason(
    world: World, tmp_path: Path, spoiled: str, reason: str
) -> None:
    site = world.add_site("127.0.8.3", tls=True, cert=spoiled)
    site.pages["/"] = Page(HTML)
    error = fetch(site.url("/"), FetchConfig(timeout=5, ca_bundle=world.ca_bundle(tmp_path)))
    assert isinstance(error, CertificateError)
    assert error.reason.startswith("certificate verify failed: ")
    assert reason in error.reason
    assert not error.transient


def test_https_to_a_port_without_tls_is_unreachable(world: World) -> None:
    site = world.add_site("127.0.8.4")
    site.pages["/"] = Page(HTML)
    error = fetch(site.url("/").replace("http://", "https://"))
    assert isinstance(error, UnreachableError)
    assert error.reason.startswith("TLS handshake failed")


def test_the_environment_proxy_carries_http_and_https(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plain = world.add_site("127.0.7.1", name="plain.example")
    secure = world.add_site("127.0.7.2", tls=True, name="secure.example")
    plain.pages["/p?id=5&section=news"] = Page(HTML)
    secure.pages["/s"] = Page(HTML)
    monkeypatch.setenv("HTTP_PROXY", world.start_proxy())
    monkeypatch.setenv("https_proxy", world.proxy_url)
    config = FetchConfig(timeout=5, ca_bundle=world.ca_bundle(tmp_path))
    results = fetch_all([plain.url("/p?id=5&section=news"), secure.url("/s")], config)
    assert all(isinstance(r, Response) for r in results)
    assert sorted(world.proxied) == [
        f"CONNECT secure.example:{secure.port}",
        f"GET http://plain.example:{plain.port}/p?id=5&section=news",
    ]


def test_no_proxy_sends_matching_hosts_direct(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = world.add_site("127.0.7.3")
    site.pages["/"] = Page(HTML)
    far = world.add_site("127.0.7.6", name="far.example")  # a name NO_PROXY does not cover
    far.pages["/"] = Page(HTML)
    monkeypatch.setenv("ALL_PROXY", world.start_proxy())
    monkeypatch.setenv("NO_PROXY", "localhost,127.0.0.0/8")
    assert isinstance(fetch(site.url("/")), Response)
    assert world.proxied == []
    assert isinstance(fetch(far.url("/")), Response)
    assert world.proxied == [f"GET http://far.example:{far.port}/"]


def test_the_configured_proxy_wins_over_the_environment(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = world.add_site("127.0.7.4", name="site.example")
    site.pages["/"] = Page(HTML)
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{closed_port()}")
    config = FetchConfig(timeout=5, proxy=world.start_proxy())
    assert isinstance(fetch(site.url("/"), config), Response)
    assert world.proxied == [f"GET http://site.example:{site.port}/"]


def test_a_dead_proxy_is_a_network_error_not_a_direct_connection(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = world.add_site("127.0.7.5")
    site.pages["/"] = Page(HTML)
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{closed_port()}")
    error = fetch(site.url("/"))
    assert isinstance(error, FetchError) and error.transient
    assert site.requests == []


@pytest.mark.parametrize(
    ("encoding", "body", "reason"),
    [
        ("gzip", HTML, "bad gzip body"),
        ("deflate", INVALID_DEFLATE, "bad deflate body"),
        ("br", b"\x1b\x03\x00\xf8\xa5", "unsupported content encoding 'br'"),
    ],
)
def test_a_body_that_lies_about_its_encoding_is_one_failed_link(
    world: World, encoding: str, body: bytes, reason: str
) -> None:
    site = world.add_site("127.0.6.1")
    site.pages["/bad"] = Page(body, headers={"Content-Encoding": encoding})
    site.pages["/good"] = Page(HTML)
    bad, good = fetch_all([site.url("/bad"), site.url("/good")], FetchConfig(timeout=5))
    assert isinstance(bad, ContentError) and bad.reason == reason
    assert isinstance(good, Response) and good.body == HTML


def test_trailing_bytes_after_a_gzip_body_are_ignored(world: World) -> None:
    site = world.add_site("127.0.6.2")
    body = gzip.compress(HTML) + b"\x00trailing garbage"
    site.pages["/"] = Page(body, headers={"Content-Encoding": "gzip"})
    response = fetch(site.url("/"))
    assert isinstance(response, Response) and response.body == HTML


def test_zlib_wrapped_and_raw_deflate_bodies_are_decoded(world: World) -> None:
    site = world.add_site("127.0.6.3")
    raw = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    site.pages["/zlib"] = Page(zlib.compress(HTML), headers={"Content-Encoding": "deflate"})
    site.pages["/raw"] = Page(
        raw.compress(HTML) + raw.flush(), headers={"Content-Encoding": "deflate"}
    )
    results = fetch_all([site.url("/zlib"), site.url("/raw")], FetchConfig(timeout=5))
    assert [r.body for r in results if isinstance(r, Response)] == [HTML, HTML]


def redirect_from_public_to(world: World, target: str) -> tuple[Site, str]:
    """A loopback service, and the URL of a public page (a global address, reached through
    the proxy) that redirects to `target` ({port} is the service's)."""
    inside = world.add_site("127.0.0.1")
    inside.pages["/admin"] = Page(b"secret")
    public = world.add_site("127.0.5.1")
    world.names["93.184.215.14"] = public.address
    public.pages["/"] = Page(status=302, headers={"Location": target.format(port=inside.port)})
    world.start_proxy()
    return inside, f"http://93.184.215.14:{public.port}/"


@pytest.mark.parametrize(
    "target",
    [
        "http://127.0.0.1:{port}/admin",
        "http://169.254.169.254/",
        "http://localhost:{port}/admin",
        # Other spellings of 127.0.0.1 that resolvers (the proxy's too) accept.
        "http://2130706433:{port}/admin",
        "http://127.1:{port}/admin",
        "http://0x7f.0.0.1:{port}/admin",
        "http://[::ffff:127.0.0.1]:{port}/admin",
    ],
)
def test_a_public_page_cannot_redirect_into_a_private_network(world: World, target: str) -> None:
    inside, url = redirect_from_public_to(world, target)
    error = fetch(url, FetchConfig(timeout=5, proxy=world.proxy_url))
    assert isinstance(error, BlockedURLError)
    assert error.reason.startswith("redirect to a private address refused")
    assert inside.requests == []


def test_allow_private_follows_a_redirect_into_the_private_network(world: World) -> None:
    inside, url = redirect_from_public_to(world, "http://127.0.0.1:{port}/admin")
    allowed = FetchConfig(timeout=5, proxy=world.proxy_url, allow_private=True)
    response = fetch(url, allowed)
    assert isinstance(response, Response) and response.body == b"secret"


def test_a_loopback_link_may_redirect_within_loopback(world: World) -> None:
    first, second = world.add_site("127.0.5.2"), world.add_site("127.0.5.3")
    first.pages["/"] = Page(status=302, headers={"Location": second.url("/")})
    second.pages["/"] = Page(HTML)
    assert isinstance(fetch(first.url("/")), Response)
