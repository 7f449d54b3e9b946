"""The one place that talks to the arXiv API: keyword queries and id lookups in batches.

Requests go through curator's Fetcher, so the API's answers are capped, bounded by the
total deadline and proxied like pages (issue 12: through the `arxiv` package's own
`requests` session a gzip bomb took 2.19 GB and a dripping endpoint never timed out).
The `arxiv` package still builds the query URLs and reads arXiv's Atom fields (primary
category, comment) into Results; this module pages, retries and keeps arXiv's delay.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Iterable, Sequence

import arxiv
from arxiv import _feed as arxiv_feed
from arxiv._feed import ParsedFeed
from lxml import etree

from curator import urls
from curator.config import FetchConfig
from curator.errors import ContentError, FetchError, FetchTimeout
from curator.http import Fetcher
from curator.text import collapse
from curator.values import Paper
from curator.xmltree import parse_xml

# One request asks for at most this many ids or results (150 ids make
# a 2 KB query string, well within limits; measured on arxiv 4.0).
BATCH = 100
# A call is repeated after a 5xx, a 429, a refused connection or an unexpectedly empty
# page (arXiv's known flakiness), waiting arxiv_delay each time. Never after a timeout:
# the deadline is meant to bound the call.
RETRIES = 2
ACCEPT_ATOM = "application/atom+xml,application/xml;q=0.9,*/*;q=0.5"
EMPTY_PAGE = "arXiv API returned an unexpectedly empty page"

_ATOM = "{http://www.w3.org/2005/Atom}"
_ERROR_ID = re.compile(r"https?://arxiv\.org/api/errors")
_VERSION = re.compile(r"v\d+$")
_CODE_URL = re.compile(r"https?://(?:www\.)?(?:github|gitlab)\.com/[^\s<>\"'`{}|\\^]+")
_TRAILING = ".,;:!?)]'\""


class ArxivAPI:
    """Use one object for a whole run, collect then enrich: it keeps `arxiv_delay` between
    all its calls, whichever Fetcher makes them. Its callers make one call at a time."""

    def __init__(self, config: FetchConfig) -> None:
        self._delay = config.arxiv_delay
        # The package's client only builds URLs here; the endpoint is a class attribute
        # with no constructor argument (arxiv 4.0).
        self._urls = arxiv.Client(page_size=BATCH)
        self._urls.query_url_format = config.arxiv_api_url + "?{}"
        self._last_answer: float | None = None  # time.monotonic() when the last call ended

    async def search(self, fetcher: Fetcher, query: str, max_results: int) -> list[Paper]:
        """The newest `max_results` papers matching an arXiv query, newest first."""
        search = arxiv.Search(
            query=query,
            max_results=max_results,
            sort_by=arxiv.SortCriterion.SubmittedDate,
            sort_order=arxiv.SortOrder.Descending,
        )
        return [_paper(result) for result in await self._results(fetcher, search)]

    async def lookup(self, fetcher: Fetcher, ids: Sequence[str]) -> dict[str, Paper]:
        """Papers by versionless id; ids arXiv does not know, or malformed ones, are absent."""
        wanted = _valid_ids(ids)
        papers: dict[str, Paper] = {}
        for start in range(0, len(wanted), BATCH):
            chunk = wanted[start : start + BATCH]
            asked = set(chunk)
            # max_results=None: every result, since a default of 100 would cap id lists too.
            search = arxiv.Search(id_list=chunk, max_results=None)
            for result in await self._results(fetcher, search):
                paper = _paper(result)
                if paper.arxiv_id in asked:  # match by id: arXiv drops unknown ones
                    papers[paper.arxiv_id] = paper
        return papers

    async def _results(self, fetcher: Fetcher, search: arxiv.Search) -> list[arxiv.Result]:
        """Every result of `search` up to its max_results, a page at a time, as the
        package's Client.results pages: until a page is empty or the total is reached."""
        results: list[arxiv.Result] = []
        limit = search.max_results
        while limit is None or len(results) < limit:
            size = BATCH if limit is None else min(BATCH, limit - len(results))
            url = self._urls._format_url(search, len(results), size)
            feed = await self._page(fetcher, url, is_first=not results)
            results += feed.results
            if not feed.results or len(results) >= feed.header.total_results:
                break
        return results

    async def _page(self, fetcher: Fetcher, url: str, *, is_first: bool) -> ParsedFeed:
        for attempt in range(RETRIES + 1):
            try:
                return await self._call(fetcher, url, is_first=is_first)
            except FetchError as err:
                if attempt == RETRIES or not _worth_retrying(err):
                    raise
        raise AssertionError("unreachable")

    async def _call(self, fetcher: Fetcher, url: str, *, is_first: bool) -> ParsedFeed:
        """One request, no sooner than `arxiv_delay` after the previous one ended
        (arXiv's terms of use: one request every three seconds). The wait is not part of
        the request's deadline; it is bounded by the delay."""
        if self._last_answer is not None:
            await asyncio.sleep(self._last_answer + self._delay - time.monotonic())
        try:
            response = await fetcher.get(url, {"Accept": ACCEPT_ATOM})
        finally:
            self._last_answer = time.monotonic()
        feed = _parse(response.body, url)
        if not feed.results and not is_first:
            raise ContentError(url, EMPTY_PAGE)
        return feed


