"""Feed bytes -> Candidates, through feedparser (LIBRARIES.md section 3).

Owns what a feed entry becomes: its link (resolved against the feed URL, http(s) only),
plain-text title and summary, and a UTC date. It never fetches: it gets the bytes http.py
read, and removes entity declarations before feedparser could expand them.
"""

from __future__ import annotations

import calendar
import io
import re
import time
import xml.sax
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin

import feedparser

from curator import urls
from curator.errors import ContentError, InvalidURLError
from curator.models import Candidate

MAX_SUMMARY = 1000
HTML_TYPES = ("text/html", "application/xhtml+xml")

# Before the root element: whitespace, processing instructions (<?xml ...?>) and comments.
_PROLOG_MISC = re.compile(rb"(?:\s++|<\?.*?\?>|<!--.*?-->)*+", re.S)
# A DOCTYPE with an optional internal subset, whose quoted strings may hold "]" or ">".
# Possessive loops (*+) keep it linear on hostile input; a comment holding a quote can
# end the match early, which the second step of _strip_doctype covers.
_DOCTYPE = re.compile(
    rb"""<!DOCTYPE(?:[^\[>"']|"[^"]*"|'[^']*')*+(?:\[(?:[^\]"']|"[^"]*"|'[^']*')*+\]\s*)?>""",
    re.S,
)
_FEEDPARSER_HEAD_END = re.compile(rb"<\w")
_UTF8_BOM = b"\xef\xbb\xbf"
# (leading bytes, BOM length, codec): XML's autodetection table, XML 1.0 appendix F.1.
_WIDE_ENCODINGS = (
    (b"\x00\x00\xfe\xff", 4, "utf-32-be"),
    (b"\xff\xfe\x00\x00", 4, "utf-32-le"),
    (b"\xfe\xff", 2, "utf-16-be"),
    (b"\xff\xfe", 2, "utf-16-le"),
    (b"\x00\x00\x00<", 0, "utf-32-be"),
    (b"<\x00\x00\x00", 0, "utf-32-le"),
    (b"\x00<", 0, "utf-16-be"),
    (b"<\x00", 0, "utf-16-le"),
)
# Tags after which text continues as a new block, so "<p>a</p><p>b</p>" reads "a b".
_BLOCK_TAGS = frozenset(
    "address article aside blockquote br dd div dl dt figcaption figure footer h1 h2 h3 h4 "
    "h5 h6 header hr li main nav ol p pre section table td th tr ul".split()
)
_SKIPPED_TAGS = frozenset({"script", "style", "template"})


@dataclass(frozen=True)
class FeedResult:
    candidates: list[Candidate]
    dropped: int  # entries without a usable http(s) link
    warning: str | None  # the feed parsed, but something was wrong with it
    title: str | None  # the feed's own title


def parse_feed(body: bytes, headers: Mapping[str, str], url: str, source: str) -> FeedResult:
    """Turn a fetched feed into candidates; raise ContentError if it is not a feed at all.

    `headers` are the response headers, `url` the final URL after redirects (the base for
    relative links).
    """
    cleaned, had_entities = _without_entity_declarations(body)
    parsed = _parse(cleaned, headers, url)
    if not parsed.get("version") and not parsed.entries:
        raise ContentError(url, f"not a feed ({_why_not_a_feed(body, parsed)})")
    candidates: list[Candidate] = []
    for entry in parsed.entries:
        candidate = _candidate(entry, url, source)
        if candidate is not None:
            candidates.append(candidate)
    warnings = ["entity declarations removed"] if had_entities else []
    problem = _problem(parsed)
    if problem:
        warnings.append(problem)
    return FeedResult(
        candidates=candidates,
        dropped=len(parsed.entries) - len(candidates),
        warning="; ".join(warnings) or None,
        title=_text(parsed.feed.get("title_detail"), parsed.feed.get("title")),
    )


def _parse(body: bytes, headers: Mapping[str, str], url: str) -> Any:
    response_headers = {name.lower(): value for name, value in headers.items()}
    # Relative links resolve only against a lower-case content-location; without a
    # content-type even a valid feed is marked bozo (LIBRARIES.md section 3).
    response_headers.setdefault("content-location", url)
    response_headers.setdefault("content-type", "application/xml")
    # A file object, not bytes: feedparser tries open() on bytes first, so a body that
    # reads like a path ("/etc/passwd", "/dev/zero") would be read from the local disk.
    return feedparser.parse(io.BytesIO(body), response_headers=response_headers)


def _without_entity_declarations(body: bytes) -> tuple[bytes, bool]:
    """Remove entity declarations before the root element; say whether there were any.

    feedparser's own DOCTYPE filter keeps "safe" text entities and expands them without
    limit in its loose parser (100 kB x 2,000 references took 12 s and 600 MB), and a
    comment before the DOCTYPE hides the declarations from that filter, so expat expands
    a billion laughs up to its amplification limit (4 s, 50 MB).
    """
    for signature, bom, codec in _WIDE_ENCODINGS:
        if body.startswith(signature):
            text = body[bom:].decode(codec, errors="replace").encode()
            cleaned, changed = _strip_doctype(text)
            return (body[:bom] + cleaned.decode().encode(codec), True) if changed else (body, False)
    return _strip_doctype(body)


