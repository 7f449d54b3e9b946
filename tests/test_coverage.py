"""Papers joined to the pages that cover them (issue 17, item 6)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from lxml.html import document_fromstring
from typer.testing import CliRunner

from curator.compose import plan_draft
from curator.compose.draft import Coverage
from curator.config import DraftConfig
from curator.enrich.coverage import covered_paper
from curator.models import Link
from tests.cli import invoke, queue
from tests.fakes import API_PATH, FakeArxiv
from tests.helpers import DATA
from tests.server import LoopbackServer

PAPER = "https://arxiv.org/abs/2312.00001"


def queue_paper_and_coverage(env: Path, server: LoopbackServer, runner: CliRunner) -> str:
    page = server.add("/post", (DATA / "coverage" / "post.html").read_bytes())
    server.add_writer(API_PATH, FakeArxiv(known={"2312.00001"}))
    (env / "curator.toml").write_text(
        f'[fetch]\narxiv_api_url = "{server.url(API_PATH)}"\narxiv_delay = 0\n'
    )
    invoke(runner, "add", PAPER, page)
    invoke(runner, "enrich")
    return page


def test_a_page_that_links_to_a_paper_records_that_it_covers_it(
    env: Path, server: LoopbackServer, runner: CliRunner
) -> None:
    page = queue_paper_and_coverage(env, server, runner)
    covers = {item["url"]: item["covers"] for item in queue(runner)}
    assert covers == {PAPER: None, page: "arxiv:2312.00001"}  # the most cited one


def test_the_draft_shows_coverage_on_the_papers_line_instead_of_twice(
    env: Path, server: LoopbackServer, runner: CliRunner
) -> None:
    page = queue_paper_and_coverage(env, server, runner)
    stdout, _ = invoke(runner, "draft")
    [line] = [line for line in stdout.splitlines() if PAPER in line]
    assert line.endswith(f"(coverage: [Example News]({page}))")
    assert stdout.count(page) == 1
    _, stderr = invoke(runner, "draft", "--check", code=1)
    assert "is covered by link 2 (Example News): shown on its line" in stderr


def test_a_paper_and_its_coverage_both_picked_are_both_shown_and_named(
    env: Path, server: LoopbackServer, runner: CliRunner
) -> None:
    page = queue_paper_and_coverage(env, server, runner)
    invoke(runner, "pick", "1", "2")
    stdout, _ = invoke(runner, "draft")
    assert "(coverage:" not in stdout
    assert f"]({page})" in stdout
    _, stderr = invoke(runner, "draft", "--check", code=1)
    assert 'link 2 "A new way to reason" covers link 1' in stderr
    assert "both picked, both shown" in stderr


def test_a_link_covering_a_paper_the_cap_left_out_keeps_its_own_line() -> None:
    seen = datetime(2023, 12, 24, 12, tzinfo=UTC)
    paper = Link(
        id=1,
        key="arxiv:2312.00001",
        url=PAPER,
        canonical_url=PAPER,
        kind="paper",
        arxiv_id="2312.00001",
        title="A paper",
        status="done",
        first_seen=seen,
    )
    page = Link(id=2, key="https://news.example.com/a", url="https://news.example.com/a",
                canonical_url="https://news.example.com/a", title="News of it", status="done",
                source="Example News", first_seen=seen, covers="arxiv:2312.00001")  # fmt: skip
    since, until = datetime(2023, 12, 22, tzinfo=UTC), datetime(2023, 12, 28, tzinfo=UTC)

    def shown(config: DraftConfig) -> dict[int, tuple[Coverage, ...]]:
        draft = plan_draft([paper, page], {1: 1, 2: 1}, config, number=1,
                           publish_date=date(2023, 12, 29), since=since, until=until)  # fmt: skip
        return {e.link_id: e.coverage for s in draft.sections for e in s.entries}

    assert shown(DraftConfig()) == {1: (Coverage(2, "Example News", page.url),)}
    assert shown(DraftConfig(max_papers=0)) == {2: ()}


def covered(html: str, url: str = "https://news.example/story") -> str | None:
    return covered_paper(document_fromstring(html), html, url)


def test_links_to_a_paper_count_whatever_their_case_or_scheme() -> None:
    page = """<p><a href="/about">About</a> <a href="//arxiv.org/abs/2401.00001v2">one</a>
    <a href="HTTPS://ARXIV.ORG/pdf/2401.00001">two</a>
    <a href="https://huggingface.co/papers/2312.09999">hf</a>
    <a href="https://huggingface.co/models">not a paper</a></p>"""
    assert covered(page) == "arxiv:2401.00001"


def test_a_relative_link_counts_on_an_arxiv_page_only() -> None:
    page = '<p><a href="/abs/2401.00002">the paper</a></p>'
    assert covered(page, "https://arxiv.org/list/cs.CL/new") == "arxiv:2401.00002"
    assert covered(page) is None


def test_a_paper_named_in_the_text_counts_in_any_case() -> None:
    page = "<p>See ARXIV: 2401.00003 and arXiv:2401.00003, also arxiv:2312.00004.</p>"
    assert covered(page) == "arxiv:2401.00003"
    assert covered("<p>No paper here, just arXiv and 2401.00003.</p>") is None


def test_a_link_written_as_arxiv_id_counts_on_any_page() -> None:
    page = """<p><a href="arXiv:2401.00005">the paper</a>
    <a href="https://arxiv.org/abs/2401.00005?context=cs&amp;section=new">again</a></p>"""
    assert covered(page) == "arxiv:2401.00005"
    assert covered('<p><a href=" arxiv:2401.00006">the paper</a></p>') == "arxiv:2401.00006"
