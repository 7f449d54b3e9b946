"""The benchmark harness runs at tiny sizes, so that `make bench` cannot rot unnoticed:
one test per section, so the sections run side by side."""

from __future__ import annotations

import pytest

from tests.bench import run

FIGURES = {
    "enrich": [
        "enrich 24 pages (whole process)",
        "enrich 24 pages, 12 hosts, half https (whole process)",
        "peak RSS, process tree (summed)",
        "max in flight, overall / per host",
        "| pages fetched / fetched twice | 24 / 0 |",
        "| pages fetched / fetched twice (12 hosts) | 24 / 0 |",
    ],
    "arxiv": ["arXiv API calls for 10 queued papers", "smallest gap between"],
    "feeds": ["| second run: answered 304 | 4/4 |"],
    "draft": ["draft over 1,000 links"],
    "picks": ["draft of 60 picks, similar titles"],
    "scale": [
        "list --json over 2,000 links: time / peak RSS",
        "enrich with 2,000 pending: first commit",
    ],
    "startup": ["start-up: curator --version", "start-up: curator add URL"],
    "team": ["two processes on one PostgreSQL queue", "the same with 12 KB pages"],
    "serve": [
        "serve: the page over 100 candidates",
        "serve: a triage key's round trip, 100 candidates",
        "serve: preview refresh after a triage key, 100 candidates",
    ],
}


def test_every_section_is_checked() -> None:
    assert sorted(FIGURES) == sorted(run.SECTIONS)


@pytest.mark.slow
@pytest.mark.parametrize("section", sorted(FIGURES))
def test_the_benchmark_harness_prints_its_table(
    section: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run.main(["--small", "--only", section]) == 0
    table = capsys.readouterr().out
    for figure in FIGURES[section]:
        assert figure in table
