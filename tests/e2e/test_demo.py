"""`make demo`: the sample week in data/sample, its loopback server and the runner."""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from curator.cli import app
from curator.config import parse_config
from tests.helpers import DEMO, HUNG_AFTER, SAMPLE, finish, load_demo, run

PDF_LINKED = "2401.04321"  # Lab Notes links its PDF; the arXiv query returns it too
FEEDS = {"The Gradient Post", "Lab Notes", "Frontier Links"}
# Titles the sample's pages give, and the source label each should get in the draft: from
# og:site_name, JSON-LD (a publisher, a blog's owner) and <meta name="application-name">.
LINKS = {
    "Regulators publish a disclosure template for general-purpose AI models": "The Gradient Post",
    "A robot kitchen that learns recipes from cooking videos": "The Gradient Post",
    "À Lyon, une start-up entraîne un modèle de langage sur les archives municipales": (
        "Le Fil Numérique"
    ),
    "A maintainer's guide to AI-generated pull requests": "Open Source Ledger",
    "Your benchmark has leaked: notes on contamination": "Priya Raman",
    "A 200-line evaluation harness for tool-using agents": "Tinkerer's Notebook",
}
# Any request to a host other than 127.0.0.1 goes to this dead proxy and fails.
NO_INTERNET = {name: "http://127.0.0.1:9" for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY")}


@pytest.fixture
def sample(env: Path) -> Iterator[str]:
    """The sample served as `make demo` serves it, with its config in the test's CURATOR_CONFIG."""
    demo = load_demo()
    with demo.serve() as base_url:
        demo.write_config(base_url, env)
        yield base_url


def invoke(runner: CliRunner, *args: str) -> str:
    result = runner.invoke(app, list(args), catch_exceptions=False)
    assert result.exit_code == 0, (result.stdout, result.stderr)
    return result.stdout


def queue(runner: CliRunner, *args: str) -> dict[str, dict[str, Any]]:
    return {str(item["url"]): item for item in json.loads(invoke(runner, "list", "--json", *args))}


def port_of(base_url: str) -> int:
    return int(base_url.rsplit(":", 1)[1])


def accepts_connections(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except ConnectionRefusedError:
        return False
    return True


def sections(draft: str) -> tuple[list[str], list[str]]:
    """The numbered items of "AI Papers" and of "Other interesting stuff"."""
    papers = draft.split("### AI Papers\n", 1)[1].split("\n### ", 1)[0]
    links = draft.split("### Other interesting stuff\n", 1)[1]
    item = re.compile(r"^\d+\. \[.*$", re.MULTILINE)
    return item.findall(papers), item.findall(links)


# -- the sample ---------------------------------------------------------------------------


def test_the_sample_is_small_and_has_what_the_demo_shows() -> None:
    files = [
        path for path in SAMPLE.rglob("*") if path.is_file() and "__pycache__" not in path.parts
    ]
    assert sum(path.stat().st_size for path in files) < 300_000
    feeds = sorted(path.suffix for path in (SAMPLE / "site" / "feeds").iterdir())
    assert feeds == [".atom", ".rss", ".rss"]
    assert 10 <= len(list((SAMPLE / "site" / "articles").rglob("*.html"))) <= 15


def test_the_sample_config_points_only_at_the_loopback_server() -> None:
    base = "http://127.0.0.1:8000"
    text = (SAMPLE / "config.toml").read_text().replace(load_demo().PLACEHOLDER, base)
    config = parse_config(text, Path("config.toml"))
    assert {feed.name for feed in config.feed} == FEEDS
    assert all(feed.url.startswith(base + "/") for feed in config.feed)
    assert config.fetch.arxiv_api_url == base + "/api/query"
    assert config.fetch.arxiv_delay == 0
    assert config.huggingface.api_url == base + "/hf"


def test_collecting_the_sample_queues_every_item_once(runner: CliRunner, sample: str) -> None:
    invoke(runner, "collect")
    items = queue(runner)
    assert len(items) == 19  # 7 papers, 11 pages and a tweet
    assert all(item["status"] == "done" for item in items.values())
    paper = items[f"https://arxiv.org/abs/{PDF_LINKED}"]
    sightings = paper["sightings"]
    assert {s["source"] for s in sightings} == {"Lab Notes", "arXiv: language models"}
    assert f"https://arxiv.org/pdf/{PDF_LINKED}v1" in {s["url"] for s in sightings}
    kitchen = items[f"{sample}/articles/gradient-post/robot-kitchen.html"]
    assert [s["url"] for s in kitchen["sightings"]] == [f"{sample}/s/rk8Qz"]


def test_a_second_collect_of_the_sample_gets_304s(runner: CliRunner, sample: str) -> None:
    invoke(runner, "collect")
    invoke(runner, "collect")
    rows = json.loads(invoke(runner, "sources", "--json"))
    assert {
        row["name"]: row["last_status"] for row in rows if row["kind"] == "feed"
    } == dict.fromkeys(FEEDS, "not modified")


def test_a_paper_linked_only_by_its_pdf_is_looked_up_by_id(runner: CliRunner, sample: str) -> None:
    invoke(runner, "collect", "--source", "Lab Notes")
    paper = queue(runner, "--kind", "paper")[f"https://arxiv.org/abs/{PDF_LINKED}"]
    assert paper["status"] == "done"
    assert paper["title"] == (
        "Held-Out Paraphrase Sets for Contamination-Aware Evaluation of Large Language Models"
    )


def test_the_server_refuses_paths_outside_the_site(sample: str) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", port_of(sample), timeout=HUNG_AFTER)
    connection.request("GET", "/../config.toml")
    assert connection.getresponse().status == 404
    connection.close()


def test_the_server_is_stopped_and_its_port_closed_on_the_way_out() -> None:
    demo = load_demo()
    with pytest.raises(RuntimeError), demo.serve() as base_url:
        assert accepts_connections(port_of(base_url))
        raise RuntimeError("a step failed")
    assert not accepts_connections(port_of(base_url))


# -- the runner ---------------------------------------------------------------------------


@pytest.mark.slow
def test_the_demo_drafts_the_sample_week_offline(runner: CliRunner, tmp_path: Path) -> None:
    done = run(
        [sys.executable, str(DEMO)],
        capture_output=True,
        text=True,
        env={**os.environ, **NO_INTERNET, "TMPDIR": str(tmp_path)},
    )
    assert done.returncode == 0, done.stderr
    found = re.search(r"^Draft written to (.+)$", done.stderr, re.MULTILINE)
    assert found, done.stderr
    draft = Path(found[1]).read_text()
    assert draft == done.stdout  # not a terminal: the draft is printed as it is
    papers, links = sections(draft)
    assert len(papers) == 7 and len(links) == 12
    assert draft.count(PDF_LINKED) == 1
    [held_out] = [line for line in papers if "[Held-Out Paraphrase Sets for Contamination" in line]
    assert held_out.endswith("[code](https://github.com/example/paraphrase-sets)")  # from HF
    for title, source in LINKS.items():
        item = re.compile(rf"\d+\. \[{re.escape(title)}\]\(http://\S+\) \({re.escape(source)}\)")
        assert any(item.fullmatch(line) for line in links), title
    tweet = re.compile(r"\d+\. \[.+\]\(https://x\.com/ines_builds/status/\d+\) \(Tweet\)")
    assert any(tweet.fullmatch(line) for line in links)
    assert "utm_" not in draft and "/s/rk8Qz" not in draft
    db = Path(found[1]).parent / "curator.db"
    assert invoke(runner, "--db", str(db), "list", "--json", "--status", "failed") == "[]\n"
    server = re.search(r"at http://127\.0\.0\.1:(\d+)$", done.stderr, re.MULTILINE)
    assert server and not accepts_connections(int(server[1]))


@pytest.mark.slow
@pytest.mark.skipif(os.name != "posix", reason="sends SIGINT")
def test_ctrl_c_stops_the_server_and_exits_130(tmp_path: Path) -> None:
    process = subprocess.Popen(
        [sys.executable, str(DEMO)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **NO_INTERNET, "TMPDIR": str(tmp_path)},
    )
    assert process.stderr is not None
    serving = re.search(r"127\.0\.0\.1:(\d+)", process.stderr.readline())
    assert serving, "the demo did not start its server"
    process.send_signal(signal.SIGINT)
    _, stderr = finish(process)
    assert process.returncode == 130, stderr
    assert "interrupted; the sample server is stopped" in stderr
    assert not accepts_connections(int(serving[1]))
