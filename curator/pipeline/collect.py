"""`curator collect`: every configured feed and arXiv query -> the queue.

Feeds are fetched concurrently through the shared Fetcher, with conditional GETs from the
state kept per feed; a feed URL that answers with a web page is resolved to the feed the
page links to, which the state remembers and the next run fetches directly. arXiv queries
run one at a time on one client and the same Fetcher, so the API's delay holds across
queries and into enrichment. A failing channel (feed or query) is recorded on its state
and reported; the others go on; a run in which every channel failed says so, for cron
(issue 14, item 7). `channel_rows` is what `curator sources` shows: each configured
channel with its state.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING

from curator.collect import collect_query, feed_link, is_html_page, parse_feed
from curator.config import ArxivSource, Config, FeedSource, arxiv_name, feed_name
from curator.errors import ContentError, FetchError, HTTPStatusError, UsageError
from curator.http import ACCEPT_FEED, Fetcher, Response
from curator.models import SourceState
from curator.pipeline import signals
from curator.pipeline.enrich import EnrichReport, RunClock, arxiv_client, enrich, run_id
from curator.pipeline.progress import Interrupted, NoProgress, Progress
from curator.pipeline.signals import Listing
from curator.store import Store
from curator.values import Candidate

if TYPE_CHECKING:
    from curator.arxiv_api import ArxivAPI

FEED = "feed"
ARXIV = "arxiv"
HUGGINGFACE = "huggingface"
HACKERNEWS = "hackernews"
DAILY_PAPERS = "Hugging Face Daily Papers"
FRONT_PAGE = "Hacker News front page"


@dataclass
class ChannelReport:
    """What collecting one channel (a configured feed or arXiv query) gave."""

    name: str
    kind: str  # "feed" | "arxiv" | "huggingface" | "hackernews"
    new: int = 0
    known: int = 0
    not_modified: bool = False
    dropped: int = 0
    error: str | None = None
    warning: str | None = None
    skipped: bool = False  # another run was fetching it (issue 19)


# How long a run's claim on a channel lasts: a concurrent run skips the channel meanwhile;
# a killed run's claim lapses soon.
CHANNEL_LEASE = timedelta(minutes=1)


@dataclass(frozen=True)
class _Channels:
    """The channels a run claims as it fetches them (issue 19), so that two collects at
    once never fetch one feed twice: the second skips it and reports so."""

    store: Store
    clock: RunClock
    run: str = field(default_factory=run_id)

    def claim(self, kind: str, ref: str, name: str) -> SourceState | None:
        moment = self.clock.now()
        return self.store.claim_source(kind, ref, name, self.run, moment, moment + CHANNEL_LEASE)


@dataclass
class CollectReport:
    channels: list[ChannelReport] = field(default_factory=list)
    enrichment: EnrichReport | None = None

    @property
    def new(self) -> int:
        return sum(c.new for c in self.channels)

    @property
    def failed(self) -> list[ChannelReport]:
        return [c for c in self.channels if c.error]

    @property
    def all_failed(self) -> bool:
        """Every channel that ran failed: nothing this run could collect was collected."""
        return bool(self.channels) and len(self.failed) == len(self.channels)


@dataclass(frozen=True)
class ChannelRow:
    """A configured feed or arXiv query and how its last fetch went (`curator sources`)."""

    name: str
    kind: str  # "feed" | "arxiv" | "huggingface" | "hackernews"
    ref: str  # the feed's URL or the query
    discovered_feed: str | None
    last_fetched: datetime | None
    last_status: str | None
    failures: int
    last_error: str | None


def channel_rows(config: Config, store: Store) -> list[ChannelRow]:
    """Every configured source in config order, with the state its last fetch left."""
    states = {(s.kind, s.ref): s for s in store.source_states()}
    configured = [(FEED, feed_name(f), f.url) for f in config.feed]
    configured += [(ARXIV, arxiv_name(q), q.query) for q in config.arxiv]
    configured += [(s.kind, s.name, s.ref) for s in _services(config)]
    rows = []
    for kind, name, ref in configured:
        found = states.get((kind, ref)) or SourceState(kind=kind, ref=ref, name=name)
        rows.append(
            ChannelRow(
                name=name,
                kind=kind,
                ref=ref,
                discovered_feed=found.discovered_url,
                last_fetched=found.last_fetched,
                last_status=found.last_status,
                failures=found.failures,
                last_error=found.last_error,
            )
        )
    return rows


def collect(
    config: Config,
    store: Store,
    now: datetime,
    *,
    only: str | None = None,
    then_enrich: bool = True,
    progress: Progress | None = None,
) -> CollectReport:
    """Fetch the configured channels (or the one named `only`), queue what they list, then
    enrich what is pending unless told not to."""
    feeds, queries = _selected(config, only)
    services = [s for s in _services(config) if only in (None, s.name)]
    progress = progress or NoProgress()
    arxiv = arxiv_client(config.fetch) if queries else None  # one client: the delay holds
    progress.start("Collecting", len(feeds) + len(queries) + len(services))
    try:
        channels = (feeds, queries, services)
        reports = asyncio.run(_collect_all(config, store, now, channels, arxiv, progress))
    except KeyboardInterrupt:
        raise Interrupted(0, store.count_due(now, retry_failed=False)) from None
    finally:
        progress.finish()
    report = CollectReport(reports)
    if then_enrich:
        report.enrichment = enrich(config, store, now, progress=progress, arxiv=arxiv)
    return report


def _selected(
    config: Config, only: str | None
) -> tuple[Sequence[FeedSource], Sequence[ArxivSource]]:
    if only is None:
        return config.feed, config.arxiv
    feeds = [f for f in config.feed if feed_name(f) == only]
    queries = [q for q in config.arxiv if arxiv_name(q) == only]
    services = [s.name for s in _services(config)]
    if not feeds and not queries and only not in services:
        names = [feed_name(f) for f in config.feed] + [arxiv_name(q) for q in config.arxiv]
        names += services
        raise UsageError(f"no source named {only!r}; configured: {', '.join(names) or 'none'}")
    return feeds, queries


async def _collect_all(
    config: Config,
    store: Store,
    now: datetime,
    channels: tuple[Sequence[FeedSource], Sequence[ArxivSource], Sequence[_Service]],
    arxiv: ArxivAPI | None,
    progress: Progress,
) -> list[ChannelReport]:
    feeds, queries, services = channels
    claimed = _Channels(store, RunClock(now))
    async with Fetcher(config.fetch) as fetcher:
        feed_jobs = [_collect_feed(fetcher, claimed, feed, now, progress) for feed in feeds]
        feed_jobs += [_collect_service(fetcher, claimed, s, now, progress) for s in services]
        arxiv_job = _collect_queries(arxiv, fetcher, claimed, queries, now, progress)
        feed_reports, arxiv_reports = await asyncio.gather(asyncio.gather(*feed_jobs), arxiv_job)
    return [*feed_reports, *arxiv_reports]


@dataclass(frozen=True)
class _Service:
    """A service's list as a channel: its state's kind and ref, and how to fetch it."""

    kind: str
    name: str
    ref: str
    fetch: Callable[[Fetcher, datetime | None, datetime], Awaitable[Listing]]


def _services(config: Config) -> list[_Service]:
    """The Hugging Face and Hacker News lists the config turns on, as channels (issue 17)."""
    hf, hn = config.huggingface, config.hackernews
    found: list[_Service] = []
    if hf.daily_papers:
        fetch_hf = partial(signals.daily_papers, hf)
        found.append(_Service(HUGGINGFACE, DAILY_PAPERS, hf.api_url + "/daily_papers", fetch_hf))
    if hn.front_page:
        fetch_hn = partial(signals.front_page, hn)
        found.append(_Service(HACKERNEWS, FRONT_PAGE, hn.api_url + "/search_by_date", fetch_hn))
    return found


async def _collect_service(
    fetcher: Fetcher, channels: _Channels, service: _Service, now: datetime, progress: Progress
) -> ChannelReport:
    """One service's list queued with its signals; the days since its last good run."""
    report = ChannelReport(service.name, service.kind)
    store = channels.store
    state = channels.claim(service.kind, service.ref, service.name)
    if state is None:
        report.skipped = True
        progress.advance()
        return report
    last = state.last_fetched if state.failures == 0 else None
    try:
        listing = await service.fetch(fetcher, last, now)
        _queue(store, listing.candidates, now, report)
        store.save_signals(listing.signals)
        report.warning = listing.warning
    except FetchError as err:
        report.error = err.reason
    _save_state(store, state, report, now)
    progress.advance(failed=report.error is not None)
    return report


