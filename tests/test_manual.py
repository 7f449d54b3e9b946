"""curator.collect.manual: URL lists, bookmark exports and telling them apart."""

from __future__ import annotations

import pytest

from curator.collect.manual import BadLine, parse_bookmarks, parse_lines, sniff
from tests.helpers import DATA

IMPORT = DATA / "import"


def test_url_list_skips_blanks_and_comments_and_keeps_the_note() -> None:
    candidates, bad = parse_lines((IMPORT / "urls.txt").read_text(), "added", note="for #7")

    assert [c.url for c in candidates] == [
        "https://blog.example.com/2023/12/what-i-learned",
        "https://news.example.org/story?id=7&utm_source=newsletter",
        "https://arxiv.org/abs/2312.11514",
    ]
    assert {(c.via, c.note) for c in candidates} == {("added", "for #7")}


def test_url_list_reports_bad_lines_by_number_and_keeps_the_good_ones() -> None:
    _, bad = parse_lines((IMPORT / "urls.txt").read_text(), "added")

    assert [(line.number, line.text) for line in bad] == [
        (6, "not a url"),
        (7, "ftp://files.example.com/report.pdf"),
        (9, "http://"),
    ]
    assert "not an http(s) URL" in bad[1].reason


@pytest.mark.parametrize(
    ("line", "url"),
    [
        ("arxiv:2312.11514", "https://arxiv.org/abs/2312.11514"),
        ("arXiv:2312.11514v3", "https://arxiv.org/abs/2312.11514"),
        ("arxiv:hep-th/0101001", "https://arxiv.org/abs/hep-th/0101001"),
    ],
)
def test_arxiv_id_lines_become_abs_links(line: str, url: str) -> None:
    candidates, bad = parse_lines(line, "added")

    assert [c.url for c in candidates] == [url]
    assert bad == []


def test_malformed_arxiv_id_is_a_bad_line() -> None:
    candidates, bad = parse_lines("arxiv:12345\n", "added")

    assert candidates == []
    assert bad == [BadLine(1, "arxiv:12345", "not an arXiv id: arxiv:12345")]


def test_windows_line_ends_and_a_byte_order_mark_are_tolerated() -> None:
    candidates, bad = parse_lines("\ufeffhttps://a.example.com/\r\nhttps://b.example.com/\r\n", "x")

    assert [c.url for c in candidates] == ["https://a.example.com/", "https://b.example.com/"]
    assert bad == []


def test_bookmarks_export_gives_titled_http_links_and_counts_the_rest() -> None:
    candidates, dropped = parse_bookmarks((IMPORT / "bookmarks.html").read_bytes(), "bookmarks")

    assert [(c.url, c.meta.title) for c in candidates] == [
        ("https://blog.example.com/2023/12/what-i-learned", "What I learned & why"),
        ("https://arxiv.org/abs/2312.11514v2", "A paper"),
        ("http://news.example.org/story?id=7", "Stôry with ünicode"),
        ("https://untitled.example.net/", None),
    ]
    assert {(c.via, c.meta.published) for c in candidates} == {("bookmarks", None)}
    assert dropped == 3  # javascript:, place: and file:


def test_a_bookmark_keeps_query_parameters_named_like_entities() -> None:
    export = b'<DL><DT><A HREF="https://news.example/list?a=1&section=2&not=3">List</A></DL>'

    candidates, _ = parse_bookmarks(export, "bookmarks")

    assert [c.url for c in candidates] == ["https://news.example/list?a=1&section=2&not=3"]


@pytest.mark.parametrize(
    ("name", "kind"),
    [("feeds.opml", "opml"), ("bookmarks.html", "bookmarks"), ("urls.txt", "lines")],
)
def test_sniff_tells_import_files_apart_by_content(name: str, kind: str) -> None:
    assert sniff((IMPORT / name).read_bytes()) == kind


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b"\xef\xbb\xbf<?xml version='1.0'?>\n<!-- x -->\n<OPML version='1.0'/>", "opml"),
        (b"<dl><dt><a href='https://e.com/'>e</a></dl>", "bookmarks"),
        (b"https://example.com/opml\nhttps://example.com/<dl>", "lines"),
        (b"", "lines"),
    ],
)
def test_sniff_edge_cases(data: bytes, kind: str) -> None:
    assert sniff(data) == kind


def test_a_comment_after_a_url_is_skipped_but_a_fragment_is_not_a_comment() -> None:
    text = "https://a.example/x  # from Ana\nhttps://a.example/y\t#later\nhttps://a.example/z#top\n"
    candidates, bad = parse_lines(text, "added")
    assert [c.url for c in candidates] == [
        "https://a.example/x",
        "https://a.example/y",
        "https://a.example/z#top",
    ]
    assert bad == []
