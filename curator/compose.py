"""The composer: the window's Link rows -> a planned Draft -> Markdown through Jinja2.

Owns selection (picks, features, skips, ranking, caps, positions), sections, the check
before publishing and the template environment. Takes values and returns values: never
imports cli, pipeline or store.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import jinja2

from curator import urls
from curator.config import DraftConfig
from curator.errors import TemplateError
from curator.markdown import md_text, md_url, yaml_str
from curator.models import FAILED, FEATURE, PAPER, PENDING, PICK, SKIP, Link
from curator.stories import same_story_groups
from curator.summaries import first_sentences, plain_text

AI_PAPERS = "AI Papers"
OTHER = "Other interesting stuff"
BUILTIN_ORDER = {AI_PAPERS: 10, OTHER: 100}
# A section only the author named (`curator edit --section`) sits where a config section
# without an explicit `order` would.
AD_HOC_ORDER = 50
GROUP_NAMED = 5  # items named in a same-story warning; the rest by id
TEMPLATE_NAME = "issue.md.j2"
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


@dataclass(frozen=True)
class Entry:
    """One item as the template shows it; text is plain (the template escapes it)."""

    link_id: int
    title: str
    url: str
    kind: str
    source: str
    summary: str
    code_url: str | None


@dataclass(frozen=True)
class Section:
    name: str
    entries: tuple[Entry, ...]


@dataclass(frozen=True)
class Draft:
    number: int
    publish_date: date
    since: datetime
    until: datetime
    featured: tuple[Entry, ...]
    sections: tuple[Section, ...]  # in order; empty ones kept, the template hides them


# -- selection ---------------------------------------------------------------------------


def eligible(links: Sequence[Link]) -> list[Link]:
    """Links that may go in: not skipped, not published in an earlier issue, with a title."""
    return [
        link for link in links if link.decision != SKIP and link.issue_id is None and _title(link)
    ]


def section_for(link: Link, config: DraftConfig) -> str:
    """The author's section, else the first matching `[[draft.section]]`, else by kind.

    Config sections are tried in `order`; one matches on the link's host or a parent
    domain, or on a keyword found as a whole word (any case) in the title or summary.
    """
    chosen = _clean(link.section)
    if chosen:
        return _known_section(chosen, config)
    text = _searchable(link)
    for rule in sorted(config.section, key=lambda rule: rule.order):
        if _domain_matches(rule.domains, _url(link)) or _has_any_word(rule.keywords, text):
            return rule.name
    return AI_PAPERS if link.kind == PAPER else OTHER


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

    When the author picked or featured anything, exactly those go in; otherwise every
    eligible link does, capped per section (`max_papers` for AI Papers, `max_links` for
    every other section). Featured items lead the issue and are not repeated below.
    Within a list, links are ranked by, in turn: more distinct sources that surfaced them,
    more `interests` keywords in title and summary, newer (published, else first seen),
    and lower id, so the order never depends on the order of `links`. An author's
    `position` then puts a link at that 1-based place, the ranked links filling the rest.
    """
    pool = eligible(links)
    chosen = [link for link in pool if link.decision in (PICK, FEATURE)]
    ranked = sorted(chosen or pool, key=lambda link: _rank(link, source_counts, config))
    featured = _place([link for link in ranked if link.decision == FEATURE], None)
    rest = [link for link in ranked if link.decision != FEATURE]
    return Draft(
        number=number,
        publish_date=publish_date,
        since=since,
        until=until,
        featured=tuple(_entry(link, featured=True) for link in featured),
        sections=_sections(rest, config, is_capped=not chosen),
    )


def _sections(ranked: list[Link], config: DraftConfig, *, is_capped: bool) -> tuple[Section, ...]:
    groups: dict[str, list[Link]] = {}
    for link in ranked:
        groups.setdefault(section_for(link, config), []).append(link)
    sections = []
    for name in _section_names(config, groups):
        cap = (config.max_papers if name == AI_PAPERS else config.max_links) if is_capped else None
        placed = _place(groups.get(name, []), cap)
        sections.append(Section(name, tuple(_entry(link, featured=False) for link in placed)))
    return tuple(sections)


def _section_names(config: DraftConfig, used: Iterable[str]) -> list[str]:
    """Built-in and config sections always exist; ones named only by the author when used.

    Sorted by order; ties keep built-ins first, then config order, then names A to Z.
    """
    orders = dict(BUILTIN_ORDER)
    orders.update((rule.name, rule.order) for rule in config.section)
    names = list(orders) + sorted(set(used) - orders.keys())
    return sorted(names, key=lambda name: orders.get(name, AD_HOC_ORDER))


