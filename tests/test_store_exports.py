"""The store's part of issue 16: images on links and the remote drafts of exports, in a
fresh database and in one migrated from schema version 1."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from pathlib import Path

from curator.models import Export
from curator.store import MIGRATIONS, Store
from curator.values import Candidate, Metadata
from tests.helpers import DATA, NOW


def export(remote_id: str, since_days: int = 7) -> Export:
    return Export(
        service="buttondown",
        since=NOW - timedelta(days=since_days),
        until=NOW,
        remote_id=remote_id,
        url=f"https://buttondown.example/{remote_id}",
        exported_at=NOW,
    )


def test_an_export_is_found_again_by_service_and_window_start(tmp_path: Path) -> None:
    with Store(tmp_path / "q.db") as store:
        store.keep_export(export("em_1"))
        store.keep_export(export("em_2", since_days=14))
        store.keep_export(export("em_3"))  # the same issue again: replaces em_1
    with Store(tmp_path / "q.db") as store:
        found = store.remote_draft("buttondown", NOW - timedelta(days=7))
        assert found is not None and found.remote_id == "em_3"
        assert store.remote_draft("ghost", NOW - timedelta(days=7)) is None
        older = store.remote_draft("buttondown", NOW - timedelta(days=14))
        assert older is not None and older.remote_id == "em_2"


def test_a_version_1_database_gains_images_and_exports(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    conn.executescript((DATA / "store" / "schema-1.sql").read_text())
    conn.executescript((DATA / "store" / "queue-v1-rows.sql").read_text())
    conn.close()
    with Store(path) as store:
        assert {link.image for link in store.links()} == {None}
        [new] = store.add([Candidate("https://example.com/pic", "manual")], NOW).new_ids
        store.mark_enriched(new, Metadata(title="P", image="https://example.com/p.jpg"), NOW)
        assert [link.image for link in store.links() if link.id == new] == [
            "https://example.com/p.jpg"
        ]
        store.keep_export(export("em_1"))
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    columns = {row[1] for row in conn.execute("PRAGMA table_info(link)")}
    assert {"image", "user_image"} <= columns
