"""Fake remote services for the loopback server: the arXiv API and conditional feeds."""

from __future__ import annotations

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
