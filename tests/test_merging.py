"""The rules for what an arrival changes on a queued link, with no database."""

from __future__ import annotations

from datetime import timedelta

import pytest

from curator.merging import merged_fields, query_result, shown_url
from curator.models import Link
from curator.values import Candidate, Metadata, Paper
from tests.helpers import NOW

PAPER = Paper(
    "2312.13558",
    "The Truth is in There",
    "Transformer-based LLMs\nhave become a fixture.",
    ("Pratyusha Sharma", "Jordan T. Ash"),
    NOW,
    "cs.LG",
    "https://github.com/pratyushasharma/laser",
)


def link(**fields: object) -> Link:
    where = "https://example.com/a"
    return Link(**{"key": where, "url": where, "canonical_url": where, "first_seen": NOW, **fields})


def test_an_https_sighting_replaces_the_http_url_a_link_shows() -> None:
    assert shown_url("http://example.com/a", "https://example.com/a") == "https://example.com/a"


@pytest.mark.parametrize(
    ("shown", "offered"),
    [
        ("https://example.com/a", "http://example.com/a"),
        ("https://example.com/a", "https://example.com/a?x=1"),
        ("http://example.com/a", "http://example.com/a?x=1"),
    ],
)
def test_any_other_sighting_leaves_the_url_shown_alone(shown: str, offered: str) -> None:
    assert shown_url(shown, offered) == shown


def test_a_link_folded_into_another_brings_the_choices_the_other_lacks() -> None:
    kept = link(decision="pick")
    folded = link(decision="skip", user_title="Mine", position=2)
    assert merged_fields(kept, folded) == {"user_title": "Mine", "position": 2, "first_seen": NOW}


def test_the_merged_link_keeps_the_earlier_first_sighting() -> None:
    kept = link(first_seen=NOW)
    folded = link(first_seen=NOW - timedelta(days=3))
    assert merged_fields(kept, folded) == {"first_seen": NOW - timedelta(days=3)}


def test_merging_never_takes_what_enrichment_found() -> None:
    kept = link(title=None, summary=None)
    folded = link(title="Theirs", summary="Found", source="Example")
    assert merged_fields(kept, folded) == {"first_seen": NOW}


def test_a_paper_is_described_by_its_whole_abstract_on_one_line() -> None:
    assert PAPER.metadata() == Metadata(
        title="The Truth is in There",
        summary="Transformer-based LLMs have become a fixture.",
        label="arXiv",
        authors=("Pratyusha Sharma", "Jordan T. Ash"),
        published=NOW,
        category="cs.LG",
        code_url="https://github.com/pratyushasharma/laser",
    )


def test_an_arxiv_query_result_says_all_a_lookup_would() -> None:
    arrival = Candidate(
        "https://arxiv.org/abs/2312.13558", "arXiv cs.LG", PAPER.metadata(), is_enriched=True
    )
    assert query_result(arrival) == PAPER.metadata()


def test_an_arrival_from_a_feed_completes_nothing() -> None:
    arrival = Candidate("https://arxiv.org/abs/2312.13558", "A feed", Metadata(title="The Truth"))
    assert query_result(arrival) is None
