"""Enrichment: what a link is about, as Metadata, from page bytes or the URL.

Pure functions, no network and no store: the pipeline fetches, then calls these. extract_page
may run in a worker process, so it is top-level and takes and returns picklable values.
Pages are decoded by curator.charsets and handed to trafilatura as text (never fetch_url,
which fetches on its own; never bytes, whose encoding trafilatura guesses).
"""

from __future__ import annotations

import codecs
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from types import MappingProxyType
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from curator import urls
from curator.charsets import HTML_TYPES, SNIFFED_TYPES, decode_page
from curator.enrich import labels as link_labels
from curator.enrich import titles
from curator.enrich.coverage import covered_paper
from curator.errors import ContentError, ExtractionError
from curator.text import collapse, composed, shorten
from curator.urls import title_from_url
from curator.values import Metadata

if TYPE_CHECKING:
    from lxml.html import HtmlElement

    from curator.enrich.metadata import PageFacts
    from curator.enrich.titles import Headline

# trafilatura and htmldate log bad input (empty, JSON, binary) at ERROR level; curator
# reports it once, as a ContentError on the link (measured on trafilatura 2.3).
for _name in ("trafilatura", "htmldate"):
    logging.getLogger(_name).setLevel(logging.CRITICAL)

# Without these htmldate turns a lone "© 2021" into 2021-01-01 (measured, htmldate 1.11).
DATE_PARAMS: Mapping[str, Any] = MappingProxyType(
    {"extensive_search": False, "original_date": True}
)
# Extraction costs about 0.1 ms of CPU per element, for metadata and text alike: this many
# keep a page to a few seconds, and a 4.8 MB page of bare <p> tags (1.6 million elements,
# 100 s) is refused 0.7 s after parsing (issue 12).
MAX_ELEMENTS = 60_000
SUMMARY_MAX = 500
SUMMARY_MIN = 200  # take paragraphs until the summary is at least this long
TEXT_DOCUMENT_TYPES = ("text/plain", "text/csv", "text/markdown", "text/x-markdown")
BINARY_DOCUMENT_PREFIXES = (
    "application/pdf",
    "application/msword",
    "application/vnd.",
    "application/rtf",
    "application/epub+zip",
    "application/postscript",
    "image/",
    "audio/",
    "video/",
)

_SNIFF_BYTES = 2048
_HTML_MARKUP = re.compile(rb"<(?:!doctype\s+html|html|head|body|title|meta)\b", re.IGNORECASE)
_CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0e-\x1f]")
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
_BOM_AND_SPACE = codecs.BOM_UTF8 + b" \t\r\n\f"
_TWEET_PATH = re.compile(r"^/(?P<handle>\w{1,15})/status(?:es)?/\d+")
# lxml refuses a str that still carries an encoding declaration (ValueError).
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")


@dataclass(frozen=True)
class Explained:
    """A page's Metadata and why: the rules behind its title and label (issue 15)."""

    metadata: Metadata
    title_rule: str
    label_rule: str
    signals: link_labels.Signals


def extract_page(body: bytes, url: str, content_type: str, labels: Mapping[str, str]) -> Metadata:
    """Metadata of a fetched page; non-HTML documents are kept with a title from the URL.

    `url` is the final URL, `content_type` the Content-Type header as sent ('' when absent;
    its charset decodes the page) and `labels` the user's `[sources]` table. Raises
    ContentError for an empty body, JSON, binary data and anything that is neither HTML
    nor a document.
    """
    return explain_page(body, url, content_type, labels).metadata


def explain_page(body: bytes, url: str, content_type: str, labels: Mapping[str, str]) -> Explained:
    """extract_page, with the rules that gave the title and the label."""
    media_type = content_type.split(";")[0].strip().lower()
    head = body[:_SNIFF_BYTES].lstrip(_BOM_AND_SPACE)
    if not head.strip():
        raise ContentError(url, "not an HTML page (empty body)")
    if head.startswith(b"%PDF-"):
        return explain_document(url, "application/pdf", labels)
    if head[:1] in (b"{", b"[") or media_type.endswith(("/json", "+json")):
        raise ContentError(url, "not an HTML page (JSON data)")
    if media_type.startswith(BINARY_DOCUMENT_PREFIXES):
        return explain_document(url, media_type, labels)
    if _is_binary(head):
        raise ContentError(url, "not an HTML page (binary data)")
    if media_type in HTML_TYPES or (media_type in SNIFFED_TYPES and _HTML_MARKUP.search(head)):
        return explain_html(decode_page(body, content_type), url, labels)
    if media_type in TEXT_DOCUMENT_TYPES:
        return explain_document(url, media_type, labels)
    raise ContentError(url, f"not an HTML page ({media_type or 'no HTML markup'})")


def tweet_metadata(url: str) -> Metadata:
    """A post on x.com / twitter.com, which is unreadable without a login: never fetched."""
    match = _TWEET_PATH.match(urlsplit(url).path)
    title = f"Tweet by @{match['handle']}" if match else "Tweet"
    return Metadata(title=title, label="Tweet", site_name="X", title_guessed=True)


def explain_tweet(url: str) -> Explained:
    """tweet_metadata, with its rules: a tweet is never fetched."""
    return Explained(tweet_metadata(url), "tweet", "tweet", link_labels.NO_SIGNALS)


