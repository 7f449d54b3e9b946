"""Escaping: no title, summary or source can add Markdown structure to the draft.

Drafts are parsed back with markdown-it-py in CommonMark mode and their tokens inspected.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from urllib.parse import unquote

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from markdown_it.token import Token

from curator.compose import AI_PAPERS, OTHER, Draft, Entry, Section, render_draft
from curator.compose.markdown import inert, md_text, md_url, plain, yaml_str
from curator.config import DraftConfig

HOSTILE = [
    "Brackets ] ) [ in the middle",
    "A title\nsplit over\r\nlines",
    "Code `rm -rf` spans ``here``",
    "<script>alert(1)</script>",
    "![img](https://example.com/x.png)",
    "[x](javascript:alert(1))",
    "Ends with a backslash \\",
    "<https://autolink.example>",
    "*bold* and **strong**",
    "_under_ and __double__",
    "# heading",
    "1. list",
    "2023. A year in charts",
    "| table | row |",
    "- dash first",
    "+ plus first",
    "===",
    "---",
    "> quoted",
    "~~strike~~ and {#anchor}",
    "Entities &amp; &copy; &#65; &#x41; stay literal",
    "<!-- comment --> and <b>bold</b>",
    "Two trailing spaces  \nthen more",
    "Null \x00 byte and \x07 bell",
]


def parse(text: str) -> list[Token]:
    """The body after the YAML front matter, as a site generator would see it."""
    if text.startswith("---\n"):
        text = text.split("\n---\n", 1)[1]
    return MarkdownIt("commonmark").parse(text)


def flat(tokens: Sequence[Token]) -> list[Token]:
    """Block tokens with each inline token's children spliced in after it."""
    out: list[Token] = []
    for token in tokens:
        out.append(token)
        out.extend(token.children or [])
    return out


def text_of(tokens: Sequence[Token]) -> str:
    """The text a reader sees, soft line breaks as newlines."""
    textual = {"text", "text_special", "code_inline", "softbreak"}
    return "".join(
        "\n" if t.type == "softbreak" else t.content for t in tokens if t.type in textual
    )


def links(tokens: Sequence[Token]) -> list[tuple[str, str]]:
    """(text, href) of every link, in document order."""
    found: list[tuple[str, str]] = []
    inside: list[Token] | None = None
    href = ""
    for token in flat(tokens):
        if token.type == "link_open":
            inside, href = [], str(token.attrGet("href"))
        elif token.type == "link_close" and inside is not None:
            found.append((text_of(inside), href))
            inside = None
        elif inside is not None:
            inside.append(token)
    return found


def headings(tokens: Sequence[Token]) -> list[tuple[str, str]]:
    return [
        (token.tag, text_of(tokens[i + 1].children or []))
        for i, token in enumerate(tokens)
        if token.type == "heading_open"
    ]


def forbidden(tokens: Sequence[Token]) -> list[str]:
    kinds = {"image", "html_inline", "html_block", "code_inline", "code_block", "fence"}
    kinds |= {"em_open", "strong_open", "hardbreak", "blockquote_open", "table_open"}
    return [t.type for t in flat(tokens) if t.type in kinds]


def entry(link_id: int, title: str, url: str, kind: str = "link", **fields: str) -> Entry:
    values = {"source": "", "summary": ""} | fields
    return Entry(link_id, title, url, kind, values["source"], values["summary"], None)


def draft_of(featured: Sequence[Entry], sections: Sequence[Section]) -> Draft:
    moment = datetime(2024, 1, 1, tzinfo=UTC)
    return Draft(7, date(2024, 1, 5), moment, moment, tuple(featured), tuple(sections))


def hostile_draft() -> Draft:
    featured = [
        entry(100 + i, title, f"https://feat.example/{i}", summary=title)
        for i, title in enumerate(HOSTILE)
    ]
    papers = [
        entry(200 + i, title, f"https://arxiv.org/abs/2401.{i:05d}", "paper", summary=title)
        for i, title in enumerate(HOSTILE)
    ]
    others = [
        entry(300 + i, title, f"https://links.example/{i}", source=title)
        for i, title in enumerate(HOSTILE)
    ]
    return draft_of(featured, [Section(AI_PAPERS, tuple(papers)), Section(OTHER, tuple(others))])


def test_hostile_titles_stay_link_text_with_their_own_targets() -> None:
    tokens = parse(render_draft(hostile_draft(), DraftConfig()))
    expected = [(plain(t), f"https://feat.example/{i}") for i, t in enumerate(HOSTILE)]
    expected += [(plain(t), f"https://arxiv.org/abs/2401.{i:05d}") for i, t in enumerate(HOSTILE)]
    expected += [(plain(t), f"https://links.example/{i}") for i, t in enumerate(HOSTILE)]
    assert links(tokens) == expected


def test_hostile_text_adds_no_images_html_code_emphasis_or_breaks() -> None:
    tokens = parse(render_draft(hostile_draft(), DraftConfig()))
    # The template's own _Source: ..._ lines are the only emphasis.
    assert forbidden(tokens) == ["em_open"] * len(HOSTILE)


