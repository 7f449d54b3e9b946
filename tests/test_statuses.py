"""The words `curator list --status` takes and what each reads, with no database."""

from __future__ import annotations

from curator.models import Link
from curator.statuses import STATUS_WORDS, STATUSES, StatusWord


def test_the_status_words_are_the_states_the_decisions_and_published_in_that_order() -> None:
    assert STATUSES == (
        "pending", "done", "failed", "picked", "skipped", "featured", "pinned", "published"
    )  # fmt: skip


def test_each_decision_word_reads_the_authors_decision() -> None:
    assert [STATUS_WORDS[w] for w in ("picked", "skipped", "featured", "pinned")] == [
        StatusWord("decision", ("pick", "feature", "pin")),
        StatusWord("decision", ("skip",)),
        StatusWord("decision", ("feature",)),
        StatusWord("decision", ("pin",)),
    ]


def test_published_means_in_any_issue() -> None:
    assert STATUS_WORDS["published"] == StatusWord("issue_id", ())


def test_every_word_reads_a_column_of_the_queue() -> None:
    columns = set(Link.model_fields)
    assert {word.column for word in STATUS_WORDS.values()} <= columns
