"""Which arXiv paper a page covers (issue 17, item 6): the one it links to or names most.

A page covers a paper when it links to `arxiv.org/abs|pdf|html/ID` or
`huggingface.co/papers/ID`, or names `arXiv:ID` in its text. Pure: takes the parsed page.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import TYPE_CHECKING
from urllib.parse import urljoin

from curator import urls

if TYPE_CHECKING:
    from lxml.html import HtmlElement

_NAMED = re.compile(rf"\barXiv:\s*({urls.ARXIV_ID.pattern})", re.IGNORECASE)
MAX_LINKS = 2000  # a page's links read: enough for any article, bounded for hostile ones
# Every arXiv-like host, and `arXiv:`, holds one of these words.
_WORDS = ("arxiv", "ar5iv", "huggingface")


def covered_paper(tree: HtmlElement, markup: str, url: str) -> str | None:
    """`arxiv:ID` of the paper the page links to or names most often (the first of
    equals), or None. `markup` is the text `tree` was parsed from: a page that never
    names arXiv in it is not read further (most pages; reading costs about 1 ms)."""
    if not urls.may_name_arxiv_host(url):
        lowered = markup.lower()
        if not any(word in lowered for word in _WORDS):
            return None
    found: Counter[str] = Counter()
    # On an arXiv-like host a relative link may be a paper's; elsewhere only a link that
    # names such a host can be, so the others are not resolved and parsed (issue 19: the
    # hundreds of links of a page were most of its extraction time).
    hrefs = [str(href).strip() for href in tree.xpath("//a/@href")[:MAX_LINKS]]
    if not urls.may_name_arxiv_host(url):
        hrefs = [href for href in hrefs if urls.may_name_arxiv_host(href)]
    for href in hrefs:
        paper = urls.arxiv_id(urljoin(url, href))
        if paper:
            found[paper] += 1
    text = tree.text_content() or ""
    # The pattern, caseless and starting at a word boundary, has no literal to skip ahead
    # to: without this test it scanned every page's text for milliseconds.
    named = _NAMED.finditer(text) if "arxiv:" in text.lower() else ()
    for match in named:
        paper = urls.arxiv_id(f"arxiv:{match['id']}")
        if paper:
            found[paper] += 1
    if not found:
        return None
    return f"arxiv:{found.most_common(1)[0][0]}"
