"""Helpers shared by several test files (fixtures stay in conftest.py)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from curator.config import FetchConfig
from curator.errors import FetchError
from curator.http import Fetcher, Response

# The data files tests read: small ones written for these tests, never a corpus copy.
DATA = Path(__file__).parent / "data"
# The clock of store-level tests: runs are given `now`, so tests never patch the clock.
NOW = datetime(2023, 12, 27, 9, 0, tzinfo=UTC)
# Neither a zlib stream nor raw deflate. (Random bytes will not do: 0.5% of them decode.)
INVALID_DEFLATE = b"x\x9c" + b"\xff" * 16


def fetch_all(urls: list[str], config: FetchConfig) -> list[Response | FetchError]:
    """GET every URL through one Fetcher at once; each result is a Response or the error."""

    async def one(fetcher: Fetcher, url: str) -> Response | FetchError:
        try:
            return await fetcher.get(url)
        except FetchError as err:
            return err

    async def go() -> list[Response | FetchError]:
        async with Fetcher(config) as fetcher:
            return await asyncio.gather(*(one(fetcher, url) for url in urls))

    return asyncio.run(go())


def wait_until(condition: Callable[[], bool], what: str, seconds: float = 120) -> None:
    """Poll `condition` until it holds; fail naming `what` if it never did within
    `seconds`, a bound generous enough for a loaded machine (a hang guard, not a speed
    target)."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"still waiting after {seconds:g} s: {what}")
        time.sleep(0.05)
