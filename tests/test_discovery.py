"""Feed autodiscovery: a `[[feed]]` URL that is a web page is read through the feed the
page links to, which is remembered and fetched directly (conditional GET) from then on."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from curator.collect.discovery import feed_link, is_html_page
from tests.cli import invoke
from tests.fakes import ConditionalFeed
from tests.helpers import DATA
from tests.server import LoopbackServer

PAGE_URL = "https://blog.example.net/notes/"


def page(head: str, body: str = "") -> bytes:
    return f"<!DOCTYPE html><html><head>{head}</head><body>{body}</body></html>".encode()


@pytest.mark.parametrize(
    ("head", "found"),
    [
        ('<link rel="alternate" type="application/rss+xml" href="feed.xml">',
         "https://blog.example.net/notes/feed.xml"),
        ('<link rel="stylesheet" href="a.css"><LINK REL="Alternate" '
         'TYPE="application/atom+xml; charset=utf-8" HREF="/atom">',
         "https://blog.example.net/atom"),
        ('<link rel="alternate" type="application/json" href="/api.json">'
         '<link rel="alternate" type="application/feed+json" href="/feed.json">',
         "https://blog.example.net/feed.json"),
        ('<link rel="alternate" type="application/json" href="/feed.json">',
         "https://blog.example.net/feed.json"),
        ('<base href="https://cdn.example.org/b/"><link rel="alternate" '
         'type="application/rss+xml" href="rss">', "https://cdn.example.org/b/rss"),
        ('<link rel="alternate" type="application/rss+xml" href="javascript:x()">'
         '<link rel="alternate" type="application/rss+xml" href="">'
         '<link rel="alternate" type="application/rss+xml" href="https://e.example/&amp;x">',
         "https://e.example/&x"),
        ('<link rel="alternate" hreflang="fr" href="/fr/">', None),
    ],
    ids=["relative", "case-and-params", "feed-json-first", "json-fallback", "base",
         "bad-hrefs", "language-alternate"],
)  # fmt: skip
def test_the_first_feed_link_of_a_page_is_found(head: str, found: str | None) -> None:
    assert feed_link(page(head), PAGE_URL) == found


def test_a_feed_link_keeps_query_parameters_named_like_entities() -> None:
    head = (
        '<link rel="alternate" type="application/rss+xml" '
        'href="/rss?topic=ai&section=news&copy=1&amp;lang=en&sect">'
    )

    assert feed_link(page(head), PAGE_URL) == (
        "https://blog.example.net/rss?topic=ai&section=news&copy=1&lang=en\u00a7"
    )


def test_a_feed_link_in_the_body_is_not_autodiscovery() -> None:
    body = '<link rel="alternate" type="application/rss+xml" href="/late.xml">'

    assert feed_link(page("<title>x</title>", body), PAGE_URL) is None


def test_a_feed_served_as_html_is_not_taken_for_a_page() -> None:
    assert not is_html_page((DATA / "feeds" / "rss2.xml").read_bytes())
    assert not is_html_page((DATA / "feeds" / "atom.xml").read_bytes())
    assert is_html_page(b"\xef\xbb\xbf\n<!-- hi -->\n<!doctype HTML><title>x</title>")
    assert is_html_page(b"<html lang=en><head></head></html>")


def configure(env: Path, server: LoopbackServer, path: str) -> None:
    (env / "curator.toml").write_text(
        f'[fetch]\ntimeout = 5\n\n[[feed]]\nname = "Blog"\nurl = "{server.url(path)}"\n'
    )


def sources(runner: CliRunner) -> dict[str, object]:
    stdout, _ = invoke(runner, "sources", "--json")
    [row] = json.loads(stdout)
    return row  # type: ignore[no-any-return]


def test_a_page_url_is_read_through_its_feed_which_is_then_fetched_directly(
    runner: CliRunner, env: Path, server: LoopbackServer
) -> None:
    head = '<link rel="alternate" type="application/rss+xml" title="Posts" href="feed.rss">'
    server.add("/blog/", page(head))
    feed = (DATA / "collect" / "news.rss").read_bytes()
    server.add_writer("/blog/feed.rss", ConditionalFeed(feed))
    configure(env, server, "/blog/")

    invoke(runner, "collect", "--no-enrich")

    assert [seen.path for seen in server.requests] == ["/blog/", "/blog/feed.rss"]
    stdout, _ = invoke(runner, "list", "--json")
    assert len(json.loads(stdout)) > 0
    row = sources(runner)
    assert row["discovered_feed"] == server.url("/blog/feed.rss")
    assert row["ref"] == server.url("/blog/") and row["last_error"] is None
    table, _ = invoke(runner, "sources")
    assert server.url("/blog/feed.rss") in table
    server.requests.clear()
    invoke(runner, "collect", "--no-enrich")
    [seen] = server.requests
    assert (seen.path, seen.headers["If-None-Match"]) == ("/blog/feed.rss", '"v1"')
    assert sources(runner)["last_status"] == "not modified"


def test_a_json_feed_is_discovered_and_read(
    runner: CliRunner, env: Path, server: LoopbackServer
) -> None:
    head = '<link rel="alternate" type="application/feed+json" href="/feed.json">'
    server.add("/", page(head))
    server.add("/feed.json", (DATA / "feeds" / "jsonfeed-1.1.json").read_bytes(),
               content_type="application/feed+json")  # fmt: skip
    configure(env, server, "/")

    invoke(runner, "collect", "--no-enrich")

    stdout, _ = invoke(runner, "list", "--json")
    assert "https://news.example.com/2024/01/data-centres" in {
        item["url"] for item in json.loads(stdout)
    }
    assert sources(runner)["last_status"] == "4 new"


def test_a_found_feed_that_is_gone_is_found_again_on_the_page(
    runner: CliRunner, env: Path, server: LoopbackServer
) -> None:
    rss = (DATA / "collect" / "news.rss").read_bytes()
    server.add("/", page('<link rel="alternate" type="application/rss+xml" href="/old.rss">'))
    server.add("/old.rss", rss, content_type="application/rss+xml")
    configure(env, server, "/")
    invoke(runner, "collect", "--no-enrich")
    server.add("/old.rss", "gone", status=410, content_type="text/plain")
    server.add("/", page('<link rel="alternate" type="application/rss+xml" href="/new.rss">'))
    server.add("/new.rss", rss, content_type="application/rss+xml")

    invoke(runner, "collect", "--no-enrich")

    row = sources(runner)
    assert (row["discovered_feed"], row["last_error"]) == (server.url("/new.rss"), None)


def test_a_page_without_a_feed_link_is_one_clear_error(
    runner: CliRunner, env: Path, server: LoopbackServer
) -> None:
    server.add("/", page("<title>Home</title>"))
    configure(env, server, "/")

    invoke(runner, "collect", "--no-enrich", code=1)  # its only source failed

    row = sources(runner)
    assert row["last_error"] == "not a feed (an HTML page that links to no feed)"
    assert row["discovered_feed"] is None
