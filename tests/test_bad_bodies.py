"""One bad response is one failed link or feed: bodies whose Content-Encoding lies end with
a one-line reason, and the healthy links and feeds beside them all end done."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from typer.testing import CliRunner

from tests.cli import invoke
from tests.helpers import INVALID_DEFLATE
from tests.server import LoopbackServer

PAGE = "<html><head><title>Healthy {0}</title></head><body><p>Story {0}.</p></body></html>"
RSS = (
    '<?xml version="1.0"?><rss version="2.0"><channel><title>Good feed</title>'
    "<item><title>From the good feed</title><link>{0}</link></item></channel></rss>"
)
BAD = {  # path -> (body, Content-Encoding, reason)
    "/not-gzip": (b"<html>plain text said to be gzip</html>", "gzip", "bad gzip body"),
    "/not-deflate": (INVALID_DEFLATE, "deflate", "bad deflate body"),
    "/brotli": (b"\x1b\x03\x00\xf8\xa5", "br", "unsupported content encoding 'br'"),
}


def test_bad_bodies_fail_their_own_links_and_healthy_ones_end_done(
    runner: CliRunner, server: LoopbackServer
) -> None:
    for path, (body, encoding, _) in BAD.items():
        server.add(path, body, headers={"Content-Encoding": encoding, "Content-Type": "text/html"})
    trailing = gzip.compress(PAGE.format("trailing").encode()) + b"\x00\x01garbage"
    server.add("/trailing", trailing, headers={"Content-Encoding": "gzip"})
    healthy = [f"/ok/{i}" for i in range(30)]
    for path in healthy:
        server.add(path, PAGE.format(path.rsplit("/", 1)[1]))
    invoke(runner, "add", *(server.url(p) for p in [*BAD, "/trailing", *healthy]))
    invoke(runner, "enrich")
    invoke(runner, "enrich")  # a second run must not crash either, nor refetch the done ones
    stdout, _ = invoke(runner, "list", "--json")
    by_path = {item["url"].removeprefix(server.base_url): item for item in json.loads(stdout)}
    for path, (_, _, reason) in BAD.items():
        assert (by_path[path]["status"], by_path[path]["error"]) == ("failed", reason)
    assert by_path["/trailing"]["title"] == "Healthy trailing"
    assert all(by_path[path]["status"] == "done" for path in healthy)
    seen = [request.path for request in server.requests]
    assert all(seen.count(path) == 1 for path in healthy)


def test_a_feed_with_a_bad_gzip_body_fails_alone(
    runner: CliRunner, env: Path, server: LoopbackServer
) -> None:
    server.add("/bad.rss", b"not gzip at all", headers={"Content-Encoding": "gzip"})
    server.add(
        "/good.rss",
        RSS.format(server.url("/story")),
        headers={"Content-Type": "application/rss+xml"},
    )
    server.add("/story", PAGE.format("story"))
    (env / "curator.toml").write_text(
        "[fetch]\ntimeout = 5\n"
        f'[[feed]]\nname = "Bad"\nurl = "{server.url("/bad.rss")}"\n'
        f'[[feed]]\nname = "Good"\nurl = "{server.url("/good.rss")}"\n'
    )
    _, stderr = invoke(runner, "collect")
    assert "bad gzip body" in stderr
    stdout, _ = invoke(runner, "list", "--json")
    assert [(item["title"], item["status"]) for item in json.loads(stdout)] == [
        ("Healthy story", "done")
    ]
