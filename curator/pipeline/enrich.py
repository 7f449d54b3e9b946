"""`curator enrich`: pending and due links -> metadata -> the queue, one commit per link.

Pages are fetched concurrently through the shared Fetcher; extraction (CPU-bound
trafilatura) runs in worker processes (pipeline/extracting.py), so it never stalls
fetching and a page that costs too much fails alone. arXiv papers are looked up in
batches (arxiv_api.BATCH ids) on the same Fetcher. Every result is committed as it lands, so a
killed run loses only the links in flight. Links are claimed a batch at a time with a
lease (issue 19), so several runs on any machines split the queue and never fetch a page
twice; the claims of a killed run lapse after LEASE.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import socket
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from curator import urls
from curator.charsets import HTML_TYPES, SNIFFED_TYPES
from curator.config import Config, FetchConfig
from curator.enrich import (
    Explained,
    Extractors,
    document_metadata,
    explain_document,
    explain_page,
    explain_tweet,
    tweet_metadata,
)
from curator.enrich.labels import clean_site_name
from curator.enrich.titles import SEPARATOR, drop_shared_suffixes
from curator.errors import (
    ContentError,
    FetchError,
    HTTPStatusError,
    UnreachableError,
    UsageError,
)
from curator.http import ACCEPT_HTML, Fetcher
from curator.models import Link
from curator.pipeline.progress import Interrupted, NoProgress, Progress
from curator.store import LinkFilter, Store
from curator.values import PAPER, Metadata

if TYPE_CHECKING:
    from curator.arxiv_api import ArxivAPI
    from curator.pipeline.signals import SignalReport

# Links read from the queue at a time, at most: small beside a queue of 200,000, whose
# first commit must not wait for all of it to load.
BATCH = 1000
# A claim on a batch lasts this long: far beyond a batch's fetches (each bounded by the
# timeout), and short enough that a killed run's links are soon taken up again.
LEASE = timedelta(minutes=10)
# Links claimed at a time, per request slot: enough to keep every slot busy, few enough
# that a second run starting meanwhile finds work left to claim; and never fewer than
# one arXiv lookup takes (arxiv_api.BATCH ids), so claims do not split lookups.
CLAIM_PER_SLOT = 4
CLAIM_AT_LEAST = 100
# Below this many pages, a second worker (with its own import of trafilatura) costs more
# than it saves.
POOL_THRESHOLD = 24
# Transient failures wait RETRY_BASE, then twice that, and so on, up to RETRY_MAX.
RETRY_BASE = timedelta(minutes=10)
RETRY_MAX = timedelta(days=2)
NOT_ON_ARXIV = "not found on arXiv"
# Bodies worth downloading: HTML, and what may be HTML served under a vague type. Other
# types (PDF, images) are kept as documents without downloading them.
READ_TYPES = (*HTML_TYPES, *SNIFFED_TYPES)


@dataclass
class EnrichReport:
    enriched: int = 0
    failed: int = 0  # permanent: kept with the reason, retried only with --retry-failed
    retry_later: int = 0  # transient: retried by a later run after a backoff
    failures: list[tuple[str, str]] = field(default_factory=list)  # (url, reason)
    signals: SignalReport | None = None  # what Hugging Face and Hacker News were asked

    @property
    def done(self) -> int:
        """Links enriched or failed: each claimed link ends as one of them."""
        return self.enriched + self.failed + self.retry_later


def enrich(
    config: Config,
    store: Store,
    now: datetime,
    *,
    retry_failed: bool = False,
    progress: Progress | None = None,
    arxiv: ArxivAPI | None = None,
) -> EnrichReport:
    """Fetch metadata for every pending link and every failed link whose retry is due.

    Links are read BATCH at a time, so memory and the wait for the first commit do not
    grow with the queue (issue 12). Pass the `arxiv` client a collect run already used,
    so its delay holds across both.
    """
    report = EnrichReport()
    free_dead_claims(store)
    claims = _Claims(store, RunClock(now), run_id(), retry_failed)
    total = store.count_due(now, retry_failed=retry_failed, run=claims.run)
    if total:
        _enrich_due(config, store, now, total, claims, progress, arxiv, report)
    from curator.pipeline.signals import refresh_signals  # loads only with the runs

    report.signals = refresh_signals(config, store, now)
    return report


def _enrich_due(
    config: Config,
    store: Store,
    now: datetime,
    total: int,
    claims: _Claims,
    progress: Progress | None,
    arxiv: ArxivAPI | None,
    report: EnrichReport,
) -> None:
    progress = progress or NoProgress()
    progress.start("Enriching", total)
    run = _Run(config, store, now, progress, report, arxiv)
    size = min(BATCH, max(CLAIM_AT_LEAST, config.fetch.concurrency * CLAIM_PER_SLOT))
    try:
        asyncio.run(run.all(claims.batches(size), total))
    except KeyboardInterrupt:
        store.release_claims(claims.run)
        raise Interrupted(
            report.done, store.count_due(now, retry_failed=claims.retry_failed)
        ) from None
    finally:
        progress.finish()


def run_id() -> str:
    """Names a run in the claims it holds: host, process, and a random part."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"


