"""The collectors: each turns one kind of source into Candidates, without fetching or storing.

`feeds` parses RSS/Atom bytes and hands JSON Feeds to `jsonfeed` (shared entry rules in
`entries`), `discovery` finds a web page's feed, `arxiv` runs arXiv queries through
arxiv_api, `manual` reads URL lists and bookmark exports; the pipeline orchestrates. Names
are re-exported lazily so that importing `manual` never loads feedparser, arxiv or requests
(tests/test_imports.py).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from curator.collectors.arxiv import collect_query
    from curator.collectors.entries import FeedResult
    from curator.collectors.feeds import parse_feed
    from curator.collectors.manual import BadLine, parse_bookmarks, parse_lines, sniff

_HOMES = {
    "collect_query": "curator.collectors.arxiv",
    "FeedResult": "curator.collectors.entries",
    "parse_feed": "curator.collectors.feeds",
    "BadLine": "curator.collectors.manual",
    "parse_bookmarks": "curator.collectors.manual",
    "parse_lines": "curator.collectors.manual",
    "sniff": "curator.collectors.manual",
}
__all__ = [
    "BadLine",
    "FeedResult",
    "collect_query",
    "parse_bookmarks",
    "parse_feed",
    "parse_lines",
    "sniff",
]


def __getattr__(name: str) -> object:
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(_HOMES[name]), name)
