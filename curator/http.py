"""The one HTTP client (httpx, asyncio) every network caller goes through.

It owns the limits that keep curator fast and polite: a global concurrency limit and a
per-host one (httpx has none: its Limits are one global pool), a total deadline per request
(httpx's read timeout is per chunk, so a server dripping bytes would otherwise hold a
request forever), a body cap counted after decompression (gzip bombs stop early),
redirects followed by hand so that only http(s) targets are ever requested, and every
failure folded into the short list of curator.errors. Imports no store and no stage.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import ssl
import zlib
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from types import TracebackType
from typing import TypeVar
from urllib.parse import urljoin, urlsplit

import httpx

from curator import __version__, netenv, urls
from curator.config import FetchConfig
from curator.errors import (
    BlockedURLError,
    CertificateError,
    ContentError,
    FetchError,
    FetchTimeout,
    HTTPStatusError,
    InvalidURLError,
    NameNotFoundError,
    NetworkError,
    TooLargeError,
    UnreachableError,
)

USER_AGENT = f"curator/{__version__} (link-roundup newsletter tool; +python-httpx)"
MAX_REDIRECTS = 5
MAX_POOLS = 64  # hosts whose idle connections are kept for reuse
REDIRECT_STATUSES = (301, 302, 303, 307, 308)
DECODED_ENCODINGS = ("gzip", "x-gzip", "deflate")
GZIP_MAGIC = b"\x1f\x8b"
ACCEPT_HTML = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5"
ACCEPT_FEED = (
    "application/rss+xml,application/atom+xml,application/feed+json,application/rdf+xml;q=0.9,"
    "application/xml;q=0.8,text/xml;q=0.8,application/json;q=0.8,*/*;q=0.5"
)


@dataclass(frozen=True)
class Response:
    url: str  # the final URL, after redirects
    status: int
    headers: Mapping[str, str]  # lower-case names
    body: bytes
    body_skipped: bool = False  # a type the caller did not ask for: the body was not read

    @property
    def content_type(self) -> str:
        """The media type without parameters, lower-case ('' when absent)."""
        return self.headers.get("content-type", "").split(";")[0].strip().lower()


class Fetcher:
    """Use as `async with Fetcher(config) as fetch: await fetch.get(url)`."""

    def __init__(self, config: FetchConfig) -> None:
        self.config = config
        self._global = asyncio.Semaphore(config.concurrency)
        self._hosts: defaultdict[str, asyncio.Semaphore] = defaultdict(
            lambda: asyncio.Semaphore(config.per_host)
        )
        self._busy: Counter[str] = Counter()
        self._transport = _PerHostTransport(config)
        self._client: httpx.AsyncClient | None = None

    async def __aenter__(self) -> Fetcher:
        self._client = httpx.AsyncClient(
            transport=self._transport,
            timeout=httpx.Timeout(self.config.timeout, pool=None),
            follow_redirects=False,
            # Only what _Decoder decodes: a server must not send brotli or zstd.
            headers={"User-Agent": USER_AGENT, "Accept-Encoding": "gzip, deflate"},
            trust_env=False,  # the transport applies the environment's proxies itself
        )
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._client is not None:
            await self._client.aclose()

    async def get(
        self,
        url: str,
        headers: Mapping[str, str] | None = None,
        *,
        body_types: tuple[str, ...] | None = None,
    ) -> Response:
        """GET `url`, following up to 5 http(s) redirects, within one total deadline.

        Returns 2xx and 304 responses; raises a FetchError for everything else. With
        `body_types`, a response of another declared media type comes back with an empty
        body, unread (a 40 MB PDF needs no download to be listed).
        """
        current = _checked(url, url)
        slots = _Slots(self._global, self._hosts, self._busy)
        try:
            return await self._follow(url, current, headers, body_types, slots)
        finally:
            slots.release()
            await self._transport.trim(lambda host: self._busy[host] > 0)

    async def send(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str],
        json: object | None = None,
    ) -> Response:
        """One API call (the export services'): any method, a JSON body, no redirects
        followed, and every status returned with its body (up to max_bytes) so that the
        caller can read the service's own error. Holds the same slots, within the same
        deadline, and folds network failures the same way as `get`."""
        current = _checked(url, url)
        slots = _Slots(self._global, self._hosts, self._busy)
        try:
            await slots.hold(urls.host(current))
            deadline = asyncio.get_running_loop().time() + self.config.timeout
            with self._failures(url):
                async with asyncio.timeout_at(deadline):
                    return await self._call(method, current, headers, json)
        finally:
            slots.release()

    async def _call(
        self, method: str, url: str, headers: Mapping[str, str], json: object | None
    ) -> Response:
        assert self._client is not None, "use Fetcher as an async context manager"
        cap = self.config.max_bytes
        async with self._client.stream(method, url, headers=headers, json=json) as response:
            head = {k.lower(): v for k, v in response.headers.items()}
            return await _whole(response, head, url, cap)

    async def _follow(
        self,
        url: str,
        current: str,
        headers: Mapping[str, str] | None,
        body_types: tuple[str, ...] | None,
        slots: _Slots,
    ) -> Response:
        """Hops of one request. The deadline counts time on the network (DNS checks
        included), not time waiting for slots: a request holds slots only while on the
        network, so every wait ends when some request's deadline does."""
        loop = asyncio.get_running_loop()
        budget = self.config.timeout
        for _ in range(MAX_REDIRECTS + 1):
            await slots.hold(urls.host(current))
            started = loop.time()
            response = await self._attempt(url, current, headers, body_types, started + budget)
            if response.status not in REDIRECT_STATUSES:
                return _checked_status(url, response)
            location = response.headers.get("location")
            if not location:
                raise HTTPStatusError(url, response.status)
            target = _checked(url, urljoin(current, location.strip()))
            await self._refuse_private(url, target, started + budget)
            budget -= loop.time() - started
            current = target
        raise FetchError(url, f"more than {MAX_REDIRECTS} redirects")

    async def _refuse_private(self, url: str, target: str, deadline: float) -> None:
        """A public page must not redirect curator into the author's own network (cloud
        metadata at 169.254.169.254, a router, a loopback service), unless allowed."""
        if self.config.allow_private:
            return
        try:
            async with asyncio.timeout_at(deadline):
                if await self._is_private(url) or not await self._is_private(target):
                    return
        except TimeoutError:
            raise FetchTimeout(url, self.config.timeout) from None
        raise BlockedURLError(url, f"redirect to a private address refused ({target[:80]})")

    async def _is_private(self, url: str) -> bool:
        """Whether `url`'s host is, or resolves to, a non-public address. Behind a proxy
        only literal addresses are judged: the proxy resolves names."""
        name = (urlsplit(url).hostname or "").rstrip(".").lower()
        if name == "localhost" or name.endswith(".localhost"):
            return True
        literal = _address_literal(name)
        if literal is not None:
            return not literal.is_global
        if netenv.proxy_for(url, self.config.proxy):
            return False
        try:
            found = await asyncio.get_running_loop().getaddrinfo(name, None)
        except OSError:
            return False  # unresolvable: the connection itself will fail and say so
        return any(
            not ipaddress.ip_address(str(info[4][0]).split("%")[0]).is_global for info in found
        )

    async def _attempt(
        self,
        url: str,
        current: str,
        headers: Mapping[str, str] | None,
        body_types: tuple[str, ...] | None,
        deadline: float,
    ) -> Response:
        """One hop; a connection the server closed without notice is retried once."""
        with self._failures(url):
            try:
                async with asyncio.timeout_at(deadline):
                    return await self._request(url, current, headers, body_types)
            except httpx.RemoteProtocolError:
                pass
            async with asyncio.timeout_at(deadline):
                return await self._request(url, current, headers, body_types)

    @contextmanager
    def _failures(self, url: str) -> Iterator[None]:
        """httpx's exceptions as the FetchError recorded on the link."""
        try:
            yield
        except (TimeoutError, httpx.TimeoutException):
            raise FetchTimeout(url, self.config.timeout) from None
        except httpx.RemoteProtocolError as err:
            raise NetworkError(url, f"protocol error ({_first_line(err)})") from None
        except httpx.UnsupportedProtocol:
            raise BlockedURLError(url, "not an http(s) URL") from None
        except httpx.TransportError as err:
            raise _transport_error(url, err) from None
        except httpx.InvalidURL as err:
            # httpx parses a redirect's Location even when not following it.
            raise BlockedURLError(url, f"redirect refused ({_first_line(err)})") from None

    async def _request(
        self,
        url: str,
        current: str,
        headers: Mapping[str, str] | None,
        body_types: tuple[str, ...] | None,
    ) -> Response:
        assert self._client is not None, "use Fetcher as an async context manager"
        cap = self.config.max_bytes
        async with self._client.stream("GET", current, headers=headers) as response:
            head = {k.lower(): v for k, v in response.headers.items()}
            bare = Response(str(response.url), response.status_code, head, b"")
            if response.status_code >= 300:
                return bare
            if body_types is not None and bare.content_type not in (*body_types, ""):
                return replace(bare, body_skipped=True)
            declared = head.get("content-length", "")
            if declared.isdigit() and int(declared) > cap:
                raise TooLargeError(url, cap)
            return await _whole(response, head, url, cap)


async def _whole(response: httpx.Response, head: Mapping[str, str], url: str, cap: int) -> Response:
    """The response with its body read to the end: ContentError for a body that lies
    about its encoding, TooLargeError past `cap` bytes after decompression."""
    try:
        body = await _read_body(response, head.get("content-encoding", ""), cap)
    except _BadBody as err:
        raise ContentError(url, str(err)) from None
    if body is None:
        raise TooLargeError(url, cap)
    return Response(str(response.url), response.status_code, head, body)


async def _read_body(response: httpx.Response, encoding: str, cap: int) -> bytes | None:
    """The decoded body, or None when it is larger than `cap`."""
    decoder = _Decoder(encoding, cap)
    async for chunk in response.aiter_raw():
        if decoder.feed(chunk):
            return None
    body = decoder.finish()
    return None if len(body) > cap else body


class _PerHostTransport(httpx.AsyncBaseTransport):
    """A small connection pool per origin, instead of httpx's single pool.

    httpcore scans every pooled connection for every request; with 8 hosts x 4
    connections that was 0.5 s of CPU per 500 requests (tests/bench). The Fetcher calls
    `trim` so that a week of links to 1,000 sites does not keep 1,000 sockets open.

    Safe under concurrency by construction: the dict of pools is only read and changed
    between awaits (asyncio runs one task at a time), and pools are closed only after
    they have left it, so no task ever iterates or pops what another task changes.
    Each pool reaches its origin through the proxy that `netenv` picks for it.
    """

    def __init__(self, config: FetchConfig) -> None:
        self._ssl = netenv.ssl_context(config.ca_bundle)  # loaded once, not per pool (50 ms)
        self._proxy = config.proxy
        self._limits = httpx.Limits(
            max_connections=config.per_host, max_keepalive_connections=config.per_host
        )
        self._pools: dict[PoolKey, tuple[str, httpx.AsyncHTTPTransport]] = {}

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        key = (request.url.raw_scheme, request.url.raw_host, request.url.port)
        entry = self._pools.pop(key, None) or self._new_pool(str(request.url))
        self._pools[key] = entry  # most recently used last
        return await entry[1].handle_async_request(request)

    def _new_pool(self, url: str) -> tuple[str, httpx.AsyncHTTPTransport]:
        proxy = netenv.proxy_for(url, self._proxy)
        pool = httpx.AsyncHTTPTransport(
            verify=self._ssl, limits=self._limits, proxy=proxy, trust_env=False
        )
        return urls.host(url), pool

    async def trim(self, is_busy: Callable[[str], bool]) -> None:
        """Close the least recently used pools beyond MAX_POOLS whose host is not busy."""
        excess = len(self._pools) - MAX_POOLS
        if excess <= 0:
            return
        idle = [key for key, (host, _) in self._pools.items() if not is_busy(host)][:excess]
        closing = [self._pools.pop(key)[1] for key in idle]
        for pool in closing:
            await pool.aclose()

    async def aclose(self) -> None:
        closing = [pool for _, pool in self._pools.values()]
        self._pools.clear()
        for pool in closing:
            await pool.aclose()


PoolKey = tuple[bytes, bytes, int | None]
E = TypeVar("E", bound=BaseException)


class _Slots:
    """The two slots a request holds while on the network: its host's, then a global one.

    A request never holds a slot while it waits for another one it cannot get at once:
    on a redirect to another host it releases both before queueing for the new host, and
    it waits for a global slot only while holding its host's, which nobody holding a
    global slot ever waits for. So no set of requests can wait on each other in a cycle,
    however redirects interleave. `busy` counts requests waiting for or holding each
    host's slots, so that their connection pools are not closed under them.
    """

    def __init__(
        self,
        overall: asyncio.Semaphore,
        hosts: Mapping[str, asyncio.Semaphore],
        busy: Counter[str],
    ) -> None:
        self._overall = overall
        self._hosts = hosts
        self._busy = busy
        self._host: str | None = None

    async def hold(self, host: str) -> None:
        if host == self._host:
            return
        self.release()
        self._busy[host] += 1
        try:
            await self._acquire(self._hosts[host])
        except BaseException:
            self._busy[host] -= 1
            raise
        self._host = host

    async def _acquire(self, host_slot: asyncio.Semaphore) -> None:
        await host_slot.acquire()
        try:
            await self._overall.acquire()
        except BaseException:
            host_slot.release()
            raise

    def release(self) -> None:
        if self._host is not None:
            self._overall.release()
            self._hosts[self._host].release()
            self._busy[self._host] -= 1
            self._host = None


class _BadBody(Exception):
    """A body that cannot be decoded as its Content-Encoding says; str() is the reason."""


class _Decoder:
    """gzip/deflate decoding with a hard output limit, so 1 MB on the wire can never become
    1 GiB in memory (httpx's own decoder inflates each chunk without a limit). Handles
    concatenated gzip members (RFC 1952 section 2.2) and, like gzip(1) and browsers,
    ignores trailing bytes after the last member. Raises _BadBody for a body that is not
    what its Content-Encoding says, or an encoding curator never asked for."""

    def __init__(self, encoding: str, cap: int) -> None:
        self.cap = cap
        self.buffer = bytearray()
        codings = [c.strip().lower() for c in encoding.split(",") if c.strip()]
        unknown = [c for c in codings if c not in (*DECODED_ENCODINGS, "identity")]
        if unknown:
            raise _BadBody(f"unsupported content encoding {unknown[0][:20]!r}")
        compressed = [c for c in codings if c in DECODED_ENCODINGS]
        self.name = "deflate" if compressed[-1:] == ["deflate"] else "gzip"
        # wbits 47 accepts both gzip and zlib headers; raw deflate is tried on failure.
        self._inflate = zlib.decompressobj(47) if compressed else None
        self._raw_deflate = "deflate" in compressed
        self._between = False  # a member has ended: only another member may follow
        self._ignoring = False  # trailing garbage after the last member

    def feed(self, chunk: bytes) -> bool:
        """Add a chunk; True when the decoded body is already over the cap."""
        if self._inflate is None:
            self.buffer += chunk
            return len(self.buffer) > self.cap
        data = chunk
        while data and not self._ignoring and len(self.buffer) <= self.cap:
            if self._between and not GZIP_MAGIC.startswith(data[:2]):
                self._ignoring = True
                break
            self._between = False
            data = self._inflate_some(data)
        return len(self.buffer) > self.cap

    def _inflate_some(self, data: bytes) -> bytes:
        assert self._inflate is not None
        try:
            self.buffer += self._inflate.decompress(data, self.cap + 1 - len(self.buffer))
        except zlib.error:
            if not (self._raw_deflate and not self.buffer):
                raise _BadBody(f"bad {self.name} body") from None
            self._inflate, self._raw_deflate = zlib.decompressobj(-zlib.MAX_WBITS), False
            return data
        if self._inflate.eof:
            self._between = True
            rest = self._inflate.unused_data
            self._inflate = zlib.decompressobj(47)
            return rest
        return self._inflate.unconsumed_tail

    def finish(self) -> bytes:
        if self._inflate is not None and not self._ignoring:
            try:
                self.buffer += self._inflate.flush()
            except zlib.error:
                raise _BadBody(f"bad {self.name} body") from None
        return bytes(self.buffer)


def _address_literal(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The address a host name spells, in any form a resolver accepts as a literal:
    besides dotted quads, inet_aton(3)'s `127.1`, `0x7f.0.0.1` and `2130706433`, which
    a proxy's resolver turns into 127.0.0.1 all the same."""
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    try:
        return ipaddress.IPv4Address(socket.inet_aton(host))
    except OSError:
        return None


def _checked(original: str, target: str) -> str:
    try:
        return urls.check(target)
    except InvalidURLError as err:
        reason = f"redirect refused ({err})" if target != original else str(err)
        raise BlockedURLError(original, reason) from None


def _checked_status(url: str, response: Response) -> Response:
    if response.status < 400 or response.status == 304:
        return response
    raise HTTPStatusError(url, response.status, retry_after(response.headers.get("retry-after")))


def retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header: delta-seconds or an HTTP date (RFC 9110)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def _transport_error(url: str, err: httpx.TransportError) -> FetchError:
    if isinstance(err, httpx.ProxyError):
        return NetworkError(url, f"proxy error ({_first_line(err)})")
    verify = _cause(err, ssl.SSLCertVerificationError)
    if verify is not None:
        return CertificateError(url, f"certificate verify failed: {_verify_message(verify)}")
    if _cause(err, ssl.SSLError) is not None:
        return UnreachableError(url, f"TLS handshake failed ({_first_line(err)})")
    if isinstance(err, httpx.ConnectError) and _cause(err, socket.gaierror) is not None:
        return NameNotFoundError(url, f"cannot connect ({_first_line(err)})")
    if isinstance(err, httpx.ConnectError):
        return UnreachableError(url, f"cannot connect ({_first_line(err)})")
    if isinstance(err, httpx.ReadError | httpx.WriteError):
        return NetworkError(url, f"connection broken ({_first_line(err)})")
    return NetworkError(url, f"network error ({_first_line(err)})")


def _cause(err: BaseException, kind: type[E]) -> E | None:
    """The first exception of `kind` in err's chain of causes (httpx wraps ssl's)."""
    seen: BaseException | None = err
    while seen is not None:
        if isinstance(seen, kind):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


def _verify_message(err: ssl.SSLCertVerificationError) -> str:
    message = err.verify_message or _first_line(err)
    return str(message).rstrip(".")[:120]


def _first_line(err: BaseException) -> str:
    text = str(err).strip().splitlines()
    return text[0][:120] if text else type(err).__name__
