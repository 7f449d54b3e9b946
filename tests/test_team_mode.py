"""Team mode (issue 19): the CLI on SQLite and on PostgreSQL alike, a server's password
never shown, concurrent collects that split their channels."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
from typer.testing import CliRunner

from curator.config import Config, FeedSource, FetchConfig
from curator.errors import StoreError
from curator.models import Issue, SourceState
from curator.pipeline.collect import CollectReport, collect
from curator.store import Store
from curator.values import Candidate, Metadata
from tests import postgres
from tests.cli import invoke, queue
from tests.fakes import send
from tests.helpers import DATA, HUNG_AFTER, NOW
from tests.server import LoopbackServer

FEED = (DATA / "feeds" / "rss2.xml").read_bytes()
PASSWORD = "s3cret-Horse-Battery"


@pytest.fixture
def on_db(db: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """Every command of the test runs on `db` (CURATOR_DB), on each backend."""
    monkeypatch.setenv("CURATOR_DB", db)
    return db


def test_init_add_pick_and_list_work_the_same_on_both_backends(
    runner: CliRunner, on_db: str
) -> None:
    invoke(runner, "init")
    _, stderr = invoke(runner, "add", "https://example.com/a?utm_source=x", "arxiv:2401.04321")
    assert "2 new" in stderr
    invoke(runner, "pick", "1")
    rows = queue(runner)
    assert [(r["id"], r["url"], r["kind"], r["decision"]) for r in rows] == [
        (1, "https://example.com/a", "link", "pick"),
        (2, "https://arxiv.org/abs/2401.04321", "paper", None),
    ]


def test_a_reading_command_on_an_empty_database_says_how_to_start(
    runner: CliRunner, on_db: str
) -> None:
    _, stderr = invoke(runner, "list", code=2)
    assert "start one with `curator init`" in stderr


def test_the_psycopg_spelling_of_the_url_opens_the_same_queue(
    runner: CliRunner, pg_url: str
) -> None:
    invoke(runner, "--db", pg_url, "add", "https://example.com/a")
    spelled = pg_url.replace("postgresql://", "postgresql+psycopg://")
    stdout, _ = invoke(runner, "--db", spelled, "list", "--json")
    assert '"https://example.com/a"' in stdout


def test_a_password_in_the_url_is_never_printed(runner: CliRunner, pg_url: str) -> None:
    """The server trusts every local user, so the wrong password still connects: the
    message tested is a refused connection, on a port nobody listens on."""
    secret = pg_url.replace("postgres@", "postgres:hunter2@").rsplit(":", 1)[0] + ":1/x"
    _, stderr = invoke(runner, "--db", secret, "add", "https://example.com/a", code=1)
    assert "hunter2" not in stderr
    assert "postgresql://postgres@127.0.0.1:1/x" in stderr


def test_a_store_error_names_the_server_database_without_its_password(pg_url: str) -> None:
    secret = pg_url.replace("postgres@", "postgres:hunter2@").rsplit(":", 1)[0] + ":1/x"
    with pytest.raises(StoreError) as raised:
        Store(secret)
    assert "hunter2" not in str(raised.value)
    assert "cannot open database" in str(raised.value)


def test_a_password_in_the_url_query_is_never_shown(pg_url: str) -> None:
    """libpq also takes the password, and a client key's, as query parameters."""
    secret = pg_url.rsplit(":", 1)[0] + ":1/x?sslmode=disable&password=hunter2&sslpassword=k3y"
    with pytest.raises(StoreError) as raised:
        Store(secret)
    assert "hunter2" not in str(raised.value) and "k3y" not in str(raised.value)
    assert "127.0.0.1:1/x?sslmode=disable" in str(raised.value)


