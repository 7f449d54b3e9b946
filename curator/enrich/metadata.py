"""A page's own declarations: trafilatura's metadata without the parts curator never shows,
and the signals that name the site (JSON-LD, meta tags, the logo) and give its headline.

`trafilatura.extract_metadata` always looks for categories, tags and a license too; on
link-heavy pages those walk every <a> and cost about 80% of the call (4.6 -> 0.9 ms a
page in tests/bench). page_metadata runs the same steps, in the same order, with the same
trafilatura functions, minus those three. Kept in step with trafilatura 2.x
(trafilatura/metadata.py, extract_metadata); tests/test_enrich_pages.py compares the two.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from itertools import islice
from typing import Any
from urllib.parse import urljoin

from courlan import extract_domain
from htmldate import find_date
from lxml.html import HtmlElement
from trafilatura.metadata import (
    META_URL,
    examine_meta,
    extract_author,
    extract_meta_json,
    extract_metainfo,
    extract_sitename,
    extract_title,
    extract_url,
)
from trafilatura.settings import Document
from trafilatura.xpaths import TITLE_XPATHS

from curator import urls
from curator.enrich import labels
from curator.errors import ExtractionError, InvalidURLError
from curator.text import collapse

_MAX_H1 = 5
_MAX_JSON_NODES = 10_000
# WordPress and most blog themes mark the slogan so (site-description, tagline).
_TAGLINES = (
    './/*[contains(@class, "site-description") or contains(@class, "tagline")'
    ' or contains(@class, "slogan")]'
)
# The Open Graph protocol (ogp.me) names og:image and og:image:url; X's cards
# twitter:image (older pages twitter:image:src), as `name` or, often, `property`.
_IMAGE_METAS = (
    ("property", "og:image"),
    ("property", "og:image:url"),
    ("name", "twitter:image"),
    ("property", "twitter:image"),
    ("name", "twitter:image:src"),
)
_TAGLINE_WORDS = ("site-description", "tagline", "slogan")
_LOGO_ALT = (
    './/*[contains(@class, "logo") or contains(@id, "logo")]//img/@alt'
    ' | .//img[contains(@class, "logo") or contains(@id, "logo") or contains(@src, "logo")]/@alt'
)

_META_NAMES = ("property", "name")
Metas = dict[tuple[str, str], list[str]]


@dataclass(frozen=True)
class PageFacts:
    """What the page declares: trafilatura's Document, the title candidates and the
    signals naming the site (headlines in `signals` are the page's title candidates)."""

    document: Document
    h1s: tuple[str, ...]
    og_title: str | None
    declared_title: str | None  # from meta tags or JSON-LD, before any <h1>/<h2> guess
    html_title: str | None
    heading: str | None  # an <h1>/<h2> marked as the article's title by its class
    taglines: tuple[str, ...]  # the site's slogan, where a theme marks it
    signals: labels.Signals
    image: str | None = None  # og:image or twitter:image, absolute http(s)


def read_page(
    tree: HtmlElement, markup: str, url: str, date_params: Mapping[str, Any]
) -> PageFacts:
    """Everything curator reads from a parsed page's markup, wherever the parser put it.

    `markup` is the text `tree` was parsed from: a query over every element costs about
    0.3 ms on a large page, so one whose words are not in the markup at all is skipped.
    """
    lift_metas(tree)
    found = _declared(tree, url)
    declared_title = collapse(found.title) or None
    # trafilatura falls back to the URL's host; curator's label chain has its own last rule.
    declared_site = _sitename(found.sitename or extract_sitename(tree), None)
    document = _complete(found, tree, url, date_params)
    metas = _metas(tree)
    og_title = _meta(metas, "property", "og:title")
    html_title = collapse(tree.findtext(".//head//title")) or None
    texts = (collapse(h1.text_content()) for h1 in tree.iter("h1"))
    h1s = tuple(islice((text for text in texts if text), _MAX_H1))
    publisher, website = json_ld_names(tree)
    twitter = _meta(metas, "name", "twitter:site") or _meta(metas, "property", "twitter:site")
    signals = labels.Signals(
        publisher=publisher,
        website=website,
        og_site_name=_meta(metas, "property", "og:site_name"),
        application_name=_meta(metas, "name", "application-name"),
        twitter_site=twitter,
        logo_alt=labels.logo_name(_logo_alt(tree, markup)),
        other_meta=_other_meta(declared_site, twitter),
        author=collapse(document.author) or None,
        headlines=tuple(t for t in (og_title, declared_title, html_title, *h1s) if t),
    )
    heading = extract_metainfo(tree, TITLE_XPATHS)
    return PageFacts(
        document,
        h1s,
        og_title,
        declared_title,
        html_title,
        heading,
        _taglines(tree, markup),
        signals,
        page_image(metas, url),
    )


def page_image(metas: Metas, url: str) -> str | None:
    """The page's own picture for a featured item (issue 16, item 6): the first og:image
    or twitter:image that is, once resolved against the page, an http(s) URL. Open Graph
    asks for absolute URLs, yet relative ones are common; data: and javascript: are not."""
    for attribute, name in _IMAGE_METAS:
        value = _meta(metas, attribute, name)
        if value is None:
            continue
        try:
            return urls.check(urljoin(url, value))
        except InvalidURLError:
            continue
    return None


def page_metadata(tree: HtmlElement, url: str, date_params: Mapping[str, Any]) -> Document:
    """Title, author, URL, date, site name and description of a parsed page."""
    return _complete(_declared(tree, url), tree, url, date_params)


def lift_metas(tree: HtmlElement) -> None:
    """Move the <meta> tags and the <title> the HTML parser put into <body> back into <head>.

    An element that does not belong in <head> ends it for an HTML parser (HTML Living
    Standard, "in head" insertion mode), and trafilatura reads metadata only from <head>
    (issue 15). A <title> inside an <svg> is the drawing's, not the page's.
    """
    head = tree.find("head")
    if head is None:
        return
    for meta in tree.xpath("./body//meta[@content]"):
        head.append(meta)
    if head.find(".//title") is None:
        head.extend(tree.xpath("./body//title[not(ancestor::svg)]")[:1])


def json_ld_names(tree: HtmlElement) -> tuple[str | None, str | None]:
    """The JSON-LD publisher's name and the WebSite's name, resolving `@id` references."""
    nodes = list(_json_ld_nodes(tree))
    by_id = {n["@id"]: n for n in nodes if isinstance(n.get("@id"), str) and "name" in n}
    publisher = website = None
    for node in nodes:
        ref = node.get("publisher")
        if isinstance(ref, list):
            ref = next(iter(ref), None)
        if isinstance(ref, dict) and isinstance(ref.get("@id"), str):
            ref = {**by_id.get(ref["@id"], {}), **ref}
        publisher = publisher or _name_of(ref)
        if "WebSite" in _types(node):
            website = website or _name_of(node)
    return publisher, website


def _declared(tree: HtmlElement, url: str) -> Document:
    found = examine_meta(tree)
    if found.author and " " not in found.author:
        found.author = None  # a single word is a handle or a role, not a name (trafilatura)
    try:
        found = extract_meta_json(tree, found)
    # trafilatura guards its JSON-LD reader the same way: malformed JSON-LD is common.
    except (ValueError, TypeError, KeyError, AttributeError, IndexError):
        pass
    except RecursionError:  # JSON nested deeper than Python's stack (issue 12)
        raise ExtractionError(url, ExtractionError.TOO_DEEP) from None
    return found


def _complete(
    found: Document, tree: HtmlElement, url: str, date_params: Mapping[str, Any]
) -> Document:
    found.title = found.title or extract_title(tree)
    found.author = found.author or extract_author(tree)
    found.url = found.url or extract_url(tree, url)
    if found.url:
        found.hostname = extract_domain(found.url, fast=True)
    found.date = find_date(tree, **{**date_params, "url": found.url})
    found.sitename = _sitename(found.sitename or extract_sitename(tree), found.url)
    found.clean_and_trim()
    return found


def _json_ld_nodes(tree: HtmlElement) -> Iterator[dict[str, Any]]:
    """Every JSON object in the page's JSON-LD scripts, breadth first, up to a bound."""
    for script in tree.xpath('.//script[@type="application/ld+json"]'):
        try:
            data = json.loads(script.text or "", strict=False)
        except (ValueError, RecursionError):
            continue
        queue, seen = deque([data]), 0
        while queue and seen < _MAX_JSON_NODES:
            item = queue.popleft()
            seen += 1
            if isinstance(item, dict):
                yield item
                queue.extend(item.values())
            elif isinstance(item, list):
                queue.extend(item)


def _types(node: Mapping[str, Any]) -> list[str]:
    kind = node.get("@type")
    return [kind] if isinstance(kind, str) else [k for k in kind or () if isinstance(k, str)]


def _name_of(node: object) -> str | None:
    if isinstance(node, str):
        return collapse(node) or None
    if isinstance(node, dict) and isinstance(node.get("name"), str):
        return collapse(node["name"]) or None
    return None


def _taglines(tree: HtmlElement, markup: str) -> tuple[str, ...]:
    if not any(word in markup for word in _TAGLINE_WORDS):
        return ()
    found = (collapse(element.text_content()) for element in tree.xpath(_TAGLINES))
    return tuple(dict.fromkeys(text for text in found if text))


def _logo_alt(tree: HtmlElement, markup: str) -> str | None:
    return next(iter(tree.xpath(_LOGO_ALT)), None) if "logo" in markup else None


def _metas(tree: HtmlElement) -> Metas:
    """The content of every <meta> by (attribute, value) it carries, in document order:
    one walk over the page, where a query per name walked it ten times."""
    metas: Metas = {}
    for meta in tree.iter("meta"):
        content = meta.get("content")
        if content is None:
            continue
        for attribute in _META_NAMES:
            value = meta.get(attribute)
            if value is not None:
                metas.setdefault((attribute, value), []).append(content)
    return metas


def _meta(metas: Metas, attribute: str, value: str) -> str | None:
    for content in metas.get((attribute, value), ()):
        if text := collapse(content):
            return text
    return None


def _other_meta(sitename: str | None, twitter_site: str | None) -> str | None:
    """trafilatura's site name unless it is the twitter:site handle it also reads."""
    name = collapse(sitename) or None
    handle = (twitter_site or "").lstrip("@").casefold()
    if not name or (handle and name.casefold() == handle):
        return None
    return None if name.startswith(("http://", "https://")) else name


def _sitename(name: str | None, url: str | None) -> str | None:
    if name:
        name = name.lstrip("@")
        if name and "." not in name and not name[0].isupper():
            name = name.title()
        return name or None
    match = META_URL.match(url or "")
    return match[1] if match else None
