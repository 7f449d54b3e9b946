"""What Buttondown's and Ghost's APIs share: a JSON call through the Fetcher, 429 answered
by waiting as Retry-After says (RFC 9110 section 10.2.3), and every refusal turned into one
line with the service's own message and never the key."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from typing import Any

from curator.errors import ExportError, FetchError
from curator.http import Fetcher, Response, retry_after
from curator.text import collapse

MAX_TRIES = 4  # one call and three retries after a 429
DEFAULT_WAIT = 2.0  # seconds, for a 429 without Retry-After
MAX_WAIT = 60.0  # a longer Retry-After is refused; three waits stay within a Ghost token
DRAFT = "draft"


@dataclass(frozen=True)
class Remote:
    """The draft as the service keeps it: its id, and where the author opens it."""

    id: str
    url: str


@dataclass(frozen=True)
class Call:
    service: str  # "Buttondown" or "Ghost", as errors name it
    key: str  # only to keep it out of messages

    async def json(
        self,
        fetcher: Fetcher,
        method: str,
        url: str,
        headers: dict[str, str],
        body: object | None = None,
        *,
        missing_ok: bool = False,
    ) -> dict[str, Any] | None:
        """The answer's JSON object; None for a 404 when `missing_ok` (a draft deleted
        on the service). Raises ExportError for any other refusal."""
        for attempt in range(1, MAX_TRIES + 1):
            response = await self._send(fetcher, method, url, headers, body)
            wait = _wait(response)
            if response.status != 429 or attempt == MAX_TRIES or wait > MAX_WAIT:
                break
            await asyncio.sleep(wait)
        if response.status == 404 and missing_ok:
            return None
        if response.status >= 400:
            raise self.error(f"HTTP {response.status}: {service_message(response.body)}")
        return self._object(response)

    async def _send(
        self, fetcher: Fetcher, method: str, url: str, headers: dict[str, str], body: object
    ) -> Response:
        try:
            return await fetcher.send(method, url, headers=headers, json=body)
        except FetchError as err:
            raise self.error(str(err)) from None

    def _object(self, response: Response) -> dict[str, Any]:
        try:
            data = json.loads(response.body)
        except ValueError:
            data = None
        if not isinstance(data, dict):
            raise self.error(f"HTTP {response.status}: the answer is not a JSON object")
        return data

    def error(self, text: str) -> ExportError:
        return ExportError(f"{self.service}: {text.replace(self.key, '[key]')}")


def service_message(body: bytes) -> str:
    """The service's own words: Buttondown's `code` and `detail`, Ghost's first error's
    `type`, `message` and `context`; else the start of the body."""
    try:
        data = json.loads(body)
    except ValueError:
        data = None
    if not isinstance(data, dict):
        return collapse(body.decode("utf-8", "replace"))[:200] or "no message"
    errors = data.get("errors")
    if isinstance(errors, list) and errors and isinstance(errors[0], dict):
        parts = [errors[0].get(name) for name in ("type", "message", "context")]
    else:
        parts = [data.get("code"), data.get("detail") or data.get("message")]
    found = [collapse(str(part)) for part in parts if part]
    return ": ".join(found)[:300] or collapse(body.decode("utf-8", "replace"))[:200]


def _wait(response: Response) -> float:
    seconds = retry_after(response.headers.get("retry-after"))
    return DEFAULT_WAIT if seconds is None else seconds
