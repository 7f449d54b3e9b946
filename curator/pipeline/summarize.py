"""`curator summarize` and `draft --summarize`: LLM summaries, through simonw's llm library,
for the links a draft holds or the author names (issue 20), cached on each link.

llm is imported here only, and only when calls are due: it costs about a second of
start-up, and it is an optional extra. curator hands llm a model name and a prompt; llm's
plugins and key store choose the provider and its key (curator never reads one). A call
runs in a daemon thread, so one that outlives `timeout` is abandoned and the draft never
waits longer for it. The first failure ends the run's calls: one warning, and every link
keeps its extractive summary.
"""

from __future__ import annotations

import asyncio
import queue
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from curator.charsets import HTML_TYPES, SNIFFED_TYPES
from curator.compose.draft import title_of
from curator.compose.llm import (
    RejectedAnswer,
    SummaryInput,
    build_prompt,
    checked_summary,
    prompt_hash,
)
from curator.compose.summaries import plain_text
from curator.config import Config, SummariesConfig
from curator.enrich import Extractors
from curator.errors import ContentError, CuratorError, FetchError, UsageError
from curator.http import ACCEPT_HTML, Fetcher
from curator.models import Link
from curator.pipeline.compose import WindowChoice, plan_issue
from curator.pipeline.queue import require_links
from curator.store import LinkFilter, Store
from curator.text import collapse, shorten
from curator.values import PAPER

if TYPE_CHECKING:
    from llm import Model

# A provider's error can run to a page of JSON; the warning keeps its start.
REASON_CHARS = 200
NO_ABSTRACT = "no abstract yet"


class SummaryFailure(CuratorError):
    """The model could not be asked or did not answer; `reason` is one line."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class SummarizeReport:
    made: int = 0
    cached: int = 0  # the same input was summarised before: no call
    own: int = 0  # the author's own summary wins: no call
    capped: int = 0  # left for a later run by `max_per_run`
    unread: list[tuple[int, str]] = field(default_factory=list)  # (id, why no text)
    rejected: list[tuple[int, str]] = field(default_factory=list)  # (id, why not a summary)
    failure: str | None = None  # why the run's calls stopped
    not_asked: int = 0  # links the failure left without a call

    @property
    def warnings(self) -> list[str]:
        """One line each: the failure, the rejected answers, the pages without text."""
        lines = []
        if self.failure:
            lines.append(
                f"summaries: {self.failure}; {self.not_asked} link(s) keep their extractive summary"
            )
        if self.rejected:
            lines.append(f"summaries: rejected {_listed(self.rejected)}")
        if self.unread:
            lines.append(f"summaries: no text for {_listed(self.unread)}")
        return lines


@dataclass(frozen=True)
class _Due:
    link: Link
    key: str  # prompt_hash of its input


def summarize(
    config: Config, store: Store, ids: Sequence[int], choice: WindowChoice, now: datetime
) -> SummarizeReport:
    """Summarise the links `ids` names, or else those the draft for `choice` holds."""
    settings = _settings(config)
    if ids:
        require_links(store, ids)
        links = store.links(LinkFilter(ids=tuple(ids)))
    else:
        links = selection(config, store, choice, now)
    return summarize_links(config, settings, store, links)


def selection(config: Config, store: Store, choice: WindowChoice, now: datetime) -> list[Link]:
    """The links the draft for `choice` holds, in draft order."""
    plan = plan_issue(config, store, choice, now=now)
    by_id = {link.id: link for link in plan.links}
    return [by_id[item.entry.link_id] for item in plan.items]


def _settings(config: Config) -> SummariesConfig:
    settings = config.summaries
    if not settings.model:
        raise UsageError("no model for summaries: set [summaries] model in curator.toml")
    return settings


def summarize_links(
    config: Config, settings: SummariesConfig, store: Store, links: Sequence[Link]
) -> SummarizeReport:
    """Ask the model for each link without a cached answer, up to `max_per_run` calls."""
    report = SummarizeReport()
    due = _due(links, settings, report)
    if not due:
        return report
    try:
        model = _model(settings.model)
    except SummaryFailure as err:
        report.failure, report.not_asked = err.reason, len(due)
        return report
    texts = _texts(config, settings, due, report)
    for done, item in enumerate(due):
        if item.link.id not in texts:
            continue
        try:
            _summarize_one(store, model, settings, item, texts[item.link.id], report)
        except SummaryFailure as err:
            report.failure = err.reason
            report.not_asked = sum(1 for rest in due[done:] if rest.link.id in texts)
            break
    return report


def _due(links: Sequence[Link], settings: SummariesConfig, report: SummarizeReport) -> list[_Due]:
    """The links a call is due for, at most `max_per_run`; the others are counted."""
    due = []
    for link in links:
        key = prompt_hash(settings.prompt, settings.sentences, settings.max_chars, _identity(link))
        if collapse(link.user_summary):
            report.own += 1
        elif link.llm_model == settings.model and link.llm_prompt_hash == key:
            report.cached += 1
        else:
            due.append(_Due(link, key))
    report.capped = max(len(due) - settings.max_per_run, 0)
    return due[: settings.max_per_run]


def _identity(link: Link) -> list[str]:
    """What the input is made of: a paper's abstract, a page's URL (its text is fetched
    only when a call is due)."""
    body = link.summary if link.kind == PAPER else link.url
    return [link.kind, title_of(link), link.source or "", body or ""]


def _summarize_one(
    store: Store,
    model: Model,
    settings: SummariesConfig,
    item: _Due,
    text: str,
    report: SummarizeReport,
) -> None:
    """One call, its answer checked and cached; a rejected answer is cached as such, so
    the same input never costs a second call."""
    link, link_id = item.link, item.link.id or 0
    title = title_of(link)
    kind = "paper" if link.kind == PAPER else "article"
    prompt_input = SummaryInput(kind, title, text, link.source or link.site_name or "")
    answer = _ask(model, build_prompt(settings.prompt, prompt_input, settings.sentences), settings)
    try:
        summary: str | None = checked_summary(answer, title, settings.sentences)
        report.made += 1
    except RejectedAnswer as err:
        summary = None
        report.rejected.append((link_id, err.reason))
    store.keep_llm_summary(link_id, summary, settings.model, item.key)


def _model(name: str) -> Model:
    """The llm model by id or alias, as llm's plugins and config define them."""
    try:
        import llm
    except ImportError:
        raise SummaryFailure(
            "the llm library is not installed (pip install 'curator[llm]')"
        ) from None
    try:
        return llm.get_model(name)
    except llm.UnknownModelError:
        raise SummaryFailure(f"unknown model {name!r} (see `llm models`)") from None


