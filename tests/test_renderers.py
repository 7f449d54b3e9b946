"""The draft through the renderers authors publish with (issue 16, item 2).

markdown-it-py (CommonMark), cmark-gfm with GitHub's extensions (cmarkgfm), and pandoc's
`markdown` and `gfm` readers (pypandoc-binary ships pandoc) each turn the draft into HTML,
with raw HTML allowed so that any that slips through shows; lxml reads it back. Every
title, summary and source must come out as its own text, every link with its own href.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence
from pathlib import Path

import cmarkgfm
import lxml.html
import pypandoc
import pytest
from cmarkgfm.cmark import Options
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from curator.compose import AI_PAPERS, OTHER, Draft, Section, render_draft
from curator.compose.markdown import plain
from curator.config import DraftConfig
from tests.e2e.test_hostile import HOSTILE_TITLE
from tests.test_markdown import HOSTILE, draft_of, entry

# The cases issue 16 found, on top of test_markdown's kit and the end-to-end hostile title.
ISSUE_CASES = [
    "Auto <https://autolink.example> link",
    "$x^2$ and $y$",
    "^sup^ text",
    "~sub~ text",
    "@name says",
    "a. starts like a list",
    "(1) starts like a list",
    "(@) starts like an example",
    "iv) roman",
    "::: warning",
    "Visit www.example.com or https://bare.example/x today",
    "Emoji :smile: shortcodes",
    'Say "hi" -- or don\'t...',
]
TITLES = HOSTILE + ISSUE_CASES + [HOSTILE_TITLE]
# The elements the default template itself produces; anything else came from a title.
# Titles that show something: the template leaves out an empty summary or source.
SHOWN = st.lists(st.text().filter(lambda t: plain(t) != ""), min_size=1, max_size=3)
STRUCTURE = {"div", "p", "h2", "h3", "ul", "ol", "li", "a", "em", "hr"}
GFM_EXTENSIONS = ["table", "autolink", "tagfilter", "strikethrough", "tasklist"]
PANDOC_ARGS = ["--wrap=none"]
# pandoc's `smart` extension (on in its markdown reader) sets typographic punctuation:
# the author's choice of typography, not an escape that failed.
TYPOGRAPHY = {"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'}
TYPOGRAPHY |= {"\u2014": "---", "\u2013": "--", "\u2026": "..."}


def markdown_it(text: str) -> str:
    return MarkdownIt("commonmark").render(text)


def cmark_gfm(text: str) -> str:
    return cmarkgfm.markdown_to_html_with_extensions(
        text, options=Options.CMARK_OPT_UNSAFE, extensions=GFM_EXTENSIONS
    )


def pandoc_markdown(text: str) -> str:
    return pypandoc.convert_text(text, "html", format="markdown", extra_args=PANDOC_ARGS)


def pandoc_gfm(text: str) -> str:
    return pypandoc.convert_text(text, "html", format="gfm", extra_args=PANDOC_ARGS)


Renderer = Callable[[str], str]
RENDERERS = [markdown_it, cmark_gfm, pandoc_markdown, pandoc_gfm]


def body(draft: Draft) -> str:
    """The draft after its front matter, as a site generator hands it to the renderer."""
    return render_draft(draft, DraftConfig()).split("\n---\n", 1)[1]


def html_of(render: Renderer, draft: Draft) -> lxml.html.HtmlElement:
    return lxml.html.fragment_fromstring(render(body(draft)), create_parent="div")


def seen(text: str) -> str:
    """Text as compared: whitespace collapsed, typographic punctuation made plain, and in
    NFC, since pandoc's gfm reader composes what it reads (U+FA2A comes out as U+98EF, the
    same character to a reader)."""
    plain_typography = "".join(TYPOGRAPHY.get(ch, ch) for ch in text)
    return unicodedata.normalize("NFC", " ".join(plain_typography.split()))


def links(root: lxml.html.HtmlElement) -> list[tuple[str, str]]:
    return [(seen(a.text_content()), a.get("href", "")) for a in root.iter("a")]


def strays(root: lxml.html.HtmlElement) -> list[str]:
    """Elements the template does not make, and comments: raw HTML or markup a title added."""
    return [str(el.tag) for el in root.iter() if el.tag not in STRUCTURE]


def texts(root: lxml.html.HtmlElement, tag: str) -> list[str]:
    return [seen(el.text_content()) for el in root.iter(tag)]


def lists(root: lxml.html.HtmlElement) -> list[tuple[str, int, str | None]]:
    return [(el.tag, len(el.findall("li")), el.get("start")) for el in root.iter("ol", "ul")]


def title_draft(titles: Sequence[str]) -> Draft:
    """Every title as a featured item, a paper and a link, each its own summary or source."""
    featured = [
        entry(100 + i, t, f"https://feat.example/{i}", summary=t) for i, t in enumerate(titles)
    ]
    papers = [
        entry(200 + i, t, f"https://arxiv.org/abs/2401.{i:05d}", "paper", summary=t)
        for i, t in enumerate(titles)
    ]
    others = [
        entry(300 + i, t, f"https://links.example/{i}", source=t) for i, t in enumerate(titles)
    ]
    return draft_of(featured, [Section(AI_PAPERS, tuple(papers)), Section(OTHER, tuple(others))])


def expected_links(titles: Sequence[str]) -> list[tuple[str, str]]:
    shown = [seen(plain(t)) for t in titles]
    found = [(t, f"https://feat.example/{i}") for i, t in enumerate(shown)]
    found += [(t, f"https://arxiv.org/abs/2401.{i:05d}") for i, t in enumerate(shown)]
    return found + [(t, f"https://links.example/{i}") for i, t in enumerate(shown)]


def check(render: Renderer, titles: Sequence[str]) -> None:
    root = html_of(render, title_draft(titles))
    shown = [seen(plain(t)) for t in titles]
    n = len(titles)
    assert links(root) == expected_links(titles)
    assert strays(root) == []
    assert lists(root) == [("ul", n, None), ("ol", n, None), ("ol", n, None)]
    assert texts(root, "h2") == [seen(f"{i}. {t}") for i, t in enumerate(shown, 1)] + [
        "Other Reads"
    ]
    items = texts(root, "li")
    assert items[:n] == shown
    assert items[n : 2 * n] == [seen(f"{t} - {t}") for t in shown]
    assert items[2 * n :] == [seen(f"{t} ({t})") for t in shown]
    summaries = [p for p in texts(root, "p") if p.endswith(tuple(f"Source: {t}" for t in shown))]
    assert summaries == [seen(f"{t} Source: {t}") for t in shown]


@pytest.mark.parametrize("render", RENDERERS)
def test_hostile_titles_summaries_and_sources_render_as_text(render: Renderer) -> None:
    check(render, TITLES)


@pytest.mark.parametrize("render", [markdown_it, cmark_gfm])
@settings(deadline=None)
@given(SHOWN)
def test_any_titles_render_as_text_in_commonmark_and_gfm(
    render: Renderer, titles: list[str]
) -> None:
    check(render, titles)


@pytest.mark.parametrize("render", [pandoc_markdown, pandoc_gfm])
@settings(deadline=None, max_examples=30)
@given(SHOWN)
def test_any_titles_render_as_text_in_pandoc(render: Renderer, titles: list[str]) -> None:
    check(render, titles)


def test_pandoc_description_in_a_template_carries_no_html(tmp_path: Path) -> None:
    template = tmp_path / "description.html"
    template.write_text("<div><p>$title$</p><p>$description$</p></div>\n")
    draft = render_draft(title_draft(TITLES), DraftConfig())
    args = ["--template", str(template), *PANDOC_ARGS]
    html = pypandoc.convert_text(draft, "html", format="markdown", extra_args=args)
    root = lxml.html.fragment_fromstring(html)
    # Emphasis, strikeout, sub/superscript, math and citations may style the words; no
    # element of a title's own (no <script>, link or image) gets through.
    styling = {"em", "strong", "del", "sub", "sup", "span"}
    assert {str(el.tag) for el in root.iter()} - styling == {"div", "p"}
    assert root.xpath("//span[not(@class='math inline' or @class='citation')]") == []
    assert "alert(1)" in root.text_content()
