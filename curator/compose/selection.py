"""Selection: which of the window's links go in, in which order, under which section.

Picks, features, pins and skips, what may go in unasked, the rank score, caps and the
author's positions.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from curator import urls
from curator.compose.draft import (
    Coverage,
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
from curator.models import Link
from curator.text import collapse
from curator.values import FAILED, FEATURE, PAPER, PICK, PIN, SKIP, Signals

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
    Within a list, links are ranked by `score` (highest first), then lower id, so the
    order never depends on the order of `links`. An author's `position` then puts a link
    at that 1-based place, the ranked links filling the rest.
    """
    chosen_only = is_chosen_only(links)
    pool = [link for link in eligible(links) if _goes_in(link, chosen_only=chosen_only)]
    scores = {
        link.id: score(link, source_counts.get(link.id or 0, 0), config, until) for link in pool
    }
    ranked = sorted(pool, key=lambda link: (-scores[link.id].total, link.id or 0))
    featured = _place([link for link in ranked if link.decision == FEATURE], None)
    rest = [link for link in ranked if link.decision != FEATURE]
    sections = _sections(rest, config, is_capped=not chosen_only)
    coverage = join_coverage([*featured, *(link for _, placed in sections for link in placed)])
    joined = {link.id for covering in coverage.values() for link in covering}

    def entries(placed: list[Link], *, is_featured: bool) -> tuple[Entry, ...]:
        return tuple(
            _entry(link, config, coverage, featured=is_featured)
            for link in placed
            if link.id not in joined
        )

    return Draft(
        number=number,
        publish_date=publish_date,
        since=since,
        until=until,
        featured=entries(featured, is_featured=True),
        sections=tuple(
            Section(name, entries(placed, is_featured=False)) for name, placed in sections
        ),
    )


def join_coverage(shown: list[Link]) -> dict[str, list[Link]]:
    """The links that go on the line of the paper they cover (issue 17, item 6), by the
    paper's key: a paper and a link that covers it, both in the draft, unless the author
    asked for both. Joined after the caps, so a link never goes with a paper left out."""
    papers = {link.key: link for link in shown if link.kind == PAPER}
    coverage: dict[str, list[Link]] = {}
    for link in shown:
        paper = papers.get(link.covers or "")
        if paper is not None and not is_asked_pair(paper, link):
            coverage.setdefault(paper.key, []).append(link)
    return coverage


def is_asked_pair(paper: Link, link: Link) -> bool:
    return paper.decision in ASKED_FOR and link.decision in ASKED_FOR


def _goes_in(link: Link, *, chosen_only: bool) -> bool:
    if link.decision in ASKED_FOR:
        return True
    return not chosen_only and is_automatic(link)


def _sections(
    ranked: list[Link], config: DraftConfig, *, is_capped: bool
) -> list[tuple[str, list[Link]]]:
    groups: dict[str, list[Link]] = {}
    for link in ranked:
        groups.setdefault(section_for(link, config), []).append(link)
    sections = []
    for name in section_names(config, groups):
        cap = (config.max_papers if name == AI_PAPERS else config.max_links) if is_capped else None
        sections.append((name, _place(groups.get(name, []), cap)))
    return sections


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


@dataclass(frozen=True)
class Score:
    """A link's rank score and its weighted parts (issue 17); `total` is their sum."""

    sources: float
    hf_upvotes: float
    hn_points: float
    interests: float
    age: float  # negative: older links lose

    @property
    def total(self) -> float:
        return self.sources + self.hf_upvotes + self.hn_points + self.interests + self.age


def score(link: Link, sources: int, config: DraftConfig, until: datetime) -> Score:
    """The rank score, with `[draft.rank]`'s weights:

    1. sources × the number of distinct sources that surfaced the link;
    2. hf_upvotes × log2(1 + its Hugging Face upvotes);
    3. hn_points × log2(1 + its Hacker News points);
    4. interests × the `interests` keywords in its title and summary;
    5. minus age × its age in days at the window's end (published, else first seen).
    Logarithms, so that a paper's 500th upvote weighs less than its 5th.
    """
    weights, signals = config.rank, Signals.of(link.signals)
    text = searchable(link)
    hits = sum(1 for word in config.interests if has_word(word, text))
    age = (utc(until) - utc(link.published or link.first_seen)).total_seconds() / 86400
    return Score(
        sources=weights.sources * sources,
        hf_upvotes=weights.hf_upvotes * math.log2(1 + (signals.hf_upvotes or 0)),
        hn_points=weights.hn_points * math.log2(1 + (signals.hn_points or 0)),
        interests=weights.interests * hits,
        age=-weights.age * age,
    )


def _position(link: Link) -> int:
    return link.position or 0


def _entry(
    link: Link, config: DraftConfig, coverage: Mapping[str, list[Link]], *, featured: bool
) -> Entry:
    url = url_of(link)
    covering = tuple(
        Coverage(other.id or 0, _source(other) or urls.host(url_of(other)), url_of(other))
        for other in coverage.get(link.key, [])
    )
    llm_summary = llm_summary_of(link, config)
    return Entry(
        link_id=link.id or 0,
        title=title_of(link),
        url=url,
        kind=link.kind,
        source=_source(link),
        summary=collapse(link.user_summary)
        or llm_summary
        or _summary(link, config, featured=featured),
        own_summary=collapse(link.user_summary),
        code_url=code_link(link) if config.code_links else None,
        decision=link.decision,
        coverage=covering,
        image=_image(link),
        llm_summary=llm_summary,
    )


def _image(link: Link) -> str | None:
    """The author's image (`edit --image`); `edit --no-image` leaves "" and shows none."""
    if link.user_image is not None:
        return link.user_image or None
    return link.image


def _source(link: Link) -> str:
    url = url_of(link)
    return (
        collapse(link.source) or collapse(link.site_name) or ("Tweet" if urls.is_tweet(url) else "")
    )


def code_link(link: Link) -> str | None:
    """A paper's code: Hugging Face's githubRepo, else the GitHub or GitLab link its
    abstract or comment gives (issue 17, item 4)."""
    if link.kind != PAPER:
        return None
    return Signals.of(link.signals).github_repo or link.code_url


def _summary(link: Link, config: DraftConfig, *, featured: bool) -> str:
    """A featured item keeps its whole abstract; a listed paper gets one or two sentences,
    or with `paper_summary = "hf"` Hugging Face's ai_summary when it has one."""
    text = link.summary or ""
    if link.kind != PAPER:
        return collapse(text)
    ai_summary = Signals.of(link.signals).ai_summary
    if config.paper_summary == "hf" and ai_summary and not featured:
        return collapse(ai_summary)
    return plain_text(text) if featured else first_sentences(text)
