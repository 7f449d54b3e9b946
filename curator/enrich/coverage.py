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


def covered_paper(tree: HtmlElement, url: str) -> str | None:
    """`arxiv:ID` of the paper the page links to or names most often (the first of
    equals), or None."""
    found: Counter[str] = Counter()
    for href in tree.xpath("//a/@href")[:MAX_LINKS]:
        paper = urls.arxiv_id(urljoin(url, str(href).strip()))
        if paper:
            found[paper] += 1
    for match in _NAMED.finditer(tree.text_content() or ""):
        paper = urls.arxiv_id(f"arxiv:{match['id']}")
        if paper:
            found[paper] += 1
    if not found:
        return None
    return f"arxiv:{found.most_common(1)[0][0]}"
