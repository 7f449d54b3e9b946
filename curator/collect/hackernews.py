"""Hacker News through Algolia's HN Search API -> values: stories by URL, front pages.

`GET {api}/search?query=URL&restrictSearchableAttributes=url&tags=story` finds stories by
URL, fuzzily, so a story counts only when its URL has the link's canonical key;
`GET {api}/search_by_date?tags=front_page&numericFilters=created_at_i>T&page=N` lists
front-page stories. Hits hold `objectID`, `title`, `url`, `points`, `num_comments`,
`created_at_i`; the answer's `nbPages` says how many pages there are. This module builds
the URLs and reads the JSON bytes; the pipeline fetches. Imports no store or pipeline.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from curator import urls
from curator.errors import ContentError, InvalidURLError
from curator.values import Candidate, Metadata, Signals

THREAD_URL = "https://news.ycombinator.com/item?id="
VIA = "Hacker News"
PAGE_SIZE = 100


@dataclass(frozen=True)
class Story:
    object_id: str
    title: str
    url: str | None  # None for Ask HN and other text posts
    points: int
    comments: int
    created: datetime

    @property
    def thread(self) -> str:
        return THREAD_URL + self.object_id

    def signals(self, checked: datetime) -> Signals:
        return Signals(
            hn_points=self.points,
            hn_comments=self.comments,
            hn_url=self.thread,
            hn_checked=checked.astimezone(UTC).isoformat(),
        )


@dataclass(frozen=True)
class HitsPage:
    stories: list[Story]
    pages: int  # `nbPages`: how many pages the search has
    skipped: int  # malformed hits left out


def search_url(api_url: str, url: str) -> str:
    query = urlencode({"query": url, "restrictSearchableAttributes": "url", "tags": "story"})
    return f"{api_url.rstrip('/')}/search?{query}"


def front_page_url(api_url: str, since: datetime, page: int) -> str:
    query = urlencode(
        {
            "tags": "front_page",
            "numericFilters": f"created_at_i>{int(since.timestamp())}",
            "page": page,
            "hitsPerPage": PAGE_SIZE,
        }
    )
    return f"{api_url.rstrip('/')}/search_by_date?{query}"


def parse_hits(body: bytes, url: str) -> HitsPage:
    try:
        found = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ContentError(url, "not JSON") from None
    hits = found.get("hits") if isinstance(found, dict) else None
    if not isinstance(hits, list):
        raise ContentError(url, "not an HN Search answer")
    stories = [_story(hit) for hit in hits]
    kept = [story for story in stories if story is not None]
    pages = found.get("nbPages")
    return HitsPage(kept, pages if isinstance(pages, int) else 1, len(hits) - len(kept))


def best_match(stories: list[Story], key: str) -> Story | None:
    """The most-voted story whose URL has `key`: the search also returns near misses."""
    matching = [s for s in stories if s.url and _key(s.url) == key]
    return max(matching, key=lambda s: (s.points, s.comments), default=None)


def front_page_candidates(stories: list[Story], min_points: int) -> list[Candidate]:
    """Front-page stories with a link and at least `min_points`, as links to queue."""
    return [
        Candidate(url=story.url, via=VIA, meta=Metadata(title=story.title, published=story.created))
        for story in stories
        if story.url and story.points >= min_points
    ]


def _key(url: str) -> str | None:
    try:
        return urls.key(url)
    except InvalidURLError:
        return None


def _story(hit: object) -> Story | None:
    if not isinstance(hit, dict):
        return None
    object_id, title, created = hit.get("objectID"), hit.get("title"), hit.get("created_at_i")
    if not (isinstance(object_id, str) and object_id.isdigit() and isinstance(title, str)):
        return None
    if not isinstance(created, int):
        return None
    url = hit.get("url")
    return Story(
        object_id=object_id,
        title=title,
        url=url if isinstance(url, str) and urls.is_http_url(url) else None,
        points=_count(hit.get("points")),
        comments=_count(hit.get("num_comments")),
        created=datetime.fromtimestamp(created, UTC),
    )


def _count(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0
