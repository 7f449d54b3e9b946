"""Selection: which of the window's links go in, in which order, under which section.

Picks, features, pins and skips, what may go in unasked, ranking, caps and the author's
positions.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping, Sequence
from datetime import date, datetime

from curator import urls
from curator.compose.draft import (
    Draft,
    Entry,
    Section,
    llm_summary_of,
    searchable,
    title_of,
    url_of,
    utc,
)
from curator.compose.sections import AI_PAPERS, has_word, section_for, section_names
from curator.compose.summaries import first_sentences, plain_text
from curator.config import DraftConfig
from curator.models import FAILED, FEATURE, PAPER, PICK, PIN, SKIP, Link
from curator.text import collapse

ONLY_CHOSEN = (PICK, FEATURE)  # the draft then holds only what the author asked for
ASKED_FOR = (PICK, FEATURE, PIN)


def eligible(links: Sequence[Link]) -> list[Link]:
    """Links the author's choices may put in: not skipped, not published, with a title."""
    return [
        link for link in links if link.decision != SKIP and link.issue_id is None and title_of(link)
    ]


def is_automatic(link: Link) -> bool:
    """Whether a link may go in without being asked for (issue 14): its last fetch did not
    fail for good, and its title is its own rather than made from its URL (a PDF's)."""
    return not has_failed_for_good(link) and has_own_title(link)


def has_failed_for_good(link: Link) -> bool:
    """Failed with no retry scheduled: a permanent error, or `max_attempts` used up."""
    return link.status == FAILED and link.next_attempt_at is None


def has_own_title(link: Link) -> bool:
    """Papers' titles come from arXiv; a page's title is its own unless enrichment made it
    from the URL (`urls.title_from_url`), as it does for a PDF or a page without a title."""
    if link.kind == PAPER or collapse(link.user_title):
        return True
    return collapse(link.title) != urls.title_from_url(link.url)


def is_chosen_only(links: Sequence[Link]) -> bool:
    """Once the author picked or featured an unpublished link, only chosen links go in."""
    return any(link.decision in ONLY_CHOSEN and link.issue_id is None for link in links)


def plan_draft(
    links: Sequence[Link],
    source_counts: Mapping[int, int],
    config: DraftConfig,
    *,
    number: int,
    publish_date: date,
    since: datetime,
    until: datetime,
) -> Draft:
    """Choose and order the issue's items.

    When the author picked or featured anything, exactly those go in, with the pinned
    ones; otherwise every eligible link that `is_automatic` does, capped per section
    (`max_papers` for AI Papers, `max_links` for every other section), and the pinned
    links on top of the cap. Featured items lead the issue and are not repeated below.
    Within a list, links are ranked by, in turn: more distinct sources that surfaced them,
    more `interests` keywords in title and summary, newer (published, else first seen),
    and lower id, so the order never depends on the order of `links`. An author's
    `position` then puts a link at that 1-based place, the ranked links filling the rest.
    """
    chosen_only = is_chosen_only(links)
    pool = [link for link in eligible(links) if _goes_in(link, chosen_only=chosen_only)]
    ranked = sorted(pool, key=lambda link: _rank(link, source_counts, config))
    featured = _place([link for link in ranked if link.decision == FEATURE], None)
    rest = [link for link in ranked if link.decision != FEATURE]
    return Draft(
        number=number,
        publish_date=publish_date,
        since=since,
        until=until,
        featured=tuple(_entry(link, config, featured=True) for link in featured),
        sections=_sections(rest, config, is_capped=not chosen_only),
    )


def _goes_in(link: Link, *, chosen_only: bool) -> bool:
    if link.decision in ASKED_FOR:
        return True
    return not chosen_only and is_automatic(link)


def _sections(ranked: list[Link], config: DraftConfig, *, is_capped: bool) -> tuple[Section, ...]:
    groups: dict[str, list[Link]] = {}
    for link in ranked:
        groups.setdefault(section_for(link, config), []).append(link)
    sections = []
    for name in section_names(config, groups):
        cap = (config.max_papers if name == AI_PAPERS else config.max_links) if is_capped else None
        placed = _place(groups.get(name, []), cap)
        entries = tuple(_entry(link, config, featured=False) for link in placed)
        sections.append(Section(name, entries))
    return tuple(sections)


def _place(ranked: list[Link], cap: int | None) -> list[Link]:
    """Positioned links claim their 1-based places; ranked ones fill the gaps up to `cap`.

    A positioned or pinned link is never cut by the cap: the author asked for it.
    """
    pinned = deque(sorted((link for link in ranked if link.position is not None), key=_position))
    free = deque(link for link in ranked if link.position is None)
    if cap is not None:
        free = _capped(free, cap - len(pinned))
    placed: list[Link] = []
    while pinned or free:  # deques: popping the head of a list of 2,000 picks is quadratic
        if pinned and (not free or _position(pinned[0]) <= len(placed) + 1):
            placed.append(pinned.popleft())
        else:
            placed.append(free.popleft())
    return placed


def _capped(ranked: deque[Link], room: int) -> deque[Link]:
    """The first `room` links, and every pinned one wherever it ranks (issue 14: "this one
    too" goes in on top of the automatic selection)."""
    kept: deque[Link] = deque()
    for link in ranked:
        if link.decision == PIN:
            kept.append(link)
        elif room > 0:
            kept.append(link)
            room -= 1
    return kept


def _rank(
    link: Link, source_counts: Mapping[int, int], config: DraftConfig
) -> tuple[int, int, float, int]:
    link_id = link.id or 0
    text = searchable(link)
    hits = sum(1 for word in config.interests if has_word(word, text))
    newest = utc(link.published or link.first_seen).timestamp()
    return (-source_counts.get(link_id, 0), -hits, -newest, link_id)


def _position(link: Link) -> int:
    return link.position or 0


def _entry(link: Link, config: DraftConfig, *, featured: bool) -> Entry:
    url = url_of(link)
    source = (
        collapse(link.source) or collapse(link.site_name) or ("Tweet" if urls.is_tweet(url) else "")
    )
    llm_summary = llm_summary_of(link, config)
    return Entry(
        link_id=link.id or 0,
        title=title_of(link),
        url=url,
        kind=link.kind,
        source=source,
        summary=collapse(link.user_summary) or llm_summary or _summary(link, featured=featured),
        own_summary=collapse(link.user_summary),
        code_url=link.code_url,
        decision=link.decision,
        image=_image(link),
        llm_summary=llm_summary,
    )


def _image(link: Link) -> str | None:
    """The author's image (`edit --image`); `edit --no-image` leaves "" and shows none."""
    if link.user_image is not None:
        return link.user_image or None
    return link.image


def _summary(link: Link, *, featured: bool) -> str:
    """A featured item keeps its whole abstract; a listed paper gets one or two sentences."""
    text = link.summary or ""
    if link.kind != PAPER:
        return collapse(text)
    return plain_text(text) if featured else first_sentences(text)