def _ask(model: Model, prompt: str, settings: SummariesConfig) -> str:
    """The model's answer within `timeout` seconds, else SummaryFailure."""
    answers: queue.Queue[str | Exception] = queue.Queue(maxsize=1)

    def call() -> None:
        try:
            answers.put(model.prompt(prompt, stream=False).text())
        except Exception as err:  # llm passes on each provider's own errors (openai's, ...)
            answers.put(err)

    threading.Thread(target=call, name="llm call", daemon=True).start()
    try:
        answer = answers.get(timeout=settings.timeout)
    except queue.Empty:
        raise SummaryFailure(f"no answer within {settings.timeout:g} s") from None
    if isinstance(answer, Exception):
        raise SummaryFailure(_reason(answer))
    return answer


def _reason(err: Exception) -> str:
    """The error's class and the first line of its message."""
    lines = str(err).strip().splitlines()
    name = type(err).__name__
    return shorten(f"{name}: {lines[0]}" if lines else name, REASON_CHARS)


def _texts(
    config: Config, settings: SummariesConfig, due: Sequence[_Due], report: SummarizeReport
) -> dict[int, str]:
    """The text each prompt holds: a paper's abstract, a page's main text (fetched now)."""
    texts = {}
    for link in (item.link for item in due if item.link.kind == PAPER):
        if abstract := plain_text(link.summary or ""):
            texts[link.id or 0] = abstract
        else:
            report.unread.append((link.id or 0, NO_ABSTRACT))
    pages = [item.link for item in due if item.link.kind != PAPER]
    if pages:
        found = asyncio.run(_page_texts(config, pages, settings.max_chars))
        for link, text in zip(pages, found, strict=True):
            if isinstance(text, FetchError):
                report.unread.append((link.id or 0, text.reason))
            else:
                texts[link.id or 0] = text
    return texts


async def _page_texts(config: Config, links: Sequence[Link], limit: int) -> list[str | FetchError]:
    with Extractors(1) as pool:
        async with Fetcher(config.fetch) as fetcher:
            return await asyncio.gather(*(_page_text(fetcher, pool, link, limit) for link in links))


async def _page_text(
    fetcher: Fetcher, pool: Extractors, link: Link, limit: int
) -> str | FetchError:
    """The page's main text, or why there is none: one page's failure is its own."""
    try:
        response = await fetcher.get(
            link.url, {"Accept": ACCEPT_HTML}, body_types=(*HTML_TYPES, *SNIFFED_TYPES)
        )
        if response.body_skipped:
            raise ContentError(link.url, f"not an HTML page ({response.content_type})")
        header = response.headers.get("content-type", "")
        return await pool.main_text(response.body, response.url, header, limit)
    except FetchError as err:
        return err


def _listed(items: Sequence[tuple[int, str]]) -> str:
    return ", ".join(f"#{link_id} ({reason})" for link_id, reason in items)
