"""The queue, on SQLite and on PostgreSQL: one link per key, every sighting kept, safe under
concurrency."""

from __future__ import annotations

import multiprocessing
import sqlite3
import threading
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from curator.errors import StoreError
from curator.store import MIGRATIONS, LinkFilter, Store, dialect_for, postgresql, schema
from curator.values import DONE, FAILED, PENDING, Candidate, Metadata, Paper
from tests.helpers import DATA, HUNG_AFTER, NOW


@pytest.fixture
def store(db: str) -> Iterator[Store]:
    with Store(db) as opened:
        yield opened


def query_result(paper: Paper, via: str) -> Candidate:
    """`paper` as an arXiv query found by `via` yields it: at its abs URL, enriched."""
    url = f"https://arxiv.org/abs/{paper.arxiv_id}"
    return Candidate(url, via, meta=paper.metadata(), is_enriched=True)


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
    store.add([query_result(paper, "arXiv cs.LG")], NOW)
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
    store.set_fields([link.id], editor="ana", decision="feature", user_title="Mine", position=1)
    store.mark_enriched(link.id, Metadata(title="Theirs", label="Example"), NOW)
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
    store.set_fields([short.id], editor="ana", decision="pick")
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


def test_database_from_a_newer_curator_is_refused_naming_both_versions(db: str) -> None:
    Store(db).close()
    dialect = dialect_for(db)
    engine = dialect.engine()
    with engine.connect() as conn:
        dialect.set_schema_version(conn, len(MIGRATIONS) + 1)
        conn.commit()
    engine.dispose()
    newer, ours = len(MIGRATIONS) + 1, len(MIGRATIONS)
    with pytest.raises(
        StoreError, match=f"schema version {newer}, newer than this curator's {ours}"
    ):
        Store(db)


def test_a_file_that_is_not_a_database_is_a_store_error(tmp_path: Path) -> None:
    path = tmp_path / "q.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match=r"q\.db: cannot open database"):
        Store(path)


def _add_many(db: str, prefix: str, count: int, start: multiprocessing.synchronize.Event) -> None:
    store = Store(db)
    start.wait()
    for i in range(count):
        store.add([Candidate(f"https://example.com/{prefix}/{i}", prefix)], NOW)


@pytest.mark.slow
def test_two_processes_adding_500_links_each_lose_nothing(db: str) -> None:
    context = multiprocessing.get_context("spawn")
    start = context.Event()
    workers = [
        context.Process(target=_add_many, args=(db, name, 500, start)) for name in ("a", "b")
    ]
    for worker in workers:
        worker.start()
    start.set()
    for worker in workers:
        worker.join(timeout=HUNG_AFTER)
    assert [w.exitcode for w in workers] == [0, 0], "a worker failed, or hung (None)"
    with Store(db) as store:
        links = store.links()
        assert len(links) == 1000
        assert sum(map(len, store.sightings([link.id or 0 for link in links]).values())) == 1000
        store.check_intact()


def _open_fresh(db: str, start: multiprocessing.synchronize.Event) -> None:
    start.wait()
    Store(db).add([Candidate("https://example.com/same", "x")], NOW)


@pytest.mark.slow
def test_four_processes_creating_one_fresh_database_all_succeed(db: str) -> None:
    context = multiprocessing.get_context("spawn")
    start = context.Event()
    workers = [context.Process(target=_open_fresh, args=(db, start)) for _ in range(4)]
    for worker in workers:
        worker.start()
    start.set()
    for worker in workers:
        worker.join(timeout=HUNG_AFTER)
    assert [w.exitcode for w in workers] == [0, 0, 0, 0], "a worker failed, or hung (None)"
    with Store(db) as store:
        assert len(store.links()) == 1


# -- ids (issue 12) ---------------------------------------------------------------------


def _merge_short_link(store: Store) -> tuple[int, int]:
    """Queue an article and a short link to it, then enrich the short link: (short, article)."""
    store.add([Candidate("https://example.com/story", "Example feed")], NOW)
    store.add([Candidate("https://short.example/x1", "manual")], NOW)
    article, short = store.links()
    assert article.id is not None and short.id is not None
    meta = Metadata(title="Story", final_url="https://example.com/story")
    assert store.mark_enriched(short.id, meta, NOW) == article.id
    return short.id, article.id


