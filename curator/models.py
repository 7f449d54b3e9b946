"""The queue's tables (SQLModel): links, their sightings, merges, channels' fetch state,
published issues and exports.

The plain values stored in them (Candidate, Metadata, the status and decision words) are
curator.values', which loads no database library. Datetimes are aware UTC: curator makes
them so, and the store hands them back so (the model classes themselves accept naive ones).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from curator.values import LINK, PENDING


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
