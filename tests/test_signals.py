"""Hugging Face Daily Papers and Hacker News as sources, and signals on links (issue 17),
against loopback fakes that keep the services' documented rules (tests/fakes.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from curator.config import load_config
from curator.pipeline.collect import DAILY_PAPERS, HUGGINGFACE, collect
from curator.pipeline.enrich import enrich
from curator.store import Store
from tests.cli import invoke, queue
from tests.fakes import (
    API_PATH,
    HF_DAILY,
    HF_PAPERS,
    HN_BY_DATE,
    HN_SEARCH,
    FakeArxiv,
    FakeHackerNews,
    FakeHuggingFace,
    hf_item,
    hf_paper,
    hn_hit,
)
from tests.server import LoopbackServer

NOW = datetime(2023, 12, 27, 9, 0, tzinfo=UTC)  # a Wednesday
WEEK = [(NOW - timedelta(days=n)).date().isoformat() for n in range(6, -1, -1)]


@pytest.fixture(autouse=True)
def online(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests talk to the fakes, so Hugging Face is not switched off here."""
    monkeypatch.delenv("HF_HUB_OFFLINE")


def write_config(env: Path, server: LoopbackServer, *sections: str) -> Path:
    lines = [
        "[fetch]",
        f'arxiv_api_url = "{server.url(API_PATH)}"',
        "arxiv_delay = 0",
        "timeout = 5",
        *sections,
    ]
    path = env / "curator.toml"
    path.write_text("\n".join(lines) + "\n")
    return path


def hf_section(server: LoopbackServer, *extra: str) -> str:
    lines = ["[huggingface]", f'api_url = "{server.url("/api")}"', *extra]
    return "\n" + "\n".join(lines)


def hn_section(server: LoopbackServer, *extra: str) -> str:
    lines = ["[hackernews]", f'api_url = "{server.url("/api/v1")}"', *extra]
    return "\n" + "\n".join(lines)


def serve_hf(server: LoopbackServer, fake: FakeHuggingFace) -> FakeHuggingFace:
    server.add_writer(HF_DAILY, fake)
    for arxiv_id in ("2312.00001", "2312.00002", "2312.00003", "2312.99999", "2401.00009"):
        server.add_writer(HF_PAPERS + arxiv_id, fake)
    return fake


def run_collect(config_path: Path, env: Path, now: datetime) -> None:
    config = load_config(config_path, required=True)
    store = Store(env / "curator.db")
    try:
        collect(config, store, now)
    finally:
        store.close()


def by_url(items: list[dict[str, object]]) -> dict[object, dict[str, object]]:
    return {item["url"]: item for item in items}


def test_daily_papers_queue_every_page_of_every_day_in_the_window(
    env: Path, server: LoopbackServer, runner: CliRunner
) -> None:
    busy = [hf_item(f"2312.{n:05d}", upvotes=n) for n in range(100, 160)]  # two pages
    fake = FakeHuggingFace(
        days={WEEK[0]: [hf_item("2312.00001", 5)], WEEK[4]: busy, WEEK[6]: [hf_item("2312.00002")]}
    )
    server.add_writer(HF_DAILY, fake)
    server.add_writer(API_PATH, FakeArxiv())
    path = write_config(env, server, hf_section(server, "daily_papers = true"))
    run_collect(path, env, NOW)
    assert [fake.daily_calls(day) for day in WEEK] == [1, 1, 1, 1, 2, 1, 1]  # empty days: one
    items = queue(runner)
    assert len(items) == 62
    paper = by_url(items)["https://arxiv.org/abs/2312.00159"]
    assert paper["kind"] == "paper"
    assert paper["signals"]["hf_upvotes"] == 159  # type: ignore[index]


def test_daily_papers_another_collect_is_fetching_are_skipped(
    env: Path, server: LoopbackServer
) -> None:
    fake = FakeHuggingFace(days={WEEK[6]: [hf_item("2312.00001")]})
    server.add_writer(HF_DAILY, fake)
    path = write_config(env, server, hf_section(server, "daily_papers = true"))
    config = load_config(path, required=True)
    ref = config.huggingface.api_url + "/daily_papers"
    with Store(env / "curator.db") as store:
        lease = NOW + timedelta(minutes=1)
        assert store.claim_source(HUGGINGFACE, ref, DAILY_PAPERS, "other run", NOW, lease)
        report = collect(config, store, NOW, then_enrich=False)
    assert [(c.name, c.skipped) for c in report.channels] == [(DAILY_PAPERS, True)]
    assert fake.calls == []


def test_the_next_run_fetches_only_the_days_since_the_last(
    env: Path, server: LoopbackServer
) -> None:
    fake = FakeHuggingFace(days={WEEK[6]: [hf_item("2312.00001")]})
    server.add_writer(HF_DAILY, fake)
    path = write_config(env, server, hf_section(server, "daily_papers = true"))
    run_collect(path, env, NOW - timedelta(days=2))
    fake.calls.clear()
    run_collect(path, env, NOW)
    assert [fake.daily_calls(day) for day in WEEK] == [0, 0, 0, 0, 1, 1, 1]


