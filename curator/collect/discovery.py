"""Feed autodiscovery: the feed a web page names in `<link rel="alternate" type=... href>`.

What every feed reader does with a site's address (the RSS Advisory Board's RSS
Autodiscovery, and JSON Feed 1.1's "Discovery"): the first RSS, Atom or JSON Feed link in
the page's head, resolved against the page's base URL. It never fetches.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin

from curator import urls
from curator.charsets import decode_page
from curator.collect.markup import Attributes, TagParser
from curator.errors import InvalidURLError

FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/feed+json")
# JSON Feed 1.1: prefer application/feed+json, fall back to application/json if no feed
# uses it (a bare JSON type also names APIs, so it is taken only when nothing else is).
FALLBACK_TYPES = ("application/json",)
# Feed links live in the head; a page's body can be megabytes that need no parsing.
MAX_HEAD = 512 * 1024
_BODY_START = re.compile(rb"<body[\s>]", re.I)
# Before the root element: a BOM, whitespace, processing instructions and comments.
_PROLOG = re.compile(rb"(?:\xef\xbb\xbf|\s++|<\?.*?\?>|<!--.*?-->)*+", re.S)
_PAGE_START = re.compile(rb"<!doctype\s+html|<html[\s>]|<head[\s>]", re.I)


def is_html_page(body: bytes) -> bool:
    """Whether the body is an HTML document rather than a feed (which servers may also
    label text/html): its first markup is an HTML doctype, `<html>` or `<head>`."""
    prolog = _PROLOG.match(body, 0, 4096)
    start = prolog.end() if prolog else 0
    return _PAGE_START.match(body, start) is not None


def feed_link(body: bytes, page_url: str) -> str | None:
    """The URL of the feed the page links to, or None when it names none."""
    head = body[:MAX_HEAD]
    cut = _BODY_START.search(head)
    finder = _FeedLinks(page_url)
    finder.feed(decode_page(head[: cut.start() if cut else len(head)], ""))
    finder.close()
    for types in (FEED_TYPES, FALLBACK_TYPES):
        for media, href in finder.links:
            if media in types:
                return href
    return None


class _FeedLinks(TagParser):
    """Collect (type, absolute href) of alternate links, after a `<base href>` if any."""

    def __init__(self, page_url: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page_url = page_url
        self.base = page_url
        self.links: list[tuple[str, str]] = []

    def start(self, tag: str, attrs: Attributes) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "base" and values.get("href") and self.base == self.page_url:
            self.base = urljoin(self.page_url, values["href"].strip())
        elif tag == "link" and "alternate" in values.get("rel", "").lower().split():
            media = values.get("type", "").split(";")[0].strip().lower()
            href = self._absolute(values.get("href", ""))
            if href is not None and href != self.page_url:
                self.links.append((media, href))

    def _absolute(self, href: str) -> str | None:
        if not href.strip():
            return None
        try:
            return urls.check(urljoin(self.base, href.strip()))
        except (InvalidURLError, ValueError):
            return None