def _place(ranked: list[Link], cap: int | None) -> list[Link]:
    """Positioned links claim their 1-based places; ranked ones fill the gaps up to `cap`.

    A positioned link is never cut by the cap: the author asked for it.
    """
    pinned = deque(sorted((link for link in ranked if link.position is not None), key=_position))
    free = deque(link for link in ranked if link.position is None)
    if cap is not None:
        free = deque(itertools.islice(free, max(cap - len(pinned), 0)))
    placed: list[Link] = []
    while pinned or free:  # deques: popping the head of a list of 2,000 picks is quadratic
        if pinned and (not free or _position(pinned[0]) <= len(placed) + 1):
            placed.append(pinned.popleft())
        else:
            placed.append(free.popleft())
    return placed


def _rank(
    link: Link, source_counts: Mapping[int, int], config: DraftConfig
) -> tuple[int, int, float, int]:
    link_id = link.id or 0
    text = _searchable(link)
    hits = sum(1 for word in config.interests if _has_word(word, text))
    newest = _utc(link.published or link.first_seen).timestamp()
    return (-source_counts.get(link_id, 0), -hits, -newest, link_id)


def _position(link: Link) -> int:
    return link.position or 0


# -- entries -----------------------------------------------------------------------------


def _entry(link: Link, *, featured: bool) -> Entry:
    url = _url(link)
    source = (
        _clean(link.source) or _clean(link.site_name) or ("Tweet" if urls.is_tweet(url) else "")
    )
    return Entry(
        link_id=link.id or 0,
        title=_title(link),
        url=url,
        kind=link.kind,
        source=source,
        summary=_clean(link.user_summary) or _summary(link, featured=featured),
        code_url=link.code_url,
    )


def _summary(link: Link, *, featured: bool) -> str:
    """A featured item keeps its whole abstract; a listed paper gets one or two sentences."""
    text = link.summary or ""
    if link.kind != PAPER:
        return _clean(text)
    return plain_text(text) if featured else first_sentences(text)


def _title(link: Link) -> str:
    """The author's title as typed, else the enriched one (arXiv titles may hold LaTeX)."""
    title = link.title or ""
    return _clean(link.user_title) or (plain_text(title) if link.kind == PAPER else _clean(title))


def _url(link: Link) -> str:
    return link.user_url or link.url


def _searchable(link: Link) -> str:
    return f"{_title(link)} {_clean(link.user_summary) or _clean(link.summary)}"


def _clean(text: str | None) -> str:
    return " ".join((text or "").split())


def _known_section(name: str, config: DraftConfig) -> str:
    """The author may type a section name in any case."""
    for known in (*BUILTIN_ORDER, *(rule.name for rule in config.section)):
        if known.casefold() == name.casefold():
            return known
    return name


def _domain_matches(domains: Iterable[str], url: str) -> bool:
    host = urls.host(url)
    for domain in domains:
        wanted = domain.strip().lower().removeprefix("www.").rstrip(".")
        if wanted and (host == wanted or host.endswith("." + wanted)):
            return True
    return False


def _has_any_word(words: Iterable[str], text: str) -> bool:
    return any(_has_word(word, text) for word in words)


def _has_word(word: str, text: str) -> bool:
    # Lookarounds rather than \b, so keywords that start or end in punctuation ("C++") work.
    word = word.strip()
    return bool(word) and re.search(rf"(?<!\w){re.escape(word)}(?!\w)", text, re.I) is not None


def _utc(moment: datetime) -> datetime:
    """SQLite hands datetimes back naive; the store writes them in UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


# -- rendering ---------------------------------------------------------------------------


def render_draft(draft: Draft, config: DraftConfig) -> str:
    """The draft as Markdown through `config.template`, or the default template.

    A missing template or a Jinja2 error raises TemplateError with one line naming the
    template, the line where known, and the problem.
    """
    path = config.template or default_template()
    environment = _environment(path.parent)
    try:
        template = environment.get_template(path.name)
    except jinja2.TemplateNotFound:
        raise TemplateError(f"{path}: template not found") from None
    except jinja2.TemplateSyntaxError as err:
        raise TemplateError(f"{path}:{err.lineno}: {_message(err)}") from None
    except (OSError, UnicodeDecodeError) as err:
        raise TemplateError(f"{path}: cannot read the template: {err}") from None
    try:
        text = template.render(_context(draft, config))
    # A template can also fail in plain Python: {{ title + 1 }}, {{ number / 0 }}.
    except (jinja2.TemplateError, TypeError, ArithmeticError) as err:
        raise TemplateError(f"{path}{_line(err, template)}: {_message(err)}") from None
    return text.rstrip("\n") + "\n"  # one final newline, whichever blocks were empty


def default_template() -> Path:
    """templates/issue.md.j2: inside the installed package, or at the top of the checkout."""
    here = Path(__file__).parent
    packaged = here / "templates"
    return (packaged if packaged.is_dir() else here.parent / "templates") / TEMPLATE_NAME


def format_date(day: date) -> str:
    """Like "5 January 2024", whatever the locale."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def describe(draft: Draft) -> str:
    """The front matter description: a starting point the author rewrites."""
    if draft.featured:
        label, entries = "Featured", list(draft.featured)
    else:
        label, entries = "In this issue", [e for s in draft.sections for e in s.entries][:3]
    if not entries:
        return ""
    text = "; ".join(entry.title for entry in entries)
    return f"{label}: {text}" + ("" if text.endswith((".", "!", "?")) else ".")