def test_a_channel_another_run_is_fetching_is_skipped_and_reported(
    db: str, server: LoopbackServer
) -> None:
    """Run A's feed request is held until run B has finished: B skips the feed, and the
    server sees it requested once (issue 19, item 3)."""
    arrived, release = threading.Event(), threading.Event()

    def held_feed(handler: BaseHTTPRequestHandler) -> None:
        arrived.set()
        release.wait(timeout=HUNG_AFTER)
        send(handler, 200, FEED, "application/rss+xml")

    url = server.add_writer("/feed.xml", held_feed)
    config = Config(feed=[FeedSource(url, "Held")], fetch=FetchConfig(timeout=120))
    Store(db).close()
    first: list[CollectReport] = []
    run_a = threading.Thread(
        target=lambda: first.append(collect(config, Store(db), NOW, then_enrich=False)),
        daemon=True,
    )
    run_a.start()
    assert arrived.wait(timeout=HUNG_AFTER), "hung: run A never asked for the feed"
    second = collect(config, Store(db), NOW, then_enrich=False)
    release.set()
    run_a.join(timeout=HUNG_AFTER)
    assert not run_a.is_alive(), "hung: run A never ended"
    assert [c.skipped for c in second.channels] == [True]
    assert [(c.skipped, c.error) for c in first[0].channels] == [(False, None)]
    assert len(server.hits("/feed.xml")) == 1
    assert first[0].channels[0].new > 0


def test_a_channel_claimed_by_a_killed_run_is_fetched_once_the_claim_lapses(db: str) -> None:
    from datetime import timedelta

    with Store(db) as store:
        until = NOW + timedelta(minutes=1)
        assert store.claim_source("feed", "https://e.com/f", "F", "killed", NOW, until)
        assert store.claim_source("feed", "https://e.com/f", "F", "next", NOW, until) is None
        later = NOW + timedelta(minutes=2)
        state = store.claim_source("feed", "https://e.com/f", "F", "next", later, later)
        assert state is not None and state.claimed_by == "next"


def test_an_sqlite_path_still_needs_no_server(runner: CliRunner, tmp_path: Path) -> None:
    invoke(runner, "--db", str(tmp_path / "own.db"), "add", "https://example.com/a")
    assert (tmp_path / "own.db").exists()


def test_list_json_shows_which_editor_set_a_decision(
    runner: CliRunner, on_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    invoke(runner, "add", "https://example.com/a", "https://example.com/b")
    invoke(runner, "--editor", "ana", "pick", "1")
    monkeypatch.setenv("CURATOR_EDITOR", "ben")
    invoke(runner, "skip", "2")
    monkeypatch.delenv("CURATOR_EDITOR")
    monkeypatch.setenv("LOGNAME", "cleo")
    invoke(runner, "add", "https://example.com/c")
    invoke(runner, "feature", "3")
    assert [(r["decision"], r["decided_by"]) for r in queue(runner)] == [
        ("pick", "ana"),
        ("skip", "ben"),
        ("feature", "cleo"),
    ]


def test_two_editors_editing_one_link_keep_the_later_edit_whole(
    runner: CliRunner, on_db: str
) -> None:
    invoke(runner, "add", "https://example.com/a")
    invoke(runner, "--editor", "ana", "edit", "1", "--title", "Ana's", "--summary", "By Ana")
    invoke(runner, "--editor", "ben", "pick", "1")
    invoke(runner, "--editor", "ben", "edit", "1", "--title", "Ben's", "--summary", "By Ben")
    [row] = queue(runner)
    assert (row["user_title"], row["user_summary"], row["decision"], row["decided_by"]) == (
        "Ben's",
        "By Ben",
        "pick",
        "ben",
    )


def _edit_many(db: str, editor: str, rounds: int) -> None:
    with Store(db) as store:
        for _ in range(rounds):
            store.set_fields([1], editor=editor, user_title=editor, user_summary=editor)


@pytest.mark.slow
def test_concurrent_editors_never_mix_fields(db: str) -> None:
    import multiprocessing

    with Store(db) as store:
        store.add([Candidate("https://example.com/a", "manual")], NOW)
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_edit_many, args=(db, n, 100)) for n in ("ana", "ben")]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=HUNG_AFTER)
    assert [w.exitcode for w in workers] == [0, 0], "a worker failed, or hung (None)"
    with Store(db) as store:
        [link] = store.links()
    assert link.user_title == link.user_summary == link.decided_by


