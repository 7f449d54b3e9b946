"""Labels: the name the newsletter shows after a link, "(The Verge)", "(Tweet)".

Owns the label chain (DESIGN.md, "The newsletter it writes"; issue 15), the cleaning of the
names a page gives itself, and the built-in map in known_sources.toml. Pure functions on
strings; imports only curator.urls and curator.text.
"""

from __future__ import annotations

import ipaddress
import re
import tomllib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, fields
from functools import cache
from importlib import resources

from curator import urls
from curator.text import collapse, fold_accents

_BARE_DOMAIN = re.compile(r"(?:[\w-]+\.)+[a-z]{2,}", re.IGNORECASE)
# A byline naming several people, or a role rather than a name, is not a blog's owner.
_BYLINE_LIST = re.compile(r"[;,&|/@]|\band\b|\bund\b|\bet\b", re.IGNORECASE)
# What follows a site's name in its own declarations: "Name – the Web developer blog".
_TAGLINE = re.compile(r"\s+(?:[|\-–—·•]|::|--)\s+|:\s+")
# Legal forms are the company's, not the publication's: "Name Inc", "C.A. NAME".
_LEGAL_SUFFIX = re.compile(
    r",?\s+(?:Inc|Incorporated|LLC|L\.L\.C|Ltd|Limited|GmbH|AG|S\.?A|S\.?L|S\.?A\.?S|S\.?p\.?A"
    r"|PLC|Plc|Corp|Corporation|B\.?V|N\.?V|Pty\.? Ltd|C\.A|ASA|Oy|KG)\.?$"
)
_LEGAL_PREFIX = re.compile(r"^(?:C\.A\.|S\.A\.|Cía\.)\s+")
_LOGO_WORD = re.compile(r"\s*\blogo\b\s*", re.IGNORECASE)
# Alt text that says where the logo links to, not whose it is.
_LOGO_LINK = re.compile(r"^(?:go|back|return) to\b|\bhome ?page\b", re.IGNORECASE)
# Words a logo or a WebSite node is called on pages that do not name themselves there.
_GENERIC = {"home", "homepage", "home page", "logo", "startseite", "accueil", "inicio", "index"}
_POSSESSIVE = re.compile(r"['’]s$")
_SECOND_LEVEL = {"co", "com", "org", "net", "ac", "gov", "edu", "ne", "or", "go"}
_MAX_AUTHOR_WORDS = 4
_MAX_NAME_WORDS = 6  # longer "names" are headlines or sentences
_MAX_SECTION_WORDS = 3  # "Brand Politics": the brand, then a section of a few words
_MIN_NAME_LETTERS = 4
_MIN_HEADLINE_WORDS = 3


@dataclass(frozen=True)
class Signals:
    """What a page says about the site it is on and about its author (issue 15).

    The name fields are in the order the label chain trusts them, strongest first.
    """

    publisher: str | None = None  # JSON-LD publisher.name
    website: str | None = None  # JSON-LD WebSite.name
    og_site_name: str | None = None
    application_name: str | None = None
    twitter_site: str | None = None
    title_brand: str | None = None  # the part of the <title> that names the site
    logo_alt: str | None = None
    other_meta: str | None = None  # trafilatura's site name: publisher metas, a domain in <title>
    author: str | None = None
    headlines: tuple[str, ...] = ()  # the page's titles: a name equal to one is not a name


@dataclass(frozen=True)
class Label:
    """A source label and the rule that gave it, for `curator enrich --explain`."""

    text: str
    rule: str


# Which Signals fields name the site, in order.
NAME_SIGNALS = tuple(f.name for f in fields(Signals) if f.name not in ("author", "headlines"))
RULE_NAMES = {
    "publisher": "JSON-LD publisher",
    "website": "JSON-LD WebSite",
    "og_site_name": "og:site_name",
    "application_name": "application-name",
    "twitter_site": "twitter:site",
    "title_brand": "<title> segment naming the host",
    "logo_alt": "logo alt text",
    "other_meta": "other metadata",
}
NO_SIGNALS = Signals()
# The fields that name the publication itself rather than the company publishing it.
_PUBLICATION_FIELDS = ("website", "og_site_name", "application_name")


def link_label(url: str, signals: Signals, labels: Mapping[str, str]) -> str:
    """The label for a link; see choose_label for the rules."""
    return choose_label(url, signals, labels).text


def choose_label(url: str, signals: Signals, labels: Mapping[str, str]) -> Label:
    """The label for a link and its rule: the first of these rules that gives one wins.

    1. the user's `[sources]` table, 2. the built-in map, 3. "Tweet" for a post on x.com /
    twitter.com, 4. the page's own name from its strongest signal (Signals' order), cleaned
    of taglines and legal forms, never a platform's name, a headline or a handle (for a
    JSON-LD publisher, the site's own name when it is a part of it: "Ediciones EL PAÍS"
    publishes "EL PAÍS"), 5. a
    person's name for a personal blog (the host spells it) or a platform-hosted blog
    (Medium, Substack, WordPress, Blogger, GitHub Pages), 6. the platform's own name on its
    own host, 7. the host without `www.`.
    """
    host = urls.host(url)
    return (
        _as_label(_lookup(host, _normalise_keys(labels)), "your [sources]")
        or _as_label(_lookup(host, _known_sites()), "built-in map")
        or _as_label("Tweet" if urls.is_tweet(url) else None, "tweet")
        or own_name(signals, host)
        or _as_label(person(url, signals), "person")
        or _as_label(_known_platforms().get(host), "platform")
        or Label(host, "host")
    )