def _worth_retrying(err: FetchError) -> bool:
    return not isinstance(err, FetchTimeout) and (err.transient or err.reason == EMPTY_PAGE)


def _parse(body: bytes, url: str) -> ParsedFeed:
    """The package's parsed feed, once the body is known to be a real API answer."""
    _check_body(body, url)
    try:
        return arxiv_feed.parse(body)
    except ValueError as err:  # the package's date parsing on a malformed entry
        raise ContentError(url, f"unreadable arXiv API response ({err})") from None


def _check_body(body: bytes, url: str) -> None:
    """Raise ContentError unless `body` is an Atom feed without an arXiv error entry.

    The package reads an HTML page or an error entry as "no results", which would make
    every id in the batch look unknown (measured on arxiv 4.0).
    """
    try:
        root = parse_xml(body)
    except etree.XMLSyntaxError as err:
        raise ContentError(
            url, f"arXiv API answered with something that is not XML ({err})"
        ) from None
    if root.tag != f"{_ATOM}feed":
        raise ContentError(url, f"arXiv API answered with <{etree.QName(root).localname}>")
    for entry in root.iterfind(f"{_ATOM}entry"):
        if _ERROR_ID.match(entry.findtext(f"{_ATOM}id") or ""):
            message = collapse(entry.findtext(f"{_ATOM}summary"))
            raise ContentError(url, f"arXiv API error: {message or 'no message'}")


def _valid_ids(ids: Iterable[str]) -> list[str]:
    """Versionless, deduplicated ids; a malformed one would make arXiv fail the whole batch."""
    valid: dict[str, None] = {}
    for raw in ids:
        match = urls.ARXIV_ID.fullmatch(raw.strip())
        if match:
            valid[match["id"]] = None
    return list(valid)


def _paper(result: arxiv.Result) -> Paper:
    """A Result as a Paper, which cleans its own text (whitespace, mojibake, bidi)."""
    return Paper(
        arxiv_id=_VERSION.sub("", result.get_short_id()),
        title=result.title,
        summary=result.summary,
        authors=tuple(author.name for author in result.authors),
        published=result.published,
        category=result.primary_category or None,
        code_url=_code_url(result.summary, result.comment or ""),
    )


def _code_url(*texts: str) -> str | None:
    """The first GitHub or GitLab repository URL in the abstract or the comment."""
    for text in texts:
        for match in _CODE_URL.finditer(text):
            url = match[0].rstrip(_TRAILING)
            if url.rstrip("/").count("/") >= 3:  # more than the bare host
                return url
    return None
