"""The SQLite queue: one link per key, every sighting kept, safe under concurrency."""

from __future__ import annotations

import multiprocessing
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from curator.errors import StoreError
from curator.models import DONE, FAILED, PENDING, Candidate, Metadata, Paper
from curator.store import MIGRATIONS, LinkFilter, Store

NOW = datetime(2023, 12, 27, 9, 0, tzinfo=UTC)


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(tmp_path / "queue.db")


def test_two_forms_of_one_paper_are_one_link_with_two_sightings(store: Store) -> None:
    result = store.add(
        [
            Candidate("https://arxiv.org/pdf/2312.11514v2", "manual"),
            Candidate("https://huggingface.co/papers/2312.11514", "Hugging Face"),
        ],
        NOW,
    )
    assert (result.new, result.known) == (1, 1)
    [link] = store.links()
    assert (link.kind, link.key, link.url) == (
        "paper",
        "arxiv:2312.11514",
        "https://arxiv.org/abs/2312.11514",
    )
    sightings = store.sightings([link.id or 0])[link.id or 0]
    assert [s.url for s in sightings] == [
        "https://arxiv.org/pdf/2312.11514v2",
        "https://huggingface.co/papers/2312.11514",
    ]
    assert store.source_counts([link.id or 0]) == {link.id: 2}


def test_a_feed_seeing_the_same_entry_again_adds_no_sighting(store: Store) -> None:
    entry = Candidate("https://example.com/a?utm_source=rss", "Example feed")
    store.add([entry], NOW)
    again = store.add([entry], NOW + timedelta(hours=1))
    assert (again.new, again.known) == (0, 1)
    [link] = store.links()
    assert len(store.sightings([link.id or 0])[link.id or 0]) == 1


def test_an_https_arrival_upgrades_a_link_first_seen_over_http(store: Store) -> None:
    store.add([Candidate("http://example.com/a/", "Old feed")], NOW)
    store.add([Candidate("https://example.com/a?utm_source=x", "New feed")], NOW)
    [link] = store.links()
    assert link.url == "https://example.com/a"


def test_adding_by_hand_twice_records_both_arrivals(store: Store) -> None:
    entry = Candidate("https://example.com/a", "manual")
    store.add([entry], NOW, repeat_sightings=True)
    store.add([entry], NOW, repeat_sightings=True)
    [link] = store.links()
    assert len(store.sightings([link.id or 0])[link.id or 0]) == 2


def test_arxiv_query_results_enter_already_enriched(store: Store) -> None:
    paper = Paper("2312.13558", "The Truth is in There", "Abstract.", ("A. Author",), NOW, "cs.LG")
    store.add([Candidate("https://arxiv.org/abs/2312.13558", "arXiv cs.LG", paper=paper)], NOW)
    [link] = store.links()
    assert (link.status, link.title, link.authors, link.source) == (
        DONE,
        "The Truth is in There",
        ["A. Author"],
        "arXiv",
    )
    assert store.due_for_enrichment(NOW) == []


def test_datetimes_come_back_aware_utc(store: Store) -> None:
    store.add([Candidate("https://example.com/a", "manual")], NOW)
    [link] = store.links()
    assert link.first_seen == NOW and link.first_seen.tzinfo is not None


def test_enrichment_keeps_the_authors_choices(store: Store) -> None:
    store.add([Candidate("https://example.com/a", "manual")], NOW)
    [link] = store.links()
    assert link.id is not None
    store.set_fields([link.id], decision="feature", user_title="Mine", position=1)
    store.mark_enriched(link.id, Metadata(title="Theirs", source="Example"), NOW)
    [link] = store.links()
    assert (link.title, link.user_title, link.decision, link.position) == (
        "Theirs",
        "Mine",
        "feature",
        1,
    )


def test_short_link_resolving_to_a_queued_article_merges_into_it(store: Store) -> None:
    store.add([Candidate("https://example.com/story", "Example feed")], NOW)
    store.add([Candidate("https://short.example/x1", "manual")], NOW + timedelta(hours=1))
    article, short = store.links()
    assert short.id is not None
    store.set_fields([short.id], decision="pick")
    survivor = store.mark_enriched(
        short.id, Metadata(title="Story", final_url="https://example.com/story?utm_source=x"), NOW
    )
    assert survivor == article.id
    [merged] = store.links()
    assert (merged.id, merged.title, merged.decision) == (article.id, "Story", "pick")
    urls = {s.url for s in store.sightings([merged.id or 0])[merged.id or 0]}
    assert urls == {"https://example.com/story", "https://short.example/x1"}


