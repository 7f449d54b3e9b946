"""A real HTTP server on 127.0.0.1 (a free port) serving what each test registers.

Routes map a path (query string included when registered with one) to a Route: a status,
headers and a body, or a function that writes the answer itself for misbehaving servers.
Every request is recorded, and in-flight counters let tests check the client's limits.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

Writer = Callable[[BaseHTTPRequestHandler], None]


@dataclass
class Route:
    body: bytes = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    writer: Writer | None = None


class Gauge:
    """Counts requests in flight; several servers can share one to see a global limit."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.now = 0
        self.max = 0

    def enter(self) -> None:
        with self.lock:
            self.now += 1
            self.max = max(self.max, self.now)

    def leave(self) -> None:
        with self.lock:
            self.now -= 1


@dataclass(frozen=True)
class Seen:
    path: str
    headers: dict[str, str]


class QuietServer(ThreadingHTTPServer):
    """A threaded server on a free port of `host`, serving from a daemon thread as soon
    as it is made; every fake service on loopback is one."""

    daemon_threads = True
    block_on_close = False

    def __init__(self, handler: type[BaseHTTPRequestHandler], host: str = "127.0.0.1") -> None:
        super().__init__((host, 0), handler)
        self.base_url = f"http://{host}:{self.server_address[1]}"
        threading.Thread(
            target=self.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()

    def handle_error(self, request: object, client_address: object) -> None:
        """Clients that hang up early are part of the tests, not errors."""

    def stop(self) -> None:
        self.shutdown()
        self.server_close()


class QuietHandler(BaseHTTPRequestHandler):
    """Keep-alive, as real sites answer, and no request log on stderr."""

    protocol_version = "HTTP/1.1"

    def log_message(self, *_: object) -> None:
        pass


class LoopbackServer:
    def __init__(self, host: str = "127.0.0.1", shared: Gauge | None = None) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[Seen] = []
        self.gauges = [Gauge()] + ([shared] if shared else [])
        self._lock = threading.Lock()
        self.stopping = threading.Event()
        self._server = QuietServer(self._handler_class(), host)
        self.base_url = self._server.base_url

    @property
    def max_in_flight(self) -> int:
        return self.gauges[0].max

    def url(self, path: str) -> str:
        return self.base_url + path

    def add(
        self,
        path: str,
        body: bytes | str = b"",
        *,
        status: int = 200,
        content_type: str | None = "text/html; charset=utf-8",
        headers: dict[str, str] | None = None,
        delay: float = 0.0,
    ) -> str:
        data = body.encode() if isinstance(body, str) else body
        all_headers = {"Content-Type": content_type} if content_type else {}
        all_headers.update(headers or {})
        self.routes[path] = Route(data, status, all_headers, delay)
        return self.url(path)

    def add_writer(self, path: str, writer: Writer) -> str:
        self.routes[path] = Route(writer=writer)
        return self.url(path)

    def add_drip(self, path: str, size: int, byte: bytes, content_type: str | None = None) -> str:
        """A body of `size` bytes announced in Content-Length and sent one byte every 50 ms
        (each well within a read timeout), until the server stops."""

        def drip(handler: BaseHTTPRequestHandler) -> None:
            handler.send_response(200)
            if content_type:
                handler.send_header("Content-Type", content_type)
            handler.send_header("Content-Length", str(size))
            handler.end_headers()
            for _ in range(size):
                if self.stopping.is_set():
                    return
                handler.wfile.write(byte)
                handler.wfile.flush()
                time.sleep(0.05)

        return self.add_writer(path, drip)

    def hits(self, path: str) -> list[Seen]:
        return [seen for seen in self.requests if seen.path == path]

    def stop(self) -> None:
        self.stopping.set()
        self._server.stop()

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(QuietHandler):
            def do_GET(self) -> None:  # noqa: N802
                with server._lock:
                    server.requests.append(Seen(self.path, dict(self.headers.items())))
                for gauge in server.gauges:
                    gauge.enter()
                try:
                    self._answer()
                finally:
                    for gauge in server.gauges:
                        gauge.leave()

            def _answer(self) -> None:
                route = server.routes.get(self.path) or server.routes.get(urlsplit(self.path).path)
                if route is None:
                    route = Route(b"not found", 404, {"Content-Type": "text/plain"})
                if route.writer is not None:
                    route.writer(self)
                    return
                if route.delay:
                    time.sleep(route.delay)
                self.send_response(route.status)
                for name, value in route.headers.items():
                    self.send_header(name, value)
                if "Content-Length" not in route.headers:
                    self.send_header("Content-Length", str(len(route.body)))
                self.end_headers()
                self.wfile.write(route.body)

        return Handler
