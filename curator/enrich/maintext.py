"""A page's main text, for the prompt of an LLM summary (issue 20): trafilatura's full
extraction (its fallbacks included), as one line cut to a number of characters.

Pure, like pages.py, and run in the same extraction workers (extracting.py): a page that
costs too much fails alone. Imports trafilatura on first use.
"""

from __future__ import annotations

import re

from curator.charsets import decode_page
from curator.enrich.pages import MAX_ELEMENTS
from curator.errors import ContentError, ExtractionError
from curator.text import collapse, composed, shorten

# lxml refuses a str that still carries an encoding declaration (ValueError).
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")


def main_text(body: bytes, url: str, content_type: str, limit: int) -> str:
    """The page's main text in at most `limit` characters; ContentError when it has none."""
    import trafilatura

    tree = trafilatura.load_html(_XML_DECLARATION.sub("", decode_page(body, content_type), 1))
    if tree is None:
        raise ContentError(url, "not an HTML page (no HTML markup)")
    if tree.xpath("count(//*)") > MAX_ELEMENTS:
        raise ExtractionError(url, ExtractionError.TOO_LARGE)
    text = trafilatura.extract(tree, url=url, include_comments=False, include_tables=False)
    if not text:
        raise ContentError(url, "no main text on the page")
    return shorten(composed(collapse(text)), limit)