def test_the_id_of_a_merged_link_is_never_given_to_a_new_link(store: Store) -> None:
    short, article = _merge_short_link(store)
    added = store.add([Candidate("https://example.com/unrelated", "manual")], NOW)
    assert added.new_ids == [short + 1]
    assert store.missing_ids([short]) == [short]
    assert store.merged_into([short, article]) == {short: article}


def test_a_link_merged_into_one_merged_later_points_at_the_last(store: Store) -> None:
    short, article = _merge_short_link(store)
    store.add([Candidate("https://archive.example/story", "Archive feed")], NOW - timedelta(days=1))
    older = store.links()[0].id or 0
    store.mark_enriched(
        article, Metadata(title="S", final_url="https://archive.example/story"), NOW
    )
    assert store.merged_into([short, article]) == {short: older, article: older}


def test_a_database_of_schema_version_1_is_migrated_without_losing_anything(
    tmp_path: Path,
) -> None:
    """tests/data/store/queue-v1-rows.sql was written by the schema before AUTOINCREMENT:
    link 3 was merged into link 1 (its sighting moved there) and link 2 is in issue #1."""
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    conn.executescript((DATA / "store" / "schema-1.sql").read_text())
    conn.executescript((DATA / "store" / "queue-v1-rows.sql").read_text())
    conn.close()
    store = Store(path)
    assert [(link.id, link.decision, link.issue_id) for link in store.links()] == [
        (1, "pick", None),
        (2, None, 1),
    ]
    assert [s.url for s in store.sightings([1])[1]] == [
        "https://example.com/story",
        "https://short.example/x1",
    ]
    # Link 3 was deleted before ids were kept; numbering resumes past every id ever used.
    assert store.add([Candidate("https://example.com/new", "manual")], NOW).new_ids == [4]
    store.close()
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    schema = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'link'").fetchone()[0]
    assert "AUTOINCREMENT" in schema
    indexes = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='index'")}
    assert {"ix_link_status", "ix_link_first_seen", "ix_link_decision"} <= indexes


# -- overlapping runs (issue 12) --------------------------------------------------------


def test_a_failure_from_another_run_does_not_overwrite_a_success(db: str) -> None:
    first, second = Store(db), Store(db)
    first.add([Candidate("https://example.com/a", "manual")], NOW)
    [due] = second.due_for_enrichment(NOW)
    first.mark_enriched(due.id or 0, Metadata(title="Fetched"), NOW)
    second.mark_failed(due.id or 0, "HTTP 503", NOW, NOW + timedelta(minutes=10))
    [link] = first.links()
    assert (link.status, link.title, link.error, link.attempts) == (DONE, "Fetched", None, 0)


def test_a_run_started_earlier_does_not_replace_a_later_runs_result(db: str) -> None:
    earlier, later = Store(db), Store(db)
    earlier.add([Candidate("https://example.com/a", "manual")], NOW)
    [due] = earlier.due_for_enrichment(NOW)
    later.mark_enriched(due.id or 0, Metadata(title="Newer"), NOW + timedelta(minutes=5))
    earlier.mark_enriched(due.id or 0, Metadata(title="Older"), NOW)
    [link] = later.links()
    assert (link.title, link.enriched_at) == ("Newer", NOW + timedelta(minutes=5))


def test_due_links_come_in_batches_by_id(store: Store) -> None:
    store.add([Candidate(f"https://example.com/{i}", "manual") for i in range(5)], NOW)
    first = store.due_for_enrichment(NOW, limit=2)
    rest = store.due_for_enrichment(NOW, after_id=first[-1].id or 0, limit=10)
    assert [link.id for link in first + rest] == [1, 2, 3, 4, 5]
    assert store.count_due(NOW) == 5


def test_links_stream_in_batches_in_queue_order(store: Store) -> None:
    store.add([Candidate(f"https://example.com/{i}", "manual") for i in range(7)], NOW)
    batches = list(store.link_batches(size=3))
    assert [len(batch) for batch in batches] == [3, 3, 1]
    assert [link.id for batch in batches for link in batch] == list(range(1, 8))