async def _collect_feed(
    fetcher: Fetcher, channels: _Channels, feed: FeedSource, now: datetime, progress: Progress
) -> ChannelReport:
    name = feed_name(feed)
    report = ChannelReport(name, FEED)
    store = channels.store
    state = channels.claim(FEED, feed.url, name)
    if state is None:
        report.skipped = True
        progress.advance()
        return report
    try:
        response = await _fetch_feed(fetcher, feed.url, state)
        if response.status == 304:
            report.not_modified = True
        else:
            result = await asyncio.to_thread(
                parse_feed, response.body, response.headers, response.url, name, now=now
            )
            _queue(store, result.candidates, now, report)
            report.dropped, report.warning = result.dropped, result.warning
            _remember_validators(state, response)
    except FetchError as err:
        report.error = err.reason
        if isinstance(err, ContentError):
            _forget_discovered(state)  # the next run asks the page again
    _save_state(store, state, report, now)
    progress.advance(failed=report.error is not None)
    return report


async def _fetch_feed(fetcher: Fetcher, url: str, state: SourceState) -> Response:
    """The feed's answer: from the feed its page linked to, when a run found one, else
    from `url`, resolving a web page there to the feed it links to (autodiscovery)."""
    if state.discovered_url:
        try:
            return await fetcher.get(state.discovered_url, _conditional_headers(state))
        except HTTPStatusError as err:
            if err.transient:
                raise
            _forget_discovered(state)  # moved or gone: the page may link to its new place
    response = await fetcher.get(url, _conditional_headers(state))
    if response.status == 304 or not is_html_page(response.body):
        return response
    found = feed_link(response.body, response.url)
    if found is None:
        raise ContentError(url, "not a feed (an HTML page that links to no feed)")
    state.discovered_url, state.etag, state.last_modified = found, None, None
    return await fetcher.get(found, _conditional_headers(state))


