"""Feeds re-read add nothing (issue 12, item 5): a short link a feed lists again maps to
the link it became after its redirect, and the author's skip holds. Also issue 12's
smaller feed faults (item 11): a date in year 9999, an entry whose link is `http://`."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from curator.models import SourceState
from curator.store import Store
from curator.values import Candidate, Metadata
from tests.cli import invoke, queue
from tests.helpers import DATA
from tests.server import LoopbackServer

NOW = datetime(2024, 1, 8, 12, 0, tzinfo=UTC)
SHORT = "https://t.co/3GFxSgg"
ARTICLE_URL = "https://news.example.com/2024/01/grid"

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
        f'[fetch]\ntimeout = 5\n\n[[feed]]\nname = "Links"\nurl = "{server.url("/links.rss")}"\n'
    )


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
    before, _ = invoke(runner, "draft")
    assert "Data centres" in before  # so that its absence below means the skip held
    invoke(runner, "skip", str(link["id"]))
    _, stderr = invoke(runner, "collect")
    assert "1 new" not in stderr
    [again] = queue(runner)
    assert again["id"] == link["id"] and again["decision"] == "skip"
    draft, _ = invoke(runner, "draft")
    assert "Data centres" not in draft


def queued_short_link(store: Store, source: str = "Links", entry_id: str | None = None) -> int:
    """A short link queued from a feed and enriched: its redirect moved it to the article."""
    [link_id] = store.add([Candidate(url=SHORT, via=source, entry_id=entry_id)], NOW).new_ids
    store.mark_enriched(link_id, Metadata(title="Grid", final_url=ARTICLE_URL), NOW)
    return link_id


def test_an_entry_whose_short_link_changed_is_known_by_its_entry_id(tmp_path: Path) -> None:
    with Store(tmp_path / "curator.db") as store:
        link_id = queued_short_link(store, entry_id="post-1")
        again = Candidate(url="https://t.co/regenerated", via="Links", entry_id="post-1")

        result = store.add([again], NOW + timedelta(days=1))

        assert (result.new, result.known) == (0, 1)
        [link] = store.links()
        assert (link.id, link.url) == (link_id, ARTICLE_URL)
        assert [s.url for s in store.sightings([link_id])[link_id]] == [SHORT]


def test_another_source_listing_the_same_short_link_adds_its_sighting(tmp_path: Path) -> None:
    with Store(tmp_path / "curator.db") as store:
        link_id = queued_short_link(store)

        result = store.add([Candidate(url=SHORT, via="Other feed")], NOW)

        assert (result.new, result.known) == (0, 1)
        sightings = store.sightings([link_id])[link_id]
        assert [(s.source, s.url) for s in sightings] == [("Links", SHORT), ("Other feed", SHORT)]


def test_the_same_entry_id_in_another_feed_is_another_entry(tmp_path: Path) -> None:
    with Store(tmp_path / "curator.db") as store:
        queued_short_link(store, source="Links", entry_id="1")

        result = store.add([Candidate(url="https://b.example/1", via="B", entry_id="1")], NOW)

        assert result.new == 1


def test_a_database_from_before_entry_ids_is_migrated_and_keeps_its_sightings(
    tmp_path: Path,
) -> None:
    db = tmp_path / "curator.db"
    with sqlite3.connect(db) as conn:
        conn.executescript((DATA / "store" / "schema-1.sql").read_text())
        conn.execute(
            "INSERT INTO link (id, key, url, canonical_url, kind, authors, first_seen, status,"
            " attempts, decision) VALUES (1, ?, ?, ?, 'link', '[]', ?, 'done', 0, 'skip')",
            (ARTICLE_URL, ARTICLE_URL, ARTICLE_URL, NOW.isoformat(" ")),
        )
        conn.execute(
            "INSERT INTO sighting (link_id, source, url, seen_at) VALUES (1, 'Links', ?, ?)",
            (SHORT, NOW.isoformat(" ")),
        )
    conn.close()

    with Store(db) as store:
        result = store.add([Candidate(url=SHORT, via="Links", entry_id="e")], NOW)
        store.save_source_state(
            SourceState(kind="feed", ref="https://e.example/", name="E",
                        discovered_url="https://e.example/feed.xml")
        )  # fmt: skip

        assert (result.new, result.known) == (0, 1)
        assert [s.entry_id for s in store.sightings([1])[1]] == [None]
        assert store.source_states()[0].discovered_url == "https://e.example/feed.xml"
        [link] = store.links()
        assert link.decision == "skip"


def test_a_pub_date_in_year_9999_is_not_stored_and_does_not_rank_first(
    runner: CliRunner, env: Path, server: LoopbackServer
) -> None:
    bogus = "<pubDate>Fri, 31 Dec 9999 23:59:59 GMT</pubDate>"
    early = item(server.url("/bogus"), "Bogus date story").replace("</item>", bogus + "</item>")
    server.add("/links.rss", rss(early), content_type="application/rss+xml")
    configure(env, server)
    invoke(runner, "collect", "--no-enrich")
    fresh_date = format_datetime(datetime.now(UTC) + timedelta(hours=1), usegmt=True)
    fresh = item(server.url("/fresh"), "Fresh story").replace(
        "</item>", f"<pubDate>{fresh_date}</pubDate></item>"
    )
    server.add("/links.rss", rss(early, fresh), content_type="application/rss+xml")
    invoke(runner, "collect", "--no-enrich")

    published = {link["title"]: link["published"] for link in queue(runner)}
    draft, _ = invoke(runner, "draft")

    assert published["Bogus date story"] is None
    assert published["Fresh story"] is not None
    assert draft.index("Fresh story") < draft.index("Bogus date story")


def test_a_feed_item_linking_just_http_queues_nothing_of_the_feed(
    runner: CliRunner, env: Path, server: LoopbackServer
) -> None:
    good = server.url("/articles/good")
    feed = rss(item("http://", "Empty link"), item("https://", "Empty too"), item(good, "Good"))
    server.add("/links.rss", feed, content_type="application/rss+xml")
    configure(env, server)

    _, stderr = invoke(runner, "collect", "--no-enrich")

    assert [link["url"] for link in queue(runner)] == [good]
    assert "2 non-http links dropped" in stderr
