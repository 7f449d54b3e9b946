"""`curator import`: OPML feeds into curator.toml; bookmarks and URL lists into the queue.

Its own module because lxml and tomlkit cost start-up time other commands should not pay.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from curator.collect import parse_bookmarks, parse_opml, sniff
from curator.config.write import add_feeds
from curator.pipeline.queue import AddReport, add_candidates, add_text
from curator.store import Store


@dataclass
class ImportReport:
    kind: str  # "opml" | "bookmarks" | "lines"
    links: AddReport = field(default_factory=AddReport)
    feeds_added: int = 0
    feeds_known: int = 0


def import_file(
    store: Store, config_path: Path, data: bytes, *, name: str, now: datetime
) -> ImportReport:
    """OPML feeds go into curator.toml; bookmarks and URL lists go into the queue."""
    kind = sniff(data)
    report = ImportReport(kind)
    if kind == "opml":
        feeds = parse_opml(data)
        added = add_feeds(config_path, feeds)
        report.feeds_added, report.feeds_known = len(added), len(feeds) - len(added)
    elif kind == "bookmarks":
        candidates, dropped = parse_bookmarks(data, name)
        report.links = add_candidates(store, candidates, now)
        report.links.dropped = dropped
    else:
        report.links = add_text(
            store, data.decode("utf-8", "replace"), source=name, note=None, now=now
        )
    return report
