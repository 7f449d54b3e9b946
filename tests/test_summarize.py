"""LLM summaries (issue 20) through llm, against a loopback fake OpenAI-compatible server:
the cache, the cap, the fallback on failures and the rejection of junk, as the author
sees them in `summarize`, `draft` and `list --json`."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from curator.compose.llm import RejectedAnswer, checked_summary
from curator.store import Store
from curator.values import Candidate, Metadata
from tests.cli import invoke, queue
from tests.fake_openai import MODEL_ID, FakeOpenAI, Reply
from tests.helpers import NOW
from tests.server import LoopbackServer

WEEK = ("--week", "2023-W52")  # NOW's week
ABSTRACT = (
    "Large language models often fail to reason. We study this problem. We propose a "
    "ReAct-style agent that refines itself through a ReST-like method."
)
ANSWER = "A ReAct-style agent refines itself with a ReST-like method. It matches larger models."
ARTICLE = (
    "<html><head><title>Charts of the year</title></head><body><article>"
    + "".join(f"<p>Paragraph {i} of the article says something concrete.</p>" for i in range(40))
    + "</article></body></html>"
)


@pytest.fixture
def fake(env: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeOpenAI]:
    """The fake as llm's only configured extra model, and curator set to use it."""
    server = FakeOpenAI()
    server.configure(env / "llm")
    monkeypatch.setenv("LLM_USER_PATH", str(env / "llm"))
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    configure(env)
    yield server
    server.stop()


def configure(env: Path, summaries: str = "", draft: str = "") -> None:
    (env / "curator.toml").write_text(
        f'[summaries]\nmodel = "{MODEL_ID}"\n{summaries}\n[draft]\n{draft}\n'
    )


def add_paper(env: Path, arxiv_id: str, title: str, abstract: str = ABSTRACT) -> int:
    meta = Metadata(title=title, summary=abstract, label="arXiv")
    return _add(env, Candidate(f"https://arxiv.org/abs/{arxiv_id}", "test", meta, is_enriched=True))


def add_page(env: Path, url: str, title: str) -> int:
    meta = Metadata(title=title, summary="The page's own description.", label="Example")
    return _add(env, Candidate(url, "test", meta, is_enriched=True))


def _add(env: Path, candidate: Candidate) -> int:
    store = Store(env / "curator.db")
    try:
        [link_id] = store.add([candidate], NOW).new_ids
    finally:
        store.close()
    return link_id


def by_id(runner: CliRunner) -> dict[int, dict[str, object]]:
    return {item["id"]: item for item in queue(runner)}


# -- the answer's checks (pure) ---------------------------------------------------------


def test_an_answer_longer_than_asked_is_cut_at_a_sentence_end() -> None:
    answer = "It does one thing. It finds another. It also rambles on. And on."
    assert checked_summary(answer, "A title", 2) == "It does one thing. It finds another."


def test_an_answer_loses_its_label_quotes_and_line_breaks() -> None:
    answer = '"Summary: It does one\nthing. It finds **another**."'
    assert checked_summary(answer, "A title", 2) == "It does one thing. It finds another."


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        ("   \n", "empty"),
        ("I'm sorry, but I can't summarise this article.", "a refusal"),
        ("As an AI language model, I cannot browse.", "a refusal"),
        ("I’m unable to read the page.", "a refusal"),
        ("## Summary\n\nIt does one thing.", "Markdown headings"),
        ("ReSt meets ReAct: self-improvement for reasoning agents.", "repeats the title"),
    ],
)
def test_text_that_is_not_a_summary_is_rejected(answer: str, reason: str) -> None:
    with pytest.raises(RejectedAnswer) as caught:
        checked_summary(answer, "ReSt meets ReAct: Self-Improvement for Reasoning Agents", 2)
    assert caught.value.reason == reason


# -- calls, cache and cap ---------------------------------------------------------------


def test_a_paper_is_summarised_from_title_and_abstract_and_cached(
    runner: CliRunner, env: Path, fake: FakeOpenAI
) -> None:
    link_id = add_paper(env, "2312.10003", "ReSt meets ReAct")
    fake.reply("ReSt meets ReAct", Reply(ANSWER))
    _, err = invoke(runner, "summarize", *WEEK)
    assert "summaries: 1 made, 0 cached" in err
    [prompt] = fake.prompts
    assert "ReSt meets ReAct" in prompt and ABSTRACT in prompt and "2 sentences" in prompt
    assert by_id(runner)[link_id]["llm_summary"] == ANSWER
    _, err = invoke(runner, "summarize", *WEEK)
    assert "summaries: 0 made, 1 cached" in err
    assert fake.calls == 1


