"""The check before publishing: one warning line per thing the author should look at, and
the items that keep a draft from being published (issue 14: nothing silently dropped)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, time

from curator.compose.draft import Draft, Entry, utc
from curator.compose.stories import same_story_groups
from curator.models import Link
from curator.text import collapse
from curator.values import FAILED, FEATURE, PAPER, PENDING, PICK, PIN

GROUP_NAMED = 5  # items named in a same-story warning; the rest by id
ASKED = {PICK: "picked", FEATURE: "featured", PIN: "pinned"}


def check_draft(draft: Draft, links: Sequence[Link]) -> list[str]:
    """Warnings for the author, one line each, in the order the draft shows the items."""
    by_id = {link.id: link for link in links}
    entries = _entries(draft)
    warnings: list[str] = []
    for entry in entries:
        warnings += _entry_warnings(entry, by_id.get(entry.link_id), draft)
    warnings += _left_out_warnings(entries, links)
    warnings += _same_story_warnings(entries)
    warnings += _coverage_warnings(entries, links)
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
    state = _enrichment(link)
    if state:
        warnings.append(f"{name}: {state}")
    outside = _outside_window(utc(link.first_seen), utc(draft.since), utc(draft.until))
    if outside:
        warnings.append(f"{name}: {outside}")
    return warnings


def unready(draft: Draft, links: Sequence[Link]) -> list[str]:
    """The draft's items whose link failed or is not enriched yet, named for one line:
    publishing them is refused unless forced (issue 14)."""
    by_id = {link.id: link for link in links}
    found = []
    for entry in _entries(draft):
        link = by_id.get(entry.link_id)
        if link is not None and link.status in (FAILED, PENDING):
            state = "failed" if link.status == FAILED else "not enriched yet"
            found.append(f"{_name(entry)} ({state})")
    return found


def _entries(draft: Draft) -> list[Entry]:
    return [*draft.featured, *(entry for section in draft.sections for entry in section.entries)]


def _left_out_warnings(entries: list[Entry], links: Sequence[Link]) -> list[str]:
    """Links the author asked for that the draft could not hold: they have no title."""
    shown = {entry.link_id for entry in entries}
    return [
        f"{_link_name(link)}: {ASKED[link.decision]} but left out: no title{_why(link)}; "
        f"give it one with `curator edit {link.id} --title TEXT`"
        for link in links
        if link.decision in ASKED and link.issue_id is None and link.id not in shown
    ]


def _coverage_warnings(entries: list[Entry], links: Sequence[Link]) -> list[str]:
    """Papers and the links that cover them (issue 17, item 6): joined on the paper's
    line, or both shown because the author picked both."""
    by_key = {entry_key: entry for entry_key, entry in _paper_entries(entries, links)}
    lines = [
        f"{_name(entry)} is covered by link {c.link_id} ({c.source}): shown on its line"
        for entry in entries
        for c in entry.coverage
    ]
    shown = {entry.link_id for entry in entries}
    for link in links:
        paper = by_key.get(link.covers or "")
        if paper is not None and link.id in shown:
            lines.append(f"{_link_name(link)} covers {_name(paper)}: both picked, both shown")
    return lines


def _paper_entries(entries: list[Entry], links: Sequence[Link]) -> list[tuple[str, Entry]]:
    keys = {link.id: link.key for link in links if link.kind == PAPER}
    return [(keys[e.link_id], e) for e in entries if e.link_id in keys]


def _why(link: Link) -> str:
    state = _enrichment(link)
    return f" ({state})" if state else ""


def _enrichment(link: Link) -> str:
    """What is wrong with the link's enrichment, "" when nothing is."""
    if link.status == PENDING:
        return "not enriched yet"
    if link.status == FAILED:
        return f"enrichment failed: {collapse(link.error) or 'no reason given'}"
    return ""


def _outside_window(seen: datetime, since: datetime, until: datetime) -> str:
    """Days alone when the window is whole days; otherwise times too, so that a link seen
    on the window's only day but before it began reads as such."""
    if since <= seen <= until:
        return ""
    is_whole_days = since.time() == time.min and until.time() >= time(23, 59, 59)
    shape = "%Y-%m-%d" if is_whole_days else "%Y-%m-%d %H:%M:%S UTC"
    where = "before" if seen < since else "after"
    return (
        f"first seen {seen.strftime(shape)}, {where} the window "
        f"({since.strftime(shape)} to {until.strftime(shape)})"
    )


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


def _link_name(link: Link) -> str:
    title = collapse(link.user_title) or collapse(link.title)
    return f'link {link.id} "{title}"' if title else f"link {link.id} ({link.url})"
