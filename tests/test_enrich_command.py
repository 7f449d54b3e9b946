"""`curator enrich` end to end: pages and papers on loopback servers, through the CLI."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.cli import invoke
from tests.fakes import API_PATH, FakeArxiv
from tests.helpers import DATA, finish, run, wait_until
from tests.server import LoopbackServer

PAGES = DATA / "pages"


def configure(env: Path, server: LoopbackServer, *extra: str, timeout: float = 3) -> None:
    (env / "curator.toml").write_text(
        "\n".join(
            [
                "[fetch]",
                f"timeout = {timeout}",
                f'arxiv_api_url = "{server.url(API_PATH)}"',
                "arxiv_delay = 0",
                *extra,
            ]
        )
        + "\n"
    )


def queue(runner: CliRunner) -> dict[str, dict[str, object]]:
    stdout, _ = invoke(runner, "list", "--json")
    return {str(item["url"]): item for item in json.loads(stdout)}


def page(server: LoopbackServer, path: str, name: str, **kwargs: object) -> str:
    return server.add(path, (PAGES / name).read_bytes(), **kwargs)  # type: ignore[arg-type]


def test_pages_get_their_title_source_summary_and_date(
    runner: CliRunner, env: Path, server: LoopbackServer
) -> None:
    configure(env, server)
    og = page(server, "/robots", "with_og_site_name.html")
    plain = page(server, "/bikes", "without_site_name.html")
    latin = page(server, "/cafe", "windows1252.html", content_type="text/html")
    german = page(server, "/bahn", "non_english.html")
    invoke(runner, "add", og, plain, latin, german)
    _, stderr = invoke(runner, "enrich")
    assert "enriched 4, failed 0, retry later 0" in stderr
    items = queue(runner)
    assert items[og]["title"] == "Robots learn to fold laundry from a single demonstration"
    assert items[og]["source"] == "The Daily Circuit"
    assert items[og]["published"]
    assert items[plain]["title"] == "City council approves twelve kilometres of new bike lanes"
    assert items[plain]["source"] == "127.0.0.1"
    assert items[plain]["summary"]
    assert items[latin]["title"] == "Café crème : l’histoire d’une boisson parisienne"
    assert items[german]["source"] == "Beispiel Zeitung"
    assert all(item["status"] == "done" for item in items.values())


def test_the_sources_table_in_the_config_names_a_site(
    runner: CliRunner, env: Path, server: LoopbackServer
) -> None:
    configure(env, server, "[sources]", '"127.0.0.1" = "Loopback Gazette"')
    url = page(server, "/robots", "with_og_site_name.html")
    invoke(runner, "add", url)
    invoke(runner, "enrich")
    assert queue(runner)[url]["source"] == "Loopback Gazette"


def test_a_short_link_to_a_queued_article_merges_into_it(
    runner: CliRunner, env: Path, server: LoopbackServer
) -> None:
    configure(env, server)
    article = page(server, "/robots", "with_og_site_name.html")
    short = server.add("/s/x1", status=301, headers={"Location": "/robots?utm_source=short"})
    invoke(runner, "add", article)
    invoke(runner, "add", short, "--note", "via a short link")
    invoke(runner, "pick", "2")
    invoke(runner, "enrich")
    items = queue(runner)
    assert list(items) == [article]
    merged = items[article]
    assert merged["decision"] == "pick"
    assert [s["url"] for s in merged["sightings"]] == [article, short]  # type: ignore[union-attr]


def test_failures_are_recorded_and_only_transient_ones_come_back(
    runner: CliRunner, env: Path, server: LoopbackServer
) -> None:
    configure(env, server, timeout=1)
    gone = server.add("/gone", "no", status=404)
    busy = server.add("/busy", "later", status=503, headers={"Retry-After": "7200"})
    slow = server.add("/slow", "<title>slow</title>", delay=3)
    invoke(runner, "add", gone, busy, slow)
    started = datetime.now(UTC)
    _, stderr = invoke(runner, "enrich")
    assert "enriched 0, failed 1, retry later 2" in stderr
    items = queue(runner)
    assert (items[gone]["status"], items[gone]["error"], items[gone]["next_attempt_at"]) == (
        "failed",
        "HTTP 404",
        None,
    )
    assert items[busy]["error"] == "HTTP 503"
    retry = datetime.fromisoformat(str(items[busy]["next_attempt_at"]))
    assert retry >= started + timedelta(seconds=7200)
    assert items[slow]["error"] == "timed out after 1 s"
    assert items[slow]["attempts"] == 1

    server.requests.clear()
    _, stderr = invoke(runner, "enrich")
    assert server.requests == []  # nothing is due yet

    server.add("/gone", (PAGES / "with_og_site_name.html").read_bytes())
    invoke(runner, "enrich", "--retry-failed")
    assert queue(runner)[gone]["status"] == "done"


def test_documents_and_tweets_are_kept_without_reading_them(
    runner: CliRunner, env: Path, server: LoopbackServer
) -> None:
    configure(env, server)
    pdf = server.add(
        "/papers/Attention-Is-All-You-Need.pdf",
        (PAGES / "minimal.pdf").read_bytes(),
        content_type="application/pdf",
    )
    labelled_wrong = server.add("/reports/annual_report.pdf", (PAGES / "minimal.pdf").read_bytes())
    tweet = "https://x.com/someone/status/1737279359709487498"
    invoke(runner, "add", pdf, labelled_wrong, tweet)
    invoke(runner, "enrich")
    items = queue(runner)
    assert (items[pdf]["title"], items[pdf]["note"]) == (
        "Attention Is All You Need",
        "PDF document",
    )
    assert items[labelled_wrong]["title"] == "annual report"
    assert (items[tweet]["source"], items[tweet]["status"]) == ("Tweet", "done")
    assert not any("status" in seen.path for seen in server.requests)


def test_the_authors_label_for_a_host_shows_on_a_pdf_that_is_not_downloaded(
    runner: CliRunner, env: Path, server: LoopbackServer
) -> None:
    configure(env, server, "[sources]", '"127.0.0.1" = "Lab Reports"')
    pdf = server.add(
        "/q3.pdf", (PAGES / "minimal.pdf").read_bytes(), content_type="application/pdf"
    )
    page_url = page(server, "/robots", "with_og_site_name.html")
    invoke(runner, "add", pdf, page_url)
    invoke(runner, "enrich")
    items = queue(runner)
    assert (items[pdf]["source"], items[pdf]["note"]) == ("Lab Reports", "PDF document")
    assert items[page_url]["source"] == "Lab Reports"  # the same rule as for a page


def test_150_papers_take_two_api_calls_and_an_unknown_id_fails_for_good(
    runner: CliRunner, env: Path, server: LoopbackServer
) -> None:
    ids = [f"2401.{n:05d}" for n in range(1, 151)]
    fake = FakeArxiv(known=set(ids[:-1]))
    server.add_writer(API_PATH, fake)
    configure(env, server)
    (env / "ids.txt").write_text("".join(f"https://arxiv.org/abs/{i}v1\n" for i in ids))
    invoke(runner, "add", "--file", str(env / "ids.txt"))
    _, stderr = invoke(runner, "enrich")
    assert [len(batch) for batch in fake.id_lists] == [100, 50]
    assert "enriched 149, failed 1, retry later 0" in stderr
    items = queue(runner)
    first = items["https://arxiv.org/abs/2401.00001"]
    assert (first["title"], first["source"], first["authors"]) == (
        "Paper 2401.00001",
        "arXiv",
        ["Author of 2401.00001"],
    )
    unknown = items["https://arxiv.org/abs/2401.00150"]
    assert (unknown["error"], unknown["next_attempt_at"]) == ("not found on arXiv", None)
    invoke(runner, "enrich")
    assert len(fake.id_lists) == 2


def test_enrichment_keeps_what_the_author_set(
    runner: CliRunner, env: Path, server: LoopbackServer
) -> None:
    configure(env, server)
    url = page(server, "/robots", "with_og_site_name.html")
    invoke(runner, "add", url)
    invoke(runner, "feature", "1")
    invoke(runner, "edit", "1", "--title", "My title", "--summary", "Mine.")
    invoke(runner, "enrich")
    item = queue(runner)[url]
    assert (item["decision"], item["user_title"], item["user_summary"]) == (
        "feature",
        "My title",
        "Mine.",
    )
    assert item["title"] == "Robots learn to fold laundry from a single demonstration"


def children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def done_count(db: Path) -> int:
    try:
        with sqlite3.connect(db, timeout=5) as conn:
            return int(conn.execute("SELECT count(*) FROM link WHERE status='done'").fetchone()[0])
    except sqlite3.OperationalError:
        return 0


@pytest.mark.slow
def test_a_killed_run_loses_nothing_and_the_next_run_finishes(
    env: Path, server: LoopbackServer
) -> None:
    configure(env, server, "concurrency = 4", "per_host = 4")
    body = (PAGES / "with_og_site_name.html").read_bytes()
    urls = [server.add(f"/slow/{i}", body, delay=0.1) for i in range(200)]
    (env / "urls.txt").write_text("\n".join(urls) + "\n")
    db = env / "curator.db"
    command = [sys.executable, "-m", "curator"]
    run([*command, "add", "--file", "urls.txt"], cwd=env, check=True)
    enrich = subprocess.Popen([*command, "enrich"], cwd=env, stderr=subprocess.DEVNULL)
    wait_until(lambda: done_count(db) >= 40, "40 links enriched before the kill")
    workers = children(enrich.pid)
    assert workers, "extraction runs in worker processes at this size"
    os.kill(enrich.pid, signal.SIGKILL)
    finish(enrich)
    wait_until(
        lambda: not any(Path(f"/proc/{pid}").exists() for pid in workers), "orphaned workers"
    )
    with sqlite3.connect(db) as conn:
        finished = {url for (url,) in conn.execute("SELECT url FROM link WHERE status = 'done'")}
    assert 40 <= len(finished) < 200
    run([*command, "enrich"], cwd=env, check=True, stderr=subprocess.DEVNULL)
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT url, status FROM link").fetchall()
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert len(rows) == 200 and {status for _, status in rows} == {"done"}
    for url in finished:
        assert len(server.hits(url.removeprefix(server.base_url))) == 1
    assert all(len(server.hits(f"/slow/{i}")) <= 2 for i in range(200))
