"""`curator draft` and `publish` end to end: a database built through the CLI."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml
from markdown_it import MarkdownIt
from typer.testing import CliRunner

from tests.cli import invoke
from tests.fakes import API_PATH, FakeArxiv
from tests.helpers import DATA
from tests.server import LoopbackServer

GOLDEN = DATA / "draft" / "week.md"
PAGES = DATA / "pages"


def today() -> str:
    return datetime.now(UTC).date().isoformat()


def draft(runner: CliRunner, *args: str, code: int = 0) -> tuple[str, str]:
    window = ("--since", today(), "--until", today(), "--date", "2024-01-05")
    return invoke(runner, "draft", *window, *args, code=code)


@pytest.fixture
def week(runner: CliRunner, env: Path, server: LoopbackServer) -> LoopbackServer:
    """A week's queue: four pages, a PDF, a tweet and three papers, enriched."""
    (env / "curator.toml").write_text(
        f'[fetch]\narxiv_api_url = "{server.url(API_PATH)}"\narxiv_delay = 0\n\n'
        '[sources]\n"127.0.0.1" = "Loopback Times"\n'
    )
    titles = {
        "2401.00001": "Teaching small models to count",
        "2401.00002": "A made-up study of retrieval",
        "2312.11514": "Efficient attention for long documents",
    }
    server.add_writer(API_PATH, FakeArxiv(known=set(titles), titles=titles))
    for path, name in [
        ("/robots", "with_og_site_name.html"),
        ("/bikes", "without_site_name.html"),
        ("/cafe", "windows1252.html"),
        ("/bahn", "non_english.html"),
    ]:
        server.add(path, (PAGES / name).read_bytes())
    pages = [server.url(path) for path in ("/robots", "/bikes", "/cafe", "/bahn")]
    papers = [
        "https://arxiv.org/pdf/2401.00001v2",
        "https://huggingface.co/papers/2401.00002",
        "https://arxiv.org/abs/2312.11514",
    ]
    invoke(runner, "add", *pages, *papers, "https://x.com/someone/status/1737279359709487498")
    invoke(runner, "enrich")
    return server


def golden_text(server: LoopbackServer) -> str:
    return GOLDEN.read_text().replace("http://LOOPBACK", server.base_url)


def test_the_draft_matches_the_golden_issue(runner: CliRunner, week: LoopbackServer) -> None:
    invoke(runner, "feature", "1")
    invoke(runner, "skip", "4")
    invoke(runner, "pick", "2", "3", "5", "6", "7", "8")
    invoke(runner, "edit", "2", "--title", "Twelve kilometres of [new] bike lanes")
    stdout, stderr = draft(runner, "--number", "7")
    assert stdout == golden_text(week), stdout
    assert stderr == ""


def test_front_matter_and_structure_parse_back(runner: CliRunner, week: LoopbackServer) -> None:
    stdout, _ = draft(runner)
    _, front, body = stdout.split("---\n", 2)
    meta = yaml.safe_load(front)
    assert meta["title"] == "Some interesting things to read #1"
    assert meta["publishDate"] == "5 January 2024"
    assert meta["tags"] == ["weekly-digest", "AI", "technology", "machine-learning"]
    tokens = MarkdownIt("commonmark").parse(body)
    headings = [tokens[i + 1].content for i, t in enumerate(tokens) if t.type == "heading_open"]
    assert headings == ["Other Reads", "AI Papers", "Other interesting stuff"]
    links = [
        child.attrs["href"]
        for token in tokens
        if token.type == "inline"
        for child in token.children or []
        if child.type == "link_open"
    ]
    assert len(links) == 8 and "https://arxiv.org/abs/2401.00001" in links


def test_picking_limits_the_draft_to_the_picked_links(
    runner: CliRunner, week: LoopbackServer
) -> None:
    invoke(runner, "pick", "1", "5")
    stdout, _ = draft(runner)
    assert stdout.count("](") == 2
    invoke(runner, "reset", "1", "5")
    stdout, _ = draft(runner)
    assert stdout.count("](") == 8


