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
from datetime import UTC, date, datetime
from types import MappingProxyType
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from curator import urls
from curator.charsets import HTML_TYPES, SNIFFED_TYPES, decode_page
from curator.enrich import labels as link_labels
from curator.errors import ContentError, ExtractionError
from curator.models import Metadata
from curator.text import collapse, composed, fold_accents, shorten
from curator.urls import title_from_url

if TYPE_CHECKING:
    from lxml.html import HtmlElement
    from trafilatura.settings import Document

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
_TITLE_SEPARATOR = re.compile(r"\s+[|\-–—·•»/]\s+")
_META_TITLE = './/head/meta[@property="og:title"]'
_TWEET_PATH = re.compile(r"^/(?P<handle>\w{1,15})/status(?:es)?/\d+")
# trafilatura's last resort for the site name is the URL's host (metadata.py, META_URL).
_HOST_OF_URL = re.compile(r"https?://(?:www\.|w[0-9]+\.)?([^/]+)")
# lxml refuses a str that still carries an encoding declaration (ValueError).
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")


def extract_page(body: bytes, url: str, content_type: str, labels: Mapping[str, str]) -> Metadata:
    """Metadata of a fetched page; non-HTML documents are kept with a title from the URL.

    `url` is the final URL, `content_type` the Content-Type header as sent ('' when absent;
    its charset decodes the page) and `labels` the user's `[sources]` table. Raises
    ContentError for an empty body, JSON, binary data and anything that is neither HTML
    nor a document.
    """
    media_type = content_type.split(";")[0].strip().lower()
    head = body[:_SNIFF_BYTES].lstrip(_BOM_AND_SPACE)
    if not head.strip():
        raise ContentError(url, "not an HTML page (empty body)")
    if head.startswith(b"%PDF-"):
        return document_metadata(url, "application/pdf", labels=labels)
    if head[:1] in (b"{", b"[") or media_type.endswith(("/json", "+json")):
        raise ContentError(url, "not an HTML page (JSON data)")
    if media_type.startswith(BINARY_DOCUMENT_PREFIXES):
        return document_metadata(url, media_type, labels=labels)
    if _is_binary(head):
        raise ContentError(url, "not an HTML page (binary data)")
    if media_type in HTML_TYPES or (media_type in SNIFFED_TYPES and _HTML_MARKUP.search(head)):
        return _html_metadata(decode_page(body, content_type), url, labels)
    if media_type in TEXT_DOCUMENT_TYPES:
        return document_metadata(url, media_type, labels=labels)
    raise ContentError(url, f"not an HTML page ({media_type or 'no HTML markup'})")


def tweet_metadata(url: str) -> Metadata:
    """A post on x.com / twitter.com, which is unreadable without a login: never fetched."""
    match = _TWEET_PATH.match(urlsplit(url).path)
    title = f"Tweet by @{match['handle']}" if match else "Tweet"
    return Metadata(title=title, label="Tweet", site_name="X", title_guessed=True)


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
        label=link_labels.link_label(url, None, None, labels),
        final_url=url,
        note=note,
    )


def _is_binary(head: bytes) -> bool:
    if head.startswith(_UTF16_BOMS):
        return False
    return len(_CONTROL_BYTES.findall(head)) > len(head) // 50


