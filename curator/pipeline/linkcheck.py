"""`curator draft --check --links`: every link of the draft fetched again before the issue
goes out (issue 16, item 5), through the one Fetcher and its limits, concurrently.

A link is dead when it answers 404 or 410, when its host name no longer resolves, or when
it answers 5xx on every try; one that now redirects to another page is reported with the
`curator edit` that shows the new URL. Other failures (a timeout, a 403) are reported as
unchecked: they say nothing certain about the page.
"""

from __future__ import annotations

import asyncio
import shlex
from dataclasses import dataclass

from curator import urls
from curator.compose import Placed
from curator.config import FetchConfig
from curator.errors import FetchError, HTTPStatusError, NameNotFoundError
from curator.http import Fetcher, Response

GONE_STATUSES = (404, 410)
SERVER_ERROR_TRIES = 3
SERVER_ERROR_PAUSE = 1.0  # seconds, times the try's number: a restarting server recovers

DEAD = "dead"
MOVED = "moved"
UNCHECKED = "unchecked"


@dataclass(frozen=True)
class LinkProblem:
    item: Placed
    kind: str  # DEAD, MOVED or UNCHECKED
    detail: str  # one line: why, or where it moved and how to apply it

    def __str__(self) -> str:
        entry = self.item.entry
        where = f"{self.item.section} {self.item.position} (id {entry.link_id})"
        return f"{self.kind} link: {where}: {self.detail}"


def check_links(config: FetchConfig, items: list[Placed]) -> list[LinkProblem]:
    """The problems with the draft's links, in draft order."""
    wanted = list(dict.fromkeys(item.entry.url for item in items))
    outcomes = dict(zip(wanted, asyncio.run(_fetch_all(config, wanted)), strict=True))
    found = (judge(item, outcomes[item.entry.url]) for item in items)
    return [problem for problem in found if problem is not None]


def judge(item: Placed, outcome: Response | FetchError) -> LinkProblem | None:
    """What a fetch of the item's link says about it; None when it is fine."""
    if isinstance(outcome, Response):
        return _moved(item, outcome.url)
    if isinstance(outcome, HTTPStatusError) and outcome.status in GONE_STATUSES:
        return LinkProblem(item, DEAD, f"{outcome.reason}: {item.entry.url}")
    if isinstance(outcome, HTTPStatusError) and outcome.status >= 500:
        detail = f"{outcome.reason} on {SERVER_ERROR_TRIES} tries: {item.entry.url}"
        return LinkProblem(item, DEAD, detail)
    if isinstance(outcome, NameNotFoundError):
        return LinkProblem(item, DEAD, f"the host name does not resolve: {item.entry.url}")
    return LinkProblem(item, UNCHECKED, str(outcome))


def _moved(item: Placed, final: str) -> LinkProblem | None:
    """A redirect to another page (not just to https, or to the same page without its
    tracking parameters: those keep the link's key)."""
    if urls.identify(final).key == urls.identify(item.entry.url).key:
        return None
    # Quoted for the shell it is pasted into: a query's `&` would otherwise end the command.
    apply = f"curator edit {item.entry.link_id} --url {shlex.quote(final)}"
    return LinkProblem(item, MOVED, f"{item.entry.url} now redirects to {final}; apply: {apply}")


async def _fetch_all(config: FetchConfig, wanted: list[str]) -> list[Response | FetchError]:
    async with Fetcher(config) as fetcher:
        return await asyncio.gather(*(_fetch(fetcher, url) for url in wanted))


async def _fetch(fetcher: Fetcher, url: str) -> Response | FetchError:
    """The answer, or why there is none; a 5xx is tried again. Bodies are never read
    (`body_types=()`): the status and the final URL are all a check needs."""
    for attempt in range(1, SERVER_ERROR_TRIES + 1):
        try:
            return await fetcher.get(url, body_types=())
        except HTTPStatusError as err:
            if err.status < 500 or attempt == SERVER_ERROR_TRIES:
                return err
            await asyncio.sleep(SERVER_ERROR_PAUSE * attempt)
        except FetchError as err:
            return err
    raise AssertionError("unreachable")