# -- what arrivals change -----------------------------------------------------------------


def test_each_paper_of_a_query_keeps_its_code_link_whatever_the_first_lacks(
    store: Store,
) -> None:
    """One INSERT takes its columns from the batch's first row."""
    plain = Paper("2312.00001", "No code", "A.", ("A. Author",), NOW)
    coded = Paper(
        "2312.00002", "Code", "B.", ("B. Author",), NOW, "cs.CL", "https://github.com/b/b"
    )
    store.add(
        [
            query_result(plain, "arXiv cs.CL"),
            query_result(coded, "arXiv cs.CL"),
        ],
        NOW,
    )
    assert [(link.code_url, link.category) for link in store.links()] == [
        (None, None),
        ("https://github.com/b/b", "cs.CL"),
    ]


def test_a_paper_after_a_plain_link_in_one_batch_still_arrives_enriched(store: Store) -> None:
    paper = Paper("2312.13558", "The Truth is in There", "Abstract.", ("A. Author",), NOW, "cs.LG")
    store.add(
        [
            Candidate("https://example.com/a", "A feed"),
            query_result(paper, "A feed"),
        ],
        NOW,
    )
    plain, enriched = store.links()
    assert (plain.status, plain.source, plain.enriched_at) == (PENDING, None, None)
    assert (enriched.status, enriched.source, enriched.category) == (DONE, "arXiv", "cs.LG")
    assert enriched.enriched_at == NOW


def test_a_failed_paper_that_a_query_describes_is_done_and_no_longer_retried(
    store: Store,
) -> None:
    store.add([Candidate("https://arxiv.org/pdf/2312.13558", "manual")], NOW)
    [link] = store.links()
    store.mark_failed(link.id or 0, "HTTP 503", NOW, NOW + timedelta(hours=1))
    paper = Paper("2312.13558", "The Truth is in There", "Abstract.", ("A. Author",), NOW, "cs.LG")
    later = NOW + timedelta(hours=2)
    store.add(
        [query_result(paper, "arXiv cs.LG")],
        later,
    )
    [link] = store.links()
    assert (link.status, link.error, link.next_attempt_at, link.title) == (
        DONE,
        None,
        None,
        "The Truth is in There",
    )
    assert store.due_for_enrichment(later, retry_failed=True) == []


def test_a_query_result_leaves_an_enriched_paper_as_its_lookup_found_it(store: Store) -> None:
    store.add([Candidate("https://arxiv.org/abs/2312.13558", "manual")], NOW)
    [link] = store.links()
    store.mark_enriched(link.id or 0, Metadata(title="Looked up", label="arXiv"), NOW)
    paper = Paper("2312.13558", "From the query", "Abstract.", ("A. Author",), NOW)
    store.add(
        [query_result(paper, "arXiv cs.LG")],
        NOW,
    )
    [link] = store.links()
    assert link.title == "Looked up"


def test_saving_a_sources_state_twice_keeps_one_row_with_the_latest(store: Store) -> None:
    state = store.source_state("feed", "https://example.com/feed.xml", "Example")
    state.etag = '"v1"'
    store.save_source_state(state)
    again = store.source_state("feed", "https://example.com/feed.xml", "Example")
    again.etag, again.failures = '"v2"', 1
    store.save_source_state(again)
    [kept] = store.source_states()
    assert (kept.etag, kept.failures, kept.name) == ('"v2"', 1, "Example")


# -- claims (issue 19) ------------------------------------------------------------------


def test_two_runs_claiming_one_queue_get_disjoint_links(db: str) -> None:
    first, second = Store(db), Store(db)
    first.add([Candidate(f"https://example.com/{i}", "manual") for i in range(5)], NOW)
    until = NOW + timedelta(minutes=10)
    mine = first.claim_due(NOW, "run-a", until, limit=3)
    theirs = second.claim_due(NOW, "run-b", until, limit=10)
    assert [link.id for link in mine] == [1, 2, 3]
    assert [link.id for link in theirs] == [4, 5]
    assert second.claim_due(NOW, "run-b", until, after_id=5, limit=10) == []
    assert second.count_due(NOW, run="run-b") == 2


