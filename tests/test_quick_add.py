"""`curator add` on a current SQLite queue takes the quick path (curator.store.sqlite_add,
issue 14, item 10): the rows it writes are the Store's, byte for byte, and every queue it
declines (none yet, empty, not a database, damaged, older, newer) behaves as before."""

from __future__ import annotations

import json
import shutil
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from curator.cli import render
from curator.pipeline.queue import AddReport, add_text, add_urls
from curator.store import MIGRATIONS, Store, open_store
from curator.store.sqlite_add import SCHEMA_VERSION, QuickAdd
from curator.values import PICK, Candidate, Metadata
from tests.cli import invoke
from tests.helpers import DATA, NOW, damaged_queue


@dataclass(frozen=True)
class Case:
    urls: tuple[str, ...] = ()
    note: str | None = None
    lines: str | None = None  # the text of an `add --file`

    def args(self, folder: Path) -> list[str]:
        found = [*self.urls]
        if self.lines is not None:
            (folder / "links.txt").write_text(self.lines)
            found += ["--file", str(folder / "links.txt")]
        return found + (["--note", self.note] if self.note is not None else [])


CASES = {
    "new": Case(("https://example.com/new",)),
    "known, now shown as https": Case(("https://example.com/plain",)),
    "known, keeps its https": Case(("http://example.com/secure/",)),
    "an original URL whose link moved": Case(("https://short.example/x1",)),
    "arxiv id of a queued paper": Case(("arxiv:2312.11514",)),
    "abs URL of a queued paper": Case(("https://arxiv.org/abs/2312.11514v2",)),
    "a new paper's pdf": Case(("http://arxiv.org/pdf/2401.00001",)),
    "tracking and &section=": Case(("https://example.com/q?id=5&section=news&utm_source=x",)),
    "unicode": Case(("https://example.com/café/ü?q=ñ&x=Ωmega",)),
    "fragment": Case(("https://example.com/page#part", "https://example.com/app#/route")),
    "batch with duplicates": Case(
        (
            "https://example.com/d",
            "http://example.com/d",
            "https://example.com/d#x",
            "https://example.com/plain",
            "https://example.com/d",
            "https://short.example/x1",
        )
    ),
    "note": Case(("https://example.com/n", "https://example.com/secure"), note="from Ana"),
    "file": Case(
        lines="# picked on Monday\nhttps://example.com/f1  # from Ana\n\nnot a url\n"
        "http://example.com/plain\nhttps://example.com/f1\narxiv:2401.00001\n",
        note="read later",
    ),
    "URLs and a file": Case(("https://example.com/u",), lines="https://example.com/u\n"),
}


@pytest.fixture
def queued(tmp_path: Path) -> Path:
    """A queue with the shapes arrivals meet: an http link, an https one, a short link
    that enrichment moved to its article, a paper, an author's decision."""
    path = tmp_path / "base.db"
    with Store(path) as store:
        store.add(
            [
                Candidate("http://example.com/plain", "a feed"),
                Candidate("https://example.com/secure", "a feed"),
                Candidate("https://short.example/x1", "manual"),
                Candidate("https://arxiv.org/abs/2312.11514", "manual"),
            ],
            NOW,
        )
        moved = store.mark_enriched(
            3, Metadata(title="Story", final_url="https://example.com/story"), NOW
        )
        store.set_fields([moved], editor="ana", decision=PICK)
    assert not Path(f"{path}-wal").exists()
    return path


@pytest.mark.parametrize("case", CASES.values(), ids=list(CASES))
def test_add_writes_the_rows_and_output_the_store_would(
    runner: CliRunner,
    tmp_path: Path,
    queued: Path,
    case: Case,
    capsys: pytest.CaptureFixture[str],
) -> None:
    quick, full = tmp_path / "quick.db", tmp_path / "full.db"
    shutil.copy(queued, quick)
    shutil.copy(queued, full)
    _, said = invoke(runner, "--db", str(quick), "add", *case.args(tmp_path))
    capsys.readouterr()
    for report in _add_through_the_store(full, case, tmp_path, _now_of_last_add(quick)):
        render.added(report)
    assert said == capsys.readouterr().err
    assert _rows(quick) == _rows(full)
    assert _listed(runner, quick) == _listed(runner, full)


def test_the_queue_of_those_cases_takes_the_quick_path(queued: Path) -> None:
    with _quick(queued) as quick:
        done = quick.add([Candidate("https://example.com/z", "manual")], NOW, repeat_sightings=True)
    assert done is not None


def test_an_arrival_with_a_title_and_date_is_stored_as_the_store_stores_it(
    tmp_path: Path, queued: Path
) -> None:
    quick, full = tmp_path / "quick.db", tmp_path / "full.db"
    shutil.copy(queued, quick)
    shutil.copy(queued, full)
    published = datetime(2026, 3, 4, 5, 6, 7, 89, tzinfo=UTC)
    arrivals = [
        Candidate("https://example.com/t", "bookmarks", Metadata(title="T", published=published)),
        Candidate("https://example.com/s", "bookmarks", Metadata(summary="Only a summary")),
    ]
    with _quick(quick) as adding:
        done = adding.add(arrivals, NOW, repeat_sightings=True)
    with Store(full) as store:
        assert done == store.add(arrivals, NOW, repeat_sightings=True)
    assert _rows(quick) == _rows(full)


