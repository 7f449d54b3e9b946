"""Hugging Face and Hacker News (issue 17): their lists fetched, links' signals refreshed.

`daily_papers` and `front_page` fetch what a collect run queues (every page of each day,
or of the window's front pages); `refresh_signals` asks each service about the recent
links whose signals are older than a day. Calls go through the shared Fetcher; a 429 or
503 is waited out once its Retry-After allows, and a service that still fails only
leaves signals unknown: they never keep a link from a draft.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from curator import urls
from curator.collect import hackernews, huggingface
from curator.collect.hackernews import Story
from curator.collect.huggingface import HFPaper
from curator.config import Config, HackerNewsConfig, HuggingFaceConfig
from curator.errors import FetchError, HTTPStatusError
from curator.http import Fetcher
from curator.models import Link
from curator.store import Store
from curator.values import PAPER, Candidate, Signals

ACCEPT_JSON = "application/json"
REFRESH = timedelta(days=1)  # signals older than this are asked for again
NOT_ON_HF_REFRESH = timedelta(days=7)  # a paper HF did not know is asked about weekly
# Hugging Face allows 500 anonymous calls per 5 minutes; a run stays below that, and the
# links left over are asked about by the next run.
MAX_LOOKUPS = 400
RETRIES = 3  # after a 429 or 503 whose Retry-After is at most MAX_WAIT seconds
MAX_WAIT = 60.0
MAX_DAILY_PAGES = 40  # 2,000 papers: more than any day has had
MAX_FRONT_PAGES = 20  # pages of HN front-page stories read per run (100 stories each)


@dataclass
class Listing:
    """What a service's list gave a collect run: candidates with their signals."""

    candidates: list[Candidate] = field(default_factory=list)
    signals: dict[str, Signals] = field(default_factory=dict)  # by link key
    skipped: int = 0  # malformed items left out
    calls: int = 0

    @property
    def warning(self) -> str | None:
        return f"{self.skipped} malformed items skipped" if self.skipped else None


@dataclass
class SignalReport:
    checked: int = 0  # links whose signals were asked for
    failed: int = 0  # asked, and the service could not answer
    calls: int = 0


@dataclass
class Calls:
    """Requests made to a service, retries included (issue 17 asks what a run costs)."""

    count: int = 0


async def get_json(fetcher: Fetcher, url: str, calls: Calls) -> bytes:
    """The body at `url`; a 429 or 503 is retried after the Retry-After it names, when
    that is short (the services' documented rate limits), else raised."""
    for attempt in range(RETRIES + 1):
        calls.count += 1
        try:
            return (await fetcher.get(url, {"Accept": ACCEPT_JSON})).body
        except HTTPStatusError as err:
            wait = err.retry_after
            if err.status not in (429, 503) or wait is None or wait > MAX_WAIT:
                raise
            if attempt == RETRIES:
                raise
            await asyncio.sleep(wait)
    raise AssertionError("unreachable")


def days_to_fetch(last: datetime | None, now: datetime, window: int) -> list[date]:
    """The days since the last run's, that one included (it may have grown since), and
    never more than the last `window` days."""
    today = now.astimezone(UTC).date()
    first = today - timedelta(days=window - 1)
    if last is not None:
        first = max(first, last.astimezone(UTC).date())
    return [first + timedelta(days=n) for n in range((today - first).days + 1)]


async def daily_papers(
    hf: HuggingFaceConfig, fetcher: Fetcher, last: datetime | None, now: datetime
) -> Listing:
    """Every page of every day's Daily Papers since `last`; a paper listed on two days
    is queued once, with the most upvotes it was seen with."""
    listing, calls = Listing(), Calls()
    best: dict[str, HFPaper] = {}
    for day in days_to_fetch(last, now, hf.days):
        for page in range(MAX_DAILY_PAGES):
            url = huggingface.daily_url(hf.api_url, day, page)
            found = huggingface.parse_daily(await get_json(fetcher, url, calls), url, now)
            listing.skipped += found.skipped
            for paper in found.papers:
                if _upvotes(paper) >= _upvotes(best.get(paper.arxiv_id)):
                    best[paper.arxiv_id] = paper
            if found.items < huggingface.PAGE_SIZE:
                break
    listing.candidates = huggingface.candidates(list(best.values()), hf.min_upvotes)
    listing.signals = {f"arxiv:{p.arxiv_id}": p.signals for p in best.values()}
    listing.calls = calls.count
    return listing


def _upvotes(paper: HFPaper | None) -> int:
    return -1 if paper is None else paper.signals.hf_upvotes or 0


