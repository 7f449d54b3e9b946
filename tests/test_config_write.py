"""curator.config.write: adding feeds to curator.toml without touching the rest."""

from __future__ import annotations

from pathlib import Path

import pytest

from curator.config import FeedSource, load_config
from curator.config.write import add_feeds
from curator.errors import ConfigError

COMMENTED = """\
# curator.toml: my own notes stay here.

[fetch]
timeout = 20            # slow feeds, be patient
# arxiv_delay = 3.0

# Papers first.
[[arxiv]]
name = "arXiv cs.CL"
query = "cat:cs.CL"

[[feed]]
name = "The Verge"      # keep this one
url = "https://www.theverge.com/rss/index.xml"

[draft]
title = "Things to read"   # trailing comment
# The end: a commented-out feed.
# [[feed]]
# url = "https://example.org/feed"
"""


def write(path: Path, text: str) -> Path:
    path.write_bytes(text.encode())
    return path


def test_new_feeds_are_appended_and_every_existing_byte_survives(tmp_path: Path) -> None:
    path = write(tmp_path / "curator.toml", COMMENTED)
    new = [
        FeedSource(url="https://news.example.com/feed.xml", name="Example News"),
        FeedSource(url="https://blog.example.org/atom", name="Blog"),
    ]

    added = add_feeds(path, new)

    assert added == new
    text = path.read_text()
    assert text.startswith(COMMENTED)
    assert text[len(COMMENTED) :] == (
        '\n[[feed]]\nname = "Example News"\nurl = "https://news.example.com/feed.xml"\n'
        '\n[[feed]]\nname = "Blog"\nurl = "https://blog.example.org/atom"\n'
    )
    config = load_config(path, required=True)
    assert [feed.name for feed in config.feed] == ["The Verge", "Example News", "Blog"]
    assert config.fetch.timeout == 20
    assert config.draft.title == "Things to read"


def test_feeds_already_configured_are_skipped_comparing_canonical_urls(tmp_path: Path) -> None:
    path = write(tmp_path / "curator.toml", COMMENTED)
    new = [
        FeedSource(url="http://www.theverge.com/rss/index.xml/?utm_source=opml", name="Verge"),
        FeedSource(url="https://news.example.com/feed.xml", name="News"),
        FeedSource(url="https://NEWS.example.com/feed.xml#top", name="News again"),
    ]

    added = add_feeds(path, new)

    assert added == [FeedSource(url="https://news.example.com/feed.xml", name="News")]
    assert [feed.url for feed in load_config(path, required=True).feed] == [
        "https://www.theverge.com/rss/index.xml",
        "https://news.example.com/feed.xml",
    ]


def test_nothing_new_leaves_the_file_alone(tmp_path: Path) -> None:
    path = write(tmp_path / "curator.toml", COMMENTED)
    before = path.stat().st_mtime_ns

    assert add_feeds(path, [FeedSource(url="https://www.theverge.com/rss/index.xml")]) == []

    assert path.read_text() == COMMENTED
    assert path.stat().st_mtime_ns == before


def test_a_missing_file_is_created_with_the_feeds(tmp_path: Path) -> None:
    path = tmp_path / "conf" / "curator.toml"

    added = add_feeds(path, [FeedSource(url="https://news.example.com/feed.xml")])

    assert added == [FeedSource(url="https://news.example.com/feed.xml", name="news.example.com")]
    assert load_config(path, required=True).feed == tuple(added)


def test_clashing_names_are_made_unique_so_the_config_still_loads(tmp_path: Path) -> None:
    path = write(tmp_path / "curator.toml", COMMENTED)
    new = [
        FeedSource(url="https://other.example.com/verge.xml", name="The Verge"),
        FeedSource(url="https://a.example.com/feed", name="arXiv cs.CL"),
        FeedSource(url="https://b.example.com/feed", name="Blog"),
        FeedSource(url="https://b.example.com/other", name="Blog"),
        FeedSource(url="https://b.example.com/third", name="Blog"),
    ]

    added = add_feeds(path, new)

    assert [feed.name for feed in added] == [
        "The Verge (other.example.com)",
        "arXiv cs.CL (a.example.com)",
        "Blog",
        "Blog (b.example.com)",
        "Blog 2",
    ]
    assert len(load_config(path, required=True).feed) == 6


def test_awkward_names_are_escaped(tmp_path: Path) -> None:
    path = write(tmp_path / "curator.toml", "")
    name = 'Quotes " and \\ backslash, Ünïcode'

    add_feeds(path, [FeedSource(url="https://a.example.com/f", name=name)])

    assert load_config(path, required=True).feed[0].name == name


def test_invalid_toml_is_a_config_error_and_the_file_is_kept(tmp_path: Path) -> None:
    broken = "[fetch\ntimeout = 3\n"
    path = write(tmp_path / "curator.toml", broken)

    with pytest.raises(ConfigError, match=r"curator\.toml: invalid TOML"):
        add_feeds(path, [FeedSource(url="https://a.example.com/f", name="A")])

    assert path.read_text() == broken


def test_windows_line_ends_and_a_missing_final_newline_are_respected(tmp_path: Path) -> None:
    original = "# notes\r\n[fetch]\r\ntimeout = 5"
    path = write(tmp_path / "curator.toml", original)

    add_feeds(path, [FeedSource(url="https://a.example.com/f", name="A")])

    data = path.read_bytes().decode()
    assert (
        data == original + '\r\n\r\n[[feed]]\r\nname = "A"\r\nurl = "https://a.example.com/f"\r\n'
    )
    assert load_config(path, required=True).feed[0].name == "A"


def test_feeds_written_as_an_inline_array_get_the_new_feed_inline(tmp_path: Path) -> None:
    path = write(
        tmp_path / "curator.toml",
        '# inline style\nfeed = [{name = "A", url = "https://a.example.com/f"}]\n',
    )

    add_feeds(path, [FeedSource(url="https://b.example.com/f", name="B")])

    assert path.read_text().startswith("# inline style\nfeed = [")
    assert [feed.name for feed in load_config(path, required=True).feed] == ["A", "B"]
