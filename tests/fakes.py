"""Fake remote services for the loopback server: the arXiv API, conditional feeds,
Hugging Face's papers API and Hacker News search."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, urlsplit

from tests.helpers import DATA

ARXIV = DATA / "arxiv"
API_PATH = "/api/query"
_ENTRY = (ARXIV / "lookup_entry.xml").read_text()
_HEAD = (ARXIV / "lookup_head.xml").read_text()


def query_of(path: str) -> dict[str, str]:
    return {name: values[0] for name, values in parse_qs(urlsplit(path).query).items()}


def send(handler: BaseHTTPRequestHandler, status: int, body: bytes, content_type: str) -> None:
    handler.send_response(status)
    handler.send_header("Content-Type", content_type)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


@dataclass
class FakeArxiv:
    """Answers id_list lookups for the ids it knows, the way export.arxiv.org does (a
    malformed id fails the whole batch with HTTP 400; under load a page may hold fewer
    entries than asked, `page_cap`), and search queries with `search`."""

    known: set[str] = field(default_factory=set)
    search: bytes = b""
    page_cap: int | None = None
    titles: dict[str, str] = field(default_factory=dict)
    id_lists: list[list[str]] = field(default_factory=list)
    searches: list[str] = field(default_factory=list)

    def __call__(self, handler: BaseHTTPRequestHandler) -> None:
        query = query_of(handler.path)
        if query.get("search_query"):
            self.searches.append(query["search_query"])
            send(handler, 200, self.search, "application/atom+xml; charset=utf-8")
            return
        ids = query["id_list"].split(",")
        self.id_lists.append(ids)
        if any(not paper_id[:1].isdigit() and "/" not in paper_id for paper_id in ids):
            send(handler, 400, (ARXIV / "error.xml").read_bytes(), "application/atom+xml")
            return
        start, size = int(query["start"]), int(query["max_results"])
        size = min(size, self.page_cap or size)
        found = [paper_id for paper_id in ids if paper_id in self.known]
        page = found[start : start + size]
        head = _HEAD.format(id_list=",".join(ids), start=start, max_results=size, total=len(found))
        entries = "".join(
            _ENTRY.format(id=paper_id, title=self.titles.get(paper_id, f"Paper {paper_id}"))
            for paper_id in page
        )
        body = (head + entries + "</feed>\n").encode()
        send(handler, 200, body, "application/atom+xml; charset=utf-8")


@dataclass
class ConditionalFeed:
    """A feed that sends validators and answers 304 when the client sends them back."""

    body: bytes
    etag: str = '"v1"'
    last_modified: str = "Wed, 27 Dec 2023 08:00:00 GMT"
    content_type: str = "application/rss+xml; charset=utf-8"

    def __call__(self, handler: BaseHTTPRequestHandler) -> None:
        if handler.headers.get("If-None-Match") == self.etag:
            handler.send_response(304)
            handler.send_header("ETag", self.etag)
            handler.end_headers()
            return
        handler.send_response(200)
        handler.send_header("Content-Type", self.content_type)
        handler.send_header("ETag", self.etag)
        handler.send_header("Last-Modified", self.last_modified)
        handler.send_header("Content-Length", str(len(self.body)))
        handler.end_headers()
        handler.wfile.write(self.body)


def send_json(
    handler: BaseHTTPRequestHandler,
    status: int,
    value: object,
    headers: dict[str, str] | None = None,
) -> None:
    body = json.dumps(value).encode()
    handler.send_response(status)
    handler.send_header("Content-Type", "application/json; charset=utf-8")
    for name, header in (headers or {}).items():
        handler.send_header(name, header)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


HF_DAILY = "/api/daily_papers"
HF_PAPERS = "/api/papers/"


def hf_paper(arxiv_id: str, upvotes: int = 0, **fields: object) -> dict[str, object]:
    """A `paper` object as huggingface.co/api describes one (issue 17's field list)."""
    return {
        "id": arxiv_id,
        "title": f"HF title of {arxiv_id}",
        "summary": f"The abstract of paper {arxiv_id}.",
        "authors": [{"name": f"Author of {arxiv_id}", "hidden": False}],
        "upvotes": upvotes,
        "publishedAt": "2023-12-20T00:00:00.000Z",
        "githubRepo": None,
        "githubStars": None,
        "projectPage": None,
        "ai_summary": None,
        "ai_keywords": [],
        **fields,
    }


def hf_item(arxiv_id: str, upvotes: int = 0, comments: int = 0, **fields: object) -> object:
    """One Daily Papers item: the paper, and the submission's own fields."""
    return {
        "paper": hf_paper(arxiv_id, upvotes, **fields),
        "title": f"HF title of {arxiv_id}",
        "publishedAt": "2023-12-20T00:00:00.000Z",
        "numComments": comments,
        "submittedBy": {"user": "someone"},
        "thumbnail": f"https://cdn-thumbnails.huggingface.co/social-thumbnails/papers/{arxiv_id}.png",
    }


@dataclass
class FakeHuggingFace:
    """huggingface.co/api as its documentation describes it: `daily_papers?date=` a page
    at a time (`p` from 0, `limit` at most 100, default 50), an empty list for a day
    without papers (weekends), `papers/{id}` or a 404; the first `throttled` calls get a
    429 with `Retry-After` and `RateLimit` headers, as anonymous callers past the limit do."""

    days: dict[str, list[object]] = field(default_factory=dict)
    papers: dict[str, dict[str, object]] = field(default_factory=dict)
    throttled: int = 0
    retry_after: str = "1"
    calls: list[str] = field(default_factory=list)

    def __call__(self, handler: BaseHTTPRequestHandler) -> None:
        self.calls.append(handler.path)
        if self.throttled > 0:
            self.throttled -= 1
            headers = {"Retry-After": self.retry_after, "RateLimit": '"api";r=0;t=1'}
            send_json(handler, 429, {"error": "rate limited"}, headers)
            return
        path = urlsplit(handler.path).path
        if path.startswith(HF_PAPERS):
            found = self.papers.get(path.removeprefix(HF_PAPERS))
            if found is None:
                send_json(handler, 404, {"error": "Paper not found"})
            else:
                send_json(handler, 200, found)
            return
        self._daily(handler, query_of(handler.path))

    def _daily(self, handler: BaseHTTPRequestHandler, query: dict[str, str]) -> None:
        page, limit = int(query.get("p", "0")), int(query.get("limit", "50"))
        if not 1 <= limit <= 100 or page < 0 or "date" not in query:
            send_json(handler, 400, {"error": "bad request"})
            return
        items = self.days.get(query["date"], [])
        send_json(handler, 200, items[page * limit : (page + 1) * limit])

    def daily_calls(self, day: str) -> int:
        return sum(1 for path in self.calls if f"date={day}" in path)


HN_SEARCH = "/api/v1/search"
HN_BY_DATE = "/api/v1/search_by_date"


def hn_hit(object_id: int, url: str | None, points: int, comments: int = 0) -> dict[str, object]:
    """A story hit as hn.algolia.com/api/v1 returns one."""
    return {
        "objectID": str(object_id),
        "title": f"Story {object_id}",
        "url": url,
        "author": "someone",
        "points": points,
        "num_comments": comments,
        "created_at_i": 1703500000 + object_id,
        "created_at": "2023-12-25T10:26:40Z",
        "_tags": ["story", f"story_{object_id}", "front_page"],
    }


@dataclass
class FakeHackerNews:
    """hn.algolia.com/api/v1: `search` by URL matches fuzzily (any story on the query's
    host comes back, near misses included), `search_by_date` with `tags=front_page` and
    `numericFilters=created_at_i>T` pages the front page (`page`, `hitsPerPage`, `nbPages`)."""

    stories: list[dict[str, object]] = field(default_factory=list)
    front_page: list[dict[str, object]] = field(default_factory=list)
    calls: list[str] = field(default_factory=list)

    def __call__(self, handler: BaseHTTPRequestHandler) -> None:
        self.calls.append(handler.path)
        query = query_of(handler.path)
        if urlsplit(handler.path).path == HN_SEARCH:
            wanted = urlsplit(query["query"]).hostname
            hits = [
                s for s in self.stories if s["url"] and urlsplit(str(s["url"])).hostname == wanted
            ]
            send_json(handler, 200, {"hits": hits, "nbHits": len(hits), "page": 0, "nbPages": 1})
            return
        since = int(query["numericFilters"].removeprefix("created_at_i>"))
        found = [s for s in self.front_page if int(str(s["created_at_i"])) > since]
        page, size = int(query.get("page", "0")), int(query.get("hitsPerPage", "20"))
        pages = (len(found) + size - 1) // size
        hits = found[page * size : (page + 1) * size]
        send_json(
            handler, 200, {"hits": hits, "nbHits": len(found), "page": page, "nbPages": pages}
        )
