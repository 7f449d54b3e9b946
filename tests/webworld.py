"""A small web on loopback: many keep-alive HTTP/1.1 sites, TLS from a local CA, a proxy.

Every site listens on its own address in 127.0.0.0/8 (127.0.X.Y), all served by one
asyncio loop in a background thread, so hundreds of sites cost one thread. Sites keep
connections alive as real servers do (the shape that broke connection-pool bookkeeping),
may answer late, reset, hang, or present a certificate nobody trusts. The forward proxy
answers CONNECT (https) and absolute-form GETs (http), resolves names through its own
table, and records every request it relays. Used by the end-to-end tests and the bench.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
import threading
from collections.abc import Coroutine, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

import trustme

T = TypeVar("T")
RESET = "reset"  # close the connection without an answer
HANG = "hang"  # accept the request, never answer
TLS_HANDSHAKE = b"\x16"  # the first byte of a TLS ClientHello record
WRONG_HOST, EXPIRED, UNTRUSTED = "wrong-host", "expired", "untrusted"


@dataclass
class Page:
    body: bytes = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    action: str = ""  # RESET or HANG


@dataclass
class Site:
    address: str
    port: int
    tls: bool
    pages: dict[str, Page] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)
    name: str = ""  # a host name the proxy resolves to this site

    @property
    def origin(self) -> str:
        scheme = "https" if self.tls else "http"
        return f"{scheme}://{self.name or self.address}:{self.port}"

    def url(self, path: str) -> str:
        return self.origin + path


class World:
    """Use as a context manager; `add_site` before the client runs."""

    def __init__(self) -> None:
        self.ca = trustme.CA()
        self.sites: list[Site] = []
        self.proxied: list[str] = []  # "CONNECT host:port" or "GET http://..."
        self.names: dict[str, str] = {}  # host name -> address, for the proxy
        self._servers: list[asyncio.AbstractServer] = []
        self._by_port: dict[tuple[str, int], Site] = {}
        self._loop = asyncio.new_event_loop()
        self._loop.set_exception_handler(lambda loop, context: None)  # clients hang up
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()
        self.proxy_url = ""

    def __enter__(self) -> World:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def ca_bundle(self, directory: Path) -> Path:
        path = directory / "world-ca.pem"
        self.ca.cert_pem.write_to_path(str(path))
        return path

    def add_site(self, address: str, *, tls: bool = False, name: str = "", cert: str = "") -> Site:
        """A site on `address`. `cert` spoils its certificate: WRONG_HOST, EXPIRED or
        UNTRUSTED (issued by a CA nobody trusts)."""
        context = self._server_context(name or address, cert) if tls else None
        server = self._run(asyncio.start_server(self._serve_site, address, 0, ssl=context))
        site = Site(address, server.sockets[0].getsockname()[1], tls, name=name)
        self._by_port[(address, site.port)] = site
        if name:
            self.names[name] = address
        self.sites.append(site)
        self._servers.append(server)
        return site

    def start_proxy(self) -> str:
        server = self._run(asyncio.start_server(self._serve_proxy, "127.0.0.1", 0))
        self._servers.append(server)
        self.proxy_url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
        return self.proxy_url

    def close(self) -> None:
        async def shutdown() -> None:
            for server in self._servers:
                server.close()

        self._run(shutdown())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)
        self._loop.close()

    def _run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(10)

    def _server_context(self, identity: str, spoiled: str) -> ssl.SSLContext:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ca = trustme.CA() if spoiled == UNTRUSTED else self.ca
        if spoiled == EXPIRED:
            past = datetime.now(UTC) - timedelta(days=30)
            leaf = ca.issue_cert(identity, not_before=past, not_after=past + timedelta(days=1))
        else:
            leaf = ca.issue_cert("other.example" if spoiled == WRONG_HOST else identity)
        leaf.configure_cert(context)
        return context

    async def _serve_site(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        address, port = writer.get_extra_info("sockname")[:2]
        site = self._by_port[(address, port)]
        with _quietly(writer):
            first = await reader.read(1)
            if first == TLS_HANDSHAKE:  # TLS spoken to a plain port: answer as nginx does
                writer.write(b"HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n")
                return
            while (head := await _read_head(reader, first)) is not None:
                first = b""
                path = head[0].split(" ")[1]
                site.requests.append(path)
                page = site.pages.get(path, Page(b"not found", 404))
                closing = any(h.lower() == "connection: close" for h in head[1:])
                if not await _answer(writer, page) or closing:
                    return

    async def _serve_proxy(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        with _quietly(writer):
            head = await _read_head(reader)
            if not head:
                return
            method, target = head[0].split(" ")[:2]
            self.proxied.append(f"{method} {target}")
            if method == "CONNECT":
                await self._tunnel(target, reader, writer)
            else:
                await self._forward(target, head, writer)

    def _resolve(self, host: str) -> str:
        return self.names.get(host, host)

    async def _tunnel(
        self, target: str, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        host, port = target.rsplit(":", 1)
        up_reader, up_writer = await asyncio.open_connection(self._resolve(host), int(port))
        writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
        await writer.drain()
        with _quietly(up_writer):
            await asyncio.gather(_pipe(reader, up_writer), _pipe(up_reader, writer))

    async def _forward(self, target: str, head: list[str], writer: asyncio.StreamWriter) -> None:
        parts = urlsplit(target)
        address = self._resolve(parts.hostname or "")
        up_reader, up_writer = await asyncio.open_connection(address, parts.port or 80)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        lines = [f"GET {path} HTTP/1.1", *head[1:], "Connection: close"]
        with _quietly(up_writer):
            up_writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
            await up_writer.drain()
            await _pipe(up_reader, writer)


async def _read_head(reader: asyncio.StreamReader, first: bytes = b"") -> list[str] | None:
    lines: list[str] = []
    while True:
        line = first + await reader.readline()
        first = b""
        if not line:
            return None
        text = line.decode("latin-1").rstrip("\r\n")
        if not text:
            return lines if lines else None
        lines.append(text)


async def _answer(writer: asyncio.StreamWriter, page: Page) -> bool:
    """Write one response; False when the connection must end."""
    if page.delay:
        await asyncio.sleep(page.delay)
    if page.action == RESET:
        writer.transport.abort()
        return False
    if page.action == HANG:
        await asyncio.sleep(3600)
    headers = {"Content-Type": "text/html; charset=utf-8", **page.headers}
    headers["Content-Length"] = str(len(page.body))
    lines = [f"HTTP/1.1 {page.status} X", *(f"{k}: {v}" for k, v in headers.items())]
    writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + page.body)
    await writer.drain()
    return True


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    with contextlib.suppress(OSError, ssl.SSLError):
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    with contextlib.suppress(OSError, ssl.SSLError):
        writer.close()


@contextlib.contextmanager
def _quietly(writer: asyncio.StreamWriter) -> Iterator[None]:
    try:
        yield
    except (OSError, ssl.SSLError, asyncio.IncompleteReadError):
        pass
    finally:
        with contextlib.suppress(OSError, ssl.SSLError, RuntimeError):
            writer.close()


def addresses(count: int, first: int = 1) -> list[str]:
    """`count` distinct loopback addresses 127.0.X.Y, none of them 127.0.0.1."""
    return [f"127.0.{(i // 250) + first}.{(i % 250) + 2}" for i in range(count)]
