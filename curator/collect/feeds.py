"""Feed bytes -> Candidates: RSS and Atom through feedparser, JSON Feed through jsonfeed.

Owns the dispatch between the formats and what an RSS/Atom entry becomes: its link
(resolved against the feed URL, http(s) only), plain-text title and summary, a UTC date
and its id; the rules all formats share are in `entries`. It never fetches: it gets the
bytes http.py read, and removes entity declarations before feedparser could expand them.
"""

from __future__ import annotations

import calendar
import codecs
import io
import re
import time
import xml.sax
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import feedparser

from curator import urls
from curator.charsets import HTML_TYPES
from curator.collect.entries import (
    MAX_SUMMARY,
    FeedResult,
    entry_link,
    plain_text,
    plausible_date,
    unique_ids,
)
from curator.collect.jsonfeed import is_json, parse_json_feed
from curator.errors import ContentError
from curator.text import shorten
from curator.values import Candidate, Metadata

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


def parse_feed(
    body: bytes, headers: Mapping[str, str], url: str, via: str, *, now: datetime
) -> FeedResult:
    """Turn a fetched feed into candidates; raise ContentError if it is not a feed at all.

    `headers` are the response headers, `url` the final URL after redirects (the base for
    relative links), `now` the run's time (a date far after it is no date).
    """
    response_headers = {name.lower(): value for name, value in headers.items()}
    if is_json(body, response_headers.get("content-type", "")):
        return parse_json_feed(body, url, via, now=now)
    cleaned, had_entities = _without_entity_declarations(body)
    parsed = _parse(cleaned, response_headers, url)
    if not parsed.get("version") and not parsed.entries:
        raise ContentError(url, f"not a feed ({_why_not_a_feed(body, parsed)})")
    found = (_candidate(entry, url, via, now) for entry in parsed.entries)
    candidates = unique_ids([c for c in found if c is not None])
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


def _parse(body: bytes, response_headers: dict[str, str], url: str) -> Any:
    # Relative links resolve only against a lower-case content-location; without a
    # content-type even a valid feed is marked bozo.
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
    start = len(codecs.BOM_UTF8) if body.startswith(codecs.BOM_UTF8) else 0
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


def _candidate(entry: Any, feed_url: str, via: str, now: datetime) -> Candidate | None:
    link = _link(entry, feed_url)
    if link is None:
        return None
    summary = _text(entry.get("summary_detail"), entry.get("summary"))
    if summary is None and entry.get("content"):
        content = entry["content"][0]
        summary = _text(content, content.get("value"))
    entry_id = entry.get("id")
    return Candidate(
        url=link,
        via=via,
        meta=Metadata(
            title=_text(entry.get("title_detail"), entry.get("title")),
            summary=shorten(summary, MAX_SUMMARY) if summary else None,
            published=plausible_date(_published(entry), now),
        ),
        entry_id=(entry_id.strip() or None) if isinstance(entry_id, str) else None,
    )


def _link(entry: Any, feed_url: str) -> str | None:
    """The entry's first http(s) link: its link, its other links (an Atom entry whose only
    link is typed application/pdf gets its `tag:` id as `link`), or an id that is a URL."""
    alternates = [item.get("href") for item in entry.get("links", []) if item.get("rel") in
                  (None, "alternate")]  # fmt: skip
    others = [item.get("href") for item in entry.get("links", []) if item.get("rel") == "related"]
    guid = entry.get("id") if urls.is_http_url(entry.get("id") or "") else None
    return entry_link((entry.get("link"), *alternates, *others, guid), feed_url)


def _text(detail: Any, value: str | None) -> str | None:
    """Plain text of a feedparser text construct: tags stripped, whitespace collapsed."""
    content_type = (detail or {}).get("type", "text/html")
    return plain_text(value, is_html=content_type in HTML_TYPES)


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