def known_label(url: str, labels: Mapping[str, str]) -> str | None:
    """The user's label for the host or a parent domain, else the built-in one, else None."""
    host = urls.host(url)
    return (
        _lookup(host, _normalise_keys(labels))
        or _lookup(host, _known_sites())
        or _known_platforms().get(host)
    )


def own_name(signals: Signals, host: str) -> Label | None:
    """The first name the page gives its site that survives clean_site_name; for the
    JSON-LD publisher, the site's own name when it is a part of the publisher's."""
    names = list(_own_names(signals, host))
    if not names:
        return None
    first, field = names[0]
    if field == "publisher":
        return _publication_of(first, names[1:]) or Label(first, RULE_NAMES[field])
    return Label(first, RULE_NAMES[field])


def _own_names(signals: Signals, host: str) -> Iterator[tuple[str, str]]:
    """Each cleaned name the page gives its site, strongest first, with its field."""
    for field in NAME_SIGNALS:
        value = getattr(signals, field)
        if field == "twitter_site":
            value = twitter_name(value, host)
        name = clean_site_name(value, signals.headlines)
        if name and not is_platform_name(name):
            yield name, field


def _publication_of(publisher: str, names: Iterable[tuple[str, str]]) -> Label | None:
    """The publication's name inside its publisher's, "EL PAÍS" in "Ediciones EL PAÍS": the
    publisher is the company behind the site (schema.org publisher is an Organization)."""
    words = publisher.casefold().split()
    for name, field in names:
        part = name.casefold().split()
        if field in _PUBLICATION_FIELDS and len(part) < len(words) and _within(part, words):
            return Label(name, f"{RULE_NAMES[field]}, within the JSON-LD publisher")
    return None


def _within(part: list[str], words: list[str]) -> bool:
    return any(words[start : start + len(part)] == part for start in range(len(words)))


def twitter_name(value: str | None, host: str) -> str | None:
    """twitter:site holds an account, "@GitLab" (X's card markup): its name counts only
    when it spells the host's name in more than lower case; "Brand_India" never does."""
    name = collapse(value).removeprefix("@")
    if " " in name:
        return name
    if "_" in name or name.islower() or not is_host_name(name, host):
        return None
    return name


def clean_site_name(site_name: str | None, headlines: Iterable[str] = ()) -> str | None:
    """The name a site gives itself, without a tagline or a legal form.

    None when it is empty, a URL, a bare lower- or upper-case domain, a handle, a
    sentence, or the page's headline.
    """
    name = collapse(site_name)
    if not name or "://" in name or _is_handle(name):
        return None
    name = _strip_legal_form(_TAGLINE.split(name, maxsplit=1)[0].strip())
    if not name or len(name.split()) > _MAX_NAME_WORDS or name.casefold() in _GENERIC:
        return None
    if _BARE_DOMAIN.fullmatch(name) and not _is_brand_domain(name):
        return None
    if any(_is_headline(name, title) for title in headlines):
        return None
    return name


def is_platform_name(name: str) -> bool:
    """Whether `name` is a blogging platform's ("Medium"), not a publication's."""
    folded = name.casefold()
    return folded in _platform_names()


def person(url: str, signals: Signals) -> str | None:
    """The author, when the blog is theirs: the host spells their name, or the post is
    on a blogging platform (by its host, its own site name or its generator)."""
    host = urls.host(url)
    if on_platform(host, signals):
        return person_name(signals.author)
    return blog_author(host, signals.author)


def on_platform(host: str, signals: Signals) -> bool:
    """Whether the page is a post on a blogging platform rather than a publication."""
    if any(host == key or host.endswith(f".{key}") for key in _known_platforms()):
        return True
    names = (signals.og_site_name, signals.application_name)
    return any(name and is_platform_name(name) for name in names)


def person_name(author: str | None) -> str | None:
    """`author` when it names one person: not a list, not a role, a handful of words."""
    name = collapse(author)
    if not name or _BYLINE_LIST.search(name) or len(name.split()) > _MAX_AUTHOR_WORDS:
        return None
    return name if len(_letters(name)) >= _MIN_NAME_LETTERS else None


def blog_author(host: str, author: str | None) -> str | None:
    """`author` when the host is named after them (blog.samaltman.com, "Sam Altman")."""
    name = person_name(author)
    if not name:
        return None
    site = host.removeprefix("www.").removeprefix("blog.")
    labels = site.split(".")
    # The top-level domain is left out so that it cannot complete a name.
    return name if _letters(name) in _letters("".join(labels[:-1] or labels)) else None


