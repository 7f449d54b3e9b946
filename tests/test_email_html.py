"""`curator draft --format html` (issue 16, item 3): the same issue as one HTML document,
its CSS inlined, no front matter; read back with lxml and compared with the Markdown."""

from __future__ import annotations

import json
from pathlib import Path

import lxml.html
import pytest
from markdown_it import MarkdownIt
from typer.testing import CliRunner

from tests.cli import invoke
from tests.fakes import API_PATH, FakeArxiv
from tests.helpers import DATA, today
from tests.server import LoopbackServer

PAGES = DATA / "publishing"
HOSTILE_TITLE = "Auto <https://autolink.example> link & [brackets] <b>bold</b> $x^2$"


def window() -> tuple[str, ...]:
    day = today()
    return ("--since", day, "--until", day, "--date", "2024-01-05", "--number", "3")


@pytest.fixture
def week(runner: CliRunner, env: Path, server: LoopbackServer) -> LoopbackServer:
    """Three pages (one featured, one retitled with hostile text) and a paper."""
    (env / "curator.toml").write_text(
        f'[fetch]\narxiv_api_url = "{server.url(API_PATH)}"\narxiv_delay = 0\n\n'
        '[sources]\n"127.0.0.1" = "Loopback Times"\n'
    )
    server.add_writer(API_PATH, FakeArxiv(known={"2401.00001"}))
    for name in ("og_image", "twitter_image", "no_image"):
        server.add(f"/{name}", (PAGES / f"{name}.html").read_bytes())
    pages = [server.url(f"/{n}") for n in ("og_image", "twitter_image", "no_image")]
    invoke(runner, "add", *pages, "arxiv:2401.00001")
    invoke(runner, "enrich")
    invoke(runner, "feature", "1")
    invoke(runner, "pin", "2", "3", "4")
    invoke(runner, "edit", "2", "--title", HOSTILE_TITLE, "--summary", "Mine: <i>not</i> HTML.")
    return server


def markdown_links(text: str) -> list[tuple[str, str]]:
    """(text, href) of every link in the Markdown draft, in order, as CommonMark parses it."""
    found = []
    for block in MarkdownIt("commonmark", {"html": False}).parse(text):
        children = block.children or []
        for i, token in enumerate(children):
            if token.type == "link_open":
                words = []
                for inner in children[i + 1 :]:
                    if inner.type == "link_close":
                        break
                    words.append(inner.content)
                found.append(("".join(words), str(token.attrs["href"])))
    return found


def html_links(document: str) -> list[tuple[str, str]]:
    tree = lxml.html.document_fromstring(document)
    return [(a.text_content(), a.get("href")) for a in tree.iter("a")]


def test_html_draft_has_every_link_of_the_markdown_draft_in_order(
    runner: CliRunner, week: LoopbackServer
) -> None:
    markdown, _ = invoke(runner, "draft", *window())
    document, _ = invoke(runner, "draft", *window(), "--format", "html")
    links = html_links(document)
    assert links == markdown_links(markdown.split("\n---\n", 1)[1])
    plan = json.loads(invoke(runner, "list", "--draft", "--json")[0])
    items = [(item["title"], item["url"]) for item in plan]
    # The featured item's Image Source and Source lines link to its page, by its label.
    listed = [link for link in links if link[0] != "Loopback Times"]
    assert listed == items[1:]
    assert (HOSTILE_TITLE, week.url("/twitter_image")) in links


def test_html_draft_is_one_document_without_front_matter_or_style_blocks(
    runner: CliRunner, week: LoopbackServer
) -> None:
    document, _ = invoke(runner, "draft", *window(), "--format", "html")
    tree = lxml.html.document_fromstring(document)
    assert document.startswith("<!DOCTYPE html>")
    assert tree.findtext(".//title") == "Some interesting things to read #3"
    assert tree.find(".//style") is None
    assert "publishDate" not in document and "tags:" not in tree.text_content()
    assert "margin: 0 auto" in (tree.find(".//body").get("style") or "")
    anchors = list(tree.iter("a"))
    assert len(anchors) > 3 and all("color: #0b5cad" in (a.get("style") or "") for a in anchors)
    assert not list(tree.iter("b", "i", "script"))
    image = tree.find(".//img")
    assert image is not None and image.get("src") == week.url("/img/robot.jpg")
    headings = [h.text_content() for h in tree.iter("h2", "h3")]
    assert headings == ["1. Robots learn to fold laundry", "Other Reads", "AI Papers",
                        "Other interesting stuff"]  # fmt: skip


def test_markdown_stays_the_default_format(runner: CliRunner, week: LoopbackServer) -> None:
    plain, _ = invoke(runner, "draft", *window())
    named, _ = invoke(runner, "draft", *window(), "--format", "markdown")
    assert plain == named and plain.startswith("---\ntitle:")
    _, stderr = invoke(runner, "draft", *window(), "--format", "pdf", code=2)
    assert "pdf" in stderr
