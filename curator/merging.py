"""How what arrives combines with what is queued: the rules the store applies, as values.

A sighting may offer a better URL to show, a link folded into another after a redirect
brings the author's choices along, an arXiv query result completes a paper queued by URL.
Pure functions: imports only curator.values (and the Link table's type, for hints),
never the store or a database.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from curator.values import Candidate, Metadata

if TYPE_CHECKING:
    from curator.models import Link

# Fields the author sets by hand; merging keeps them, enrichment never writes them.
AUTHOR_FIELDS = (
    "decision",
    "section",
    "position",
    "user_title",
    "user_summary",
    "user_url",
    "user_image",
    "issue_id",
)


def shown_url(shown: str, offered: str) -> str:
    """The URL a link shows once a sighting offers `offered` for it (same key): https wins
    over http, since the key ignores the scheme (DESIGN.md, Identity); else it keeps `shown`."""
    if shown.startswith("http:") and offered.startswith("https:"):
        return offered
    return shown


def merged_fields(kept: Link, folded: Link) -> dict[str, Any]:
    """What `kept` takes from `folded` when the two turn out to be one link: each author's
    choice `kept` leaves unset, and the earlier first sighting."""
    taken = {
        name: getattr(folded, name)
        for name in AUTHOR_FIELDS
        if getattr(kept, name) is None and getattr(folded, name) is not None
    }
    return {**taken, "first_seen": min(kept.first_seen, folded.first_seen)}


def query_result(candidate: Candidate) -> Metadata | None:
    """What an arrival from an arXiv query says about its paper: all a lookup would, so a
    paper arriving this way, new or queued by URL and not yet enriched, needs none."""
    return candidate.meta if candidate.is_enriched else None
