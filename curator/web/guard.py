"""What keeps the review page safe on a shared machine (issue 18, item 6).

A request must name this server in its Host (a rebound DNS name is refused); a POST must
come from this origin and carry the per-launch token; every answer forbids framing and
inline script. Pure rules on headers, plus the ASGI middleware that applies them.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterable, Mapping

from starlette.datastructures import Headers
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

TOKEN_HEADER = "x-csrf-token"
TOKEN_FIELD = "csrf"
# Same-origin requests, and ones the user typed or bookmarked (`none`), per the Fetch
# Metadata spec (https://www.w3.org/TR/fetch-metadata/#sec-fetch-site-header).
SAFE_SITES = ("same-origin", "none")
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "content-security-policy": CSP,
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    # Not no-referrer: with it a browser sends `Origin: null` on a form's POST, which
    # the origin check must refuse (https://fetch.spec.whatwg.org/#origin-header).
    "referrer-policy": "same-origin",
    "cache-control": "no-store",
}


def allowed_hosts(host: str, port: int) -> frozenset[str]:
    """The Host values that name this server: 127.0.0.1 and localhost with the port, and
    the address given with --host."""
    return frozenset(f"{name}:{port}" for name in ("127.0.0.1", "localhost", host))


def host_problem(headers: Mapping[str, str], hosts: Iterable[str]) -> str | None:
    """Why the Host header is refused (DNS rebinding), or None."""
    host = headers.get("host", "").lower()
    return None if host in hosts else f"Host {host or '(none)'} is not this server"


def origin_problem(headers: Mapping[str, str], hosts: Iterable[str]) -> str | None:
    """Why a POST is refused as cross-site, or None. Browsers send Origin on every POST
    and Sec-Fetch-Site on most; a tool that sends neither still needs the token."""
    site = headers.get("sec-fetch-site")
    if site is not None and site not in SAFE_SITES:
        return f"cross-site request refused (Sec-Fetch-Site: {site})"
    origin = headers.get("origin")
    if origin is not None and origin not in {f"http://{host}" for host in hosts}:
        return f"cross-site request refused (Origin: {origin})"
    return None


def token_matches(sent: str | None, token: str) -> bool:
    return sent is not None and hmac.compare_digest(sent.encode(), token.encode())


class Guard:
    """ASGI middleware: refuses foreign hosts (400) and cross-site POSTs (403), and adds
    the security headers to every answer. Sends no CORS headers, so no other origin may
    read an answer."""

    def __init__(self, app: ASGIApp, hosts: frozenset[str]) -> None:
        self.app = app
        self.hosts = hosts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        refused = self._refusal(scope, headers)
        if refused is not None:
            await refused(scope, receive, self._with_headers(send))
            return
        await self.app(scope, receive, self._with_headers(send))

    def _refusal(self, scope: Scope, headers: Headers) -> PlainTextResponse | None:
        problem = host_problem(headers, self.hosts)
        if problem:
            return PlainTextResponse(problem, status_code=400)
        if scope["method"] not in ("GET", "HEAD"):
            problem = origin_problem(headers, self.hosts)
            if problem:
                return PlainTextResponse(problem, status_code=403)
        return None

    @staticmethod
    def _with_headers(send: Send) -> Send:
        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                extra = [(k.encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        return sending