def test_a_daily_paper_merges_with_the_same_paper_added_by_hand(
    env: Path, server: LoopbackServer, runner: CliRunner
) -> None:
    server.add_writer(HF_DAILY, FakeHuggingFace(days={WEEK[6]: [hf_item("2312.00001", 42)]}))
    server.add_writer(API_PATH, FakeArxiv(known={"2312.00001"}))
    path = write_config(env, server, hf_section(server, "daily_papers = true"))
    invoke(runner, "add", "https://arxiv.org/pdf/2312.00001v2.pdf")
    invoke(runner, "add", "https://huggingface.co/papers/2312.00001")
    run_collect(path, env, NOW)
    [paper] = queue(runner)
    assert paper["key"] == "arxiv:2312.00001"
    assert paper["sources"] == 2  # manual, and the Daily Papers
    assert paper["title"] == "Paper 2312.00001"  # arXiv's API gives a paper's metadata
    assert paper["signals"]["hf_upvotes"] == 42  # type: ignore[index]


def test_a_paper_listed_on_two_days_is_queued_once_with_its_most_upvotes(
    env: Path, server: LoopbackServer, runner: CliRunner
) -> None:
    days = {WEEK[5]: [hf_item("2312.00001", 3)], WEEK[6]: [hf_item("2312.00001", 9)]}
    server.add_writer(HF_DAILY, FakeHuggingFace(days=days))
    path = write_config(env, server, hf_section(server, "daily_papers = true"))
    run_collect(path, env, NOW)
    [paper] = queue(runner)
    assert paper["signals"]["hf_upvotes"] == 9  # type: ignore[index]
    assert len(paper["sightings"]) == 1  # type: ignore[arg-type]


def test_papers_below_min_upvotes_are_not_queued(
    env: Path, server: LoopbackServer, runner: CliRunner
) -> None:
    items = [hf_item("2312.00001", 4), hf_item("2312.00002", 5)]
    server.add_writer(HF_DAILY, FakeHuggingFace(days={WEEK[6]: items}))
    path = write_config(env, server, hf_section(server, "daily_papers = true", "min_upvotes = 5"))
    run_collect(path, env, NOW)
    assert [item["url"] for item in queue(runner)] == ["https://arxiv.org/abs/2312.00002"]


def test_malformed_items_are_skipped_with_a_warning_and_the_rest_kept(
    env: Path, server: LoopbackServer, runner: CliRunner
) -> None:
    items = [
        hf_item("2312.00001"),
        "not an item",
        {"paper": {"title": "no id"}},
        {"paper": hf_paper("not an arxiv id")},
        hf_item("2312.00002", upvotes="many"),  # type: ignore[arg-type]
    ]
    server.add_writer(HF_DAILY, FakeHuggingFace(days={WEEK[6]: items}))
    path = write_config(env, server, hf_section(server, "daily_papers = true"))
    run_collect(path, env, NOW)
    assert len(queue(runner)) == 2  # a bad count is unknown, not a bad item
    stdout, _ = invoke(runner, "sources", "--json")
    assert "Hugging Face Daily Papers" in stdout
    assert "2 new; 3 malformed items skipped" in stdout


def test_a_429_with_retry_after_is_waited_out_then_the_call_succeeds(
    env: Path, server: LoopbackServer, runner: CliRunner
) -> None:
    fake = FakeHuggingFace(days={WEEK[6]: [hf_item("2312.00001")]}, throttled=2, retry_after="0")
    server.add_writer(HF_DAILY, fake)
    path = write_config(env, server, hf_section(server, "daily_papers = true", "days = 1"))
    run_collect(path, env, NOW)
    assert len(fake.calls) == 3
    assert len(queue(runner)) == 1


def test_curator_sources_lists_the_daily_papers_with_their_last_status(
    env: Path, server: LoopbackServer, runner: CliRunner
) -> None:
    today = datetime.now(UTC).date().isoformat()
    server.add_writer(HF_DAILY, FakeHuggingFace(days={today: [hf_item("2312.00001")]}))
    server.add_writer(API_PATH, FakeArxiv(known={"2312.00001"}))
    write_config(env, server, hf_section(server, "daily_papers = true", "days = 2"))
    invoke(runner, "collect", "--source", "Hugging Face Daily Papers")
    stdout, _ = invoke(runner, "sources", "--json")
    assert '"name": "Hugging Face Daily Papers"' in stdout
    assert '"last_status": "1 new"' in stdout


