"""Feeds re-read add nothing (issue 12, item 5): a short link a feed lists again maps to
the link it became after its redirect, and the author's skip holds."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.cli import invoke
from tests.server import LoopbackServer

ARTICLE = (
    "<html><head><title>Data centres and the grid</title>"
    '<meta name="description" content="Power is the bottleneck."></head>'
    "<body><article><p>Power is the bottleneck for new data centres.</p></article></body></html>"
)


@pytest.fixture
def shortener() -> Iterator[LoopbackServer]:
    """A second host, like t.co: its own address, so its requests are counted apart."""
    srv = LoopbackServer(host="127.0.0.2")
    yield srv
    srv.stop()


def rss(*items: str) -> str:
    return (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Links</title>'
        + "".join(items)
        + "</channel></rss>"
    )


def item(link: str, title: str = "Data centres and the grid", guid: str | None = None) -> str:
    guid_tag = f'<guid isPermaLink="false">{guid}</guid>' if guid else ""
    return f"<item><title>{title}</title><link>{link}</link>{guid_tag}</item>"


def configure(env: Path, server: LoopbackServer) -> None:
    (env / "curator.toml").write_text(
        "[fetch]\ntimeout = 5\n\n"
        f'[[feed]]\nname = "Links"\nurl = "{server.url("/links.rss")}"\n'
    )


def queue(runner: CliRunner) -> list[dict[str, object]]:
    stdout, _ = invoke(runner, "list", "--json")
    return json.loads(stdout)  # type: ignore[no-any-return]


def test_a_short_link_read_again_from_a_feed_adds_no_link_sighting_or_fetch(
    runner: CliRunner, env: Path, server: LoopbackServer, shortener: LoopbackServer
) -> None:
    article = server.add("/articles/grid", ARTICLE)
    short = shortener.add("/3GFxSgg", status=301, headers={"Location": article})
    server.add("/links.rss", rss(item(short)), content_type="application/rss+xml")
    configure(env, server)
    for _ in range(3):
        invoke(runner, "collect")
    [link] = queue(runner)
    assert link["url"] == article and link["status"] == "done"
    assert [(s["source"], s["url"]) for s in link["sightings"]] == [("Links", short)]  # type: ignore[union-attr]
    assert len(shortener.hits("/3GFxSgg")) == 1
    invoke(runner, "skip", str(link["id"]))
    _, stderr = invoke(runner, "collect")
    assert "1 new" not in stderr
    [again] = queue(runner)
    assert again["id"] == link["id"] and again["decision"] == "skip"
    draft, _ = invoke(runner, "draft")
    assert "Data centres" not in draft
