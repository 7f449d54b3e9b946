"""curator.collect.opml: reading feed lists from feed readers and writing our own."""

from __future__ import annotations

from pathlib import Path

import pytest

from curator.collect.opml import parse_opml, to_opml
from curator.config import FeedSource
from curator.errors import UsageError
from tests.helpers import DATA

OPML = DATA / "import" / "feeds.opml"


def test_every_http_feed_outline_is_read_nested_ones_included() -> None:
    assert parse_opml(OPML.read_bytes()) == [
        FeedSource(url="https://news.example.com/feed.xml", name="Example & Co. News"),
        FeedSource(url="https://title.example.org/rss", name="Title only"),
        FeedSource(url="http://deep.example.net/atom.xml", name="Nested deep"),
        FeedSource(url="https://nameless.example.com/feed", name=""),
    ]


@pytest.mark.parametrize(
    "data",
    [b"", b"just some text", b"<opml><body><outline", b"<html><body>hi</body></html>"],
    ids=["empty", "text", "truncated", "html"],
)
def test_garbage_is_a_usage_error(data: bytes) -> None:
    with pytest.raises(UsageError, match="not an OPML file"):
        parse_opml(data)


def test_written_opml_round_trips_with_awkward_names() -> None:
    feeds = [
        FeedSource(url="https://a.example.com/feed?x=1&y=2", name='Quotes "and" <tags> & more'),
        FeedSource(url="https://b.example.com/rss", name="Ünïcode — names"),
        FeedSource(url="https://c.example.com/atom", name=""),
    ]

    text = to_opml(feeds, title="Mine & yours")

    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<opml version="2.0">')
    assert "<title>Mine &amp; yours</title>" in text
    assert parse_opml(text.encode()) == [
        feeds[0],
        feeds[1],
        FeedSource(url="https://c.example.com/atom", name="c.example.com"),
    ]


def test_written_opml_has_one_rss_outline_per_feed() -> None:
    text = to_opml([FeedSource(url="https://a.example.com/feed", name="A")])

    assert '<outline type="rss" text="A" title="A" xmlUrl="https://a.example.com/feed" />' in text


def test_control_characters_in_names_do_not_break_the_xml() -> None:
    text = to_opml([FeedSource(url="https://a.example.com/feed", name="bell\x07 name")])

    assert parse_opml(text.encode()) == [
        FeedSource(url="https://a.example.com/feed", name="bell name")
    ]


def test_external_entities_are_never_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-OPML")
    data = (
        f'<!DOCTYPE opml [<!ENTITY s SYSTEM "{secret.as_uri()}">]>'
        '<opml version="2.0"><body><outline text="x &s;" xmlUrl="https://e.com/f"/></body></opml>'
    ).encode()

    try:
        feeds = parse_opml(data)
    except UsageError as err:
        assert "TOP-SECRET" not in str(err)
    else:
        assert all("TOP-SECRET" not in feed.name for feed in feeds)


def test_entity_bomb_is_refused_quickly() -> None:
    levels = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    data = (
        f'<!DOCTYPE opml [<!ENTITY l0 "lol">{levels}]>'
        '<opml version="2.0"><body><outline text="&l9;" xmlUrl="https://e.com/f"/></body></opml>'
    ).encode()

    with pytest.raises(UsageError, match="not an OPML file"):
        parse_opml(data)