def test_hostile_titles_add_no_headings_or_list_items() -> None:
    tokens = parse(render_draft(hostile_draft(), DraftConfig()))
    featured = [("h2", f"{i}. {plain(t)}") for i, t in enumerate(HOSTILE, 1)]
    sections = [("h2", "Other Reads"), ("h3", AI_PAPERS), ("h3", OTHER)]
    assert headings(tokens) == featured + sections
    items = [t for t in tokens if t.type == "list_item_open"]
    assert len(items) == 3 * len(HOSTILE)


def test_hostile_summaries_and_sources_read_back_as_written() -> None:
    tokens = parse(render_draft(hostile_draft(), DraftConfig()))
    paragraphs = [text_of(t.children or []) for t in tokens if t.type == "inline"]
    for title in HOSTILE:
        assert f"{plain(title)}\nSource: {plain(title)}" in paragraphs
        assert f"{plain(title)} - {plain(title)}" in paragraphs
        assert f"{plain(title)} ({plain(title)})" in paragraphs


def test_front_matter_survives_hostile_titles() -> None:
    text = render_draft(hostile_draft(), DraftConfig(title='Weekly "reads": #1\n'))
    front = yaml.safe_load(text.split("---\n")[1])
    assert front["title"] == 'Weekly "reads": #1 #7'
    assert front["description"] == "Featured: " + "; ".join(map(inert, HOSTILE)) + "."


@given(st.text(), st.text())
def test_any_title_renders_as_one_link_whose_text_round_trips(title: str, source: str) -> None:
    item = entry(1, title, "https://example.com/a", source=source)
    tokens = parse(render_draft(draft_of([], [Section(OTHER, (item,))]), DraftConfig()))
    assert links(tokens) == [(plain(title), "https://example.com/a")]
    assert forbidden(tokens) == []
    assert [t.type for t in tokens if t.type.endswith("_open")][-3:] == [
        "ordered_list_open",
        "list_item_open",
        "paragraph_open",
    ]


@given(st.text())
def test_any_featured_title_gives_one_heading_and_one_bullet(title: str) -> None:
    item = entry(1, title, "https://example.com/a", summary=title)
    tokens = parse(render_draft(draft_of([item], []), DraftConfig()))
    assert headings(tokens) == [("h2", f"1. {plain(title)}".rstrip())]
    assert [t.type for t in tokens].count("list_item_open") == 1
    assert links(tokens) == [(plain(title), "https://example.com/a")]


def test_md_text_escapes_markdown_syntax() -> None:
    assert md_text("[a](b) *c* _d_ `e` <f> #g !h |i| ~j {k} \\") == (
        "\\[a\\](b) \\*c\\* \\_d\\_ \\`e\\` \\<f\\> \\#g \\!h \\|i\\| \\~j \\{k\\} \\\\"
    )


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("- a", "\\- a"),
        ("+ a", "\\+ a"),
        ("= a", "\\= a"),
        ("12. a", "12\\. a"),
        ("1) a", "1\\) a"),
        ("a - b", "a - b"),
    ],
)
def test_md_text_escapes_a_leading_list_or_heading_marker(text: str, escaped: str) -> None:
    assert md_text(text) == escaped


def test_md_text_writes_ampersand_as_entity_only_before_a_reference() -> None:
    assert md_text("AT&T &amp; R&D &#169;") == "AT&T &amp;amp; R&D &amp;\\#169;"


def test_md_text_puts_everything_on_one_line() -> None:
    assert md_text("  one\n\ttwo\r\n\u2028three  ") == "one two three"


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        " javascript:alert(1)",
        "data:text/html,<script>",
        "mailto:someone@example.com",
        "/relative/path",
        "//example.com/x",
        "\x00https://example.com/",
        "https://",
        "ftp://example.com/file",
    ],
)
def test_md_url_refuses_anything_but_http_urls(url: str) -> None:
    with pytest.raises(ValueError):
        md_url(url)


def test_md_url_encodes_characters_that_would_end_the_target() -> None:
    url = 'https://example.com/a b(c)<d>\\e"f`g\nh'
    assert md_url(url) == "https://example.com/a%20b%28c%29%3Cd%3E%5Ce%22f%60g%0Ah"


@pytest.mark.parametrize(
    "url",
    [
        "https://en.wikipedia.org/wiki/Function_(mathematics)",
        "https://example.com/search?q=a&lt;b&amp;c=1",
        "https://example.com/caf\u00e9?x=%41",
        "HTTP://EXAMPLE.com/Path",
    ],
)
def test_md_url_targets_read_back_as_the_same_url(url: str) -> None:
    item = entry(1, "Title", url)
    tokens = parse(render_draft(draft_of([], [Section(OTHER, (item,))]), DraftConfig()))
    [(_, href)] = links(tokens)
    assert unquote(href) == unquote(url)


@given(st.text())
def test_yaml_str_parses_back_to_the_cleaned_text(text: str) -> None:
    assert yaml.safe_load(f"key: {yaml_str(text)}") == {"key": plain(text)}


def test_yaml_str_is_one_double_quoted_line() -> None:
    assert yaml_str('say "hi"\n\\ now') == '"say \\"hi\\" \\\\ now"'
