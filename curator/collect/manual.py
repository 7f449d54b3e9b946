"""Hand-added and imported links -> Candidates: URL lists and browser bookmark exports.

Pure functions over text and bytes: nothing is fetched here, and a line that is not an
http(s) URL is reported back with its number instead of stopping the import.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from typing import Literal

from curator import urls
from curator.collect.markup import Attributes, TagParser
from curator.errors import InvalidURLError
from curator.text import collapse
from curator.values import Candidate, Metadata

SNIFF_BYTES = 65_536
# Whitespace, <?xml ...?>, comments and a DOCTYPE may come before an OPML root element.
_PROLOG = re.compile(rb"(?:\s++|<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>]*>)*+", re.S | re.I)
_OPML_ROOT = re.compile(rb"<opml[\s/>]", re.I)
_BOOKMARK_MARKUP = re.compile(rb"NETSCAPE-Bookmark-file|<dl[\s>]|<a\s[^<>]*\bhref\s*=", re.I)
# A comment after a URL starts at a `#` after whitespace, as in a shell; a `#` inside the
# URL is its fragment (RFC 3986 section 3.5), which may not contain whitespace.
_TRAILING_COMMENT = re.compile(r"\s#.*")


@dataclass(frozen=True)
class BadLine:
    number: int  # 1-based line number
    text: str
    reason: str


def parse_lines(
    text: str, via: str, note: str | None = None
) -> tuple[list[Candidate], list[BadLine]]:
    """One URL (or `arxiv:ID`) a line; blank lines, `#` comment lines and a `#` comment
    after a URL (`https://example.com/a  # from Ana`) are skipped."""
    candidates: list[Candidate] = []
    bad: list[BadLine] = []
    for number, line in enumerate(text.removeprefix("\ufeff").splitlines(), start=1):
        entry = _TRAILING_COMMENT.sub("", line).strip()
        if not entry or entry.startswith("#"):
            continue
        try:
            candidates.append(Candidate(url=urls.parse(entry), via=via, note=note))
        except InvalidURLError as err:
            bad.append(BadLine(number, entry, str(err)))
    return candidates, bad


def parse_bookmarks(data: bytes, via: str) -> tuple[list[Candidate], int]:
    """Links of a browser bookmarks export (Netscape Bookmark File), and how many were dropped.

    Bookmarklets (javascript:), Firefox queries (place:) and local files are dropped.
    """
    # Browsers write these files in UTF-8 and say so in a <META> tag.
    collector = _AnchorCollector()
    collector.feed(data.decode("utf-8", errors="replace"))
    collector.close()
    candidates: list[Candidate] = []
    for href, title in collector.anchors:
        try:
            url = urls.check(href)
        except InvalidURLError:
            continue
        candidates.append(Candidate(url=url, via=via, meta=Metadata(title=title or None)))
    return candidates, len(collector.anchors) - len(candidates)


class _AnchorCollector(TagParser):
    """(href, text) of every <a href>, text whitespace-collapsed."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.anchors: list[tuple[str, str]] = []
        self._href: str | None = None
        self._text: list[str] = []

    def start(self, tag: str, attrs: Attributes) -> None:
        if tag == "a":
            self._finish()
            self._href = dict(attrs).get("href")
            self._text = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "a":
            self._finish()

    def handle_data(self, data: str) -> None:
        if self._href is not None:
            self._text.append(data)

    def close(self) -> None:
        super().close()
        self._finish()

    def _finish(self) -> None:
        if self._href is not None:
            self.anchors.append((self._href.strip(), collapse("".join(self._text))))
        self._href = None


def sniff(data: bytes) -> Literal["opml", "bookmarks", "lines"]:
    """What an imported file is, from its content rather than its name."""
    head = data[:SNIFF_BYTES].removeprefix(codecs.BOM_UTF8)
    prolog = _PROLOG.match(head)
    if _OPML_ROOT.match(head, prolog.end() if prolog else 0):
        return "opml"
    # A URL list starts with a URL or a comment, markup starts with "<".
    if head.lstrip().startswith(b"<") and _BOOKMARK_MARKUP.search(head):
        return "bookmarks"
    return "lines"
