"""Loopback servers for the benchmarks: several addresses, fixed latency, honest counters.

Each host listens on its own 127.0.0.x address. Every response waits
`latency` seconds first, like a remote server would. The shared counters record requests
in flight (overall and per host), requests per path, and the start and end of each
request, so the harness can check limits and gaps from the server's side.
"""

from __future__ import annotations

import asyncio
import ssl
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

# (status, headers, body) for a request path and its request headers; None means 404.
Responder = Callable[[str, dict[str, str]], tuple[int, dict[str, str], bytes] | None]


@dataclass
class Counters:
    lock: threading.Lock = field(default_factory=threading.Lock)
    in_flight: int = 0
    max_in_flight: int = 0
    host_in_flight: Counter[str] = field(default_factory=Counter)
    host_max: Counter[str] = field(default_factory=Counter)
    hits: Counter[str] = field(default_factory=Counter)
    statuses: Counter[int] = field(default_factory=Counter)
    spans: list[tuple[str, float, float]] = field(default_factory=list)  # path, start, end

    def reset(self) -> None:
        with self.lock:
            self.max_in_flight = 0
            self.host_max.clear()
            self.hits.clear()
            self.statuses.clear()
            self.spans.clear()


class Hosts:
    """One listener per loopback address, sharing the responder and the counters.

    asyncio in one background thread: a thread per connection (http.server) spent about
    1.5 s of CPU per 500 requests, on the same two cores as the curator being measured.
    """

    def __init__(
        self,
        addresses: list[str],
        responder: Responder,
        latency: float,
        tls: ssl.SSLContext | None = None,
        secure: frozenset[str] = frozenset(),
    ) -> None:
        """Addresses in `secure` answer https with the `tls` context, the others http."""
        self.counters = Counters()
        self.latency = latency
        self._responder = responder
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()
        self._servers = asyncio.run_coroutine_threadsafe(
            self._listen(addresses, tls, secure), self._loop
        ).result()
        self.bases = [
            "{}://{}:{}".format(
                "https" if address in secure else "http", *server.sockets[0].getsockname()[:2]
            )
            for address, server in zip(addresses, self._servers, strict=True)
        ]

    def stop(self) -> None:
        async def close() -> None:
            for server in self._servers:
                server.close()

        asyncio.run_coroutine_threadsafe(close(), self._loop).result()
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join()

    async def _listen(
        self, addresses: list[str], tls: ssl.SSLContext | None, secure: frozenset[str]
    ) -> list[asyncio.Server]:
        return [
            await asyncio.start_server(
                self._serve, address, 0, backlog=256, ssl=tls if address in secure else None
            )
            for address in addresses
        ]

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        host = writer.get_extra_info("sockname")[0]
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                request, *lines = head.decode("latin-1").rstrip("\r\n").split("\r\n")
                path = request.split(" ")[1]
                headers = dict(line.split(": ", 1) for line in lines if ": " in line)
                await self._answer(writer, host, path, headers)
        except (asyncio.IncompleteReadError, ConnectionError, ssl.SSLError):
            pass
        finally:
            writer.close()

    async def _answer(
        self, writer: asyncio.StreamWriter, host: str, path: str, headers: dict[str, str]
    ) -> None:
        counters = self.counters
        started = time.monotonic()
        with counters.lock:
            counters.in_flight += 1
            counters.max_in_flight = max(counters.max_in_flight, counters.in_flight)
            counters.host_in_flight[host] += 1
            counters.host_max[host] = max(counters.host_max[host], counters.host_in_flight[host])
            counters.hits[path] += 1
        await asyncio.sleep(self.latency)
        status, extra, body = self._responder(path, headers) or (404, {}, b"not found")
        lines = [f"HTTP/1.1 {status} {REASONS.get(status, 'OK')}"]
        lines += [f"{name}: {value}" for name, value in extra.items()]
        lines.append(f"Content-Length: {len(body)}")
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)
        await writer.drain()
        with counters.lock:
            counters.in_flight -= 1
            counters.host_in_flight[host] -= 1
            counters.statuses[status] += 1
            counters.spans.append((path, started, time.monotonic()))


REASONS = {200: "OK", 304: "Not Modified", 404: "Not Found"}
