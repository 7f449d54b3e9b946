"""Labels: the name the newsletter shows after a link, "(The Verge)", "(Tweet)".

Owns the order of the rules (DESIGN.md, "The newsletter it writes") and the built-in map in
known_sources.toml. Pure functions on strings; imports only curator.urls and curator.text.
"""

from __future__ import annotations

import ipaddress
import re
import tomllib
from collections.abc import Iterator, Mapping
from functools import cache
from importlib import resources

from curator import urls
from curator.text import collapse, fold_accents

_BARE_DOMAIN = re.compile(r"(?:[\w-]+\.)+[a-z]{2,}", re.IGNORECASE)
# A byline naming several people, or a role rather than a name, is not a blog's owner.
_BYLINE_LIST = re.compile(r"[;,&|/@]|\band\b|\bund\b|\bet\b", re.IGNORECASE)
_MAX_AUTHOR_WORDS = 4
_MIN_NAME_LETTERS = 4


def link_label(
    url: str, site_name: str | None, author: str | None, labels: Mapping[str, str]
) -> str:
    """The label for a link: the first of these rules that gives one wins.

    1. the user's `[sources]` table, 2. the built-in map, 3. "Tweet" for a post on
    x.com / twitter.com, 4. the page's own site name, 5. the author of a personal blog
    (their name is in the host), 6. the host without `www.`.
    """
    host = urls.host(url)
    return (
        known_label(url, labels)
        or ("Tweet" if urls.is_tweet(url) else None)
        or clean_site_name(site_name)
        or blog_author(host, author)
        or host
    )


def known_label(url: str, labels: Mapping[str, str]) -> str | None:
    """The user's label for the host or a parent domain, else the built-in one, else None."""
    host = urls.host(url)
    return (
        _lookup(host, _normalise_keys(labels))
        or _lookup(host, _known_sites())
        or _known_platforms().get(host)
    )


def clean_site_name(site_name: str | None) -> str | None:
    """The site name with whitespace collapsed; None when it is empty or a bare domain."""
    name = collapse(site_name)
    if not name or _BARE_DOMAIN.fullmatch(name) or "://" in name:
        return None
    return name


def blog_author(host: str, author: str | None) -> str | None:
    """`author` when the host is named after them (blog.samaltman.com, "Sam Altman")."""
    name = collapse(author)
    if not name or _BYLINE_LIST.search(name) or len(name.split()) > _MAX_AUTHOR_WORDS:
        return None
    letters = _letters(name)
    if len(letters) < _MIN_NAME_LETTERS:
        return None
    site = host.removeprefix("www.").removeprefix("blog.")
    labels = site.split(".")
    # The top-level domain is left out so that it cannot complete a name.
    return name if letters in _letters("".join(labels[:-1] or labels)) else None


def is_host_name(name: str, host: str) -> bool:
    """Whether `name` spells the host's name: "Startup Grind" for startupgrind.com."""
    letters = _letters(name)
    if len(letters) < _MIN_NAME_LETTERS:
        return False
    labels = host.split(".")
    names = labels[:-1] or labels
    spellings = {_letters("".join(names[start:])) for start in range(len(names))}
    return letters in spellings or letters == _letters(host)


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