def free_dead_claims(store: Store) -> None:
    """Release the claims of runs on this machine whose process is gone (killed): the
    next run takes their links at once instead of waiting for the lease to lapse. Runs
    elsewhere cannot be asked; their leases lapse."""
    here = socket.gethostname()
    for run in store.claimants():
        host, pid, _ = (run.rsplit(":", 2) + ["", ""])[:3]
        if host == here and pid.isdigit() and not _alive(int(pid)):
            store.release_claims(run)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


@dataclass(frozen=True)
class RunClock:
    """The command's clock advanced by the time the run has taken: a lease must count
    from when it is taken, and the clock is still read once, when the command starts."""

    start: datetime
    started: float = field(default_factory=time.monotonic)

    def now(self) -> datetime:
        return self.start + timedelta(seconds=time.monotonic() - self.started)


@dataclass
class _Claims:
    """The links a run claims, a batch at a time (issue 19)."""

    store: Store
    clock: RunClock
    run: str
    retry_failed: bool

    def batches(self, size: int) -> Iterator[list[Link]]:
        """Due links in id order, each batch claimed when asked for (as the last one
        drains): a link another run finished or holds is not fetched again, and one this
        run failed is not retried within it."""
        after = 0
        while links := self.claim(after, size):
            yield links
            after = links[-1].id or after

    def claim(self, after: int, size: int) -> list[Link]:
        moment = self.clock.now()
        return self.store.claim_due(
            moment,
            self.run,
            moment + LEASE,
            retry_failed=self.retry_failed,
            after_id=after,
            limit=size,
        )


