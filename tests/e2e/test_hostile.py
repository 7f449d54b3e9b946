"""Hostile input and failure, end to end: nothing crashes, nothing leaks, nothing is lost.

A loopback server misbehaves in every way issue 7 lists; the real `curator` runs as a
subprocess (add, collect, enrich, list, draft) with `timeout = 5`, as a user would.
"""

from __future__ import annotations

import gzip
import json
import resource
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
import yaml
from markdown_it import MarkdownIt

from tests.fakes import API_PATH, ARXIV, FakeArxiv
from tests.helpers import DATA, finish, run
from tests.server import LoopbackServer

FEEDS = DATA / "feeds"
HOSTILE_TITLE = (
    "Evil ] ) [ `tick` <script>alert(1)</script> ![img](x) [x](javascript:alert(1)) "
    "<https://autolink.example> trailing \\"
)


def curator(env: Path, *args: str, input: str | None = None) -> subprocess.CompletedProcess[str]:
    return run(
        [sys.executable, "-m", "curator", *args],
        cwd=env,
        input=input,
        capture_output=True,
        text=True,
    )


def misbehave(server: LoopbackServer) -> dict[str, str]:
    """Register the hostile pages; returns path -> what the link must end up as."""

    def hang(handler: BaseHTTPRequestHandler) -> None:
        server.stopping.wait(60)  # accept, then never answer

    def endless(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html")
        handler.end_headers()  # no Content-Length: 50 MB until the client hangs up
        chunk = b"<p>" + b"x" * 65_533
        for _ in range(800):
            handler.wfile.write(chunk)

    bomb = gzip.compress(b"\0" * 10_000_000, compresslevel=9) * 100  # 1 GB decoded
    server.add_writer("/hang", hang)
    server.add_drip("/drip", 100_000, b"<", "text/html")
    server.add_writer("/endless", endless)
    server.add("/big", b"<p>" + b"x" * 50_000_000)
    server.add("/bomb", bomb, headers={"Content-Encoding": "gzip"})
    server.add("/bomb-unlabelled", bomb)
    for status in (404, 410, 500):
        server.add(f"/e{status}", "no", status=status)
    server.add("/e503", "busy", status=503, headers={"Retry-After": "120"})
    server.add("/e429", "slow down", status=429, headers={"Retry-After": "60"})
    server.add("/loop", status=302, headers={"Location": "/loop"})
    for name, target in [("file", "file:///etc/passwd"), ("ftp", "ftp://127.0.0.1/x"),
                         ("gopher", "gopher://127.0.0.1/"), ("js", "javascript:alert(1)"),
                         ("data", "data:text/html,hi")]:  # fmt: skip
        server.add(f"/to-{name}", status=302, headers={"Location": target})
    server.add("/pdf-as-html", (DATA / "pages" / "minimal.pdf").read_bytes())
    server.add("/empty", b"")
    server.add(
        "/bad-utf8",
        b"<html><head><meta charset='utf-8'><title>Broken \xff\xfe bytes</title></head>"
        b"<body><p>Text.</p></body></html>",
    )
    server.add(
        "/wrong-charset",
        "<html><head><meta charset='utf-8'><title>Café crème</title></head><body><p>Un "
        "café.</p></body></html>".encode("cp1252"),
    )
    server.add(
        "/hostile-title",
        f"<html><head><title>{HOSTILE_TITLE.replace('<', '&lt;')}</title>"
        '<meta name="description" content="A page with a hostile title."></head>'
        "<body><p>Body.</p></body></html>",
    )
    return {
        "/hang": "timed out after 5 s",
        "/drip": "timed out after 5 s",
        "/endless": "body larger than 5,000,000 bytes",
        "/big": "body larger than 5,000,000 bytes",
        "/bomb": "body larger than 5,000,000 bytes",
        "/bomb-unlabelled": "not an HTML page (binary data)",
        "/e404": "HTTP 404",
        "/e410": "HTTP 410",
        "/e500": "HTTP 500",
        "/e503": "HTTP 503",
        "/e429": "HTTP 429",
        "/loop": "more than 5 redirects",
        **{f"/to-{name}": "redirect refused" for name in ("file", "ftp", "gopher", "js", "data")},
        "/empty": "not an HTML page (empty body)",
    }


def hostile_feeds(server: LoopbackServer, secret: Path) -> dict[str, str]:
    base = server.base_url
    stolen = server.add("/stolen", "SERVER-SECRET", content_type="text/plain")
    feeds = {
        "laughs": (FEEDS / "billion_laughs.xml").read_text(),
        "xxe-file": (FEEDS / "xxe_file.xml").read_text().replace("SECRET_FILE_URL",
                                                                  secret.as_uri()),
        "xxe-http": (FEEDS / "xxe_http.xml").read_text().replace("SERVER_URL", stolen),
        "bad-links": (FEEDS / "bad_links.xml").read_text(),
        "truncated": (FEEDS / "truncated.xml").read_text(),
        "empty": "",
        "html": (FEEDS / "not_a_feed.html").read_text(),
        "huge": big_feed(base, 5000),
    }  # fmt: skip
    for name, body in feeds.items():
        body = body.replace("https://xxe.example.com", base).replace(
            "https://good.example.com", base
        )
        server.add(f"/feeds/{name}.xml", body, content_type="application/rss+xml")
    return {name: server.url(f"/feeds/{name}.xml") for name in feeds}


def big_feed(base: str, entries: int) -> str:
    items = "".join(
        f"<item><title>Entry {i}</title><link>{base}/n/{i}</link></item>" for i in range(entries)
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>Big</title>{items}</channel>'
        + ("</rss>")
    )


@pytest.fixture
def hostile(
    env: Path, server: LoopbackServer
) -> Iterator[tuple[Path, LoopbackServer, dict[str, str]]]:
    secret = env / "secret.txt"
    secret.write_text("TOP-SECRET-7f3a")
    expected = misbehave(server)
    feeds = hostile_feeds(server, secret)
    server.add_writer(API_PATH, FakeArxiv(search=(ARXIV / "empty.xml").read_bytes()))
    lines = [
        "[fetch]",
        "timeout = 5",
        f'arxiv_api_url = "{server.url(API_PATH)}"',
        "arxiv_delay = 0",
        "",
        "[[arxiv]]",
        'name = "empty query"',
        'query = "cat:cs.XX"',
    ]
    for name, url in feeds.items():
        lines += ["", "[[feed]]", f'name = "{name}"', f'url = "{url}"']
    (env / "curator.toml").write_text("\n".join(lines) + "\n")
    yield env, server, expected


@pytest.mark.slow
def test_the_hostile_sequence_completes_and_records_every_failure(
    hostile: tuple[Path, LoopbackServer, dict[str, str]],
) -> None:
    env, server, expected = hostile
    pages = [server.url(path) for path in [*expected, "/pdf-as-html", "/bad-utf8",
                                           "/wrong-charset", "/hostile-title"]]  # fmt: skip
    added = curator(env, "add", *pages)
    assert added.returncode == 0, added.stderr
    bad = curator(env, "add", "javascript:alert(1)")
    assert (bad.returncode, bad.stderr.count("\n")) == (2, 1)

    collected = curator(env, "collect")
    assert collected.returncode == 0, collected.stderr
    assert "Traceback" not in collected.stderr
    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    assert rss < 400_000_000, f"a curator process reached {rss / 1e6:.0f} MB"

    listed = curator(env, "list", "--json")
    assert listed.returncode == 0
    items = {item["url"]: item for item in json.loads(listed.stdout)}
    for path, reason in expected.items():
        item = items[server.url(path)]
        assert item["status"] == "failed", (path, item)
        assert str(item["error"]).startswith(reason), (path, item["error"])
    assert items[server.url("/pdf-as-html")]["note"] == "PDF document"
    assert items[server.url("/bad-utf8")]["status"] == "done"
    assert "Caf" in str(items[server.url("/wrong-charset")]["title"])
    assert server.hits("/stolen") == [], "an external entity was fetched"
    assert not any("SECRET" in json.dumps(item) for item in items.values())
    assert not any(str(url).startswith(("javascript:", "file:", "data:", "vbscript:", "ftp:"))
                   for url in items)  # fmt: skip
    assert sum(1 for url in items if "/n/" in str(url)) == 5000

    chosen = [str(items[server.url(p)]["id"]) for p in ("/hostile-title", "/bad-utf8")]
    assert curator(env, "pick", *chosen).returncode == 0
    draft = curator(env, "draft")
    assert draft.returncode == 0, draft.stderr
    check_draft_is_safe(draft.stdout)

    with sqlite3.connect(env / "curator.db") as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def check_draft_is_safe(draft: str) -> None:
    _, front_matter, markdown = draft.split("---\n", 2)
    assert yaml.safe_load(front_matter)["description"].count("Evil") == 1
    tokens = MarkdownIt("commonmark").parse(markdown)
    children = [
        child for token in tokens if token.type == "inline" for child in token.children or []
    ]
    assert not [t for t in tokens if t.type == "html_block"]
    assert not [c for c in children if c.type in ("image", "html_inline", "code_inline")]
    hrefs = [str(c.attrs["href"]) for c in children if c.type == "link_open"]
    assert hrefs and all(href.startswith(("http://", "https://")) for href in hrefs)
    titles = [
        "".join(c.content for c in token.children or [] if c.type == "text")
        for token in tokens
        if token.type == "inline" and "Evil" in token.content
    ]
    assert any("[x](javascript:alert(1))" in title for title in titles), titles


@pytest.mark.slow
def test_add_and_list_work_while_enrich_writes(env: Path, server: LoopbackServer) -> None:
    (env / "curator.toml").write_text("[fetch]\ntimeout = 5\nconcurrency = 4\n")
    body = (DATA / "pages" / "with_og_site_name.html").read_bytes()
    urls = [server.add(f"/slow/{i}", body, delay=0.05) for i in range(200)]
    assert curator(env, "add", "--file", "-", input="\n".join(urls)).returncode == 0
    enrich = subprocess.Popen([sys.executable, "-m", "curator", "enrich"], cwd=env,
                              stderr=subprocess.PIPE, text=True)  # fmt: skip
    for i in range(5):
        assert curator(env, "add", f"https://example.com/while/{i}").returncode == 0
        listed = curator(env, "list", "--json")
        assert listed.returncode == 0 and "locked" not in listed.stderr
    _, stderr = finish(enrich)
    assert enrich.returncode == 0 and "enriched 200" in stderr


@pytest.mark.slow
def test_two_collect_runs_at_once_queue_each_link_once(env: Path, server: LoopbackServer) -> None:
    feed = big_feed(server.base_url, 300)
    server.add("/feed.xml", feed, content_type="application/rss+xml")
    (env / "curator.toml").write_text(
        f'[fetch]\ntimeout = 5\n\n[[feed]]\nname = "big"\nurl = "{server.url("/feed.xml")}"\n'
    )
    runs = [
        subprocess.Popen(
            [sys.executable, "-m", "curator", "collect", "--no-enrich"],
            cwd=env,
            stderr=subprocess.PIPE,
            text=True,
        )  # fmt: skip
        for _ in range(2)
    ]
    for process in runs:
        _, stderr = finish(process)
        assert process.returncode == 0, stderr
    with sqlite3.connect(env / "curator.db") as conn:
        assert conn.execute("SELECT count(*), count(DISTINCT key) FROM link").fetchone() == (
            300,
            300,
        )
        assert conn.execute("SELECT count(*) FROM sighting").fetchone()[0] == 300
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_an_internal_error_is_one_line_naming_the_crash_log(env: Path) -> None:
    assert curator(env, "add", "https://example.com/a").returncode == 0
    with sqlite3.connect(env / "curator.db") as conn:
        conn.execute("UPDATE link SET authors = '{not json'")
    result = curator(env, "list", "--json")
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith("curator: error: internal error (")
    log = Path(result.stderr.rsplit("full trace in ", 1)[1].strip())
    assert "Traceback" in log.read_text()
    log.unlink()


@pytest.mark.parametrize(
    ("args", "config", "message"),
    [
        (["frobnicate"], None, "No such command"),
        (["list", "--colour"], None, "No such option"),
        (["add", "not a url"], None, "URL contains whitespace"),
        (["--config", "missing.toml", "list"], None, "missing.toml: no such file"),
        (["collect"], "[[feed]\n", "invalid TOML"),
    ],
)
def test_usage_errors_exit_2_with_one_line(
    env: Path, args: list[str], config: str | None, message: str
) -> None:
    if config is not None:
        (env / "curator.toml").write_text(config)
    result = curator(env, *args)
    assert result.returncode == 2
    assert message in result.stderr and "Traceback" not in result.stderr
