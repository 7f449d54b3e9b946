"""What every feed format's entry becomes, whatever parsed it (RSS/Atom or JSON Feed).

Owns the rules shared by the parsers: which link an entry names (http(s), with a host,
never the feed's own URL), its plain text, a date that is not in the future, and an entry
id that identifies one entry only. Pure functions on values; no fetching, no store.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from html.parser import HTMLParser
from urllib.parse import urljoin

from curator import urls
from curator.errors import InvalidURLError
from curator.text import collapse
from curator.values import Candidate

MAX_SUMMARY = 1000  # characters of an entry's summary; the rest is cut (text.shorten)
MAX_ENTRY_ID = 2048
# A date this far past the run's `now` is a feed's mistake (9999-12-31, a wrong year), not
# a publication: two days leaves room for time zones and clocks that run fast.
MAX_FUTURE = timedelta(days=2)
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


def entry_link(links: Iterable[str | None], feed_url: str) -> str | None:
    """The first of `links` that is an http(s) URL with a host, resolved against the feed
    URL, and not the feed itself: `<link>https://</link>` (or "#", or "//") resolves to
    the feed's own URL, which is never the entry (issue 12, item 11)."""
    feed_key = urls.canonical(feed_url)
    for link in links:
        if not (link or "").strip():
            continue  # urljoin(base, "") is the base: never the entry's link
        try:
            found = urls.check(urljoin(feed_url, (link or "").strip()))
        except (InvalidURLError, ValueError):
            continue
        if urls.canonical(found) != feed_key:
            return found
    return None


def plausible_date(when: datetime | None, now: datetime) -> datetime | None:
    """The date, unless it lies more than MAX_FUTURE after `now`.

    Such a date becomes None rather than being clamped: a clamped date would still claim
    to be the newest of the week and rank first, while without a date the link ranks by
    when it was first seen, and enrichment may still find the page's own date.
    """
    if when is None or when > now + MAX_FUTURE:
        return None
    return when


def unique_ids(candidates: list[Candidate]) -> list[Candidate]:
    """Keep entry ids that name one entry: an id several entries share (a feed that gives
    every item its home page as guid) or an over-long one identifies nothing."""
    counts = Counter(c.entry_id for c in candidates if c.entry_id is not None)
    return [
        c
        if c.entry_id is None or (counts[c.entry_id] == 1 and len(c.entry_id) <= MAX_ENTRY_ID)
        else replace(c, entry_id=None)
        for c in candidates
    ]


def plain_text(value: str | None, *, is_html: bool) -> str | None:
    """Plain text: tags stripped and entities decoded when `is_html`, whitespace collapsed."""
    if not value:
        return None
    text = html_to_text(value) if is_html else value
    return collapse(text) or None


def html_to_text(markup: str) -> str:
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