def test_a_changed_prompt_is_a_new_input_and_costs_a_call(
    runner: CliRunner, env: Path, fake: FakeOpenAI
) -> None:
    add_paper(env, "2312.10003", "ReSt meets ReAct")
    invoke(runner, "summarize", *WEEK)
    configure(env, summaries="sentences = 1")
    invoke(runner, "summarize", *WEEK)
    assert fake.calls == 2


def test_a_page_is_summarised_from_its_main_text_cut_to_max_chars(
    runner: CliRunner, env: Path, fake: FakeOpenAI, server: LoopbackServer
) -> None:
    configure(env, summaries="max_chars = 300")
    add_page(env, server.add("/charts", ARTICLE), "Charts of the year")
    invoke(runner, "summarize", *WEEK)
    [prompt] = fake.prompts
    assert "Paragraph 0 of the article says something concrete." in prompt
    assert "Paragraph 39" not in prompt
    assert "Source: Example" in prompt and "article" in prompt


def test_a_page_without_text_is_named_once_and_costs_no_call(
    runner: CliRunner, env: Path, fake: FakeOpenAI, server: LoopbackServer
) -> None:
    link_id = add_page(env, server.add("/gone", "", status=404), "Gone")
    _, err = invoke(runner, "summarize", *WEEK)
    assert f"warning: summaries: no text for #{link_id} (HTTP 404)" in err
    assert fake.calls == 0


def test_a_paper_without_its_abstract_yet_costs_no_call(
    runner: CliRunner, env: Path, fake: FakeOpenAI
) -> None:
    link_id = add_paper(env, "2312.10003", "ReSt meets ReAct", abstract="")
    _, err = invoke(runner, "summarize", str(link_id))
    assert f"warning: summaries: no text for #{link_id} (no abstract yet)" in err
    assert fake.calls == 0


def test_max_per_run_caps_the_calls_and_the_next_run_goes_on(
    runner: CliRunner, env: Path, fake: FakeOpenAI
) -> None:
    configure(env, summaries="max_per_run = 2")
    for i in range(3):
        add_paper(env, f"2312.1000{i}", f"Paper number {i}")
    _, err = invoke(runner, "summarize", *WEEK)
    assert "2 made, 0 cached, 1 left for the next run (max_per_run)" in err
    assert fake.calls == 2
    _, err = invoke(runner, "summarize", *WEEK)
    assert "1 made, 2 cached" in err
    assert fake.calls == 3


def test_ids_name_the_links_to_summarise(runner: CliRunner, env: Path, fake: FakeOpenAI) -> None:
    add_paper(env, "2312.10001", "Paper one")
    second = add_paper(env, "2312.10002", "Paper two")
    invoke(runner, "summarize", str(second))
    [prompt] = fake.prompts
    assert "Paper two" in prompt
    _, err = invoke(runner, "summarize", "99", code=2)
    assert "no link with id 99" in err


def test_the_authors_own_summary_wins_and_costs_no_call(
    runner: CliRunner, env: Path, fake: FakeOpenAI
) -> None:
    link_id = add_paper(env, "2312.10003", "ReSt meets ReAct")
    invoke(runner, "edit", str(link_id), "--summary", "My own words.")
    _, err = invoke(runner, "summarize", *WEEK)
    assert "0 made, 0 cached, 1 with your own" in err
    assert fake.calls == 0
    assert by_id(runner)[link_id]["summary_source"] == "author"


# -- what the draft and list show -------------------------------------------------------


def test_the_draft_uses_llm_summaries_only_with_draft_summary_llm(
    runner: CliRunner, env: Path, fake: FakeOpenAI, server: LoopbackServer
) -> None:
    paper = add_paper(env, "2312.10003", "ReSt meets ReAct")
    page = add_page(env, server.add("/charts", ARTICLE), "Charts of the year")
    fake.reply("ReSt meets ReAct", Reply(ANSWER))
    fake.reply("Charts of the year", Reply("McKinsey charts the year. Costs fell."))
    invoke(runner, "summarize", *WEEK)
    draft, _ = invoke(runner, "draft", *WEEK)
    assert ANSWER not in draft and "Large language models often fail to reason." in draft
    assert {i: item["summary_source"] for i, item in by_id(runner).items()} == {
        paper: "abstract",
        page: "page",
    }
    configure(env, draft='summary = "llm"')
    draft, _ = invoke(runner, "draft", *WEEK)
    assert f"(https://arxiv.org/abs/2312.10003) - {ANSWER}" in draft
    assert "(Example) - McKinsey charts the year. Costs fell." in draft
    assert {i: item["summary_source"] for i, item in by_id(runner).items()} == {
        paper: f"llm:{MODEL_ID}",
        page: f"llm:{MODEL_ID}",
    }


