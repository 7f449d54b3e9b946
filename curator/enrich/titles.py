"""Headlines: a page's title without the site's name around it (issue 15, item 3).

Owns which title candidate is the headline (the <h1> a reader sees, og:title, <title>) and
the rules that drop a leading or trailing segment naming the site. Pure functions on
strings; imports only curator.text and curator.enrich.labels.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from curator.enrich import labels as link_labels
from curator.text import collapse, fold_accents

# The separators sites put between a headline and their name (issue 15, item 3).
SEPARATOR = re.compile(r"\s+(?:[|\-–—»›·•/]|::|--)\s+")
# A breadcrumb repeats its separator: "Headline » Local » News » Brand".
_BREADCRUMB = {"»", "›"}
# "Title-新华网": a suffix written without spaces around its separator.
_TIGHT_SUFFIX = re.compile(r"^(?P<head>.*\S)\s*[-_|–—]\s*(?P<tail>[^\s\-_|–—]+)$")
# The New York Times marks old articles "(Published 2017)".
_PUBLISHED_NOTE = re.compile(r"\s*\((?:published|publié|veröffentlicht)\s+\d{4}\)\s*$", re.I)
_DATE = re.compile(r"\d{1,4}([./-])\d{1,2}\1\d{1,4}")
_BYLINE = re.compile(r"^(?:by|von|par|por)\s+", re.IGNORECASE)
# "Blog Name - Headline": what comes before a headline that ends the <title>.
_LEADS_IN = re.compile(SEPARATOR.pattern + "$")
_AGREEMENT = 0.5  # share of words an <h1> must have in common with the page's title
_MIN_HEADLINE_WORDS = 3  # fewer, and a heading may be the site's name in a logo ("V8")
_MAX_CRUMB_WORDS = 3


@dataclass(frozen=True)
class Site:
    """What names the site a title is on: its names, its host, its author, and the
    segments that end other titles of the same host in the queue."""

    host: str
    names: tuple[str, ...] = ()
    author: str | None = None
    shared_suffixes: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True)
class Headline:
    """A title and the rules that made it, for `curator enrich --explain`."""

    text: str
    rule: str


def choose_headline(
    h1s: Sequence[str],
    og_title: str | None,
    meta_title: str | None,
    html_title: str | None,
    site: Site,
    heading: str | None = None,
) -> Headline | None:
    """The headline, the first of these that gives one:

    1. the first <h1> that says the page's title in other words (the headline a reader
    sees, issue 15): it shares most of its words with og:title (else the other title, else
    the <title>), but is not the same words (the title's punctuation is kept) nor the
    title with a kicker ("Open Progress" + the headline); or the <title> is this <h1>, a
    separator and more, 2. og:title, 3. the title in other metadata (JSON-LD, meta
    name=title), 4. an <h1> or the article heading that ends the <title> after a leading
    segment and a separator ("Blog Name - Headline"), 5. the <title>, 6. the heading a
    theme marks as the article's title, 7. the first <h1>. Each loses the site's name
    around it (strip_site); the guesses (3, 6, 7) are skipped when they are only the site's
    name or slogan, so an empty <title> cannot yield either.
    """
    title = og_title or meta_title or (strip_site(html_title, site).text if html_title else "")
    rewords = (h1 for h1 in h1s if _rewords(h1, title))
    ending = (h for h in (*h1s, heading) if h and _ends_title(h, html_title or "", site))
    candidates = (
        (next(rewords, None), "<h1>", False),
        (og_title, "og:title", False),
        (meta_title, "metadata title", True),
        (next(ending, None), "heading that ends the <title>", False),
        (html_title, "<title>", False),
        (heading, "article heading", True),
        (next(iter(h1s), None), "<h1>", True),
    )
    for text, rule, is_guess in candidates:
        found = strip_site(collapse(text), site) if text else None
        if found and not (is_guess and _is_site_only(found.text, site)):
            return Headline(found.text, f"{rule}{found.rule}")
    return None


def strip_site(title: str, site: Site) -> Headline:
    """`title` without what names the site around it; `rule` lists what was dropped.

    In order: a "(Published 2017)" note; a trailing segment that names the site (and,
    behind it, breadcrumb sections); a spaceless trailing segment that names the site or
    is in another script ("-新华网"); a leading segment that names the site. A segment
    names the site when it is one of the site's names, such a name followed by a section
    ("Brand Politics"), the host's name or domain, the author's byline, or a segment
    that ends other titles of the host. A title is never cut down to nothing.
    """
    rules: list[str] = []
    text = _PUBLISHED_NOTE.sub("", title)
    if text != title:
        rules.append("published note")
    for step, name in ((_drop_suffix, "site suffix"), (_drop_tight_suffix, "site suffix")):
        shorter = step(text, site)
        if shorter != text:
            text = shorter
            rules.append(name)
    shorter = _drop_prefix(text, site)
    if shorter != text:
        text = shorter
        rules.append("site prefix")
    return Headline(text, "".join(f", without {rule}" for rule in rules))


def site_segment_name(title: str | None, host: str) -> str | None:
    """The site's name as the <title> gives it: the first or last segment when it spells
    the host's name ("| Startup Grind"), or the brand at its start ("Die PARTEI Lübeck")."""
    parts = SEPARATOR.split(collapse(title))
    if len(parts) < 2:
        return None
    for part in (parts[-1], parts[0]):
        if link_labels.is_host_name(part, host):
            return part
    for part in (parts[-1], parts[0]):
        if brand := link_labels.host_brand(part, host):
            return brand
    return None


def shared_suffixes(titles: Iterable[str]) -> frozenset[str]:
    """Trailing segments that end two or more different titles: the site's own suffix."""
    seen: dict[str, set[str]] = {}
    for title in titles:
        parts = SEPARATOR.split(collapse(title))
        if len(parts) > 1:
            seen.setdefault(parts[-1].casefold(), set()).add(title)
    return frozenset(suffix for suffix, found in seen.items() if len(found) > 1)


def drop_shared_suffixes(titles: Mapping[int, tuple[str, str]]) -> dict[int, tuple[str, str]]:
    """For titles keyed by link id, as (host, title): those whose last segment also ends
    another title of the same host, as (title without it, the segment) (issue 15)."""
    by_host: dict[str, list[str]] = {}
    for host, title in titles.values():
        by_host.setdefault(host, []).append(title)
    shared = {host: shared_suffixes(found) for host, found in by_host.items()}
    fixed: dict[int, tuple[str, str]] = {}
    for key, (host, title) in titles.items():
        parts = SEPARATOR.split(collapse(title))
        if len(parts) > 1 and parts[-1].casefold() in shared[host]:
            site = Site(host, shared_suffixes=shared[host])
            fixed[key] = (strip_site(collapse(title), site).text, parts[-1])
    return fixed


def names_site(segment: str, site: Site) -> bool:
    """Whether a title segment names the site rather than being part of the headline."""
    folded = segment.casefold()
    host = site.host
    if folded in site.shared_suffixes or link_labels.is_host_name(segment, host):
        return True
    if segment.isupper() and _fold(segment) in link_labels.host_spellings(host):
        return True  # an acronym too short for is_host_name: "DW" on dw.com
    if _is_domain_of(segment, host) or link_labels.host_brand(segment, host):
        return True
    if site.author and _BYLINE.sub("", folded) == collapse(site.author).casefold():
        return True
    return any(_is_name_or_section(folded, name.casefold()) for name in site.names)


def _drop_suffix(title: str, site: Site) -> str:
    parts = SEPARATOR.split(title)
    seps = SEPARATOR.findall(title)
    dated = len(parts) > 2 and _DATE.fullmatch(parts[-1]) is not None
    if dated:  # "Headline | DW | 19.01.2020": the date goes with the site's name
        parts, seps = parts[:-1], seps[:-1]
    if len(parts) < 2 or not names_site(parts[-1], site):
        return title
    last = seps[-1].strip()
    parts, seps = parts[:-1], seps[:-1]
    while seps and seps[-1].strip() == last and _is_section(parts[-1], last):
        parts, seps = parts[:-1], seps[:-1]
    return "".join(part + sep for part, sep in zip(parts, [*seps, ""], strict=True))


def _is_section(segment: str, separator: str) -> bool:
    """A breadcrumb's section ("Local", "News"), or a lone word between headline and
    site ("- Wirtschaft -")."""
    words = len(segment.split())
    return words <= (_MAX_CRUMB_WORDS if separator in _BREADCRUMB else 1)


def _drop_tight_suffix(title: str, site: Site) -> str:
    match = _TIGHT_SUFFIX.match(title)
    if not match or SEPARATOR.search(title[match.start("tail") - 3 :]):
        return title
    head, tail = match["head"], match["tail"]
    if names_site(tail, site) or _script(tail) not in ("", _script(head)):
        return head
    return title


def _drop_prefix(title: str, site: Site) -> str:
    match = SEPARATOR.search(title)
    if not match or not names_site(title[: match.start()], site):
        return title
    rest = title[match.end() :]
    return rest if len(rest.split()) >= 2 else title


def _is_name_or_section(segment: str, name: str) -> bool:
    """The site's name, or the name followed by a section: "brand politics"."""
    if not name or len(name) < 2:
        return False
    if segment == name:
        return True
    rest = segment.removeprefix(f"{name} ").split()
    return segment.startswith(f"{name} ") and len(rest) <= _MAX_CRUMB_WORDS


def _is_domain_of(segment: str, host: str) -> bool:
    """ "Example.net" on www.example.net: a domain-like brand of the host itself."""
    folded = _fold(segment).rstrip("/")
    return "." in folded and " " not in folded and host.endswith(folded.removeprefix("www."))


def _is_site_only(text: str, site: Site) -> bool:
    folded = text.casefold()
    return any(folded == name.casefold() for name in site.names) or link_labels.is_host_name(
        text, site.host
    )


def _ends_title(heading: str, html_title: str, site: Site) -> bool:
    """Whether the <title> is a leading segment, a separator and `heading`, and the heading
    is a headline of a few words rather than the site's name."""
    title = collapse(html_title)
    start = len(title) - len(heading)
    if start <= 0 or title[start:].casefold() != heading.casefold():
        return False
    if not _LEADS_IN.search(title[:start]) or len(heading.split()) < _MIN_HEADLINE_WORDS:
        return False
    return not _is_site_only(heading, site)


def _rewords(h1: str, title: str) -> bool:
    ours, theirs = _words(h1), _words(title)
    h1_folded, title_folded = h1.casefold(), title.casefold()
    if not ours or not theirs or ours == theirs or title_folded in h1_folded:
        return False
    if title_folded.startswith(h1_folded) and SEPARATOR.match(title[len(h1) :]):
        return True  # the <title> is the <h1>, a separator and more: the <h1> is the headline
    if h1_folded in title_folded:
        return False
    return len(ours & theirs) / len(ours | theirs) >= _AGREEMENT


def _words(text: str) -> set[str]:
    return set(re.findall(r"\w+", text.casefold()))


def _script(text: str) -> str:
    """The script most of the letters in `text` are written in, by Unicode name."""
    counts: dict[str, int] = {}
    for ch in text:
        if ch.isalpha():
            script = unicodedata.name(ch, "UNKNOWN").split()[0]
            counts[script] = counts.get(script, 0) + 1
    return max(counts, key=lambda script: counts[script]) if counts else ""


def _fold(text: str) -> str:
    return fold_accents(text).lower()