@pytest.mark.parametrize(
    "arrival, repeat",
    [
        (Candidate("https://example.com/e", "a feed", entry_id="tag:1"), True),
        (Candidate("https://example.com/p", "a query", is_enriched=True), True),
        (Candidate("https://example.com/r", "a feed"), False),
    ],
    ids=["feed entry", "arxiv query result", "no repeated sightings"],
)
def test_what_is_not_a_link_added_by_hand_is_left_to_the_store(
    queued: Path, arrival: Candidate, repeat: bool
) -> None:
    before = _rows(queued)
    with _quick(queued) as quick:
        assert quick.add([arrival], NOW, repeat_sightings=repeat) is None
    assert _rows(queued) == before


def _older(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.executescript((DATA / "store" / "schema-1.sql").read_text())
    conn.close()


def _newer(path: Path) -> None:
    Store(path).close()
    with sqlite3.connect(path) as conn:
        conn.execute(f"PRAGMA user_version={len(MIGRATIONS) + 1}")


def _rollback_journal(path: Path) -> None:
    Store(path).close()
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA journal_mode=DELETE")


@pytest.mark.parametrize(
    "make",
    [
        lambda path: None,
        lambda path: path.write_bytes(b""),
        lambda path: path.write_text("my notes\n"),
        _older,
        _newer,
        _rollback_journal,
    ],
    ids=["missing", "empty", "not a database", "older schema", "newer schema", "not WAL"],
)
def test_a_queue_the_quick_path_does_not_write_is_declined(tmp_path: Path, make: Any) -> None:
    path = tmp_path / "q.db"
    make(path)
    assert QuickAdd.open(str(path)) is None


def test_a_postgresql_url_is_declined() -> None:
    assert QuickAdd.open("postgresql://curator@127.0.0.1:9/queue") is None


def test_the_quick_path_is_written_for_this_curators_schema() -> None:
    assert SCHEMA_VERSION == len(MIGRATIONS)


def test_add_migrates_a_queue_of_an_older_schema(runner: CliRunner, env: Path) -> None:
    db = env / "curator.db"
    _older(db)
    conn = sqlite3.connect(db)
    conn.executescript((DATA / "store" / "queue-v1-rows.sql").read_text())
    conn.close()
    _, said = invoke(runner, "add", "https://example.com/story", "https://example.com/new")
    assert said == "1 new, 1 already queued\n"
    assert [link["id"] for link in _listed(runner, db)] == [1, 2, 4]
    with sqlite3.connect(db) as check:
        assert check.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)


def test_add_refuses_a_queue_of_a_newer_curator(runner: CliRunner, env: Path) -> None:
    db = env / "curator.db"
    _newer(db)
    before = _rows(db)
    _, said = invoke(runner, "add", "https://example.com/a", code=1)
    assert said == (
        f"curator: error: {db}: the database has schema version {len(MIGRATIONS) + 1}, "
        f"newer than this curator's {len(MIGRATIONS)}; upgrade curator\n"
    )
    assert _rows(db) == before


def test_add_to_a_damaged_queue_is_refused_by_the_store_and_nothing_written(
    runner: CliRunner, env: Path
) -> None:
    db = env / "curator.db"
    damaged = damaged_queue(db, pages=1)
    assert QuickAdd.open(str(db)) is not None  # it looks current: quick_check finds it
    _, said = invoke(runner, "add", "https://example.com/new", code=1)
    assert said.startswith(f"curator: error: {db}: the database is damaged (")
    assert db.read_bytes() == damaged


def _quick(path: Path) -> QuickAdd:
    found = QuickAdd.open(str(path))
    assert found is not None
    return found


def _now_of_last_add(path: Path) -> datetime:
    """The clock of the `curator add` that wrote the newest sighting."""
    with sqlite3.connect(path) as conn:
        [stamp] = conn.execute("SELECT max(seen_at) FROM sighting").fetchone()
    return datetime.fromisoformat(stamp).replace(tzinfo=UTC)


def _add_through_the_store(path: Path, case: Case, folder: Path, now: datetime) -> list[AddReport]:
    """What `curator add` did before the quick path: the same calls on the Store."""
    reports = []
    with open_store(str(path), create=True, write=True) as store:
        if case.urls:
            reports.append(add_urls(store, case.urls, note=case.note, now=now))
        if case.lines is not None:
            text = (folder / "links.txt").read_text()
            reports.append(add_text(store, text, source="file:links.txt", note=case.note, now=now))
    return reports


def _rows(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows, values with their SQLite types (an int is not its text)."""
    with sqlite3.connect(path) as conn:
        tables = [t for (t,) in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return {
            table: [
                tuple((value, type(value).__name__) for value in row)
                for row in conn.execute(f'SELECT * FROM "{table}" ORDER BY rowid')
            ]
            for table in tables
        }


def _listed(runner: CliRunner, path: Path) -> list[dict[str, Any]]:
    stdout, _ = invoke(runner, "--db", str(path), "list", "--json")
    return json.loads(stdout)  # type: ignore[no-any-return]
