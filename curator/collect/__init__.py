"""The collect stage: channels (feeds, arXiv queries) and hand-added lists -> Candidates.

Contract: takes bytes already fetched (a feed, a bookmarks file, a URL list, OPML) or an
arXiv query and its client, returns Candidate values; never touches the store, the
pipeline or the CLI. `feeds` reads RSS and Atom (JSON Feed in `jsonfeed`, the shared
entry rules in `entries`), `discovery` finds a page's feed, `arxiv` runs the queries,
`manual` reads hand-added lists and bookmark exports, `opml` reads and writes feed lists.

The entry points are imported from here; each loads its module on first use, so that
`curator add` never pays for feedparser or the arxiv package.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from curator.collect.arxiv import collect_query
    from curator.collect.discovery import feed_link, is_html_page
    from curator.collect.entries import FeedResult
    from curator.collect.feeds import parse_feed
    from curator.collect.manual import BadLine, parse_bookmarks, parse_lines, sniff
    from curator.collect.opml import parse_opml, to_opml

_HOMES = {
    "collect_query": "arxiv",
    "feed_link": "discovery",
    "is_html_page": "discovery",
    "FeedResult": "entries",
    "parse_feed": "feeds",
    "BadLine": "manual",
    "parse_bookmarks": "manual",
    "parse_lines": "manual",
    "sniff": "manual",
    "parse_opml": "opml",
    "to_opml": "opml",
}
__all__ = [
    "BadLine",
    "FeedResult",
    "collect_query",
    "feed_link",
    "is_html_page",
    "parse_bookmarks",
    "parse_feed",
    "parse_lines",
    "parse_opml",
    "sniff",
    "to_opml",
]


def __getattr__(name: str) -> object:
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_HOMES[name]}"), name)
