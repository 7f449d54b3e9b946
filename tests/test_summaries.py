"""Paper summaries: abstracts -> one or two plain sentences within 300 characters."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from curator.compose.summaries import _strip_text_commands, first_sentences, plain_text

# Abstracts written for these tests in the style arXiv serves them: hard line breaks,
# inline LaTeX, abbreviations that are not sentence ends.
ABSTRACTS = [
    (
        "Pruning removes weights from trained networks. We show that removing\n"
        "higher-order components of selected layers \\emph{improves} reasoning. The effect\n"
        "holds across three model families.",
        "Pruning removes weights from trained networks. We show that removing higher-order "
        "components of selected layers improves reasoning.",
    ),
    (
        "Attention costs $O(n^2)$ in the sequence length $n$. We propose a kernel that\n"
        "runs in $O(n \\log n)$ time. Experiments confirm the speed-up.",
        "Attention costs O(n^2) in the sequence length n. We propose a kernel that runs in "
        "O(n log n) time.",
    ),
    (
        "Agents that call tools (e.g. Google Search, calculators) often fail silently. We\n"
        "build a benchmark of 1,200 such failures. Results follow.",
        "Agents that call tools (e.g. Google Search, calculators) often fail silently. We "
        "build a benchmark of 1,200 such failures.",
    ),
    (
        "As Smith et al. (2023) show, calibration degrades after fine-tuning. We measure it\n"
        "on five tasks. We explain why.",
        "As Smith et al. (2023) show, calibration degrades after fine-tuning. We measure it "
        "on five tasks.",
    ),
    (
        "As shown in Fig. 2 of the original work, loss spikes precede divergence. We\n"
        "trace them to the optimiser state (cf. Eq. 4). A fix is given.",
        "As shown in Fig. 2 of the original work, loss spikes precede divergence. We trace "
        "them to the optimiser state (cf. Eq. 4).",
    ),
    (
        "Our model improves accuracy by 3.5 points over the baseline. It uses 2.7B\n"
        "parameters. Code is released.",
        "Our model improves accuracy by 3.5 points over the baseline. It uses 2.7B parameters.",
    ),
    (
        "We release \\textbf{OpenThing}, a 50\\% smaller model. It matches the teacher~[3]\n"
        "on most tasks. More details inside.",
        "We release OpenThing, a 50% smaller model. It matches the teacher [3] on most tasks.",
    ),
    (
        "So-called ``emergent'' abilities may be artefacts of the metric --- not of scale.\n"
        "We test this on 29 tasks. Nothing emerges.",
        "So-called “emergent” abilities may be artefacts of the metric — not of scale. We "
        "test this on 29 tasks.",
    ),
    (
        "Can language models plan? We argue they cannot, i.e. they retrieve plans. Our\n"
        "evidence comes from 12 domains.",
        "Can language models plan? We argue they cannot, i.e. they retrieve plans.",
    ),
    (
        "J. Smith's conjecture relates depth and width. We prove it for ReLU vs. GELU\n"
        "activations, i.e. Both cases. The proof is short.",
        "J. Smith's conjecture relates depth and width. We prove it for ReLU vs. GELU "
        "activations, i.e. Both cases.",
    ),
    (
        "The sample complexity of distinguishing $p$ and $q$ with i.i.d.\\ samples is\n"
        "characterised by $\\alpha$ and $\\beta$. We close the gap. The bounds are tight.",
        "The sample complexity of distinguishing p and q with i.i.d. samples is characterised "
        "by α and β. We close the gap.",
    ),
    (
        "Bug bounty programmes paid $35,000 in total for the reported flaws. We describe\n"
        "the four bugs in detail. Two are new.",
        "Bug bounty programmes paid $35,000 in total for the reported flaws. We describe the "
        "four bugs in detail.",
    ),
    (
        "Retrieval helps small models. Retrieval helps large models too! Retrieval does\n"
        "not help everything.",
        "Retrieval helps small models. Retrieval helps large models too!",
    ),
    (
        "Word error rate drops to $\\sim$5\\% with pages 10--12 of the appendix explaining\n"
        "why. The decoder gives approx. 40\\% of that. Details follow.",
        "Word error rate drops to ~5% with pages 10–12 of the appendix explaining why. "
        "The decoder gives approx. 40% of that.",
    ),
]


@pytest.mark.parametrize(("abstract", "expected"), ABSTRACTS)
def test_summary_is_the_first_two_sentences_as_plain_text(abstract: str, expected: str) -> None:
    assert first_sentences(abstract) == expected


def test_one_sentence_when_two_do_not_fit() -> None:
    first = "A first sentence of exactly some length that fits on its own."
    second = " ".join(["Then a second sentence that is far too long to fit"] * 6) + "."
    assert first_sentences(f"{first} {second}") == first


def test_a_first_sentence_longer_than_the_limit_is_cut_at_a_word_with_an_ellipsis() -> None:
    abstract = "We " + "carefully " * 40 + "study things. Short second."
    summary = first_sentences(abstract, limit=60)
    assert summary == "We carefully carefully carefully carefully carefully…"
    assert len(summary) <= 60


def test_a_single_unbroken_word_is_cut_hard() -> None:
    assert first_sentences("x" * 500, limit=10) == "x" * 9 + "…"


def test_one_sentence_can_be_asked_for() -> None:
    assert first_sentences("One. Two. Three.", sentences=1) == "One."


def test_text_without_final_punctuation_is_kept_whole() -> None:
    assert first_sentences("A title-like summary with no full stop") == (
        "A title-like summary with no full stop"
    )


def test_empty_abstract_gives_empty_summary() -> None:
    assert first_sentences("  \n ") == ""


def test_lowercase_after_a_full_stop_does_not_end_the_sentence() -> None:
    assert first_sentences("See ref. seven for more. Then stop. Not this.") == (
        "See ref. seven for more. Then stop."
    )


def test_latex_is_kept_readable() -> None:
    text = (
        "$\\mathcal{O}(n^{2})$ and \\textit{\\textbf{nested}} with a \\$5 fee \\\\ and "
        "\\(k \\leq 3\\) or \\[x_{1}\\] and $$\\sum_i x_i$$ and 10\\,000"
    )
    assert plain_text(text) == (
        "O(n^2) and nested with a $5 fee and k ≤ 3 or x_1 and Σ_i x_i and 10 000"
    )


def test_tilde_in_a_url_path_is_kept() -> None:
    assert plain_text("Code at https://example.edu/~lab/code.") == (
        "Code at https://example.edu/~lab/code."
    )


def test_limit_below_one_is_refused() -> None:
    with pytest.raises(ValueError):
        first_sentences("Anything.", limit=0)


@given(st.text(), st.integers(min_value=1, max_value=400), st.integers(min_value=1, max_value=3))
def test_summary_never_exceeds_the_limit(text: str, limit: int, sentences: int) -> None:
    assert len(first_sentences(text, limit, sentences)) <= limit


@given(st.text(), st.integers(min_value=1, max_value=400))
def test_summary_has_no_surrounding_whitespace(text: str, limit: int) -> None:
    summary = first_sentences(text, limit)
    assert summary == summary.strip()
    assert "\n" not in summary


# Plain prose: LaTeX specials are left out, since the first pass turns them into text that
# a second pass may read differently (\$ becomes a bare $).
PROSE = st.text(alphabet=st.sampled_from("abcXYZ019 .!?,;()\n\t'\"é"), min_size=0, max_size=600)


@given(PROSE, st.integers(min_value=1, max_value=400))
def test_summarising_a_summary_changes_nothing(text: str, limit: int) -> None:
    summary = first_sentences(text, limit)
    assert first_sentences(summary, limit) == summary


def test_deeply_nested_text_commands_unwrap_completely() -> None:
    depth = 6_000  # 84 KB, the abstract of issue 12 that took 13.6 s
    abstract = "We study " + "\\emph{\\textbf{" * depth + "depth" + "}}" * depth + " at scale."
    assert len(abstract) > 84_000
    assert plain_text(abstract) == "We study depth at scale."


def test_a_command_whose_argument_keeps_a_brace_stays() -> None:
    assert plain_text("\\emph{{x}} and \\emph{a \\textbf{b} c}") == "\\emph{{x}} and a b c"


def test_unclosed_openers_of_every_kind_are_left_as_they_are() -> None:
    text = "\\emph{a " * 3_000 + "\\(b " * 3_000 + "$\\sim c " * 3_000
    assert plain_text(text) == " ".join(text.split())


def strip_until_unchanged(text: str) -> str:
    """The definition the one-pass unwrapping must agree with: a regex applied until the
    text stops changing (quadratic in the nesting depth)."""
    command = re.compile(r"\\(?:emph|textbf|text)\s*\{([^{}]*)\}")
    while (stripped := command.sub(r"\1", text)) != text:
        text = stripped
    return text


LATEX_PIECES = st.sampled_from(["\\emph{", "\\textbf {", "\\text{", "{", "}", "x", " ", "\\"])


@given(st.lists(LATEX_PIECES, max_size=40).map("".join))
def test_one_pass_unwrapping_agrees_with_unwrapping_until_unchanged(text: str) -> None:
    assert _strip_text_commands(text) == strip_until_unchanged(text)