def is_host_name(name: str, host: str) -> bool:
    """Whether `name` spells the host's name: "Startup Grind" for startupgrind.com."""
    letters = _letters(name)
    if len(letters) < _MIN_NAME_LETTERS:
        return False
    return letters in host_spellings(host) or letters == _letters(host)


def host_brand(segment: str, host: str) -> str | None:
    """The words at the start of `segment` that spell the host's name, when the rest is a
    section of a few words: "Die PARTEI Lübeck" on die-partei.net -> "Die PARTEI". Words
    that are the host's own labels stay: "Example News" on news.example.com."""
    words = segment.split()
    spellings = host_spellings(host)
    host_labels = set(host.split("."))
    for end in range(1, len(words) + 1):
        brand = _POSSESSIVE.sub("", " ".join(words[:end]))
        rest = words[end:]
        if len(_letters(brand)) < _MIN_NAME_LETTERS or _letters(brand) not in spellings:
            continue
        if len(rest) <= _MAX_SECTION_WORDS and all(_is_word(word) for word in rest):
            return segment if {_letters(w) for w in rest} <= host_labels else brand
    return None


def host_spellings(host: str) -> set[str]:
    """The host's names as letters: www.news.example.co.uk -> newsexample, example, news.

    The top-level domain and a second-level one (co, com, ...) are left out.
    """
    labels = host.removeprefix("www.").split(".")
    names = labels[:-1] or labels
    if len(names) > 1 and names[-1] in _SECOND_LEVEL:
        names = names[:-1]
    return {_letters("".join(names[start:])) for start in range(len(names))} - {""}


def logo_name(alt: str | None) -> str | None:
    """A logo's alt text without the word "logo": "The Daily Circuit logo" -> the name."""
    name = collapse(_LOGO_WORD.sub(" ", alt or ""))
    if _LOGO_LINK.search(name) or len(_letters(name)) < 2:
        return None
    return name


def _as_label(text: str | None, rule: str) -> Label | None:
    return Label(text, rule) if text else None


def _strip_legal_form(name: str) -> str:
    stripped = _LEGAL_PREFIX.sub("", _LEGAL_SUFFIX.sub("", name)).strip(" ,")
    return stripped or name


def _is_handle(name: str) -> bool:
    """ "@brand", "Brand_India": an account name, not the site's name."""
    return " " not in name and (name.startswith("@") or "_" in name)


def _is_brand_domain(name: str) -> bool:
    """A domain spelt as a brand, "Phys.org", "Libération.fr"; not "dw.com" or "DW.COM"."""
    stem, tld = name.rsplit(".", 1)
    return tld.islower() and not stem.islower()


def _is_headline(name: str, title: str) -> bool:
    """A name that is one of the page's titles of a few words is its headline ("awk driven
    IoT"); a short one ("Learn Node", "Mozilla") is a home page's or a logo's."""
    return len(name.split()) >= _MIN_HEADLINE_WORDS and name.casefold() == title.casefold()


def _is_word(word: str) -> bool:
    return word.strip(".,&'’-").isalpha()


def _lookup(host: str, table: Mapping[str, str]) -> str | None:
    for domain in _domains(host):
        if domain in table:
            return table[domain]
    return None


def _domains(host: str) -> Iterator[str]:
    """The host, then each parent domain: news.example.com, example.com, com."""
    yield host
    if not host or _is_ip_address(host):
        return
    parts = host.split(".")
    for start in range(1, len(parts)):
        yield ".".join(parts[start:])


def _is_ip_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _normalise_keys(labels: Mapping[str, str]) -> dict[str, str]:
    """Keys as hosts: lower case, no `www.`, no scheme, port or path if the user wrote one."""
    table: dict[str, str] = {}
    for key, label in labels.items():
        domain = urls.host(key.strip() if "://" in key else f"//{key.strip()}")
        if domain and label.strip():
            table.setdefault(domain, label.strip())
    return table


def _letters(text: str) -> str:
    """Lower-case ASCII letters and digits, accents folded: "José Núñez" -> "josenunez"."""
    return "".join(ch for ch in fold_accents(text).lower() if ch.isalnum())


@cache
def _known_sources() -> dict[str, dict[str, str]]:
    text = resources.files("curator.enrich").joinpath("known_sources.toml").read_text("utf-8")
    return tomllib.loads(text)


def _known_sites() -> dict[str, str]:
    return _known_sources()["sites"]


def _known_platforms() -> dict[str, str]:
    return _known_sources()["platforms"]


@cache
def _platform_names() -> frozenset[str]:
    """The platforms' names, with and without their domain: "WordPress.com", "WordPress"."""
    names = {name.casefold() for name in _known_platforms().values()}
    return frozenset(names | {name.split(".")[0] for name in names} | {"blogspot", "github"})
