"""JSON Feed 1.0 and 1.1 bytes -> Candidates (https://www.jsonfeed.org/version/1.1/).

feedparser 6 reads no JSON Feed, so this small parser does, by the same rules as RSS and
Atom entries (`entries`). It trusts no type: an item that is not an object, a field of the
wrong type, a 10,000-digit number or JSON nested 100,000 deep is skipped or reported in
one line, never a crash.
"""

from __future__ import annotations

import codecs
import json
import math
from datetime import UTC, datetime
from typing import Any

from curator import urls
from curator.collect.entries import (
    MAX_SUMMARY,
    FeedResult,
    entry_link,
    plain_text,
    plausible_date,
    unique_ids,
)
from curator.errors import ContentError
from curator.text import shorten
from curator.values import Candidate, Metadata

JSON_TYPES = ("application/feed+json", "application/json")
# The spec's versions are https URLs; some early 1.0 feeds wrote http.
VERSION_PREFIXES = ("https://jsonfeed.org/version/", "http://jsonfeed.org/version/")
MAX_DIGITS = 4000
_LEADING = codecs.BOM_UTF8 + b" \t\r\n"  # bytes of a byte order mark and JSON whitespace


def is_json(body: bytes, content_type: str) -> bool:
    """Whether to read the body as JSON: it starts with `{` or `[`, or it is served as
    JSON and does not start like XML (servers label feeds with any type)."""
    head = body[:256].lstrip(_LEADING)
    if head.startswith((b"{", b"[")):
        return True
    media = content_type.split(";")[0].strip().lower()
    return media in JSON_TYPES and not head.startswith(b"<")


def parse_json_feed(body: bytes, url: str, via: str, *, now: datetime) -> FeedResult:
    """Turn a JSON Feed into candidates; raise ContentError if the body is not one.

    `url` is the final URL of the feed: relative item URLs resolve against it, the URL
    the document was retrieved from (RFC 3986, section 5.1.3).
    """
    feed = _load(body, url)
    items = feed.get("items")
    if not isinstance(items, list):
        raise ContentError(url, "not a feed (a JSON Feed without an items array)")
    objects = [item for item in items if isinstance(item, dict)]
    identified = [(item, _item_id(item.get("id"))) for item in objects]
    found = [_candidate(item, entry_id, url, via, now) for item, entry_id in identified if entry_id]
    candidates = unique_ids([c for c in found if c is not None])
    return FeedResult(
        candidates=candidates,
        dropped=len(found) - len(candidates),
        warning=_skipped(len(items) - len(objects), len(objects) - len(found)),
        title=plain_text(_string(feed.get("title")), is_html=False),
    )


def _load(body: bytes, url: str) -> dict[str, Any]:
    # RFC 8259 section 8.1: JSON is UTF-8; a stray invalid byte costs one character only.
    text = body.lstrip(_LEADING).decode("utf-8", errors="replace")
    if not text:
        raise ContentError(url, "not a feed (empty body)")
    try:
        feed = json.loads(text, parse_int=_integer)
    except RecursionError:
        raise ContentError(url, "not a feed (JSON nested too deeply)") from None
    except ValueError as err:
        raise ContentError(url, f"not a feed (invalid JSON: {str(err)[:200]})") from None
    if not isinstance(feed, dict) or not _is_version(feed.get("version")):
        raise ContentError(url, "not a feed (JSON, but not a JSON Feed)")
    return feed


def _integer(digits: str) -> int | float:
    """A JSON integer; one longer than Python converts (4,300 digits) reads as infinity, so
    one hostile number costs its item (an id that is no id), not the whole feed."""
    return int(digits) if len(digits) <= MAX_DIGITS else math.inf


def _candidate(
    item: dict[str, Any], entry_id: str, feed_url: str, via: str, now: datetime
) -> Candidate | None:
    """An item's candidate, or None when it names no usable link.

    The link is `external_url` when there is one, else `url`, else an `id` that is a URL.
    The spec's `url` is the permalink of the item; `external_url` is "the thing you're
    talking about" in a link post, and the spec lets readers prefer it. A roundup wants
    the thing itself: one link per thing, whichever feed pointed at it, as a linkblog's
    RSS feed puts the same external URL in `<link>`.
    """
    id_link = entry_id if urls.is_http_url(entry_id) else None
    links = (_string(item.get("external_url")), _string(item.get("url")), id_link)
    link = entry_link(links, feed_url)
    if link is None:
        return None
    summary = _summary(item)
    return Candidate(
        url=link,
        via=via,
        meta=Metadata(
            title=plain_text(_string(item.get("title")), is_html=False),
            summary=shorten(summary, MAX_SUMMARY) if summary else None,
            published=plausible_date(
                _date(item, "date_published") or _date(item, "date_modified"), now
            ),
        ),
        entry_id=entry_id,
    )


def _item_id(value: object) -> str | None:
    """The item's id as a string. The spec: an item without an id must be discarded, and
    an id given as a number is coerced to a string (JSON Feed 1.0 allowed numbers)."""
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float) and math.isfinite(value):
        return str(int(value)) if value.is_integer() else str(value)
    return None


def _summary(item: dict[str, Any]) -> str | None:
    """`summary` is plain text by the spec, `content_text` too; `content_html` is the only
    place HTML is allowed."""
    return (
        plain_text(_string(item.get("summary")), is_html=False)
        or plain_text(_string(item.get("content_text")), is_html=False)
        or plain_text(_string(item.get("content_html")), is_html=True)
    )


def _date(item: dict[str, Any], name: str) -> datetime | None:
    """An RFC 3339 date in UTC; one without an offset is taken as UTC, a bad one is None."""
    value = _string(item.get(name))
    if value is None or len(value) > 64:
        return None
    try:
        # RFC 3339 section 5.6 allows a lower-case "t" and "z", which fromisoformat refuses.
        when = datetime.fromisoformat(value.strip().upper())
        return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)
    except (ValueError, OverflowError):
        return None


def _is_version(value: object) -> bool:
    return isinstance(value, str) and value.startswith(VERSION_PREFIXES)


def _string(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _skipped(not_objects: int, without_id: int) -> str | None:
    parts = [f"{not_objects} items not objects"] if not_objects else []
    if without_id:
        parts.append(f"{without_id} items without an id")
    return f"skipped {', '.join(parts)}" if parts else None
