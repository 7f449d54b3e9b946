"""`curator collect` end to end: feeds and an arXiv query on loopback, into the queue."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.cli import invoke, queue
from tests.fakes import API_PATH, ARXIV, ConditionalFeed, FakeArxiv
from tests.helpers import DATA
from tests.server import LoopbackServer

FEEDS = DATA / "collect"
# news.rss, tech.atom and blog.rdf overlap: two articles under several URL forms, and
# papers that the arXiv query (query.xml) also returns.
DISTINCT = {
    "https://news.example.com/2024/01/chips",
    "https://news.example.com/2024/01/code-of-practice",
    "https://tech.example.org/posts/evals",
    "https://jane.example.net/notes/attention",
    "https://arxiv.org/abs/2401.00002",
    "https://arxiv.org/abs/2312.11514",
    "https://arxiv.org/abs/hep-th/0101001",
}


def write_config(env: Path, server: LoopbackServer, feeds: dict[str, str], **fetch: str) -> None:
    lines = [
        "[fetch]",
        f'arxiv_api_url = "{server.url(API_PATH)}"',
        "arxiv_delay = 0",
        "timeout = 5",
        *(f"{key} = {value}" for key, value in fetch.items()),
        "",
        "[[arxiv]]",
        'name = "arXiv cs.CL"',
        'query = "cat:cs.CL"',
        "max_results = 3",
    ]
    for name, path in feeds.items():
        lines += ["", "[[feed]]", f'name = "{name}"', f'url = "{server.url(path)}"']
    (env / "curator.toml").write_text("\n".join(lines) + "\n")


def serve_feeds(server: LoopbackServer) -> dict[str, str]:
    server.add_writer("/news.rss", ConditionalFeed((FEEDS / "news.rss").read_bytes()))
    server.add_writer(
        "/tech.atom",
        ConditionalFeed((FEEDS / "tech.atom").read_bytes(), etag='"t1"',
                        content_type="application/atom+xml"),
    )  # fmt: skip
    server.add_writer("/blog.rdf", ConditionalFeed((FEEDS / "blog.rdf").read_bytes(), etag='"b"'))
    server.add_writer(API_PATH, FakeArxiv(search=(ARXIV / "query.xml").read_bytes()))
    return {"Example News": "/news.rss", "Tech Digest": "/tech.atom", "Jane": "/blog.rdf"}


def serve_one_feed(
    env: Path, server: LoopbackServer, name: str, path: str, feed: bytes | str
) -> None:
    """`feed` at `path` as the only feed, beside an arXiv query that finds nothing."""
    server.add(path, feed, content_type="application/rss+xml")
    server.add_writer(API_PATH, FakeArxiv(search=(ARXIV / "empty.xml").read_bytes()))
    write_config(env, server, {name: path})


def test_first_collect_queues_exactly_the_distinct_links(
    runner: CliRunner, env: Path, server: LoopbackServer
) -> None:
    write_config(env, server, serve_feeds(server))
    _, stderr = invoke(runner, "collect", "--no-enrich")
    items = queue(runner)
    assert {item["canonical_url"] for item in items} == DISTINCT
    assert all(str(item["url"]).startswith("https://") for item in items)
    chips = next(i for i in items if i["canonical_url"] == "https://news.example.com/2024/01/chips")
    assert {s["source"] for s in chips["sightings"]} == {"Example News", "Tech Digest"}  # type: ignore[union-attr]
    paper = next(i for i in items if i["canonical_url"] == "https://arxiv.org/abs/2312.11514")
    assert paper["kind"] == "paper" and paper["status"] == "done"
    assert paper["title"] == "A Made-Up Study of Retrieval"
    assert {s["source"] for s in paper["sightings"]} == {"Tech Digest", "Jane", "arXiv cs.CL"}  # type: ignore[union-attr]
    assert "Example News" in stderr and "arXiv cs.CL" in stderr


def test_second_collect_gets_304s_and_queues_nothing(
    runner: CliRunner, env: Path, server: LoopbackServer
) -> None:
    write_config(env, server, serve_feeds(server))
    invoke(runner, "collect", "--no-enrich")
    before = queue(runner)
    server.requests.clear()
    invoke(runner, "collect", "--no-enrich")
    for path, etag in (("/news.rss", '"v1"'), ("/tech.atom", '"t1"'), ("/blog.rdf", '"b"')):
        [seen] = server.hits(path)
        assert seen.headers["If-None-Match"] == etag
        assert seen.headers["If-Modified-Since"] == "Wed, 27 Dec 2023 08:00:00 GMT"
    assert queue(runner) == before
    stdout, _ = invoke(runner, "sources", "--json")
    rows = {row["name"]: row for row in json.loads(stdout)}
    assert rows["Example News"]["last_status"] == "not modified"
    assert datetime.fromisoformat(rows["Example News"]["last_fetched"]).tzinfo is not None


def test_a_dead_feed_is_reported_and_the_others_still_collected(
    runner: CliRunner, env: Path, server: LoopbackServer
) -> None:
    feeds = serve_feeds(server)
    server.add("/html", "<html><body>Not a feed</body></html>")
    write_config(env, server, {**feeds, "Gone": "/missing.xml", "Page": "/html"})
    _, stderr = invoke(runner, "collect", "--no-enrich")
    assert {item["canonical_url"] for item in queue(runner)} == DISTINCT
    assert "failed: HTTP 404" in stderr and "2 of 6 sources failed" in stderr
    stdout, _ = invoke(runner, "sources", "--json")
    rows = {row["name"]: row for row in json.loads(stdout)}
    assert (rows["Gone"]["last_error"], rows["Gone"]["failures"]) == ("HTTP 404", 1)
    assert rows["Page"]["last_error"].startswith("not a feed (an HTML page")
    invoke(runner, "collect", "--no-enrich")
    stdout, _ = invoke(runner, "sources", "--json")
    assert {row["name"]: row["failures"] for row in json.loads(stdout)}["Gone"] == 2


def test_collect_source_fetches_only_that_source(
    runner: CliRunner, env: Path, server: LoopbackServer
) -> None:
    write_config(env, server, serve_feeds(server))
    invoke(runner, "collect", "--no-enrich", "--source", "Jane")
    assert [seen.path for seen in server.requests] == ["/blog.rdf"]
    _, stderr = invoke(runner, "collect", "--source", "Nobody", code=2)
    assert "no source named 'Nobody'" in stderr


def test_entries_linking_other_schemes_are_dropped_and_counted(
    runner: CliRunner, env: Path, server: LoopbackServer
) -> None:
    serve_one_feed(env, server, "Bad", "/bad.xml", (DATA / "feeds" / "bad_links.xml").read_bytes())
    _, stderr = invoke(runner, "collect", "--no-enrich")
    urls = sorted(str(item["url"]) for item in queue(runner))
    assert urls == ["http://good.example.com/two", "https://good.example.com/one"]
    assert "7 non-http links dropped" in stderr


def test_import_opml_adds_feeds_to_the_config_and_exports_them_back(
    runner: CliRunner, env: Path
) -> None:
    invoke(runner, "init")
    before = (env / "curator.toml").read_text()
    _, stderr = invoke(runner, "import", str(DATA / "import" / "feeds.opml"))
    assert "feeds added" in stderr
    after = (env / "curator.toml").read_text()
    assert after.startswith(before)
    stdout, _ = invoke(runner, "sources", "--opml")
    assert stdout.startswith("<?xml") and "xmlUrl=" in stdout


def test_import_bookmarks_and_url_lists_queue_links(runner: CliRunner) -> None:
    invoke(runner, "import", str(DATA / "import" / "bookmarks.html"))
    invoke(runner, "import", str(DATA / "import" / "urls.txt"))
    items = queue(runner)
    assert items and all(str(i["url"]).startswith(("http://", "https://")) for i in items)


@pytest.mark.parametrize("path", ["/news.rss"])
def test_collect_then_enrich_leaves_query_papers_alone(
    runner: CliRunner, env: Path, server: LoopbackServer, path: str
) -> None:
    fake = FakeArxiv(known={"2401.00002"}, search=(ARXIV / "query.xml").read_bytes())
    server.add_writer(path, ConditionalFeed((FEEDS / "news.rss").read_bytes()))
    server.add_writer(API_PATH, fake)
    write_config(env, server, {"Example News": path})
    invoke(runner, "collect")
    assert fake.id_lists == []  # the query's papers arrived enriched
    statuses = {item["url"]: item["status"] for item in queue(runner)}
    assert statuses["https://arxiv.org/abs/2401.00002"] == "done"


def test_a_feeds_title_beats_one_made_from_the_url(
    runner: CliRunner, env: Path, server: LoopbackServer
) -> None:
    pdf = server.add("/files/report-2024.pdf", b"%PDF-1.4 minimal", content_type="application/pdf")
    tweet = "https://x.com/someone/status/1745087312094527488"
    feed = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Links</title>'
        f"<item><title>Shipping a 3B model to phones: a thread</title><link>{tweet}</link></item>"
        f"<item><title>The annual report, finally</title><link>{pdf}</link></item>"
        "</channel></rss>"
    )
    serve_one_feed(env, server, "Links", "/links.rss", feed)
    invoke(runner, "collect")
    titles = {item["url"]: (item["title"], item["source"]) for item in queue(runner)}
    assert titles[tweet] == ("Shipping a 3B model to phones: a thread", "Tweet")
    assert titles[pdf] == ("The annual report, finally", "127.0.0.1")


def test_a_broken_feed_that_still_parses_keeps_its_warning(
    runner: CliRunner, env: Path, server: LoopbackServer
) -> None:
    serve_one_feed(env, server, "Cut", "/cut.xml", (DATA / "feeds" / "truncated.xml").read_bytes())
    invoke(runner, "collect", "--no-enrich")
    stdout, _ = invoke(runner, "sources", "--json")
    [row] = [r for r in json.loads(stdout) if r["name"] == "Cut"]
    assert row["last_status"].startswith("2 new; broken XML, entries recovered")
    assert row["last_error"] is None
