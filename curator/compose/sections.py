"""Which section a link goes in: the author's choice, a `[[draft.section]]` rule, its kind."""

from __future__ import annotations

import re
from collections.abc import Iterable

from curator import urls
from curator.compose.draft import searchable, url_of
from curator.config import DraftConfig
from curator.models import Link
from curator.text import collapse
from curator.values import PAPER

AI_PAPERS = "AI Papers"
OTHER = "Other interesting stuff"
BUILTIN_ORDER = {AI_PAPERS: 10, OTHER: 100}
# A section only the author named (`curator edit --section`) sits where a config section
# without an explicit `order` would.
AD_HOC_ORDER = 50


def section_for(link: Link, config: DraftConfig) -> str:
    """The author's section, else the first matching `[[draft.section]]`, else by kind.

    Config sections are tried in `order`; one matches on the link's host or a parent
    domain, or on a keyword found as a whole word (any case) in the title or summary.
    """
    chosen = collapse(link.section)
    if chosen:
        return _known_section(chosen, config)
    text = None  # the words are gathered once, and only when a rule has keywords to match
    for rule in sorted(config.section, key=lambda rule: rule.order):
        if _domain_matches(rule.domains, url_of(link)):
            return rule.name
        if rule.keywords:
            text = searchable(link) if text is None else text
            if has_any_word(rule.keywords, text):
                return rule.name
    return AI_PAPERS if link.kind == PAPER else OTHER


def section_names(config: DraftConfig, used: Iterable[str]) -> list[str]:
    """Built-in and config sections always exist; ones named only by the author when used.

    Sorted by order; ties keep built-ins first, then config order, then names A to Z.
    """
    orders = dict(BUILTIN_ORDER)
    orders.update((rule.name, rule.order) for rule in config.section)
    names = list(orders) + sorted(set(used) - orders.keys())
    return sorted(names, key=lambda name: orders.get(name, AD_HOC_ORDER))


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


def has_any_word(words: Iterable[str], text: str) -> bool:
    return any(has_word(word, text) for word in words)


def has_word(word: str, text: str) -> bool:
    # Lookarounds rather than \b, so keywords that start or end in punctuation ("C++") work.
    word = word.strip()
    return bool(word) and re.search(rf"(?<!\w){re.escape(word)}(?!\w)", text, re.I) is not None