def _strip_doctype(body: bytes) -> tuple[bytes, bool]:
    if b"<!ENTITY" not in body:
        return body, False
    original = body
    pos = _prolog_end(body)
    if body.startswith(b"<!DOCTYPE", pos):
        end = _doctype_end(body, pos)
        if b"<!ENTITY" in body[pos:end]:
            body = body[:pos] + body[end:]
    # feedparser's filter collects declarations from everything before the first "<" and
    # a word character, even where the XML parser would stop at a broken prolog.
    root = _FEEDPARSER_HEAD_END.search(body)
    head_end = root.start() if root else len(body)
    body = body[:head_end].replace(b"<!ENTITY", b"") + body[head_end:]
    return body, body != original


def _prolog_end(body: bytes) -> int:
    start = len(_UTF8_BOM) if body.startswith(_UTF8_BOM) else 0
    misc = _PROLOG_MISC.match(body, start)
    return misc.end() if misc else start


def _doctype_end(body: bytes, pos: int) -> int:
    doctype = _DOCTYPE.match(body, pos)
    if doctype:
        return doctype.end()
    # Unterminated or unbalanced: no XML parser accepts it, so cut to the likely root.
    root = _FEEDPARSER_HEAD_END.search(body, pos)
    return root.start() if root else len(body)


def _why_not_a_feed(body: bytes, parsed: Any) -> str:
    head = body[:1024].lstrip().lower()
    if not head:
        return "empty body"
    if head.startswith((b"{", b"[")):
        return "JSON, and JSON Feed is not supported"
    if b"<html" in head or head.startswith(b"<!doctype html"):
        return "an HTML page"
    error = parsed.get("bozo_exception")
    if isinstance(error, xml.sax.SAXException):
        return _describe(error)
    return "no RSS or Atom root element"


def _problem(parsed: Any) -> str | None:
    error = parsed.get("bozo_exception")
    # feedparser flags any non-XML content type although the entries parse; servers often
    # send feeds as text/html or text/plain and the user cannot change that.
    if not parsed.get("bozo") or isinstance(error, feedparser.NonXMLContentType):
        return None
    if isinstance(error, xml.sax.SAXException):
        recovered = ", entries recovered" if parsed.entries else ""
        return f"broken XML{recovered}: {_describe(error)}"
    return _describe(error)


def _describe(error: Exception) -> str:
    if isinstance(error, xml.sax.SAXParseException):
        return f"{error.getMessage()} at line {error.getLineNumber()}"
    return str(error)[:200] or type(error).__name__


def _candidate(entry: Any, feed_url: str, source: str) -> Candidate | None:
    link = _link(entry, feed_url)
    if link is None:
        return None
    summary = _text(entry.get("summary_detail"), entry.get("summary"))
    if summary is None and entry.get("content"):
        content = entry["content"][0]
        summary = _text(content, content.get("value"))
    return Candidate(
        url=link,
        source=source,
        title=_text(entry.get("title_detail"), entry.get("title")),
        summary=_shorten(summary, MAX_SUMMARY) if summary else None,
        published=_published(entry),
    )


def _link(entry: Any, feed_url: str) -> str | None:
    """The entry's first http(s) link: its link, its other links (an Atom entry whose only
    link is typed application/pdf gets its `tag:` id as `link`), or an id that is a URL."""
    alternates = [item.get("href") for item in entry.get("links", []) if item.get("rel") in
                  (None, "alternate")]  # fmt: skip
    others = [item.get("href") for item in entry.get("links", []) if item.get("rel") == "related"]
    guid = entry.get("id") if urls.is_http_url(entry.get("id") or "") else None
    for link in (entry.get("link"), *alternates, *others, guid):
        if not (link or "").strip():
            continue  # urljoin(base, "") is the base: never the entry's link
        try:
            return urls.check(urljoin(feed_url, link.strip()))
        except (InvalidURLError, ValueError):
            continue
    return None


def _text(detail: Any, value: str | None) -> str | None:
    """Plain text of a feedparser text construct: tags stripped, whitespace collapsed."""
    if not value:
        return None
    content_type = (detail or {}).get("type", "text/html")
    text = _html_to_text(value) if content_type in HTML_TYPES else value
    return " ".join(text.split()) or None


def _html_to_text(markup: str) -> str:
    extractor = _TextExtractor()
    extractor.feed(markup)
    extractor.close()
    return "".join(extractor.parts)


class _TextExtractor(HTMLParser):
    """Collect an HTML fragment's text, entities decoded (convert_charrefs)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED_TAGS:
            self._skipping += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED_TAGS:
            self._skipping = max(0, self._skipping - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)


def _shorten(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit // 2 else cut).rstrip(" ,;:") + "…"


def _published(entry: Any) -> datetime | None:
    parsed: time.struct_time | None = entry.get("published_parsed")
    # `in` first: a plain get() of a missing updated_parsed warns (feedparser issue 310).
    if not parsed and "updated_parsed" in entry:
        parsed = entry["updated_parsed"]
    if not parsed:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(parsed), UTC)
    except (OverflowError, ValueError, OSError):
        return None