def _forget_discovered(state: SourceState) -> None:
    """Drop the found feed and its validators: they must never reach the page's URL."""
    if state.discovered_url:
        state.discovered_url, state.etag, state.last_modified = None, None, None


async def _collect_queries(
    api: ArxivAPI | None,  # None exactly when there are no queries
    fetcher: Fetcher,
    channels: _Channels,
    queries: Sequence[ArxivSource],
    now: datetime,
    progress: Progress,
) -> list[ChannelReport]:
    reports = []
    store = channels.store
    for query in queries:
        name = arxiv_name(query)
        report = ChannelReport(name, ARXIV)
        reports.append(report)
        state = channels.claim(ARXIV, query.query, name)
        if state is None:
            report.skipped = True
            progress.advance()
            continue
        assert api is not None
        try:
            candidates = await collect_query(api, fetcher, query)
            _queue(store, candidates, now, report)
        except FetchError as err:
            report.error = err.reason
        _save_state(store, state, report, now)
        progress.advance(failed=report.error is not None)
    return reports


def _queue(
    store: Store, candidates: Sequence[Candidate], now: datetime, report: ChannelReport
) -> None:
    result = store.add(candidates, now)
    report.new, report.known = result.new, result.known


def _conditional_headers(state: SourceState) -> dict[str, str]:
    headers = {"Accept": ACCEPT_FEED}
    if state.etag:
        headers["If-None-Match"] = state.etag
    if state.last_modified:
        headers["If-Modified-Since"] = state.last_modified
    return headers


def _remember_validators(state: SourceState, response: Response) -> None:
    state.etag = response.headers.get("etag")
    state.last_modified = response.headers.get("last-modified")


def _save_state(store: Store, state: SourceState, report: ChannelReport, now: datetime) -> None:
    state.name = report.name
    state.last_fetched = now
    state.claimed_by = state.claimed_until = None
    if report.error:
        state.last_status, state.last_error = "failed", report.error
        state.failures += 1
    else:
        state.last_status = "not modified" if report.not_modified else f"{report.new} new"
        if report.warning:
            state.last_status += f"; {report.warning}"
        state.last_error, state.failures = None, 0
    store.save_source_state(state)
