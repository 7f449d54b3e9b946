"""The one HTTP client (httpx, asyncio) every network caller goes through.

It owns the limits that keep curator fast and polite: a global concurrency limit and a
per-host one (httpx has none: LIBRARIES.md section 6), a total deadline per request
(httpx's read timeout is per chunk, so a server dripping bytes would otherwise hold a
request forever), a body cap counted after decompression (gzip bombs stop early),
redirects followed by hand so that only http(s) targets are ever requested, and every
failure folded into the short list of curator.errors. Imports no store and no stage.
"""

from __future__ import annotations

import asyncio
import zlib
from collections import Counter, OrderedDict, defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from types import TracebackType
from urllib.parse import urljoin

import httpx

from curator import __version__, urls
from curator.config import FetchConfig
from curator.errors import (
    BlockedURLError,
    FetchError,
    FetchTimeout,
    HTTPStatusError,
    InvalidURLError,
    NetworkError,
    TooLargeError,
)

USER_AGENT = f"curator/{__version__} (link-roundup newsletter tool; +python-httpx)"
MAX_REDIRECTS = 5
MAX_POOLS = 64  # hosts whose idle connections are kept for reuse
REDIRECT_STATUSES = (301, 302, 303, 307, 308)
ACCEPT_HTML = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5"
ACCEPT_FEED = (
    "application/rss+xml,application/atom+xml,application/rdf+xml;q=0.9,"
    "application/xml;q=0.8,text/xml;q=0.8,*/*;q=0.5"
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
        self._transport = _PerHostTransport(config.per_host)
        self._client: httpx.AsyncClient | None = None

    async def __aenter__(self) -> Fetcher:
        self._client = httpx.AsyncClient(
            transport=self._transport,
            timeout=httpx.Timeout(self.config.timeout, pool=None),
            follow_redirects=False,
            headers={"User-Agent": USER_AGENT, "Accept-Encoding": "gzip, deflate"},
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
        # Host slot first, then a global one (LIBRARIES.md section 6): a request queued for
        # a busy host must not hold one of the global slots while it waits.
        slot = _HostSlot(self._hosts, self._busy)
        await slot.move_to(urls.host(current))
        try:
            async with self._global:
                return await self._follow(url, current, headers, body_types, slot)
        finally:
            slot.release()
            await self._transport.trim(lambda host: self._busy[host] > 0)

    async def _follow(
        self,
        url: str,
        current: str,
        headers: Mapping[str, str] | None,
        body_types: tuple[str, ...] | None,
        slot: _HostSlot,
    ) -> Response:
        """Hops of one request. Only time on the network counts against the deadline, not
        time spent waiting for another host's slot after a redirect."""
        loop = asyncio.get_running_loop()
        budget = self.config.timeout
        for _ in range(MAX_REDIRECTS + 1):
            started = loop.time()
            response = await self._attempt(url, current, headers, body_types, started + budget)
            budget -= loop.time() - started
            if response.status not in REDIRECT_STATUSES:
                return _checked_status(url, response)
            location = response.headers.get("location")
            if not location:
                raise HTTPStatusError(url, response.status)
            current = _checked(url, urljoin(current, location.strip()))
            await slot.move_to(urls.host(current))
        raise FetchError(url, f"more than {MAX_REDIRECTS} redirects")

    async def _attempt(
        self,
        url: str,
        current: str,
        headers: Mapping[str, str] | None,
        body_types: tuple[str, ...] | None,
        deadline: float,
    ) -> Response:
        """One hop; a connection the server closed without notice is retried once."""
        for attempt in (1, 2):
            try:
                async with asyncio.timeout_at(deadline):
                    return await self._request(url, current, headers, body_types)
            except httpx.RemoteProtocolError as err:
                if attempt == 2:
                    raise NetworkError(url, f"protocol error ({_first_line(err)})") from None
            except (TimeoutError, httpx.TimeoutException):
                raise FetchTimeout(url, self.config.timeout) from None
            except httpx.UnsupportedProtocol:
                raise BlockedURLError(url, "not an http(s) URL") from None
            except httpx.TransportError as err:
                raise NetworkError(url, _transport_reason(err)) from None
            except httpx.InvalidURL as err:
                # httpx parses a redirect's Location even when not following it.
                raise BlockedURLError(url, f"redirect refused ({_first_line(err)})") from None
        raise AssertionError("unreachable")

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
            decoder = _Decoder(head.get("content-encoding", ""), cap)
            async for chunk in response.aiter_raw():
                if decoder.feed(chunk):
                    raise TooLargeError(url, cap)
            body = decoder.finish()
            if len(body) > cap:
                raise TooLargeError(url, cap)
            return Response(str(response.url), response.status_code, head, body)


PoolKey = tuple[bytes, bytes, int | None]


class _PerHostTransport(httpx.AsyncBaseTransport):
    """A small connection pool per origin, instead of httpx's single pool.

    httpcore scans every pooled connection for every request; with 8 hosts x 4
    connections that was 0.5 s of CPU per 500 requests (tests/bench). The Fetcher calls
    `trim` so that a week of links to 1,000 sites does not keep 1,000 sockets open.
    """

    def __init__(self, per_host: int) -> None:
        self._ssl = httpx.create_ssl_context()  # loaded once, not once per pool (50 ms)
        self._limits = httpx.Limits(max_connections=per_host, max_keepalive_connections=per_host)
        self._pools: OrderedDict[PoolKey, httpx.AsyncHTTPTransport] = OrderedDict()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        key = (request.url.raw_scheme, request.url.raw_host, request.url.port)
        pool = self._pools.pop(key, None) or httpx.AsyncHTTPTransport(
            verify=self._ssl, limits=self._limits
        )
        self._pools[key] = pool  # most recently used last
        return await pool.handle_async_request(request)

    async def trim(self, is_busy: Callable[[str], bool]) -> None:
        """Close the least recently used pools beyond MAX_POOLS whose host is not busy."""
        excess = len(self._pools) - MAX_POOLS
        if excess <= 0:
            return
        for key in [k for k in self._pools if not is_busy(urls.host(f"//{k[1].decode()}"))]:
            if excess <= 0:
                return
            await self._pools.pop(key).aclose()
            excess -= 1

    async def aclose(self) -> None:
        for pool in self._pools.values():
            await pool.aclose()


class _HostSlot:
    """The one per-host slot a request holds. Moving to another host releases the old slot
    before waiting for the new one, so two requests redirecting to each other's hosts
    cannot deadlock. `busy` counts requests waiting for or holding each host's slots."""

    def __init__(self, hosts: Mapping[str, asyncio.Semaphore], busy: Counter[str]) -> None:
        self._hosts = hosts
        self._busy = busy
        self._host: str | None = None

    async def move_to(self, host: str) -> None:
        if host == self._host:
            return
        self.release()
        self._busy[host] += 1
        try:
            await self._hosts[host].acquire()
        except BaseException:
            self._busy[host] -= 1
            raise
        self._host = host

    def release(self) -> None:
        if self._host is not None:
            self._hosts[self._host].release()
            self._busy[self._host] -= 1
            self._host = None


class _Decoder:
    """gzip/deflate decoding with a hard output limit, so 1 MB on the wire can never become
    1 GiB in memory (httpx's own decoder inflates each chunk without a limit). Handles
    concatenated gzip members (RFC 1952 section 2.2)."""

    def __init__(self, encoding: str, cap: int) -> None:
        self.cap = cap
        self.buffer = bytearray()
        codings = [c.strip().lower() for c in encoding.split(",") if c.strip()]
        compressed = [c for c in codings if c in ("gzip", "x-gzip", "deflate")]
        # wbits 47 accepts both gzip and zlib headers; raw deflate is tried on failure.
        self._inflate = zlib.decompressobj(47) if compressed else None
        self._raw_deflate = "deflate" in compressed

    def feed(self, chunk: bytes) -> bool:
        """Add a chunk; True when the decoded body is already over the cap."""
        if self._inflate is None:
            self.buffer += chunk
            return len(self.buffer) > self.cap
        data = chunk
        while data and len(self.buffer) <= self.cap:
            data = self._inflate_some(data)
        return len(self.buffer) > self.cap

    def _inflate_some(self, data: bytes) -> bytes:
        assert self._inflate is not None
        try:
            self.buffer += self._inflate.decompress(data, self.cap + 1 - len(self.buffer))
        except zlib.error:
            if not (self._raw_deflate and not self.buffer):
                raise
            self._inflate, self._raw_deflate = zlib.decompressobj(-zlib.MAX_WBITS), False
            return data
        if self._inflate.eof:
            rest = self._inflate.unused_data
            self._inflate = zlib.decompressobj(47)
            return rest
        return self._inflate.unconsumed_tail

    def finish(self) -> bytes:
        if self._inflate is not None:
            self.buffer += self._inflate.flush()
        return bytes(self.buffer)


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


def _transport_reason(err: httpx.TransportError) -> str:
    if isinstance(err, httpx.ConnectError):
        return f"cannot connect ({_first_line(err)})"
    if isinstance(err, httpx.ReadError | httpx.WriteError):
        return f"connection broken ({_first_line(err)})"
    return f"network error ({_first_line(err)})"


def _first_line(err: BaseException) -> str:
    text = str(err).strip().splitlines()
    return text[0][:120] if text else type(err).__name__