def _html_metadata(html: str, url: str, labels: Mapping[str, str]) -> Metadata:
    # Imported on first use: extraction runs in worker processes, which import trafilatura
    # while the parent's first requests are in flight; the parent never needs it.
    import trafilatura

    from curator.enrich.metadata import page_metadata

    tree = trafilatura.load_html(_XML_DECLARATION.sub("", html, count=1))
    if tree is None:
        raise ContentError(url, "not an HTML page (no HTML markup)")
    if tree.xpath("count(//*)") > MAX_ELEMENTS:
        raise ExtractionError(url, ExtractionError.TOO_LARGE)
    found = page_metadata(tree, url, DATE_PARAMS)
    author = _collapse(found.author)
    title, site_name = _title_and_site_name(found, tree, url, labels)
    summary = _shorten(_collapse(found.description)) or _first_paragraphs(tree, url, title)
    if not title and not summary:
        raise ContentError(url, "not an HTML page (no title and no text)")
    return Metadata(
        title=title or title_from_url(url),
        title_guessed=not title,
        summary=summary,
        label=link_labels.link_label(url, site_name, author, labels),
        site_name=site_name,
        published=_published(found.date),
        authors=tuple(name.strip() for name in author.split(";")) if author else (),
        final_url=url,
    )


def _title_and_site_name(
    found: Document, tree: HtmlElement, url: str, labels: Mapping[str, str]
) -> tuple[str | None, str | None]:
    """The page's title without a site-name suffix, and the site name the page gives.

    A <title> suffix that spells the host's name ("| Startup Grind" on startupgrind.com) is
    the site name when the page's metadata has none. A title suffix is dropped when it is
    the site name, the label curator knows for the host, or the host's name.
    """
    full_title = _collapse(tree.findtext(".//head//title"))
    site_name = _own_site_name(found.sitename, found.url) or _host_suffix(full_title, url)
    title = _page_title(_collapse(found.title), full_title, tree, url)
    match = _last_separator(title)
    if not title or not match:
        return title, site_name
    suffix = title[match.end() :].casefold()
    known = {name.casefold() for name in (site_name, link_labels.known_label(url, labels)) if name}
    if suffix in known or link_labels.is_host_name(suffix, urls.host(url)):
        return title[: match.start()], site_name
    return title, site_name


def _own_site_name(sitename: str | None, page_url: str | None) -> str | None:
    """The site name the page states; None for trafilatura's fallback to the URL's host."""
    name = _collapse(sitename)
    if not name or name.startswith(("http://", "https://")):
        return None
    host = _HOST_OF_URL.match(page_url or "")
    return None if host and name == host[1] else name


def _page_title(
    title: str | None, full_title: str | None, tree: HtmlElement, url: str
) -> str | None:
    """trafilatura's title, or the whole <title> where trafilatura cut the headline off.

    Without og:title trafilatura takes the first part of a <title> split at a separator,
    which is the site's name on sites that put it first ("CDU-Fraktion im Erfurter Stadtrat
    - Entwicklung der Waldorfschule ermöglicht"); the whole <title> is kept when the part it
    dropped shares more words with the URL, or as many and is longer. trafilatura also
    skips a <title> with a dot in it ("Node.js 22 released") and may find nothing else.
    """
    if not title or not full_title:
        return title or full_title
    if (
        title == full_title
        or not full_title.startswith(title)
        or tree.find(_META_TITLE) is not None
    ):
        return title
    dropped = _TITLE_SEPARATOR.sub(" ", full_title[len(title) :]).strip()
    path_words = _words(unquote(urlsplit(url).path))
    kept_score = (len(_words(title) & path_words), len(title))
    dropped_score = (len(_words(dropped) & path_words), len(dropped))
    return full_title if dropped_score > kept_score else title


def _host_suffix(full_title: str | None, url: str) -> str | None:
    """The last part of the <title> when it spells the host's name, else None."""
    match = _last_separator(full_title)
    if not full_title or not match:
        return None
    suffix = full_title[match.end() :]
    return suffix if link_labels.is_host_name(suffix, urls.host(url)) else None


def _words(text: str) -> set[str]:
    """Lower-case words of three letters or more, accents folded ("für" -> "fur")."""
    folded = fold_accents(text).lower()
    return {word for word in re.split(r"[^a-z0-9]+", folded) if len(word) >= 3}


def _last_separator(title: str | None) -> re.Match[str] | None:
    matches = list(_TITLE_SEPARATOR.finditer(title or ""))
    return matches[-1] if matches else None


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
