"""A queue on a read-only file or directory: reading works, writing says why it cannot.

Tests run as root here, which ignores permission bits; `chattr +i` (immutable) binds
root too, as a read-only mount would. Without root, plain chmod does the same job.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine
from typer.testing import CliRunner

from curator.errors import StoreError
from curator.store import Store
from curator.values import Candidate, Metadata
from tests.cli import invoke
from tests.helpers import NOW


def _lock(paths: list[Path]) -> None:
    if os.geteuid() != 0:
        for path in paths:
            path.chmod(0o555 if path.is_dir() else 0o444)
        return
    if shutil.which("chattr") is None:
        pytest.skip("root ignores permissions, and chattr is not installed")
    done = subprocess.run(["chattr", "+i", *map(str, paths)], capture_output=True)
    if done.returncode != 0:
        _unlock(paths)  # some of them may have taken the flag: pytest must clean them up
        pytest.skip(f"chattr +i is not supported here: {done.stderr.decode().strip()}")


def _unlock(paths: list[Path]) -> None:
    if os.geteuid() == 0 and shutil.which("chattr"):
        subprocess.run(["chattr", "-i", *map(str, paths)], capture_output=True)
    for path in paths:
        path.chmod(0o755 if path.is_dir() else 0o644)


@pytest.fixture
def read_only_db(tmp_path: Path) -> Iterator[Path]:
    """A queue of one link, in a folder where nothing may be written."""
    folder = tmp_path / "ro"
    folder.mkdir()
    db = folder / "curator.db"
    with Store(db) as store:
        store.add([Candidate("https://example.com/a", "manual", meta=Metadata(title="A"))], NOW)
    locked = [db, folder]
    _lock(locked)
    yield db
    _unlock(locked)


def test_reading_commands_work_on_a_read_only_database(
    runner: CliRunner, read_only_db: Path
) -> None:
    stdout, _ = invoke(runner, "--db", str(read_only_db), "list")
    assert stdout == "1\tpending\tlink\tA\thttps://example.com/a\n"
    stdout, _ = invoke(runner, "--db", str(read_only_db), "draft", "--since", "2023-12-25")
    assert "[A](https://example.com/a)" in stdout


def test_writing_commands_say_the_database_is_read_only(
    runner: CliRunner, read_only_db: Path
) -> None:
    for command in (["add", "https://example.com/b"], ["pick", "1"]):
        _, stderr = invoke(runner, "--db", str(read_only_db), *command, code=1)
        assert stderr == (
            f"curator: error: {read_only_db}: the database is read-only; "
            "this command needs to write to it\n"
        )


def test_a_new_database_in_a_read_only_directory_is_refused_in_one_line(
    runner: CliRunner, tmp_path: Path
) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    _lock([folder])
    try:
        _, stderr = invoke(
            runner, "--db", str(folder / "new.db"), "add", "https://example.com/a", code=1
        )
    finally:
        _unlock([folder])
    assert stderr == (
        f"curator: error: {folder / 'new.db'}: cannot create the database: read-only directory\n"
    )


def test_a_write_refused_by_sqlite_itself_is_reported_as_read_only(tmp_path: Path) -> None:
    """The error mapping at the store's edge, for a file that turns read-only after it
    was opened: SQLite's own SQLITE_READONLY, from a real `mode=ro` connection."""
    db = tmp_path / "q.db"
    Store(db).close()
    store = Store(db)
    store.engine.dispose()
    store.engine = create_engine(
        "sqlite://", creator=lambda: sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    )
    with pytest.raises(StoreError, match=r"q\.db: the database is read-only$"):
        store.add([Candidate("https://example.com/b", "manual")], NOW)
