"""The one place that talks to the arXiv API: keyword queries and id lookups in batches.

Uses the `arxiv` package rather than http.py + feedparser: it pages, keeps arXiv's delay
between calls across queries, retries, and reads arXiv's own Atom fields (primary category,
comment). It brings its own requests session, so it is confined here, and every error
leaves this module as a curator FetchError.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

import arxiv
import requests
from lxml import etree

from curator import __version__, urls
from curator.config import FetchConfig
from curator.errors import ContentError, FetchTimeout, HTTPStatusError, NetworkError
from curator.models import Paper

# One request asks for at most this many ids or results (LIBRARIES.md section 1: 150 ids
# make a 2 KB query string, well within limits).
BATCH = 100
# The package repeats a request after any non-200, a refused connection or an empty page,
# waiting arxiv_delay each time (LIBRARIES.md section 1).
RETRIES = 2
USER_AGENT = f"curator/{__version__} (link-roundup newsletter tool; +arxiv.py/{arxiv.__version__})"

_ATOM = "{http://www.w3.org/2005/Atom}"
_ERROR_ID = re.compile(r"https?://arxiv\.org/api/errors")
_VERSION = re.compile(r"v\d+$")
_CODE_URL = re.compile(r"https?://(?:www\.)?(?:github|gitlab)\.com/[^\s<>\"'`{}|\\^]+")
_TRAILING = ".,;:!?)]'\""
_ERRNO = re.compile(r"\[Errno -?\d+\] ([^'\")]+)")


class ArxivAPI:
    """Use one object for a whole run: its client keeps `arxiv_delay` between all calls."""

    def __init__(self, config: FetchConfig) -> None:
        self._url = config.arxiv_api_url
        self._timeout = config.timeout
        self._client = arxiv.Client(
            page_size=BATCH, delay_seconds=config.arxiv_delay, num_retries=RETRIES
        )
        # The endpoint is a class attribute with no constructor argument (LIBRARIES.md 1).
        self._client.query_url_format = config.arxiv_api_url + "?{}"
        self._client._session = _Session(config.timeout, config.arxiv_api_url)

    def search(self, query: str, max_results: int) -> list[Paper]:
        """The newest `max_results` papers matching an arXiv query, newest first."""
        search = arxiv.Search(
            query=query,
            max_results=max_results,
            sort_by=arxiv.SortCriterion.SubmittedDate,
            sort_order=arxiv.SortOrder.Descending,
        )
        return [_paper(result) for result in self._results(search)]

    def lookup(self, ids: Sequence[str]) -> dict[str, Paper]:
        """Papers by versionless id; ids arXiv does not know, or malformed ones, are absent."""
        wanted = _valid_ids(ids)
        papers: dict[str, Paper] = {}
        for start in range(0, len(wanted), BATCH):
            chunk = wanted[start : start + BATCH]
            asked = set(chunk)
            # max_results=None: the default of 100 would apply to id lists too.
            search = arxiv.Search(id_list=chunk, max_results=None)
            for result in self._results(search):
                paper = _paper(result)
                if paper.arxiv_id in asked:  # match by id: arXiv drops unknown ones
                    papers[paper.arxiv_id] = paper
        return papers

    def _results(self, search: Any) -> list[Any]:
        """Run a search; the package raises only while its generator is consumed."""
        try:
            return list(self._client.results(search))
        except arxiv.HTTPError as err:
            raise HTTPStatusError(self._url, err.status) from err
        except arxiv.UnexpectedEmptyPageError as err:
            raise ContentError(self._url, "arXiv API returned an unexpectedly empty page") from err
        except requests.Timeout as err:
            raise FetchTimeout(self._url, self._timeout) from err
        except requests.ConnectionError as err:
            raise NetworkError(self._url, f"cannot connect ({_errno_text(err)})") from err
        except requests.RequestException as err:
            raise NetworkError(self._url, f"network error ({type(err).__name__})") from err
        except ValueError as err:  # the package's date parsing on a malformed entry
            raise ContentError(self._url, f"unreadable arXiv API response ({err})") from err


class _Session(requests.Session):
    """The package's HTTP session, with what it lacks: a timeout, our name, a body check."""

    def __init__(self, timeout: float, api_url: str) -> None:
        super().__init__()
        self._timeout = timeout
        self._api_url = api_url

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        # The package passes no timeout, so a silent server would hang it (LIBRARIES.md 1).
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self._timeout
        # The package sets its own User-Agent on each call; name curator instead.
        request.headers["User-Agent"] = USER_AGENT
        response = super().send(request, **kwargs)
        if response.status_code == 200:
            _check_body(response.content, self._api_url)
        return response


def _check_body(body: bytes, url: str) -> None:
    """Raise ContentError unless `body` is an Atom feed without an arXiv error entry.

    The package turns an HTML page or an error entry into "no results", which would make
    every id in the batch look unknown (LIBRARIES.md section 1).
    """
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    try:
        root = etree.fromstring(body, parser=parser)
    except etree.XMLSyntaxError as err:
        raise ContentError(
            url, f"arXiv API answered with something that is not XML ({err})"
        ) from None
    if root.tag != f"{_ATOM}feed":
        raise ContentError(url, f"arXiv API answered with <{etree.QName(root).localname}>")
    for entry in root.iterfind(f"{_ATOM}entry"):
        if _ERROR_ID.match(entry.findtext(f"{_ATOM}id") or ""):
            message = " ".join((entry.findtext(f"{_ATOM}summary") or "").split())
            raise ContentError(url, f"arXiv API error: {message or 'no message'}")


def _valid_ids(ids: Iterable[str]) -> list[str]:
    """Versionless, deduplicated ids; a malformed one would make arXiv fail the whole batch."""
    valid: dict[str, None] = {}
    for raw in ids:
        match = urls.ARXIV_ID.fullmatch(raw.strip())
        if match:
            valid[match["id"]] = None
    return list(valid)


def _paper(result: Any) -> Paper:
    summary = " ".join(result.summary.split())
    return Paper(
        arxiv_id=_VERSION.sub("", result.get_short_id()),
        title=" ".join(result.title.split()),
        summary=summary,
        authors=tuple(author.name for author in result.authors),
        published=result.published,
        category=result.primary_category or None,
        code_url=_code_url(summary, result.comment or ""),
    )


def _code_url(*texts: str) -> str | None:
    """The first GitHub or GitLab repository URL in the abstract or the comment."""
    for text in texts:
        for match in _CODE_URL.finditer(text):
            url = match[0].rstrip(_TRAILING)
            if url.rstrip("/").count("/") >= 3:  # more than the bare host
                return url
    return None


def _errno_text(err: requests.ConnectionError) -> str:
    found = _ERRNO.search(str(err))
    return found[1].strip() if found else type(err).__name__