@dataclass
class _Run:
    config: Config
    store: Store
    now: datetime
    progress: Progress
    report: EnrichReport
    arxiv: ArxivAPI | None  # None when no paper is due
    # Pages whose title still has a separator: a suffix other titles of the same host
    # share is the site's name (issue 15, item 3), dropped once the run is done.
    suffixed: dict[int, tuple[Link, Metadata]] = field(default_factory=dict)
    claimed: int = 0  # links claimed so far; those not yet done are still being worked on
    finished: asyncio.Event = field(default_factory=asyncio.Event)  # a link was done

    async def all(self, batches: Iterator[list[Link]], total: int) -> None:
        """Every batch on one Fetcher and one set of extraction workers (forking them
        costs half a second of CPU each: once per run, not once per batch)."""
        with _extractors(total) as pool:
            async with Fetcher(self.config.fetch) as fetcher:
                await self.overlapping(fetcher, pool, batches)
        self.drop_shared_suffixes()

    async def overlapping(
        self, fetcher: Fetcher, pool: Extractors, batches: Iterator[list[Link]]
    ) -> None:
        """The next batch is claimed once half of the last one is done, and starts beside
        its rest: fetch slots and workers never wait for a batch's slowest page, and the
        run holds at most a batch and a half of claims (issue 19)."""
        try:
            async with asyncio.TaskGroup() as group:
                for links in batches:
                    self.claimed += len(links)
                    group.create_task(self.batch(fetcher, pool, links))
                    await self.drained_to(len(links) // 2)
        except BaseExceptionGroup as failed:
            # One batch's error (a StoreError, or a bug) as it would be raised alone; the
            # other batches were cancelled because of it.
            raise failed.exceptions[0] from None

    async def drained_to(self, low: int) -> None:
        """Wait until at most `low` claimed links are still being worked on."""
        while self.claimed - self.report.done > low:
            self.finished.clear()
            await self.finished.wait()

    def drop_shared_suffixes(self) -> None:
        """Drop the title suffix that pages of one host share; when the label was only
        the host, the suffix names the site."""
        titles = {
            key: (urls.host(meta.final_url or link.url), meta.title or "")
            for key, (link, meta) in self.suffixed.items()
        }
        for key, (title, suffix) in drop_shared_suffixes(titles).items():
            link, meta = self.suffixed[key]
            host = titles[key][0]
            source = clean_site_name(suffix) if meta.label == host else None
            fixed = replace(meta, title=title, label=source or meta.label)
            self.store.mark_enriched(key, fixed, self.now)

    async def batch(self, fetcher: Fetcher, pool: Extractors, links: Sequence[Link]) -> None:
        papers = [link for link in links if link.kind == PAPER and link.arxiv_id]
        pages = [link for link in links if not (link.kind == PAPER and link.arxiv_id)]
        if papers and self.arxiv is None:
            self.arxiv = arxiv_client(self.config.fetch)
        jobs = [self.page(fetcher, pool, link, self.config.sources) for link in pages]
        await asyncio.gather(self.papers(fetcher, papers), *jobs)

    async def page(
        self, fetcher: Fetcher, pool: Extractors, link: Link, labels: Mapping[str, str]
    ) -> None:
        try:
            meta = await self.metadata(fetcher, pool, link, labels)
        except FetchError as err:
            self.failed(link, err)
            return
        if meta.title_guessed and link.title:
            meta = replace(meta, title=None)  # keep the feed's title over one from the URL
        self.enriched(link, meta)

    async def metadata(
        self, fetcher: Fetcher, pool: Extractors, link: Link, labels: Mapping[str, str]
    ) -> Metadata:
        """The page's metadata; when its https URL cannot be reached at all (refused, or
        no TLS on the port), that of the http URL it also arrived as, if it did. A link
        that fails both ways keeps the https reason."""
        try:
            return await _page_metadata(fetcher, pool, link.url, labels)
        except UnreachableError as err:
            fallback = self.http_fallback(link)
            if fallback is None:
                raise
            unreachable = err
        try:
            meta = await _page_metadata(fetcher, pool, fallback, labels)
        except FetchError:
            raise unreachable from None
        return replace(meta, final_url=meta.final_url or fallback)

    async def papers(self, fetcher: Fetcher, papers: Sequence[Link]) -> None:
        """Papers a request at a time, so that a failed request fails only its own."""
        if not papers:
            return
        from curator.arxiv_api import BATCH  # loaded with the client, when papers are due

        for start in range(0, len(papers), BATCH):
            assert self.arxiv is not None
            batch = papers[start : start + BATCH]
            ids = [link.arxiv_id for link in batch if link.arxiv_id]
            try:
                found = await self.arxiv.lookup(fetcher, ids)
            except FetchError as err:
                for link in batch:
                    self.failed(link, err)
                continue
            for link in batch:
                paper = found.get(link.arxiv_id or "")
                if paper is None:
                    self.failed(link, ContentError(link.url, NOT_ON_ARXIV))
                else:
                    self.enriched(link, paper.metadata())

    def http_fallback(self, link: Link) -> str | None:
        """The http URL an https link also arrived as, cleaned, or None."""
        if not link.url.startswith("https://") or link.id is None:
            return None
        arrivals = self.store.sightings([link.id]).get(link.id, [])
        plain = [s.url for s in arrivals if s.url.lower().startswith("http://")]
        return urls.clean(plain[0]) if plain else None

    def enriched(self, link: Link, meta: Metadata) -> None:
        assert link.id is not None
        self.store.mark_enriched(link.id, meta, self.now)
        if link.kind != PAPER and meta.title and SEPARATOR.search(meta.title):
            self.suffixed[link.id] = (link, meta)
        self.report.enriched += 1
        self.progress.advance()
        self.finished.set()

    def failed(self, link: Link, err: FetchError) -> None:
        assert link.id is not None
        attempts = link.attempts + 1
        retry_at = retry_time(err, attempts, self.now, self.config.fetch)
        reason = err.reason
        if err.transient and retry_at is None:
            reason = f"{reason} (gave up after {attempts} attempts)"
        self.store.mark_failed(link.id, reason, self.now, retry_at)
        if retry_at is None:
            self.report.failed += 1
        else:
            self.report.retry_later += 1
        self.report.failures.append((link.url, reason))
        self.progress.advance(failed=True)
        self.finished.set()


async def _page_metadata(
    fetcher: Fetcher, pool: Extractors, url: str, labels: Mapping[str, str]
) -> Metadata:
    if urls.is_tweet(url):
        return tweet_metadata(url)
    response = await fetcher.get(url, {"Accept": ACCEPT_HTML}, body_types=READ_TYPES)
    if response.body_skipped:
        meta = document_metadata(response.url, response.content_type, labels=labels)
    else:
        header = response.headers.get("content-type", "")  # with its charset, if any
        meta = await pool.extract(response.body, response.url, header, labels)
    # final_url only when redirected: the store then checks for a link to merge with.
    return replace(meta, final_url=response.url if response.url != url else None)


def explain(config: Config, store: Store, link_id: int) -> Explained:
    """Fetch one link's page again and say which rules give its title and label (issue 15),
    without changing the queue. Raises UsageError for an unknown id or an arXiv paper, and
    the page's FetchError when it cannot be read."""
    found = store.links(LinkFilter(ids=(link_id,)))
    if not found:
        raise UsageError(f"no link with id {link_id}")
    link = found[0]
    if link.kind == PAPER and link.arxiv_id:
        raise UsageError(f"link {link_id} is an arXiv paper: the arXiv API gives its title")
    if urls.is_tweet(link.url):
        return explain_tweet(link.url)
    return asyncio.run(_explain_page(config, link.url))


async def _explain_page(config: Config, url: str) -> Explained:
    async with Fetcher(config.fetch) as fetcher:
        response = await fetcher.get(url, {"Accept": ACCEPT_HTML}, body_types=READ_TYPES)
    if response.body_skipped:
        return explain_document(response.url, response.content_type, config.sources)
    header = response.headers.get("content-type", "")
    return explain_page(response.body, response.url, header, config.sources)


def arxiv_client(config: FetchConfig) -> ArxivAPI:
    """The arXiv client for a run, made only when queries or papers are due: the arxiv
    package (which imports requests) costs 0.3 s of start-up that a run of pages alone
    should not pay."""
    from curator.arxiv_api import ArxivAPI

    return ArxivAPI(config)


def retry_time(
    err: FetchError, attempts: int, now: datetime, config: FetchConfig
) -> datetime | None:
    """When to try again: None for permanent failures and after max_attempts; otherwise
    exponential backoff, never sooner than the server's Retry-After."""
    if not err.transient or attempts >= config.max_attempts:
        return None
    doublings: int = 2 ** (attempts - 1)
    delay = min(RETRY_BASE * doublings, RETRY_MAX)
    if isinstance(err, HTTPStatusError) and err.retry_after:
        delay = max(delay, timedelta(seconds=min(err.retry_after, 7 * 86400)))
    return now + delay


@contextmanager
def _extractors(pages: int) -> Iterator[Extractors]:
    """Worker processes for extraction, started at once so that they warm up while the
    first requests are in flight: one per core for many pages, one for a few. A single
    worker starts about as fast as a thread and, unlike a thread, can be stopped when a
    page exceeds its CPU time."""
    cores = os.cpu_count() or 1
    with Extractors(cores if pages >= POOL_THRESHOLD else 1) as pool:
        if pages:
            pool.start_all()
        yield pool