def test_a_lapsed_claim_is_picked_up_by_another_run(db: str) -> None:
    with Store(db) as store:
        store.add([Candidate("https://example.com/a", "manual")], NOW)
        store.claim_due(NOW, "killed", NOW + timedelta(minutes=10), limit=5)
        assert store.claim_due(NOW + timedelta(minutes=9), "next", NOW, limit=5) == []
        later = NOW + timedelta(minutes=11)
        [link] = store.claim_due(later, "next", later + timedelta(minutes=10), limit=5)
        assert link.url == "https://example.com/a"


def test_released_claims_and_stored_results_free_the_links(db: str) -> None:
    with Store(db) as store:
        store.add([Candidate(f"https://example.com/{i}", "manual") for i in range(2)], NOW)
        first, second = store.claim_due(NOW, "run-a", NOW + timedelta(minutes=10), limit=5)
        assert store.claimants() == ["run-a"]
        store.mark_enriched(first.id or 0, Metadata(title="Done"), NOW)
        store.release_claims("run-a")
        assert store.claimants() == []
        [again] = store.claim_due(NOW, "run-b", NOW + timedelta(minutes=10), limit=5)
        assert again.id == second.id


def test_results_are_stored_while_another_writer_holds_the_postgresql_write_lock(
    pg_url: str,
) -> None:
    """A result is one row's UPDATE: on PostgreSQL, enrichers storing results do not take
    turns for the queue-wide lock (an `add` holds it) once per link (issue 19, item 8)."""
    import psycopg

    with Store(pg_url) as store:
        store.add([Candidate(f"https://example.com/{i}", "manual") for i in range(2)], NOW)
        first, second = store.claim_due(NOW, "run", NOW + timedelta(minutes=10), limit=2)
        with psycopg.connect(pg_url) as writer, psycopg.connect(pg_url, autocommit=True) as spy:
            writer.execute("SELECT pg_advisory_xact_lock(%s, %s)", postgresql.WRITE_LOCK)
            try:
                _finish_unless_waiting(spy, store.mark_enriched, first.id, Metadata(title="A"), NOW)
                _finish_unless_waiting(spy, store.mark_failed, second.id, "HTTP 404", NOW, None)
            finally:
                writer.rollback()
        assert [(x.status, x.title) for x in store.links()] == [(DONE, "A"), (FAILED, None)]


def _finish_unless_waiting(spy: Any, call: Callable[..., object], *args: object) -> None:
    """Run `call` in a thread; fail as soon as the server shows it waiting on a lock."""
    thread = threading.Thread(target=call, args=args)
    thread.start()
    waiting = (
        "SELECT count(*) FROM pg_stat_activity"
        " WHERE wait_event_type = 'Lock' AND datname = current_database()"
    )
    while thread.is_alive():
        assert spy.execute(waiting).fetchone() == (0,), "the result waited for the write lock"
        thread.join(0.01)


def test_a_database_from_before_claims_and_editors_is_migrated_on_both_backends(
    db: str,
) -> None:
    """Issue 19, item 2: one definition of the migrations for both databases."""
    with Store(db) as store:
        store.add([Candidate("https://example.com/a", "manual")], NOW)
    dialect = dialect_for(db)
    engine = dialect.engine()
    with engine.connect() as conn:
        for table, column in (("link", "claimed_by"), ("link", "claimed_until"),
                              ("link", "decided_by"), ("sourcestate", "claimed_by"),
                              ("sourcestate", "claimed_until")):  # fmt: skip
            conn.exec_driver_sql(f"ALTER TABLE {table} DROP COLUMN {column}")
        dialect.set_schema_version(conn, MIGRATIONS.index(schema._claim_work))
        conn.commit()
    engine.dispose()
    with Store(db) as store:
        [link] = store.claim_due(NOW, "run", NOW + timedelta(minutes=1), limit=5)
        store.set_fields([link.id or 0], editor="ana", decision="pick")
        assert [(x.url, x.decided_by) for x in store.links()] == [("https://example.com/a", "ana")]
    with engine.connect() as conn:
        assert dialect.schema_version(conn) == len(MIGRATIONS)
    engine.dispose()
