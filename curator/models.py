"""The queue's tables (SQLModel) and the plain values that cross stage boundaries.

Imports nothing from curator but curator.text: every Candidate, Paper and Metadata cleans
its text when it is made, so no title, summary or label from the web reaches the queue
with mojibake or invisible characters. Datetimes are aware UTC: curator makes them so,
and the store hands them back so (the model classes themselves accept naive ones).

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

from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

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


class Link(SQLModel, table=True):
    """One thing to read, whatever forms of its URL arrived (one row per `key`)."""

    # An id the author saw in `list` must never name another link later (issue 12): without
    # AUTOINCREMENT, SQLite hands a deleted (merged) row's id to the next insert.
    __table_args__ = {"sqlite_autoincrement": True}
    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(unique=True)  # arxiv:<id>, or the canonical URL
    url: str  # shown in the draft: cleaned, or the final URL after redirects
    canonical_url: str
    kind: str = LINK
    arxiv_id: str | None = None
    title: str | None = None
    summary: str | None = None
    source: str | None = None  # the label shown after it: "The Verge" (Metadata.label)
    site_name: str | None = None
    authors: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    published: datetime | None = None
    category: str | None = None
    code_url: str | None = None
    image: str | None = None  # the page's og:image or twitter:image, absolute http(s)
    note: str | None = None  # what enrichment noticed, e.g. "PDF document"
    first_seen: datetime = Field(index=True)
    status: str = Field(default=PENDING, index=True)
    error: str | None = None
    attempts: int = 0
    next_attempt_at: datetime | None = None
    enriched_at: datetime | None = None
    # The author's decisions; enrichment never writes these.
    decision: str | None = Field(default=None, index=True)
    section: str | None = None
    position: int | None = None
    user_title: str | None = None
    user_summary: str | None = None
    user_url: str | None = None
    user_image: str | None = None  # the author's image; "" shows none (`edit --no-image`)
    issue_id: int | None = Field(default=None, foreign_key="issue.id", index=True)
    # The LLM's summary (issue 20) and what made it: a model id and the hash of its input.
    # A model and hash with no summary record an answer that was rejected.
    llm_summary: str | None = None
    llm_model: str | None = None
    llm_prompt_hash: str | None = None
    # What the field makes of it (issue 17): Signals.stored(), refreshed by enrichment.
    signals: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    covers: str | None = None  # `arxiv:ID` of the paper the page links to or names
    # Who set the decision and the author's fields last (issue 19): `--editor`.
    decided_by: str | None = None
    # A lease on the link while an enrichment run fetches it (issue 19): the run's id,
    # and when the claim lapses if the run dies first.
    claimed_by: str | None = None
    claimed_until: datetime | None = None


class Sighting(SQLModel, table=True):
    """One arrival of a link: via what (`source`: Candidate.via), which original URL (and
    feed entry id), when.

    The original URL and the entry id outlive the link's key: after a redirect moved the
    link, they still say which link a feed's next reading of that entry is.
    """

    __table_args__ = (Index("ix_sighting_source_entry_id", "source", "entry_id"),)
    id: int | None = Field(default=None, primary_key=True)
    link_id: int = Field(foreign_key="link.id", index=True)
    source: str
    url: str = Field(index=True)
    seen_at: datetime
    note: str | None = None
    entry_id: str | None = None  # the feed entry's id (RSS guid, Atom id, JSON Feed id)


class Merged(SQLModel, table=True):
    """A link folded into another after a redirect: its id now answers with `into_id`."""

    link_id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    into_id: int = Field(index=True)
    merged_at: datetime


class SourceState(SQLModel, table=True):
    """Fetch state of a channel (a feed or arXiv query), for conditional GETs and `curator
    sources`."""

    __table_args__ = (UniqueConstraint("kind", "ref"),)
    id: int | None = Field(default=None, primary_key=True)
    kind: str  # "feed" | "arxiv"
    ref: str  # the feed URL or the arXiv query
    name: str
    discovered_url: str | None = None  # the feed a page at `ref` links to (autodiscovery)
    etag: str | None = None
    last_modified: str | None = None
    last_fetched: datetime | None = None
    last_status: str | None = None
    last_error: str | None = None
    failures: int = 0
    # A lease while a collect run fetches the channel, so a concurrent run skips it.
    claimed_by: str | None = None
    claimed_until: datetime | None = None


class Issue(SQLModel, table=True):
    """A published issue of the newsletter."""

    id: int | None = Field(default=None, primary_key=True)
    number: int = Field(unique=True)
    published_at: datetime
    since: datetime
    until: datetime


class IssueItem(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    issue_id: int = Field(foreign_key="issue.id", index=True)
    link_id: int = Field(foreign_key="link.id", index=True)
    section: str
    position: int


class Export(SQLModel, table=True):
    """The remote draft an export of a window made (issue 16, item 4): exporting the same
    window (the same start) to the same service again updates it instead of creating a
    second one."""

    # The window's start names the issue: the default window ends now, so its end moves
    # with every run while the author prepares the same issue.
    __table_args__ = (UniqueConstraint("service", "since"),)
    id: int | None = Field(default=None, primary_key=True)
    service: str  # "buttondown" | "ghost"
    since: datetime
    until: datetime
    remote_id: str
    url: str | None = None
    exported_at: datetime


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