def _a_week(where: str) -> None:
    """A queue with every kind of row: links and sightings, a merge, decisions, a
    channel's state and a published issue."""
    with Store(where) as store:
        store.add([Candidate("https://example.com/story", "Feed")], NOW)
        store.add([Candidate("https://short.example/x", "manual", note="from Ana")], NOW)
        store.add([Candidate("https://example.com/other", "Feed")], NOW)
        store.mark_enriched(2, Metadata(title="Story", final_url="https://example.com/story"), NOW)
        store.set_fields([1], editor="ana", decision="pick", user_title="Mine")
        store.save_source_state(SourceState(kind="feed", ref="https://example.com/f", name="F"))
        store.publish(Issue(number=1, published_at=NOW, since=NOW, until=NOW), [(3, "Other", 1)])


def test_db_copy_moves_a_queue_to_postgresql_and_back_unchanged(
    runner: CliRunner, tmp_path: Path, pg_url: str
) -> None:
    sqlite_db, back = str(tmp_path / "week.db"), str(tmp_path / "back.db")
    _a_week(sqlite_db)
    before, _ = invoke(runner, "--db", sqlite_db, "list", "--json")
    _, said = invoke(runner, "db", "copy", sqlite_db, pg_url)
    assert "copied 1 issue, 2 link, 3 sighting, 1 merged, 1 sourcestate, 1 issueitem" in said
    on_server, _ = invoke(runner, "--db", pg_url, "list", "--json")
    assert json.loads(on_server) == json.loads(before)
    _, again = invoke(runner, "db", "copy", sqlite_db, pg_url)
    assert "copied 0 issue, 0 link, 0 sighting, 0 merged, 0 sourcestate, 0 issueitem" in again
    invoke(runner, "db", "copy", pg_url, back)
    returned, _ = invoke(runner, "--db", back, "list", "--json")
    assert json.loads(returned) == json.loads(before)
    with Store(pg_url) as store:
        added = store.add([Candidate("https://example.com/new", "manual")], NOW)
        assert added.new_ids == [4]  # ids resume past every copied one, the merged 2 too
        assert [s.name for s in store.source_states()] == ["F"]


def test_db_copy_from_a_missing_queue_is_refused(runner: CliRunner, tmp_path: Path) -> None:
    _, stderr = invoke(
        runner, "db", "copy", str(tmp_path / "nope.db"), str(tmp_path / "b.db"), code=2
    )
    assert "no database at" in stderr
    assert not (tmp_path / "b.db").exists()


@pytest.fixture(scope="module")
def guarded(pg_server: str) -> Iterator[str]:
    """A server that checks passwords (its password: PASSWORD), for the password tests:
    a cluster of its own, even when CURATOR_TEST_PG_URL names a server."""
    if not (postgres.BIN / "initdb").exists():
        pytest.skip(postgres.INSTALL.format(bin=postgres.BIN))
    with postgres.cluster(password=PASSWORD) as url:
        yield url


@pytest.mark.parametrize("where", ["url", "PGPASSWORD", "pgpass"])
def test_the_password_comes_from_the_url_pgpassword_or_pgpass_and_is_never_shown(
    runner: CliRunner,
    guarded: str,
    where: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url = guarded
    if where == "url":
        url = guarded.replace("postgres@", f"postgres:{PASSWORD}@")
    elif where == "PGPASSWORD":
        monkeypatch.setenv("PGPASSWORD", PASSWORD)
    else:
        pgpass = tmp_path / "pgpass"
        pgpass.write_text(f"*:*:*:postgres:{PASSWORD}\n")
        pgpass.chmod(0o600)
        monkeypatch.setenv("PGPASSFILE", str(pgpass))
    _, stderr = invoke(runner, "--db", url, "add", f"https://example.com/{where}")
    assert "1 new" in stderr and PASSWORD not in stderr
    stdout, _ = invoke(runner, "--db", url, "list", "--json")
    assert PASSWORD not in stdout


def test_a_wrong_password_is_one_line_without_it(runner: CliRunner, guarded: str) -> None:
    url = guarded.replace("postgres@", "postgres:wrong-secret@")
    _, stderr = invoke(runner, "--db", url, "add", "https://example.com/a", code=1)
    assert "password authentication failed" in stderr
    assert "wrong-secret" not in stderr
    assert stderr.count("\n") == 1
