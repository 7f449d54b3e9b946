"""The draft as values: the items the template shows, and how a Link reads in them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from curator.compose.summaries import plain_text
from curator.models import PAPER, Link
from curator.text import collapse


@dataclass(frozen=True)
class Entry:
    """One item as the template shows it; text is plain (the template escapes it)."""

    link_id: int
    title: str
    url: str
    kind: str
    source: str
    summary: str
    code_url: str | None


@dataclass(frozen=True)
class Section:
    name: str
    entries: tuple[Entry, ...]


@dataclass(frozen=True)
class Draft:
    number: int
    publish_date: date
    since: datetime
    until: datetime
    featured: tuple[Entry, ...]
    sections: tuple[Section, ...]  # in order; empty ones kept, the template hides them


def title_of(link: Link) -> str:
    """The author's title as typed, else the enriched one (arXiv titles may hold LaTeX)."""
    title = link.title or ""
    return collapse(link.user_title) or (
        plain_text(title) if link.kind == PAPER else collapse(title)
    )


def url_of(link: Link) -> str:
    return link.user_url or link.url


def searchable(link: Link) -> str:
    """The words sections and interests match: title and summary, the author's first."""
    return f"{title_of(link)} {collapse(link.user_summary) or collapse(link.summary)}"


def utc(moment: datetime) -> datetime:
    """SQLite hands datetimes back naive; the store writes them in UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
