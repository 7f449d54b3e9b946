"""A page's main text, for the prompt of an LLM summary (issue 20): trafilatura's full
extraction (its fallbacks included), as one line cut to a number of characters.

Pure, like pages.py, and run in the same extraction workers (extracting.py): a page that
costs too much fails alone. Imports trafilatura on first use.
"""

from __future__ import annotations

from curator.charsets import decode_page
from curator.enrich.pages import parse_html
from curator.errors import ContentError
from curator.text import collapse, composed, shorten


def main_text(body: bytes, url: str, content_type: str, limit: int) -> str:
    """The page's main text in at most `limit` characters; ContentError when it has none."""
    import trafilatura

    tree = parse_html(decode_page(body, content_type), url)
    text = trafilatura.extract(tree, url=url, include_comments=False, include_tables=False)
    if not text:
        raise ContentError(url, "no main text on the page")
    return shorten(composed(collapse(text)), limit)
