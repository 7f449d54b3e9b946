"""The plain values that cross stage boundaries: candidates, metadata, papers, signals,
and the words the queue stores for kinds, statuses and decisions.

Imports nothing from curator but curator.text, and no database library, so `curator add`
can queue a link without loading one (issue 14, item 10). Every Candidate, Paper and
Metadata cleans its text when it is made, so no title, summary or label from the web
reaches the queue with mojibake or invisible characters.

"Source" has four meanings, with four names in code; columns, config keys, commands and
JSON keys keep the word "source", which users and databases depend on:
- via: what surfaced a link (a feed's or query's name, "manual"): Candidate.via, stored
  in Sighting's `source` column.
- label: what the draft shows after a link ("The Verge", "Tweet"): Metadata.label,
  stored in Link's `source` column, `source` in `list --json`.
- labels: the author's `[sources]` table of labels by host (Config.sources), passed to
  the enrich stage as `labels`.
- channel: a configured feed or arXiv query, as `curator sources` lists them; its fetch
  state is a SourceState row (the table keeps its name).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from curator.text import clean, clean_optional, composed

PAPER = "paper"
LINK = "link"

PENDING = "pending"
DONE = "done"
FAILED = "failed"

PICK = "pick"
SKIP = "skip"
FEATURE = "feature"
PIN = "pin"  # in on top of the automatic selection (issue 14)

ARXIV_LABEL = "arXiv"


@dataclass(frozen=True)
class Paper:
    """One arXiv entry as the API describes it."""

    arxiv_id: str  # versionless
    title: str
    summary: str
    authors: tuple[str, ...]
    published: datetime
    category: str | None = None
    code_url: str | None = None

    def __post_init__(self) -> None:
        _set(
            self,
            title=composed(clean(self.title)),
            summary=composed(clean(self.summary)),
            authors=_names(self.authors),
        )

    def metadata(self) -> Metadata:
        """All enrichment learns about the paper's link: the API's answer is complete, so
        a query result and a lookup by id give the same value. The summary is the whole
        abstract."""
        return Metadata(
            title=self.title,
            summary=self.summary,
            label=ARXIV_LABEL,
            authors=self.authors,
            published=self.published,
            category=self.category,
            code_url=self.code_url,
        )


@dataclass(frozen=True)
class Metadata:
    """What is known about a link: enricher -> pipeline -> store, and collector ->
    pipeline -> store inside a Candidate."""

    title: str | None = None
    summary: str | None = None
    label: str | None = None  # shown after the link in the draft: "The Verge", "Tweet"
    site_name: str | None = None
    published: datetime | None = None
    authors: tuple[str, ...] = ()
    final_url: str | None = None
    category: str | None = None
    code_url: str | None = None
    image: str | None = None  # the page's og:image / twitter:image, absolute http(s)
    note: str | None = None
    title_guessed: bool = False  # made from the URL: a title a feed gave is better
    covers: str | None = None  # `arxiv:ID` of the paper the page links to or names

    def __post_init__(self) -> None:
        _set(
            self,
            title=clean_optional(self.title),
            summary=clean_optional(self.summary),
            label=clean_optional(self.label),
            site_name=clean_optional(self.site_name),
            authors=_names(self.authors),
        )


@dataclass(frozen=True)
class Candidate:
    """A link a collector found: collector -> pipeline -> store.

    `via` names what surfaced it: a feed's or query's name, or "manual". `meta` is what
    the collector read about the link, as the same Metadata value enrichment makes;
    `is_enriched` when that is all enrichment would learn (an arXiv query result), so the
    link is queued as enriched and never looked up.
    """

    url: str
    via: str
    meta: Metadata = field(default_factory=Metadata)
    note: str | None = None  # the author's note on a link added by hand, kept on its sighting
    entry_id: str | None = None  # the feed entry's id, unique within its feed
    is_enriched: bool = False

    def __post_init__(self) -> None:
        _set(self, via=clean(self.via))


SIGNAL_NAMES = (
    "hf_upvotes",
    "hf_comments",
    "github_repo",
    "github_stars",
    "project_page",
    "hn_points",
    "hn_comments",
    "hn_url",
)


@dataclass(frozen=True)
class Signals:
    """What Hugging Face and Hacker News say about a link (issue 17); None is unknown.

    `hf_checked` and `hn_checked` are when each service was last asked (ISO 8601 UTC);
    `on_hf` is False once Hugging Face answered 404 for the paper.
    """

    hf_upvotes: int | None = None
    hf_comments: int | None = None
    github_repo: str | None = None
    github_stars: int | None = None
    project_page: str | None = None
    hn_points: int | None = None
    hn_comments: int | None = None
    hn_url: str | None = None
    ai_summary: str | None = None
    on_hf: bool | None = None
    hf_checked: str | None = None
    hn_checked: str | None = None

    @classmethod
    def of(cls, stored: Mapping[str, Any] | None) -> Signals:
        known = cls.__dataclass_fields__
        return cls(**{k: v for k, v in (stored or {}).items() if k in known})

    def shown(self) -> dict[str, Any]:
        """The `signals` object of `list --json`."""
        return {name: getattr(self, name) for name in SIGNAL_NAMES}

    def stored(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v is not None}

    def merged(self, newer: Signals) -> Signals:
        """These signals with what `newer` knows put over them."""
        return Signals.of({**self.stored(), **newer.stored()})


@dataclass
class AddResult:
    """What store.add did with a batch of candidates."""

    new: int = 0
    known: int = 0
    new_ids: list[int] = field(default_factory=list)


def _set(value: object, **fields: object) -> None:
    """Assign to a frozen dataclass while it is made (the dataclasses docs' __post_init__)."""
    for name, cleaned in fields.items():
        object.__setattr__(value, name, cleaned)


def _names(names: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(name for name in map(clean, names) if name)
