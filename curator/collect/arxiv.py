"""arXiv query results -> Candidates, through curator.arxiv_api.

The papers arrive with their metadata (Paper.metadata, the value a lookup by id gives), so
the store can mark them enriched at once and no second API call is needed. Imports no
store, pipeline or cli.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from curator import urls
from curator.config import ArxivSource, arxiv_name
from curator.values import Candidate

if TYPE_CHECKING:  # the arxiv package is imported only by runs that query arXiv
    from curator.arxiv_api import ArxivAPI
    from curator.http import Fetcher


async def collect_query(api: ArxivAPI, fetcher: Fetcher, query: ArxivSource) -> list[Candidate]:
    """The newest papers for one configured query, as already-enriched candidates."""
    name = arxiv_name(query)
    return [
        Candidate(
            url=urls.arxiv_abs_url(paper.arxiv_id),
            via=name,
            meta=paper.metadata(),
            is_enriched=True,
        )
        for paper in await api.search(fetcher, query.query, query.max_results)
    ]
