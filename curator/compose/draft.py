"""The draft as values: the items the template shows, and how a Link reads in them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from curator.compose.summaries import plain_text
from curator.config import DraftConfig
from curator.models import Link
from curator.text import collapse
from curator.values import PAPER, Signals


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
    own_summary: str = ""  # the author's words (`edit --summary`), "" when none
    decision: str | None = None  # pick, feature, pin, or None when chosen automatically
    image: str | None = None  # the featured picture: the author's, else the page's
    llm_summary: str = ""  # the LLM's, when [draft] summary = "llm" (issue 20); else ""
    coverage: tuple[Coverage, ...] = ()  # a paper's: the links that cover it (issue 17)


@dataclass(frozen=True)
class Coverage:
    """A link shown on the line of the paper it covers, instead of on a line of its own."""

    link_id: int
    source: str
    url: str


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


@dataclass(frozen=True)
class Placed:
    """An item where the draft shows it: `list --draft` prints these, `publish` records them."""

    section: str
    position: int  # 1-based, as the draft numbers it
    entry: Entry


FEATURED = "Featured"


def placed(draft: Draft) -> list[Placed]:
    """Every item in draft order: the featured ones first, then section by section."""
    items = [Placed(FEATURED, i, entry) for i, entry in enumerate(draft.featured, 1)]
    for section in draft.sections:
        items += [Placed(section.name, i, entry) for i, entry in enumerate(section.entries, 1)]
    return items


def title_of(link: Link) -> str:
    """The author's title as typed, else the enriched one (arXiv titles may hold LaTeX)."""
    title = link.title or ""
    return collapse(link.user_title) or (
        plain_text(title) if link.kind == PAPER else collapse(title)
    )


def url_of(link: Link) -> str:
    return link.user_url or link.url


def llm_summary_of(link: Link, config: DraftConfig) -> str:
    """The cached LLM summary, when the draft uses them (`[draft] summary = "llm"`)."""
    return collapse(link.llm_summary) if config.summary == "llm" else ""


def summary_source(link: Link, config: DraftConfig) -> str | None:
    """Whose words the draft shows for the link (issue 20): the author's always win, then
    the LLM's when the draft uses them, then the abstract or the page's own; None when
    it has no summary."""
    if collapse(link.user_summary):
        return "author"
    if llm_summary_of(link, config):
        return f"llm:{link.llm_model}"
    if link.kind == PAPER and config.paper_summary == "hf" and Signals.of(link.signals).ai_summary:
        return "hf"  # a listed paper's; selection._summary shows it
    if not collapse(link.summary):
        return None
    return "abstract" if link.kind == PAPER else "page"


def searchable(link: Link) -> str:
    """The words sections and interests match: title and summary, the author's first."""
    return f"{title_of(link)} {collapse(link.user_summary) or collapse(link.summary)}"


def utc(moment: datetime) -> datetime:
    """A Link made in memory may carry a naive datetime: read it as UTC, as the store
    writes and returns them."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