def test_signals_are_asked_once_per_paper_and_a_404_is_remembered(
    env: Path, server: LoopbackServer, runner: CliRunner
) -> None:
    repo = "https://github.com/example/code"
    fake = serve_hf(
        server,
        FakeHuggingFace(
            papers={
                "2312.00001": hf_paper(
                    "2312.00001", 200, githubRepo=repo, githubStars=12, numComments=3
                )
            }
        ),
    )
    server.add_writer(API_PATH, FakeArxiv(known={"2312.00001", "2312.99999"}))
    path = write_config(env, server, hf_section(server))  # lookup is on by default
    invoke(runner, "add", "https://arxiv.org/abs/2312.00001", "arxiv:2312.99999")
    config = load_config(path, required=True)
    store = Store(env / "curator.db")
    try:
        enrich(config, store, NOW)
        enrich(config, store, NOW + timedelta(hours=12))
        assert sorted(fake.calls) == [HF_PAPERS + "2312.00001", HF_PAPERS + "2312.99999"]
        enrich(config, store, NOW + timedelta(days=2))  # a day old: asked again, not the 404
    finally:
        store.close()
    assert fake.calls.count(HF_PAPERS + "2312.00001") == 2
    assert fake.calls.count(HF_PAPERS + "2312.99999") == 1
    items = by_url(queue(runner))
    assert items["https://arxiv.org/abs/2312.00001"]["signals"] == {
        "hf_upvotes": 200,
        "hf_comments": 3,
        "github_repo": repo,
        "github_stars": 12,
        "project_page": None,
        "hn_points": None,
        "hn_comments": None,
        "hn_url": None,
    }
    assert items["https://arxiv.org/abs/2312.99999"]["signals"]["hf_upvotes"] is None  # type: ignore[index]


def test_hf_hub_offline_keeps_every_call_away_from_hugging_face(
    env: Path, server: LoopbackServer, runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = serve_hf(server, FakeHuggingFace(papers={"2312.00001": hf_paper("2312.00001", 9)}))
    server.add_writer(API_PATH, FakeArxiv(known={"2312.00001"}))
    write_config(env, server, hf_section(server, "daily_papers = true", "lookup = true"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    invoke(runner, "add", "https://arxiv.org/abs/2312.00001")
    invoke(runner, "collect")
    invoke(runner, "enrich")
    assert fake.calls == []
    [paper] = queue(runner)
    assert paper["status"] == "done"
    assert paper["signals"]["hf_upvotes"] is None  # type: ignore[index]


def test_signals_that_cannot_be_fetched_never_block_enrichment_or_the_draft(
    env: Path, server: LoopbackServer, runner: CliRunner
) -> None:
    server.add(HF_PAPERS + "2312.00001", "down", status=500, content_type="text/plain")
    server.add_writer(API_PATH, FakeArxiv(known={"2312.00001"}))
    write_config(
        env, server, hf_section(server, "lookup = true"), hn_section(server, "lookup = true")
    )
    invoke(runner, "add", "https://arxiv.org/abs/2312.00001")
    invoke(runner, "enrich")
    [paper] = queue(runner)
    assert paper["status"] == "done"
    stdout, _ = invoke(runner, "draft")
    assert "[Paper 2312.00001](https://arxiv.org/abs/2312.00001)" in stdout


def test_hacker_news_lookup_keeps_only_stories_with_the_links_canonical_key(
    env: Path, server: LoopbackServer, runner: CliRunner
) -> None:
    page = server.add("/post", "<html><head><title>A post</title></head><body>Hi</body></html>")
    fake = FakeHackerNews(
        stories=[
            hn_hit(1, server.url("/post/?utm_source=hn"), 300, 40),
            hn_hit(2, server.url("/post-two"), 900, 5),  # the fuzzy search's near miss
        ]
    )
    server.add_writer(HN_SEARCH, fake)
    write_config(env, server, hn_section(server, "lookup = true"))
    invoke(runner, "add", page + "?utm_campaign=x")
    _, stderr = invoke(runner, "enrich")
    assert "signals: 1 links asked, 0 unanswered (1 calls)" in stderr
    [link] = queue(runner)
    signals = link["signals"]
    assert signals["hn_points"] == 300  # type: ignore[index]
    assert signals["hn_comments"] == 40  # type: ignore[index]
    assert signals["hn_url"] == "https://news.ycombinator.com/item?id=1"  # type: ignore[index]
    assert len(fake.calls) == 1


def test_front_page_stories_with_enough_points_are_queued_from_every_page(
    env: Path, server: LoopbackServer, runner: CliRunner
) -> None:
    since = int((NOW - timedelta(days=7)).timestamp())
    hits = [hn_hit(n, f"https://news.example.com/{n}", points=n) for n in range(1, 151)]
    for hit in hits:
        hit["created_at_i"] = since + int(str(hit["objectID"]))
    hits.append(hn_hit(999, None, 500))  # an Ask HN: no link to queue
    fake = FakeHackerNews(front_page=hits)
    server.add_writer(HN_BY_DATE, fake)
    path = write_config(env, server, hn_section(server, "front_page = true", "min_points = 100"))
    config = load_config(path, required=True)
    store = Store(env / "curator.db")
    try:
        collect(config, store, NOW, then_enrich=False)
    finally:
        store.close()
    assert len(fake.calls) == 2  # 151 stories, 100 a page
    items = queue(runner)
    assert len(items) == 51
    top = by_url(items)["https://news.example.com/150"]
    assert top["signals"]["hn_points"] == 150  # type: ignore[index]
