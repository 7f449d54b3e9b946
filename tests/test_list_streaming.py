"""`curator list` streams the queue: rows are printed batch by batch as they are read,
and `--json` is one array written an object at a time (issue 12)."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from curator.store import Store
from curator.values import Candidate
from tests.cli import invoke
from tests.helpers import NOW

COUNT = 1_234  # more than two of the store's batches of 500


def _queue(env: Path) -> None:
    with Store(env / "curator.db") as store:
        store.add([Candidate(f"https://example.com/{i}", "manual") for i in range(COUNT)], NOW)


def test_list_json_over_several_batches_is_one_array_of_every_link(
    runner: CliRunner, env: Path
) -> None:
    _queue(env)
    stdout, _ = invoke(runner, "list", "--json")
    items = json.loads(stdout)
    assert [item["id"] for item in items] == list(range(1, COUNT + 1))
    assert items[-1]["sightings"] == [
        {"source": "manual", "url": f"https://example.com/{COUNT - 1}",
         "seen_at": NOW.isoformat(), "note": None}
    ]  # fmt: skip
    assert len(stdout.splitlines()) == COUNT + 2  # one object a line, between the brackets


def test_list_prints_one_line_per_link_over_several_batches(runner: CliRunner, env: Path) -> None:
    _queue(env)
    stdout, _ = invoke(runner, "list")
    lines = stdout.splitlines()
    assert len(lines) == COUNT
    assert lines[-1] == f"{COUNT}\tpending\tlink\t\thttps://example.com/{COUNT - 1}"


def test_list_json_of_an_empty_selection_is_an_empty_array(runner: CliRunner, env: Path) -> None:
    _queue(env)
    assert invoke(runner, "list", "--json", "--status", "failed")[0] == "[]\n"
