"""The benchmark harness runs at tiny sizes, so that `make bench` cannot rot unnoticed."""

from __future__ import annotations

import pytest

from tests.bench import run


@pytest.mark.slow
def test_the_benchmark_harness_prints_its_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert run.main(["--small"]) == 0
    table = capsys.readouterr().out
    for figure in (
        "enrich 24 pages (whole process)",
        "enrich 24 pages, 12 hosts, half https (whole process)",
        "peak RSS, process tree (summed)",
        "max in flight, overall / per host",
        "arXiv API calls for 10 queued papers",
        "smallest gap between",
        "second run: answered 304",
        "draft over 1,000 links",
        "draft of 60 picks, similar titles",
        "list --json over 2,000 links: time / peak RSS",
        "enrich with 2,000 pending: first commit",
        "start-up: curator --version",
        "serve: the page over 100 candidates",
        "serve: a triage key's round trip, 100 candidates",
        "serve: preview refresh after a triage key, 100 candidates",
    ):
        assert figure in table
    assert "| pages fetched / fetched twice | 24 / 0 |" in table
    assert "| pages fetched / fetched twice (12 hosts) | 24 / 0 |" in table
    assert "| second run: answered 304 | 4/4 |" in table
