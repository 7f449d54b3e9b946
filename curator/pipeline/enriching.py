"""`curator enrich`: pending and due links -> metadata -> the queue, one commit per link.

Pages are fetched concurrently through the shared Fetcher; extraction (CPU-bound
trafilatura) runs in worker processes when there are enough pages to pay for them, so it
never stalls fetching. arXiv papers are looked up in batches of 100 ids on the same Fetcher.
Every result is committed as it lands, so a killed run loses only the links in flight.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from curator import urls
from curator.config import Config, FetchConfig
from curator.enrich import (
    HTML_TYPES,
    SNIFFED_TYPES,
    document_metadata,
    extract_page,
    paper_metadata,
    tweet_metadata,
)
from curator.errors import ContentError, FetchError, HTTPStatusError
from curator.http import ACCEPT_HTML, Fetcher
from curator.models import PAPER, Link, Metadata
from curator.pipeline.progress import NoProgress, Progress
from curator.store import Store

if TYPE_CHECKING:
    from curator.arxiv_api import ArxivAPI

ARXIV_BATCH = 100
# Below this many pages, starting worker processes costs more than it saves.
POOL_THRESHOLD = 24
WORKER_NICENESS = 10
# Transient failures wait RETRY_BASE, then twice that, and so on, up to RETRY_MAX.
RETRY_BASE = timedelta(minutes=10)
RETRY_MAX = timedelta(days=2)
NOT_ON_ARXIV = "not found on arXiv"
WARM_UP_PAGE = (
    b"<html><head><title>Warm-up</title><meta name=description content='Warm-up.'></head>"
    b"<body><article><p>A paragraph to extract.</p></article></body></html>"
)
# Bodies worth downloading: HTML, and what may be HTML served under a vague type. Other
# types (PDF, images) are kept as documents without downloading them.
READ_TYPES = (*HTML_TYPES, *SNIFFED_TYPES)


@dataclass
class EnrichReport:
    enriched: int = 0
    failed: int = 0  # permanent: kept with the reason, retried only with --retry-failed
    retry_later: int = 0  # transient: retried by a later run after a backoff
    failures: list[tuple[str, str]] = field(default_factory=list)  # (url, reason)


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

    Pass the `arxiv` client a collect run already used, so its delay holds across both.
    """
    links = store.due_for_enrichment(now, retry_failed=retry_failed)
    report = EnrichReport()
    if not links:
        return report
    progress = progress or NoProgress()
    progress.start("Enriching", len(links))
    run = _Run(config, store, now, progress, report, arxiv or _arxiv_client(config, links))
    try:
        asyncio.run(run.all(links))
    finally:
        progress.finish()
    return report


@dataclass
class _Run:
    config: Config
    store: Store
    now: datetime
    progress: Progress
    report: EnrichReport
    arxiv: ArxivAPI | None  # None when no paper is due

    async def all(self, links: Sequence[Link]) -> None:
        papers = [link for link in links if link.kind == PAPER and link.arxiv_id]
        pages = [link for link in links if not (link.kind == PAPER and link.arxiv_id)]
        labels = self.config.sources
        with _extractors(len(pages)) as pool:
            async with Fetcher(self.config.fetch) as fetcher:
                jobs = [self.page(fetcher, pool, link, labels) for link in pages]
                await asyncio.gather(self.papers(fetcher, papers), *jobs)

    async def page(
        self, fetcher: Fetcher, pool: Executor, link: Link, labels: Mapping[str, str]
    ) -> None:
        try:
            meta = await _page_metadata(fetcher, pool, link.url, labels)
        except FetchError as err:
            self.failed(link, err)
            return
        if meta.title_guessed and link.title:
            meta = replace(meta, title=None)  # keep the feed's title over one from the URL
        self.enriched(link, meta)

    async def papers(self, fetcher: Fetcher, papers: Sequence[Link]) -> None:
        for start in range(0, len(papers), ARXIV_BATCH):
            assert self.arxiv is not None
            batch = papers[start : start + ARXIV_BATCH]
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
                    self.enriched(link, paper_metadata(paper))

    def enriched(self, link: Link, meta: Metadata) -> None:
        assert link.id is not None
        self.store.mark_enriched(link.id, meta, self.now)
        self.report.enriched += 1
        self.progress.advance()

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


async def _page_metadata(
    fetcher: Fetcher, pool: Executor, url: str, labels: Mapping[str, str]
) -> Metadata:
    if urls.is_tweet(url):
        return tweet_metadata(url)
    response = await fetcher.get(url, {"Accept": ACCEPT_HTML}, body_types=READ_TYPES)
    if response.body_skipped:
        meta = document_metadata(response.url, response.content_type)
    else:
        loop = asyncio.get_running_loop()
        meta = await loop.run_in_executor(
            pool, extract_page, response.body, response.url, response.content_type, dict(labels)
        )
    # final_url only when redirected: the store then checks for a link to merge with.
    return replace(meta, final_url=response.url if response.url != url else None)


def _arxiv_client(config: Config, links: Sequence[Link]) -> ArxivAPI | None:
    """The arXiv client, when papers are due: the arxiv package (which imports requests)
    costs 0.3 s of start-up that a run of pages alone should not pay."""
    if not any(link.kind == PAPER for link in links):
        return None
    from curator.arxiv_api import ArxivAPI

    return ArxivAPI(config.fetch)


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


def _start_worker(parent: int) -> None:
    """Worker initializer. Extraction is throughput work and fetching is latency work, so
    workers yield the CPU to the event loop (nice 10): with two cores busy, a response
    that waits for the loop keeps a connection slot idle. And a worker ends when its
    parent does: it holds its own copy of the task pipe, so it never sees end-of-file
    and would outlive a killed `curator`."""
    os.nice(WORKER_NICENESS)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(0)

    threading.Thread(target=watch, daemon=True).start()


@contextmanager
def _extractors(pages: int) -> Iterator[Executor]:
    """Worker processes for many pages (one per core), or a thread for a few, so that
    extraction never blocks the event loop.

    Workers are forked (they inherit the imported trafilatura) and started at once, each
    warmed on a small page while the first requests are still in flight: otherwise the
    first results wait half a second for processes to start and caches to fill.
    """
    cores = os.cpu_count() or 1
    if pages >= POOL_THRESHOLD and cores > 1:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(
            max_workers=cores, mp_context=context, initializer=_start_worker,
            initargs=(os.getpid(),),
        ) as pool:  # fmt: skip
            for _ in range(cores):
                pool.submit(extract_page, WARM_UP_PAGE, "http://localhost/", "text/html", {})
            yield pool
    else:
        with ThreadPoolExecutor(max_workers=1) as pool:
            yield pool
