"""trafilatura's metadata extraction without the parts curator never shows.

`trafilatura.extract_metadata` always looks for categories, tags and a license too; on
link-heavy pages those walk every <a> and cost about 80% of the call (4.6 -> 0.9 ms a
page in tests/bench). This runs the same steps, in the same order, with the same
trafilatura functions, minus those three. Kept in step with trafilatura 2.x
(trafilatura/metadata.py, extract_metadata); tests/test_enrich.py compares the two.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from courlan import extract_domain
from htmldate import find_date
from lxml.html import HtmlElement
from trafilatura.metadata import (
    META_URL,
    examine_meta,
    extract_author,
    extract_meta_json,
    extract_sitename,
    extract_title,
    extract_url,
)
from trafilatura.settings import Document

from curator.errors import ExtractionError


def page_metadata(tree: HtmlElement, url: str, date_params: Mapping[str, Any]) -> Document:
    """Title, author, URL, date, site name and description of a parsed page."""
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
    found.title = found.title or extract_title(tree)
    found.author = found.author or extract_author(tree)
    found.url = found.url or extract_url(tree, url)
    if found.url:
        found.hostname = extract_domain(found.url, fast=True)
    found.date = find_date(tree, **{**date_params, "url": found.url})
    found.sitename = _sitename(found.sitename or extract_sitename(tree), found.url)
    found.clean_and_trim()
    return found


def _sitename(name: str | None, url: str | None) -> str | None:
    if name:
        name = name.lstrip("@")
        if name and "." not in name and not name[0].isupper():
            name = name.title()
        return name or None
    match = META_URL.match(url or "")
    return match[1] if match else None