def document_metadata(url: str, content_type: str, *, labels: Mapping[str, str]) -> Metadata:
    """A PDF, image or other document: kept, with its title taken from the URL and its
    label from the author's `labels` (`[sources]`) first, as for a page."""
    if content_type == "application/pdf":
        note = "PDF document"
    else:
        note = f"document of type {content_type or 'unknown'}: title taken from the URL"
    return Metadata(
        title=title_from_url(url),
        title_guessed=True,
        label=link_labels.link_label(url, link_labels.NO_SIGNALS, labels),
        final_url=url,
        note=note,
    )


def explain_document(url: str, media_type: str, labels: Mapping[str, str]) -> Explained:
    """document_metadata, with the rules that gave the title and the label."""
    meta = document_metadata(url, media_type, labels=labels)
    label = link_labels.choose_label(url, link_labels.NO_SIGNALS, labels)
    return Explained(meta, "from the URL", label.rule, link_labels.NO_SIGNALS)


def _is_binary(head: bytes) -> bool:
    if head.startswith(_UTF16_BOMS):
        return False
    return len(_CONTROL_BYTES.findall(head)) > len(head) // 50


def explain_html(html: str, url: str, labels: Mapping[str, str]) -> Explained:
    """A page's Metadata with the rules that gave its title and label."""
    from curator.enrich.metadata import read_page  # imports trafilatura: see parse_html

    tree = parse_html(html, url)
    facts = read_page(tree, html, url, DATE_PARAMS)
    found = facts.document
    author = _collapse(found.author)
    headline, signals = _headline(facts, url, labels)
    label = link_labels.choose_label(url, signals, labels)
    own = link_labels.own_name(signals, urls.host(url))
    title = headline.text if headline else None
    summary = _shorten(_collapse(found.description)) or _first_paragraphs(tree, url, title)
    if not title and not summary:
        raise ContentError(url, "not an HTML page (no title and no text)")
    meta = Metadata(
        title=title or title_from_url(url),
        title_guessed=not title,
        summary=summary,
        label=label.text,
        site_name=own.text if own else None,
        published=_published(found.date),
        authors=tuple(name.strip() for name in author.split(";")) if author else (),
        final_url=url,
        image=facts.image,
        covers=covered_paper(tree, html, url),
    )
    return Explained(meta, headline.rule if headline else "from the URL", label.rule, signals)


def parse_html(html: str, url: str) -> HtmlElement:
    """The page's tree: ContentError when it has no HTML markup, ExtractionError when it
    has more than MAX_ELEMENTS elements."""
    # Imported on first use: extraction runs in worker processes, which import trafilatura
    # while the parent's first requests are in flight; the parent never needs it.
    import trafilatura

    tree = trafilatura.load_html(_XML_DECLARATION.sub("", html, count=1))
    if tree is None:
        raise ContentError(url, "not an HTML page (no HTML markup)")
    if tree.xpath("count(//*)") > MAX_ELEMENTS:
        raise ExtractionError(url, ExtractionError.TOO_LARGE)
    return tree


def _headline(
    facts: PageFacts, url: str, labels: Mapping[str, str]
) -> tuple[Headline | None, link_labels.Signals]:
    """The headline without the site's name around it, and the signals with the <title>
    segment that names the site filled in."""
    host = urls.host(url)
    brand = titles.site_segment_name(facts.html_title, host)
    signals = replace(facts.signals, title_brand=brand)
    names = (*_site_names(signals, url, labels), *facts.taglines)
    site = titles.Site(host, names, signals.author)
    headline = titles.choose_headline(
        facts.h1s, facts.og_title, facts.declared_title, facts.html_title, site, facts.heading
    )
    return headline, signals


def _site_names(
    signals: link_labels.Signals, url: str, labels: Mapping[str, str]
) -> tuple[str, ...]:
    """Every name the site goes by, as declared and as cleaned; never one of its titles."""
    titles_seen = {title.casefold() for title in signals.headlines}
    declared = [getattr(signals, name) for name in link_labels.NAME_SIGNALS]
    cleaned = [link_labels.clean_site_name(name) for name in declared]
    names = [*declared, *cleaned, link_labels.known_label(url, labels)]
    return tuple(dict.fromkeys(n for n in names if n and n.casefold() not in titles_seen))


def _first_paragraphs(tree: HtmlElement, url: str, title: str | None) -> str | None:
    """The start of the main text, for pages without a description (full extraction)."""
    # fast: no readability/justext fallback, 40% cheaper; a summary needs no more.
    import trafilatura
    from trafilatura.settings import Document

    document = trafilatura.bare_extraction(
        tree, url=url, include_comments=False, include_tables=False, fast=True
    )
    if not isinstance(document, Document):
        return None
    paragraphs = [_collapse(" ".join(p.itertext())) for p in document.body.iter("p")]
    if not any(paragraphs):
        paragraphs = [_collapse(line) for line in (document.text or "").splitlines()]
    summary = ""
    for paragraph in paragraphs:
        if paragraph and paragraph != title:
            summary = f"{summary} {paragraph}".strip()
        if len(summary) >= SUMMARY_MIN:
            break
    return _shorten(summary)


def _shorten(summary: str | None) -> str | None:
    """At most SUMMARY_MAX characters; None for no summary."""
    return shorten(summary, SUMMARY_MAX) if summary else None


def _published(found: str | None) -> datetime | None:
    """htmldate's 'YYYY-MM-DD' as midnight UTC."""
    try:
        day = date.fromisoformat(found or "")
    except ValueError:
        return None
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def _collapse(text: str | None) -> str | None:
    """Whitespace collapsed to single spaces, Unicode in NFC; None for None or blank text."""
    collapsed = composed(collapse(text))
    return collapsed or None