@functools.lru_cache(maxsize=8)
def _environment(folder: Path) -> jinja2.Environment:
    # Markdown, not HTML: the filters escape for Markdown, so HTML autoescape stays off.
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(folder),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters.update(md_text=md_text, md_url=md_url, yaml_str=yaml_str)
    return environment


def _context(draft: Draft, config: DraftConfig) -> dict[str, Any]:
    return {
        "draft": draft,
        "title": f"{config.title} #{draft.number}",
        "number": draft.number,
        "publish_date": format_date(draft.publish_date),
        "description": describe(draft),
        "tags": list(config.tags),
        "since": draft.since,
        "until": draft.until,
        "featured": draft.featured,
        "sections": draft.sections,
    }


def _line(err: Exception, template: jinja2.Template) -> str:
    """Jinja2 rewrites tracebacks so the template's own lines appear as frames."""
    line = None
    frame = err.__traceback__
    while frame is not None:
        if frame.tb_frame.f_code.co_filename == template.filename:
            line = frame.tb_lineno
        frame = frame.tb_next
    return f":{line}" if line else ""


def _message(err: Exception) -> str:
    if isinstance(err, jinja2.TemplateError):
        text = err.message or type(err).__name__
    else:
        text = f"{type(err).__name__}: {err}"
    return " ".join(text.split())


# -- the check before publishing ---------------------------------------------------------


def check_draft(draft: Draft, links: Sequence[Link]) -> list[str]:
    """Warnings for the author, one line each, in the order the draft shows the items."""
    by_id = {link.id: link for link in links}
    entries = [*draft.featured, *(entry for section in draft.sections for entry in section.entries)]
    warnings: list[str] = []
    for entry in entries:
        warnings += _entry_warnings(entry, by_id.get(entry.link_id), draft)
    warnings += _same_story_warnings(entries)
    warnings += [f'section "{s.name}" is empty' for s in draft.sections if not s.entries]
    return warnings


def _entry_warnings(entry: Entry, link: Link | None, draft: Draft) -> list[str]:
    name = _name(entry)
    warnings = []
    if not entry.title:
        warnings.append(f"{name}: no title")
    if not entry.source and entry.kind != PAPER:  # papers are listed without a source label
        warnings.append(f"{name}: no source")
    if link is None:
        return warnings
    if link.status == FAILED:
        warnings.append(f"{name}: enrichment failed: {_clean(link.error) or 'no reason given'}")
    elif link.status == PENDING:
        warnings.append(f"{name}: not enriched yet")
    seen, since, until = _utc(link.first_seen), _utc(draft.since), _utc(draft.until)
    if not since <= seen <= until:
        warnings.append(
            f"{name}: first seen {seen:%Y-%m-%d}, outside the window "
            f"{since:%Y-%m-%d} to {until:%Y-%m-%d}"
        )
    return warnings


def _same_story_warnings(entries: list[Entry]) -> list[str]:
    """One line per group of items that look like one story (issue 12, item 9)."""
    groups = same_story_groups([e.title for e in entries], [e.url for e in entries])
    return [_group_line([entries[i] for i in group]) for group in groups]


def _group_line(group: list[Entry]) -> str:
    """Up to five items by name; past that, the others by id, ready for `curator skip`."""
    names = [_name(entry) for entry in group[:GROUP_NAMED]]
    rest = [str(entry.link_id) for entry in group[GROUP_NAMED:]]
    if rest:
        names.append(f"{len(rest)} more (links {', '.join(rest)})")
    return f"{', '.join(names[:-1])} and {names[-1]} look like the same story"


def _name(entry: Entry) -> str:
    title = entry.title if len(entry.title) <= 60 else entry.title[:59] + "…"
    return f'link {entry.link_id} "{title}"' if title else f"link {entry.link_id} ({entry.url})"