def test_publish_then_draft_again_repeats_nothing(runner: CliRunner, week: LoopbackServer) -> None:
    stdout, _ = draft(runner, "--number", "6")
    _, stderr = invoke(runner, "publish", "--since", today(), "--until", today(), "--number", "6")
    assert "published issue #6" in stderr
    stdout, _ = invoke(runner, "list", "--json", "--status", "published")
    assert len(json.loads(stdout)) == 8
    invoke(runner, "add", "https://arxiv.org/abs/2401.00001v3")  # seen again after publishing
    stdout, _ = invoke(runner, "list", "--json", "--status", "published")
    assert {item["published_in"] for item in json.loads(stdout)} == {6}
    stdout, _ = draft(runner)
    assert "#7" in stdout and "](" not in stdout


def test_draft_out_writes_the_file_and_keeps_stdout_clean(
    runner: CliRunner, week: LoopbackServer, env: Path
) -> None:
    stdout, stderr = draft(runner, "--out", str(env / "drafts" / "next.md"))
    assert stdout == "" and "wrote" in stderr
    assert (env / "drafts" / "next.md").read_text().startswith("---\ntitle:")


def test_check_warns_and_exits_1(runner: CliRunner, week: LoopbackServer) -> None:
    week.add("/gone", "no", status=404)
    invoke(runner, "add", week.url("/gone"))
    invoke(runner, "enrich")
    invoke(runner, "edit", "9", "--title", "A link that failed")
    invoke(runner, "pick", "9", "1")
    _, stderr = draft(runner, "--check", code=1)
    assert "warning:" in stderr and "HTTP 404" in stderr
    draft(runner)  # without --check the draft is still written


def test_list_filters_by_section_week_and_status(runner: CliRunner, week: LoopbackServer) -> None:
    stdout, _ = invoke(runner, "list", "--json", "--section", "AI Papers")
    assert {item["kind"] for item in json.loads(stdout)} == {"paper"}
    iso = datetime.now(UTC).isocalendar()
    stdout, _ = invoke(runner, "list", "--json", "--week", f"{iso.year}-W{iso.week:02d}")
    assert len(json.loads(stdout)) == 8
    stdout, _ = invoke(runner, "list", "--json", "--week", "2020-W01")
    assert json.loads(stdout) == []


def test_a_template_typo_is_one_line_and_exit_2(
    runner: CliRunner, week: LoopbackServer, env: Path
) -> None:
    (env / "mine.md.j2").write_text("# {{ titel }}\n")
    with (env / "curator.toml").open("a") as config:
        config.write('\n[draft]\ntemplate = "mine.md.j2"\n')
    _, stderr = draft(runner, code=2)
    assert "mine.md.j2" in stderr and "titel" in stderr and stderr.count("\n") == 1


def test_bad_windows_are_usage_errors(runner: CliRunner) -> None:
    _, stderr = invoke(runner, "draft", "--week", "2023-W52", "--since", "2023-12-01", code=2)
    assert "either --week or --since/--until" in stderr
    _, stderr = invoke(runner, "draft", "--week", "last week", code=2)
    assert "2023-W52" in stderr
    invoke(runner, "draft", "--since", "2023-13-01", code=2)


def test_draft_publish_records_the_issue_it_printed(
    runner: CliRunner, week: LoopbackServer
) -> None:
    stdout, stderr = draft(runner, "--number", "3", "--publish")
    assert "#3" in stdout and "published issue #3" in stderr
    published, _ = invoke(runner, "list", "--json", "--status", "published")
    assert {item["published_in"] for item in json.loads(published)} == {3}
    assert len(json.loads(published)) == stdout.count("](")
    again, _ = draft(runner)
    assert "#4" in again and "](" not in again