async def front_page(
    hn: HackerNewsConfig, fetcher: Fetcher, last: datetime | None, now: datetime
) -> Listing:
    """The front-page stories since the last run (at most the window), every page."""
    since = now - timedelta(days=hn.days)
    if last is not None:
        since = max(since, last)
    listing, calls = Listing(), Calls()
    stories: list[Story] = []
    pages = 1
    page = 0
    while page < min(pages, MAX_FRONT_PAGES):
        url = hackernews.front_page_url(hn.api_url, since, page)
        found = hackernews.parse_hits(await get_json(fetcher, url, calls), url)
        stories += found.stories
        listing.skipped += found.skipped
        pages, page = found.pages, page + 1
    listing.candidates = hackernews.front_page_candidates(stories, hn.min_points)
    listing.signals = {
        urls.key(c.url): _signals_of(stories, c.url, now) for c in listing.candidates
    }
    listing.calls = calls.count
    return listing


def _signals_of(stories: list[Story], url: str, now: datetime) -> Signals:
    story = hackernews.best_match(stories, urls.key(url))
    return story.signals(now) if story else Signals(hn_checked=now.isoformat())


def refresh_signals(config: Config, store: Store, now: datetime) -> SignalReport:
    """Ask Hugging Face about recent papers, and Hacker News about recent links, whose
    signals are older than a day, as `[huggingface] lookup` and `[hackernews] lookup`
    say; at most MAX_LOOKUPS of each per run."""
    hf, hn = config.huggingface, config.hackernews
    report = SignalReport()
    if not (hf.lookup or hn.lookup):
        return report
    recent = store.signal_candidates(now - timedelta(days=max(hf.days, hn.days) + 1))
    papers = [link for link in recent if hf.lookup and _is_hf_due(link, now)][:MAX_LOOKUPS]
    pages = [link for link in recent if hn.lookup and _is_hn_due(link, now)][:MAX_LOOKUPS]
    if papers or pages:
        found = asyncio.run(_lookups(config, papers, pages, now, report))
        store.save_signals(found)
    return report


def _is_hf_due(link: Link, now: datetime) -> bool:
    if not link.arxiv_id:
        return False
    signals = Signals.of(link.signals)
    wait = NOT_ON_HF_REFRESH if signals.on_hf is False else REFRESH
    return _is_older(signals.hf_checked, now, wait)


def _is_hn_due(link: Link, now: datetime) -> bool:
    return link.kind != PAPER and _is_older(Signals.of(link.signals).hn_checked, now, REFRESH)


def _is_older(checked: str | None, now: datetime, age: timedelta) -> bool:
    return checked is None or datetime.fromisoformat(checked) <= now - age


async def _lookups(
    config: Config,
    papers: Sequence[Link],
    pages: Sequence[Link],
    now: datetime,
    report: SignalReport,
) -> dict[str, Signals]:
    calls = Calls()
    async with Fetcher(config.fetch) as fetcher:
        hf_jobs = [_hf_lookup(fetcher, config.huggingface, link, now, calls) for link in papers]
        hn_jobs = [_hn_lookup(fetcher, config.hackernews, link, now, calls) for link in pages]
        answers = await asyncio.gather(*hf_jobs, *hn_jobs)
    report.checked, report.calls = len(answers), calls.count
    report.failed = sum(1 for _, signals in answers if signals is None)
    return {key: signals for key, signals in answers if signals is not None}


async def _hf_lookup(
    fetcher: Fetcher, hf: HuggingFaceConfig, link: Link, now: datetime, calls: Calls
) -> tuple[str, Signals | None]:
    url = huggingface.paper_url(hf.api_url, link.arxiv_id or "")
    try:
        body = await get_json(fetcher, url, calls)
        return link.key, huggingface.parse_paper(body, url, now).signals
    except HTTPStatusError as err:
        if err.status == 404:  # not on Hugging Face: recorded, asked again in a week
            return link.key, Signals(on_hf=False, hf_checked=now.astimezone(UTC).isoformat())
        return link.key, None
    except FetchError:
        return link.key, None


async def _hn_lookup(
    fetcher: Fetcher, hn: HackerNewsConfig, link: Link, now: datetime, calls: Calls
) -> tuple[str, Signals | None]:
    url = hackernews.search_url(hn.api_url, link.url)
    try:
        found = hackernews.parse_hits(await get_json(fetcher, url, calls), url)
    except FetchError:
        return link.key, None
    story = hackernews.best_match(found.stories, link.key)
    checked = now.astimezone(UTC).isoformat()
    return link.key, story.signals(now) if story else Signals(hn_checked=checked)