def test_draft_summarize_asks_first_then_drafts_with_the_answers(
    runner: CliRunner, env: Path, fake: FakeOpenAI
) -> None:
    configure(env, draft='summary = "llm"')
    add_paper(env, "2312.10003", "ReSt meets ReAct")
    fake.reply("ReSt meets ReAct", Reply(ANSWER))
    draft, err = invoke(runner, "draft", *WEEK, "--summarize")
    assert ANSWER in draft
    assert "summaries: 1 made" in err
    invoke(runner, "draft", *WEEK, "--summarize")
    assert fake.calls == 1


def test_a_rejected_answer_is_reported_cached_and_never_shown(
    runner: CliRunner, env: Path, fake: FakeOpenAI
) -> None:
    configure(env, draft='summary = "llm"')
    link_id = add_paper(env, "2312.10003", "ReSt meets ReAct")
    fake.reply("ReSt meets ReAct", Reply("I'm sorry, I cannot help with that."))
    draft, err = invoke(runner, "draft", *WEEK, "--summarize")
    assert f"warning: summaries: rejected #{link_id} (a refusal)" in err
    assert "sorry" not in draft and "Large language models often fail to reason." in draft
    assert by_id(runner)[link_id]["summary_source"] == "abstract"
    invoke(runner, "summarize", *WEEK)
    assert fake.calls == 1


# -- never in the way -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reply", "shown"),
    [
        (Reply("The server had an error", status=500), "InternalServerError"),
        (Reply("You exceeded your current quota", status=429), "exceeded your current quota"),
    ],
)
def test_a_provider_error_is_one_warning_and_the_links_keep_their_summaries(
    runner: CliRunner, env: Path, fake: FakeOpenAI, reply: Reply, shown: str
) -> None:
    configure(env, draft='summary = "llm"')
    add_paper(env, "2312.10001", "First paper")
    add_paper(env, "2312.10002", "Second paper")
    fake.default = reply
    draft, err = invoke(runner, "draft", *WEEK, "--summarize")
    [warning] = [line for line in err.splitlines() if line.startswith("warning: summaries")]
    assert shown in warning and "2 link(s) keep their extractive summary" in warning
    assert draft.count("Large language models often fail to reason.") == 2
    assert not any("Second paper" in prompt for prompt in fake.prompts)  # no second try


def test_a_slow_answer_is_abandoned_after_the_timeout(
    runner: CliRunner, env: Path, fake: FakeOpenAI
) -> None:
    configure(env, summaries="timeout = 0.5", draft='summary = "llm"')
    add_paper(env, "2312.10003", "ReSt meets ReAct")
    fake.default = Reply(ANSWER, delay=30.0)
    draft, err = invoke(runner, "draft", *WEEK, "--summarize")
    assert "warning: summaries: no answer within 0.5 s; 1 link(s) keep" in err
    assert ANSWER not in draft and "Large language models often fail to reason." in draft


def test_an_unknown_model_is_one_warning_and_the_draft_is_written(
    runner: CliRunner, env: Path, fake: FakeOpenAI
) -> None:
    (env / "curator.toml").write_text('[summaries]\nmodel = "no-such-model"\n')
    add_paper(env, "2312.10003", "ReSt meets ReAct")
    draft, err = invoke(runner, "draft", *WEEK, "--summarize")
    assert "warning: summaries: unknown model 'no-such-model' (see `llm models`)" in err
    assert "Large language models often fail to reason." in draft
    assert fake.calls == 0


def test_summarize_without_a_model_is_a_usage_error(runner: CliRunner, env: Path) -> None:
    add_paper(env, "2312.10003", "ReSt meets ReAct")
    _, err = invoke(runner, "summarize", code=2)
    assert "set [summaries] model in curator.toml" in err


def test_a_prompt_with_an_unknown_placeholder_is_a_config_error(
    runner: CliRunner, env: Path, fake: FakeOpenAI
) -> None:
    configure(env, summaries='prompt = "Summarise {title} from {abstract}"')
    _, err = invoke(runner, "summarize", code=2)
    assert "summaries.prompt: unknown placeholder {abstract}" in err


def test_a_custom_prompt_is_sent_as_written(runner: CliRunner, env: Path, fake: FakeOpenAI) -> None:
    configure(env, summaries='prompt = "In {sentences} sentences, {kind}: {title}"')
    add_paper(env, "2312.10003", "ReSt meets ReAct")
    invoke(runner, "summarize", *WEEK)
    assert fake.prompts == ["In 2 sentences, paper: ReSt meets ReAct"]


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('[draft]\nsummary = "ai"\n', "draft.summary must be one of extractive, llm"),
        ("[summaries]\nmax_per_run = 0\n", "summaries.max_per_run must be at least 1"),
        ("[summaries]\ntimeout = 0\n", "summaries.timeout must be > 0"),
    ],
)
def test_bad_summary_settings_are_config_errors(
    runner: CliRunner, env: Path, toml: str, message: str
) -> None:
    (env / "curator.toml").write_text(toml)
    _, err = invoke(runner, "draft", code=2)
    assert message in err