def test_redirect_to_a_new_place_moves_the_link_there(store: Store) -> None:
    store.add([Candidate("https://short.example/x1", "manual")], NOW)
    [link] = store.links()
    store.mark_enriched(link.id or 0, Metadata(title="T", final_url="https://example.com/b/"), NOW)
    [link] = store.links()
    assert (link.url, link.key) == ("https://example.com/b/", "https://example.com/b")


def test_failed_link_keeps_its_reason_and_is_due_only_after_retry_time(store: Store) -> None:
    store.add([Candidate("https://example.com/a", "manual")], NOW)
    [link] = store.links()
    store.mark_failed(link.id or 0, "HTTP 503", NOW, NOW + timedelta(minutes=10))
    [link] = store.links()
    assert (link.status, link.error, link.attempts) == (FAILED, "HTTP 503", 1)
    assert store.due_for_enrichment(NOW) == []
    assert [x.id for x in store.due_for_enrichment(NOW + timedelta(minutes=10))] == [link.id]


def test_permanent_failure_is_retried_only_when_asked(store: Store) -> None:
    store.add([Candidate("https://example.com/a", "manual")], NOW)
    [link] = store.links()
    store.mark_failed(link.id or 0, "HTTP 404", NOW, None)
    assert store.due_for_enrichment(NOW + timedelta(days=365)) == []
    assert len(store.due_for_enrichment(NOW, retry_failed=True)) == 1
    store.mark_enriched(link.id or 0, Metadata(title="Back"), NOW)
    [link] = store.links()
    assert (link.status, link.error) == (DONE, None)


def test_list_filters_by_window_and_status(store: Store) -> None:
    store.add([Candidate("https://example.com/old", "manual")], NOW - timedelta(days=30))
    store.add([Candidate("https://example.com/new", "manual")], NOW)
    recent = store.links(LinkFilter(since=NOW - timedelta(days=1)))
    assert [link.url for link in recent] == ["https://example.com/new"]
    assert len(store.links(LinkFilter(status=PENDING))) == 2
    assert store.links(LinkFilter(status="picked")) == []


def test_database_is_in_wal_mode_with_a_schema_version(tmp_path: Path) -> None:
    Store(tmp_path / "q.db").close()
    conn = sqlite3.connect(tmp_path / "q.db")
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)


def test_database_from_a_newer_curator_is_refused(tmp_path: Path) -> None:
    Store(tmp_path / "q.db").close()
    conn = sqlite3.connect(tmp_path / "q.db")
    conn.execute(f"PRAGMA user_version={len(MIGRATIONS) + 1}")
    conn.close()
    with pytest.raises(StoreError, match="newer curator"):
        Store(tmp_path / "q.db")


def test_a_file_that_is_not_a_database_is_a_store_error(tmp_path: Path) -> None:
    path = tmp_path / "q.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match=r"q\.db: cannot open database"):
        Store(path)


def _add_many(db: str, prefix: str, count: int, start: multiprocessing.synchronize.Event) -> None:
    store = Store(Path(db))
    start.wait()
    for i in range(count):
        store.add([Candidate(f"https://example.com/{prefix}/{i}", prefix)], NOW)


@pytest.mark.slow
def test_two_processes_adding_500_links_each_lose_nothing(tmp_path: Path) -> None:
    db = str(tmp_path / "shared.db")
    context = multiprocessing.get_context("spawn")
    start = context.Event()
    workers = [
        context.Process(target=_add_many, args=(db, name, 500, start)) for name in ("a", "b")
    ]
    for worker in workers:
        worker.start()
    start.set()
    for worker in workers:
        worker.join(timeout=120)
    assert [w.exitcode for w in workers] == [0, 0]
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT count(*) FROM link").fetchone()[0] == 1000
    assert conn.execute("SELECT count(*) FROM sighting").fetchone()[0] == 1000
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def _open_fresh(db: str, start: multiprocessing.synchronize.Event) -> None:
    start.wait()
    Store(Path(db)).add([Candidate("https://example.com/same", "x")], NOW)


@pytest.mark.slow
def test_four_processes_creating_one_fresh_database_all_succeed(tmp_path: Path) -> None:
    db = str(tmp_path / "fresh.db")
    context = multiprocessing.get_context("spawn")
    start = context.Event()
    workers = [context.Process(target=_open_fresh, args=(db, start)) for _ in range(4)]
    for worker in workers:
        worker.start()
    start.set()
    for worker in workers:
        worker.join(timeout=120)
    assert [w.exitcode for w in workers] == [0, 0, 0, 0]
    assert sqlite3.connect(db).execute("SELECT count(*) FROM link").fetchone()[0] == 1
