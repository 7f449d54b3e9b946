"""Hugging Face's papers API -> values: the Daily Papers of a day, and one paper's signals.

`GET {api}/daily_papers?date=YYYY-MM-DD&p=N&limit=50` lists a day's papers a page at a
time (`p` from 0); each item holds `paper` (`id` is the arXiv id, `upvotes`, `githubRepo`,
`githubStars`, `projectPage`, `ai_summary`, ...) and `numComments`. `GET
{api}/papers/{id}` is one paper, 404 when it is not on Hugging Face. This module builds
the URLs and reads the JSON bytes; the pipeline fetches. Imports no store or pipeline.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import quote, urlencode

from curator import urls
from curator.errors import ContentError
from curator.values import Candidate, Metadata, Signals

PAGE_SIZE = 50  # the API's default `limit`
VIA = "Hugging Face Daily Papers"


@dataclass(frozen=True)
class HFPaper:
    """One paper as Hugging Face describes it."""

    arxiv_id: str
    title: str | None
    summary: str | None
    authors: tuple[str, ...]
    published: datetime | None
    signals: Signals


@dataclass(frozen=True)
class DailyPage:
    papers: list[HFPaper]
    items: int  # items on the page, malformed ones included: a full page means more
    skipped: int  # malformed items left out


def daily_url(api_url: str, day: date, page: int) -> str:
    query = urlencode({"date": day.isoformat(), "p": page, "limit": PAGE_SIZE})
    return f"{api_url.rstrip('/')}/daily_papers?{query}"


def paper_url(api_url: str, arxiv_id: str) -> str:
    return f"{api_url.rstrip('/')}/papers/{quote(arxiv_id, safe='/.')}"


def parse_daily(body: bytes, url: str, checked: datetime) -> DailyPage:
    """A page of daily papers; items without a usable arXiv id are skipped and counted."""
    items = _load(body, url)
    if not isinstance(items, list):
        raise ContentError(url, "not a list of daily papers")
    papers = [_daily_item(item, checked) for item in items]
    kept = [paper for paper in papers if paper is not None]
    return DailyPage(kept, len(items), len(items) - len(kept))


def parse_paper(body: bytes, url: str, checked: datetime) -> HFPaper:
    """One paper of /api/papers/{id}."""
    found = _load(body, url)
    paper = _paper(found, found.get("numComments") if isinstance(found, dict) else None, checked)
    if paper is None:
        raise ContentError(url, "not a Hugging Face paper")
    return paper


def candidates(papers: list[HFPaper], min_upvotes: int) -> list[Candidate]:
    """Daily papers with at least `min_upvotes`, queued under their arXiv key (the abs
    URL) so they merge with the same paper from any other source; arXiv's API still
    gives their metadata."""
    return [
        Candidate(
            url=urls.arxiv_abs_url(paper.arxiv_id),
            via=VIA,
            meta=Metadata(
                title=paper.title,
                summary=paper.summary,
                authors=paper.authors,
                published=paper.published,
            ),
        )
        for paper in papers
        if (paper.signals.hf_upvotes or 0) >= min_upvotes
    ]


def _load(body: bytes, url: str) -> Any:
    try:
        return json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ContentError(url, "not JSON") from None


def _daily_item(item: object, checked: datetime) -> HFPaper | None:
    if not isinstance(item, dict):
        return None
    return _paper(item.get("paper"), item.get("numComments"), checked)


def _paper(paper: object, comments: object, checked: datetime) -> HFPaper | None:
    if not isinstance(paper, dict):
        return None
    arxiv_id = urls.arxiv_id(f"arxiv:{paper['id']}") if _is_id(paper) else None
    if arxiv_id is None:
        return None
    signals = Signals(
        hf_upvotes=_count(paper.get("upvotes")),
        hf_comments=_count(comments if comments is not None else paper.get("numComments")),
        github_repo=_web_url(paper.get("githubRepo")),
        github_stars=_count(paper.get("githubStars")),
        project_page=_web_url(paper.get("projectPage")),
        ai_summary=_text(paper.get("ai_summary")),
        on_hf=True,
        hf_checked=checked.astimezone(UTC).isoformat(),
    )
    authors = paper.get("authors")
    names = (
        [a.get("name") for a in authors if isinstance(a, dict)] if isinstance(authors, list) else []
    )
    return HFPaper(
        arxiv_id=arxiv_id,
        title=_text(paper.get("title")),
        summary=_text(paper.get("summary")),
        authors=tuple(name for name in names if isinstance(name, str)),
        published=_date(paper.get("publishedAt")),
        signals=signals,
    )


def _is_id(paper: dict[str, Any]) -> bool:
    value = paper.get("id")
    return isinstance(value, str) and bool(value.strip())


def _count(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def _text(value: object) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def _web_url(value: object) -> str | None:
    text = _text(value)
    return text if text and text.lower().startswith(("http://", "https://")) else None


def _date(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)
