"""The rank score, code links and Hugging Face summaries in the draft (issue 17, items 3-5)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from curator.compose import AI_PAPERS, Draft, plan_draft, render_draft
from curator.config import DraftConfig, RankConfig, parse_config
from curator.errors import ConfigError
from curator.models import Link
from curator.store import Store
from curator.values import Signals
from tests.cli import invoke

SINCE = datetime(2023, 12, 22, tzinfo=UTC)
UNTIL = datetime(2023, 12, 28, 23, 59, 59, tzinfo=UTC)
SEEN = datetime(2023, 12, 24, 12, tzinfo=UTC)
ABSTRACT = "We study the thing. It works well. More follows."
REPO = "https://github.com/example/from-hf"
DEFAULT = DraftConfig()


def paper(link_id: int, upvotes: int | None = None, **fields: Any) -> Link:
    arxiv_id = f"2312.{link_id:05d}"
    url = f"https://arxiv.org/abs/{arxiv_id}"
    signals = Signals(hf_upvotes=upvotes).stored() if upvotes is not None else None
    values: dict[str, Any] = {
        "kind": "paper",
        "status": "done",
        "first_seen": SEEN,
        "summary": ABSTRACT,
        "source": "arXiv",
        "signals": signals,
    } | fields
    return Link(
        id=link_id,
        key=f"arxiv:{arxiv_id}",
        url=url,
        canonical_url=url,
        arxiv_id=arxiv_id,
        title=f"Paper {link_id}",
        **values,
    )


def plan(
    rows: list[Link], config: DraftConfig = DEFAULT, counts: dict[int, int] | None = None
) -> Draft:
    return plan_draft(
        rows,
        counts if counts is not None else dict.fromkeys([r.id or 0 for r in rows], 1),
        config,
        number=7,
        publish_date=date(2023, 12, 29),
        since=SINCE,
        until=UNTIL,
    )


def paper_ids(draft: Draft) -> list[int]:
    [found] = [s for s in draft.sections if s.name == AI_PAPERS]
    return [entry.link_id for entry in found.entries]


def test_a_200_upvote_paper_outranks_a_0_upvote_one_from_the_same_query() -> None:
    rows = [paper(1, upvotes=0), paper(2, upvotes=200)]
    assert paper_ids(plan(rows)) == [2, 1]


def test_the_authors_pick_still_wins_over_any_score() -> None:
    rows = [paper(1, upvotes=0, decision="pick"), paper(2, upvotes=5000)]
    assert paper_ids(plan(rows)) == [1]


def test_rank_weights_come_from_draft_rank() -> None:
    rows = [paper(1, upvotes=0), paper(2, upvotes=200)]
    config = DraftConfig(rank=RankConfig(hf_upvotes=0.0))
    assert paper_ids(plan(rows, config)) == [1, 2]  # equal scores: lower id first


def test_a_papers_code_link_is_hf_github_repo_first_then_its_abstracts() -> None:
    rows = [
        paper(1, signals=Signals(github_repo=REPO).stored(), code_url="https://github.com/a/b"),
        paper(2, code_url="https://gitlab.com/c/d"),
    ]
    text = render_draft(plan(rows), DraftConfig())
    assert f"- We study the thing. It works well. [code]({REPO})" in text
    assert "[code](https://gitlab.com/c/d)" in text
    off = render_draft(plan(rows, DraftConfig(code_links=False)), DraftConfig(code_links=False))
    assert "[code]" not in off


def test_paper_summary_hf_uses_ai_summary_when_there_is_one() -> None:
    rows = [
        paper(1, signals=Signals(ai_summary="A short summary by HF.").stored()),
        paper(2),
        paper(3, signals=Signals(ai_summary="Not this one.").stored(), user_summary="Mine."),
    ]
    config = DraftConfig(paper_summary="hf")
    summaries = {e.link_id: e.summary for s in plan(rows, config).sections for e in s.entries}
    assert summaries == {
        1: "A short summary by HF.",
        2: "We study the thing. It works well.",
        3: "Mine.",
    }
    default = {e.link_id: e.summary for s in plan(rows).sections for e in s.entries}
    assert default[1] == "We study the thing. It works well."


def test_list_sort_rank_shows_the_score_and_its_parts(env: Path, runner: CliRunner) -> None:
    invoke(runner, "add", "https://arxiv.org/abs/2312.00001", "https://arxiv.org/abs/2312.00002")
    store = Store(env / "curator.db")
    try:
        store.save_signals({"arxiv:2312.00002": Signals(hf_upvotes=200)})
    finally:
        store.close()
    stdout, _ = invoke(runner, "list", "--sort", "rank")
    first, second = stdout.splitlines()
    assert "\t2\t" in first and "hf_upvotes=+23.0" in first
    assert "\t1\t" in second and "hf_upvotes=+0.0" in second
    assert "sources=+100.0" in first
    ranked, _ = invoke(runner, "list", "--sort", "rank", "--json")
    assert '"rank": {"score": ' in ranked


def test_list_sort_rank_keeps_a_title_with_a_tab_on_one_field(env: Path, runner: CliRunner) -> None:
    invoke(runner, "add", "https://example.com/post")
    invoke(runner, "edit", "1", "--title", "Two\tparts\nand a line")
    stdout, _ = invoke(runner, "list", "--sort", "rank")
    (line,) = stdout.splitlines()
    fields = line.split("\t")
    assert len(fields) == 4 and fields[1] == "1" and fields[3] == "Two parts and a line"


def test_list_sort_rank_keeps_to_the_section_asked_for(env: Path, runner: CliRunner) -> None:
    invoke(runner, "add", "https://arxiv.org/abs/2312.00001", "https://example.com/post")
    stdout, _ = invoke(runner, "list", "--sort", "rank", "--section", "AI Papers")
    assert [line.split("\t")[1] for line in stdout.splitlines()] == ["1"]
    _, stderr = invoke(runner, "list", "--draft", "--sort", "rank", code=2)
    assert "--draft takes only --week and --json" in stderr


def test_draft_and_service_keys_are_checked(tmp_path: Path) -> None:
    path = tmp_path / "curator.toml"
    config = parse_config('[draft]\npaper_summary = "hf"\n[draft.rank]\nage = 0.5\n', path)
    assert config.draft.paper_summary == "hf" and config.draft.rank.age == 0.5
    for bad in (
        '[draft]\npaper_summary = "llm"',
        '[huggingface]\napi_url = "ftp://x"',
        "[hackernews]\ndays = 0",
    ):
        with pytest.raises(ConfigError):
            parse_config(bad, path)
