"""The check before publishing: one warning line per thing the author should look at."""

from __future__ import annotations

from collections.abc import Sequence

from curator.compose.draft import Draft, Entry, utc
from curator.compose.stories import same_story_groups
from curator.models import FAILED, PAPER, PENDING, Link
from curator.text import collapse

GROUP_NAMED = 5  # items named in a same-story warning; the rest by id


def check_draft(draft: Draft, links: Sequence[Link]) -> list[str]:
    """Warnings for the author, one line each, in the order the draft shows the items."""
    by_id = {link.id: link for link in links}
    entries = [*draft.featured, *(entry for section in draft.sections for entry in section.entries)]
    warnings: list[str] = []
    for entry in entries:
        warnings += _entry_warnings(entry, by_id.get(entry.link_id), draft)
    warnings += _same_story_warnings(entries)
    warnings += [f'section "{s.name}" is empty' for s in draft.sections if not s.entries]
    return warnings


def _entry_warnings(entry: Entry, link: Link | None, draft: Draft) -> list[str]:
    name = _name(entry)
    warnings = []
    if not entry.title:
        warnings.append(f"{name}: no title")
    if not entry.source and entry.kind != PAPER:  # papers are listed without a source label
        warnings.append(f"{name}: no source")
    if link is None:
        return warnings
    if link.status == FAILED:
        warnings.append(f"{name}: enrichment failed: {collapse(link.error) or 'no reason given'}")
    elif link.status == PENDING:
        warnings.append(f"{name}: not enriched yet")
    seen, since, until = utc(link.first_seen), utc(draft.since), utc(draft.until)
    if not since <= seen <= until:
        warnings.append(
            f"{name}: first seen {seen:%Y-%m-%d}, outside the window "
            f"{since:%Y-%m-%d} to {until:%Y-%m-%d}"
        )
    return warnings


def _same_story_warnings(entries: list[Entry]) -> list[str]:
    """One line per group of items that look like one story (issue 12, item 9)."""
    groups = same_story_groups([e.title for e in entries], [e.url for e in entries])
    return [_group_line([entries[i] for i in group]) for group in groups]


def _group_line(group: list[Entry]) -> str:
    """Up to five items by name; past that, the others by id, ready for `curator skip`."""
    names = [_name(entry) for entry in group[:GROUP_NAMED]]
    rest = [str(entry.link_id) for entry in group[GROUP_NAMED:]]
    if rest:
        names.append(f"{len(rest)} more (links {', '.join(rest)})")
    return f"{', '.join(names[:-1])} and {names[-1]} look like the same story"


def _name(entry: Entry) -> str:
    title = entry.title if len(entry.title) <= 60 else entry.title[:59] + "…"
    return f'link {entry.link_id} "{title}"' if title else f"link {entry.link_id} ({entry.url})"
