"""The composer: queue rows -> the week's Markdown draft, checked against golden files."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from curator.compose import (
    AI_PAPERS,
    OTHER,
    Draft,
    Section,
    check_draft,
    eligible,
    format_date,
    plan_draft,
    render_draft,
    section_for,
    summary_source,
)
from curator.config import DraftConfig, SectionRule
from curator.errors import TemplateError
from curator.models import Link
from curator.values import Signals
from tests.test_markdown import headings, links, parse

DATA = Path(__file__).parent / "data" / "compose"
SINCE = datetime(2023, 12, 22, tzinfo=UTC)
UNTIL = datetime(2023, 12, 28, 23, 59, 59, tzinfo=UTC)
CONFIG = DraftConfig(
    interests=("agents", "reasoning"),
    max_papers=2,
    max_links=3,
    section=(
        SectionRule("Policy", keywords=("regulation", "AI Act"), order=60),
        SectionRule("Tools and code", domains=("github.com",), order=50),
    ),
)


def day(n: int, hour: int = 12) -> datetime:
    """A moment in the week of issue #6: day(22) is 22 December 2023."""
    return datetime(2023, 12, n, hour, tzinfo=UTC)


def link(link_id: int, url: str, title: str | None, **fields: Any) -> Link:
    values: dict[str, Any] = {"kind": "link", "status": "done", "first_seen": day(24)} | fields
    return Link(id=link_id, key=url, url=url, canonical_url=url, title=title, **values)


def paper(link_id: int, arxiv_id: str, title: str, abstract: str, **fields: Any) -> Link:
    url = f"https://arxiv.org/abs/{arxiv_id}"
    return link(link_id, url, title, kind="paper", summary=abstract, source="arXiv", **fields)


def week(*, picks: bool = True) -> list[Link]:
    """The week of issue #6. With `picks`, the author picked and featured some links."""
    pick = "pick" if picks else None
    feature = "feature" if picks else None
    return [
        paper(
            1,
            "2312.13558",
            "The Truth is in There: Improving Reasoning in Language Models with Layer-Selective "
            "Rank Reduction",
            "Large networks keep working when most of their weights are removed. We find that\n"
            "removing higher-order components of \\emph{selected} layers improves reasoning.\n"
            "The effect needs no extra training.",
            decision=pick,
            first_seen=day(27),
        ),
        paper(
            2,
            "2312.10003",
            "ReST meets ReAct: Self-Improvement for Multi-Step Reasoning LLM Agent",
            "Answering complex questions needs agents that reason and act, e.g. by calling a\n"
            "search engine. We define such an agent and let it improve itself by training on\n"
            "its own trajectories. A small model then matches a large one.",
            decision=pick,
            first_seen=day(23),
        ),
        paper(
            3,
            "2312.11514",
            "Efficient attention in $O(n \\log n)$",
            "Exact attention costs $O(n^2)$ in the sequence length $n$. Building on Kitaev\n"
            "et al. we approximate it in $O(n \\log n)$ with 50\\% less memory. Results on\n"
            "long documents follow.",
            decision=pick,
            first_seen=day(22),
        ),
        paper(
            4,
            "2312.00752",
            "State space models as an alternative to Transformers",
            "Sequence models based on attention scale quadratically. We revisit state space\n"
            "models --- linear in the sequence length --- and make them selective. They match\n"
            "Transformers of twice the size.",
            decision=feature,
            first_seen=day(25),
        ),
        link(
            5,
            "https://blog.samaltman.com/what-i-wish-someone-had-told-me",
            "What I wish someone had told me",
            summary="Seventeen short lessons on\nbuilding companies and teams.",
            source="Sam Altman",
            decision=feature,
            first_seen=day(26),
        ),
        link(
            6,
            "https://mck.co/3GFxSgg",
            "2023: A year in charts",
            source="McKinsey",
            decision=pick,
            first_seen=day(28),
        ),
        link(
            7,
            "https://twitter.com/AravSrinivas/status/1737279359709487498",
            "Major LLM services visits reach about 2bn combined",
            decision=pick,
            first_seen=day(27),
        ),
        link(
            8,
            "https://www.nature.com/articles/d41586-023-03969-5",
            "Cancer-fighting CAR-T cells could be made inside body with viral injection",
            site_name="Nature",
            decision=pick,
            position=1,
            first_seen=day(22),
        ),
        link(
            9,
            "https://github.com/simonw/llm",
            "llm: access large language models from the command line",
            source="GitHub",
            decision=pick,
            first_seen=day(24),
        ),
        link(
            10,
            "https://www.theverge.com/2023/12/8/ai-act-deal",
            "EU lawmakers agree on the AI Act's final text",
            source="The Verge",
            decision=pick,
            first_seen=day(24),
        ),
        link(
            11,
            "https://example.com/escaping",
            "Why `[brackets]` and *stars* break <b>Markdown</b>",
            source="Example_Blog",
            decision=pick,
            first_seen=day(25),
        ),
        link(12, "https://example.com/skipped", "Skipped by the author", decision="skip"),
        link(13, "https://example.com/old", "Published last week", decision=pick, issue_id=5),
        link(14, "https://example.com/untitled", None, decision=pick, status="failed"),
        link(15, "https://example.com/unpicked", "Nobody picked this one", source="Example"),
    ]


COUNTS = {1: 2, 2: 3, 3: 1, 4: 1, 5: 1, 6: 2, 7: 1, 8: 1, 9: 1, 10: 1, 11: 1, 15: 1}


def plan(
    rows: Sequence[Link], config: DraftConfig = CONFIG, counts: dict[int, int] | None = None
) -> Draft:
    return plan_draft(
        rows,
        COUNTS if counts is None else counts,
        config,
        number=6,
        publish_date=date(2023, 12, 29),
        since=SINCE,
        until=UNTIL,
    )


def titles(draft: Draft, section: str | None = None) -> list[str]:
    if section is None:
        return [entry.title for entry in draft.featured]
    [found] = [s for s in draft.sections if s.name == section]
    return [entry.title for entry in found.entries]


def ids(draft: Draft, section: str) -> list[int]:
    [found] = [s for s in draft.sections if s.name == section]
    return [entry.link_id for entry in found.entries]


# -- golden files ------------------------------------------------------------------------


def test_draft_with_picks_matches_the_golden_file() -> None:
    text = render_draft(plan(week()), CONFIG)
    assert text == (DATA / "golden.md").read_text(encoding="utf-8")


def test_draft_without_picks_matches_the_golden_file() -> None:
    text = render_draft(plan(week(picks=False)), CONFIG)
    assert text == (DATA / "golden-unpicked.md").read_text(encoding="utf-8")


def test_front_matter_parses_back() -> None:
    text = render_draft(plan(week()), CONFIG)
    assert text.startswith("---\n")
    front = yaml.safe_load(text.split("\n---\n", 1)[0].removeprefix("---\n"))
    assert front == {
        "title": "Some interesting things to read #6",
        "publishDate": "29 December 2023",
        "description": "Featured: What I wish someone had told me; "
        "State space models as an alternative to Transformers.",
        "tags": ["weekly-digest", "AI", "technology", "machine-learning"],
    }


def test_headings_follow_the_newsletter_shape() -> None:
    tokens = parse(render_draft(plan(week()), CONFIG))
    assert headings(tokens) == [
        ("h2", "1. What I wish someone had told me"),
        ("h2", "2. State space models as an alternative to Transformers"),
        ("h2", "Other Reads"),
        ("h3", AI_PAPERS),
        ("h3", "Tools and code"),
        ("h3", "Policy"),
        ("h3", OTHER),
    ]


def test_every_list_is_numbered_from_one_without_gaps() -> None:
    tokens = parse(render_draft(plan(week()), CONFIG))
    numbers: list[list[str]] = []
    for token in tokens:
        if token.type == "ordered_list_open":
            numbers.append([])
        elif token.type == "list_item_open" and token.markup == ".":
            numbers[-1].append(token.info)
    assert numbers == [["1", "2", "3"], ["1"], ["1"], ["1", "2", "3", "4"]]


def test_every_link_keeps_its_title_and_url() -> None:
    tokens = parse(render_draft(plan(week()), CONFIG))
    rows = {row.id: row for row in week()}
    # A featured item links from its Source line, named by its source; listed items from
    # their list entry.
    expected = [5, 4, 2, 1, 3, 9, 10, 8, 6, 7, 11]
    shown = {3: "Efficient attention in O(n log n)", 5: "Sam Altman", 4: "arXiv"}
    assert links(tokens) == [(shown.get(i, rows[i].title), rows[i].url) for i in expected]


# -- selection ---------------------------------------------------------------------------


def test_when_anything_is_picked_only_picked_and_featured_links_go_in() -> None:
    draft = plan(week())
    listed = {entry.link_id for section in draft.sections for entry in section.entries}
    assert listed == {1, 2, 3, 6, 7, 8, 9, 10, 11}
    assert [entry.link_id for entry in draft.featured] == [5, 4]  # same rank, 5 is newer


def test_caps_do_not_apply_to_picked_links() -> None:
    draft = plan(week(), DraftConfig(max_papers=1, max_links=1))
    assert ids(draft, AI_PAPERS) == [2, 1, 3]


def test_featured_links_are_not_repeated_in_other_reads() -> None:
    draft = plan(week())
    listed = [entry.link_id for section in draft.sections for entry in section.entries]
    assert 4 not in listed and 5 not in listed


def test_skipped_published_and_untitled_links_are_left_out() -> None:
    kept = [row.id for row in eligible(week(picks=False))]
    assert kept == [*range(1, 12), 15]  # 12 skipped, 13 published, 14 untitled


def test_a_user_title_makes_an_untitled_link_eligible_and_is_shown() -> None:
    rows = [link(1, "https://example.com/a", None, user_title="  My own\ntitle ")]
    assert titles(plan(rows), OTHER) == ["My own title"]


def test_user_title_summary_and_url_replace_the_enriched_ones() -> None:
    row = paper(1, "2401.00001", "Enriched", "First. Second. Third.", decision="feature")
    row.user_title, row.user_summary = "Short title", "My take."
    row.user_url = "https://example.com/better"
    [entry] = plan([row]).featured
    assert (entry.title, entry.summary, entry.url) == ("Short title", "My take.", row.user_url)


def test_without_picks_every_eligible_link_goes_in_capped_per_section() -> None:
    draft = plan(week(picks=False))
    assert ids(draft, AI_PAPERS) == [2, 1]  # max_papers = 2
    assert ids(draft, OTHER) == [8, 6, 7]  # max_links = 3; 8 asked for place 1
    assert ids(draft, "Tools and code") == [9]
    assert draft.featured == ()


def test_ranking_prefers_more_sources_then_interests_then_recency_then_id() -> None:
    rows = [
        link(1, "https://a.example/1", "Plain old", first_seen=day(22)),
        link(2, "https://a.example/2", "Plain new", first_seen=day(27)),
        link(3, "https://a.example/3", "About agents", first_seen=day(22)),
        link(4, "https://a.example/4", "Reasoning agents", first_seen=day(22)),
        link(5, "https://a.example/5", "Seen twice", first_seen=day(22)),
        link(6, "https://a.example/6", "Plain new twin", first_seen=day(27)),
        link(7, "https://a.example/7", "Published late", published=day(28), first_seen=day(22)),
    ]
    config = DraftConfig(interests=("agents", "reasoning"))
    draft = plan(rows, config, counts={5: 2})
    assert ids(draft, OTHER) == [5, 4, 3, 7, 2, 6, 1]


def test_interest_keywords_match_whole_words_in_title_or_summary() -> None:
    rows = [
        link(1, "https://a.example/1", "Management notes", first_seen=day(27)),
        link(2, "https://a.example/2", "Notes", summary="About AGENTS.", first_seen=day(22)),
    ]
    assert ids(plan(rows, DraftConfig(interests=("agent", "agents"))), OTHER) == [2, 1]


def test_author_position_puts_a_link_at_that_place() -> None:
    rows = [link(i, f"https://a.example/{i}", f"Link {i}") for i in range(1, 6)]
    rows[4].position = 2
    rows[3].position = 9
    assert ids(plan(rows, DraftConfig(), counts={}), OTHER) == [1, 5, 2, 3, 4]


def test_positioned_link_survives_the_cap() -> None:
    rows = [link(i, f"https://a.example/{i}", f"Link {i}") for i in range(1, 6)]
    rows[4].position = 3
    assert ids(plan(rows, DraftConfig(max_links=3), counts={}), OTHER) == [1, 2, 5]


def test_featured_links_follow_their_positions_then_rank() -> None:
    rows = [link(i, f"https://a.example/{i}", f"Link {i}", decision="feature") for i in (1, 2, 3)]
    rows[2].position = 1
    assert [entry.link_id for entry in plan(rows, counts={}).featured] == [3, 1, 2]


@pytest.mark.parametrize(
    ("url", "title", "expected"),
    [
        ("https://github.com/a/b", "A repo", "Tools and code"),
        ("https://gist.github.com/a/1", "A gist", "Tools and code"),
        ("https://notgithub.com/a", "Lookalike domain", OTHER),
        ("https://example.com/eu", "New AI act rules", "Policy"),
        ("https://example.com/reg", "Regulation of models", "Policy"),
        ("https://example.com/x", "Deregulation of markets", OTHER),
        ("https://github.com/eu/act", "Regulation as code", "Tools and code"),
    ],
)
def test_config_sections_match_by_domain_or_keyword(url: str, title: str, expected: str) -> None:
    assert section_for(link(1, url, title), CONFIG) == expected


def test_papers_go_to_ai_papers_and_links_to_other_by_default() -> None:
    assert section_for(paper(1, "2401.00001", "P", "A."), DraftConfig()) == AI_PAPERS
    assert section_for(link(2, "https://example.com/", "L"), DraftConfig()) == OTHER


def test_keyword_in_the_summary_matches_too() -> None:
    row = link(1, "https://example.com/x", "News", summary="On new regulation.")
    assert section_for(row, CONFIG) == "Policy"


def test_author_section_wins_in_any_case_and_may_name_a_new_section() -> None:
    moved = link(1, "https://github.com/a/b", "A repo", section="ai papers")
    assert section_for(moved, CONFIG) == AI_PAPERS
    rows = [moved, link(2, "https://example.com/x", "Odd one", section="Podcasts")]
    draft = plan(rows, CONFIG)
    assert [s.name for s in draft.sections] == [
        AI_PAPERS,
        "Tools and code",
        "Podcasts",
        "Policy",
        OTHER,
    ]


def test_empty_sections_stay_in_the_plan_and_are_hidden_in_the_markdown() -> None:
    draft = plan([link(1, "https://example.com/x", "Only link", source="Example")])
    assert [(s.name, len(s.entries)) for s in draft.sections] == [
        (AI_PAPERS, 0),
        ("Tools and code", 0),
        ("Policy", 0),
        (OTHER, 1),
    ]
    text = render_draft(draft, CONFIG)
    assert "### AI Papers" not in text and "### Policy" not in text
    assert text.endswith(
        "### Other interesting stuff\n\n1. [Only link](https://example.com/x) (Example)\n"
    )


def test_nothing_to_list_leaves_out_other_reads() -> None:
    rows = [link(1, "https://example.com/x", "Only", decision="feature", source="X")]
    text = render_draft(plan(rows), CONFIG)
    assert "Other Reads" not in text
    assert text.endswith("_Source: [X](https://example.com/x)_\n")


def test_listed_papers_get_two_sentences_and_featured_papers_the_whole_abstract() -> None:
    abstract = "One $x$ here.\nTwo\nhere. Three here."
    listed = plan([paper(1, "2401.00001", "P", abstract)]).sections[0].entries[0]
    featured = plan([paper(1, "2401.00001", "P", abstract, decision="feature")]).featured[0]
    assert listed.summary == "One x here. Two here."
    assert featured.summary == "One x here. Two here. Three here."


def test_source_falls_back_to_site_name_then_tweet_then_nothing() -> None:
    rows = [
        link(1, "https://example.com/a", "A", site_name="Example Site"),
        link(2, "https://x.com/someone/status/1", "B"),
        link(3, "https://example.com/c", "C"),
    ]
    assert [e.source for e in plan(rows, counts={}).sections[-1].entries] == [
        "Example Site",
        "Tweet",
        "",
    ]


def test_description_names_the_top_three_when_nothing_is_featured() -> None:
    text = render_draft(plan(week(picks=False)), CONFIG)
    front = yaml.safe_load(text.split("\n---\n", 1)[0].removeprefix("---\n"))
    assert front["description"] == (
        "In this issue: ReST meets ReAct: Self-Improvement for Multi-Step Reasoning LLM Agent; "
        "The Truth is in There: Improving Reasoning in Language Models with Layer-Selective "
        "Rank Reduction; llm: access large language models from the command line."
    )


def test_publish_date_is_english_without_a_leading_zero() -> None:
    assert format_date(date(2024, 1, 5)) == "5 January 2024"
    assert format_date(date(2023, 12, 29)) == "29 December 2023"


# -- templates ---------------------------------------------------------------------------


def test_user_template_replaces_the_default() -> None:
    config = DraftConfig(template=DATA / "custom.md.j2")
    text = render_draft(plan(week()), config)
    assert text == (DATA / "custom-expected.md").read_text(encoding="utf-8")


def test_typo_in_a_user_template_names_the_template_and_line(tmp_path: Path) -> None:
    template = tmp_path / "typo.md.j2"
    template.write_text("# {{ title }}\n{% for e in featured %}\n{{ e.titel }}\n{% endfor %}\n")
    with pytest.raises(TemplateError) as caught:
        render_draft(plan(week()), DraftConfig(template=template))
    message = str(caught.value)
    assert message.startswith(f"{template}:3: ")
    assert "titel" in message and "\n" not in message


def test_undefined_variable_is_an_error_not_an_empty_string(tmp_path: Path) -> None:
    template = tmp_path / "typo.md.j2"
    template.write_text("{{ titel }}\n")
    with pytest.raises(TemplateError, match=r"typo\.md\.j2:1: 'titel' is undefined"):
        render_draft(plan(week()), DraftConfig(template=template))


def test_template_syntax_error_names_the_template_and_line(tmp_path: Path) -> None:
    template = tmp_path / "broken.md.j2"
    template.write_text("ok\n\n{% for e in featured %}\n{{ e.title }\n")
    with pytest.raises(TemplateError, match=r"broken\.md\.j2:4: "):
        render_draft(plan(week()), DraftConfig(template=template))


def test_python_error_in_a_template_is_a_template_error(tmp_path: Path) -> None:
    template = tmp_path / "zero.md.j2"
    template.write_text("{{ title }}\n{{ number / 0 }}\n")
    with pytest.raises(TemplateError, match=r"zero\.md\.j2:2: ZeroDivisionError: division by zero"):
        render_draft(plan(week()), DraftConfig(template=template))


def test_missing_template_is_a_template_error(tmp_path: Path) -> None:
    template = tmp_path / "nowhere.md.j2"
    with pytest.raises(TemplateError, match=r"nowhere\.md\.j2: template not found"):
        render_draft(plan(week()), DraftConfig(template=template))


# -- the check before publishing ---------------------------------------------------------


def test_complete_draft_has_no_warnings() -> None:
    rows = [
        paper(1, "2401.00001", "A paper", "Abstract."),
        link(2, "https://example.com/a", "A link", source="Example"),
    ]
    assert check_draft(plan(rows, DraftConfig()), rows) == []


def test_check_warns_about_a_link_without_source() -> None:
    rows = [link(1, "https://example.com/a", "No label")]
    assert 'link 1 "No label": no source' in check_draft(plan(rows), rows)


def test_check_warns_about_an_untitled_item() -> None:
    # eligible() keeps untitled links out; a draft built by other means is checked anyway.
    rows = [link(1, "https://example.com/a", "Soon blank", source="X")]
    entry = replace(plan(rows).sections[-1].entries[0], title="")
    draft = replace(plan(rows), sections=(Section(OTHER, (entry,)),))
    assert check_draft(draft, rows) == ["link 1 (https://example.com/a): no title"]


def test_check_warns_about_failed_and_pending_enrichment() -> None:
    rows = [
        link(1, "https://example.com/a", "Broken", source="X", status="failed", error="HTTP 404",
             decision="pin"),
        link(2, "https://example.com/b", "Waiting", source="X", status="pending"),
    ]  # fmt: skip
    warnings = check_draft(plan(rows, counts={}), rows)
    assert 'link 1 "Broken": enrichment failed: HTTP 404' in warnings
    assert 'link 2 "Waiting": not enriched yet' in warnings


def test_check_warns_about_two_items_that_look_like_the_same_story() -> None:
    rows = [
        link(1, "https://a.example/story", "OpenAI announces GPT-5!", source="A"),
        link(2, "https://b.example/news", "OpenAI announces GPT 5", source="B"),
        link(3, "https://www.c.example/page/", "Something else entirely", source="C"),
        link(4, "http://c.example/page", "A different headline", source="C"),
        link(5, "https://youtube.example/watch?v=1", "First video", source="Y"),
        link(6, "https://youtube.example/watch?v=2", "Second clip", source="Y"),
    ]
    draft = plan(rows, DraftConfig(), counts={})
    warnings = [w for w in check_draft(draft, rows) if "same story" in w]
    assert warnings == [
        'link 1 "OpenAI announces GPT-5!" and link 2 "OpenAI announces GPT 5" look like the '
        "same story",
        'link 3 "Something else entirely" and link 4 "A different headline" look like the '
        "same story",
    ]


def same_story_lines(rows: list[Link]) -> list[str]:
    return [w for w in check_draft(plan(rows, DraftConfig(), counts={}), rows) if "same story" in w]


def test_items_alike_in_a_chain_make_one_warning_naming_them_all() -> None:
    rows = [
        link(1, "https://a.example/1", "Nvidia unveils its new Blackwell chip", source="A"),
        link(2, "https://b.example/2", "Nvidia unveils its new Blackwell chips", source="B"),
        link(3, "https://c.example/3", "Nvidia unveils the new Blackwell chips", source="C"),
        link(4, "https://www.b.example/2/", "A title of its own", source="B"),
        link(5, "https://d.example/5", "Something else entirely", source="D"),
    ]
    assert same_story_lines(rows) == [
        'link 1 "Nvidia unveils its new Blackwell chip", link 2 "Nvidia unveils its new '
        'Blackwell chips", link 3 "Nvidia unveils the new Blackwell chips" and link 4 "A title '
        'of its own" look like the same story'
    ]


def test_a_large_same_story_group_names_five_items_and_the_rest_by_id() -> None:
    rows = [
        link(i, f"https://site{i}.example/launch", "Apple ships iOS 18 today", source="S")
        for i in range(1, 13)
    ]
    named = ", ".join(f'link {i} "Apple ships iOS 18 today"' for i in range(1, 6))
    assert same_story_lines(rows) == [
        f"{named} and 7 more (links 6, 7, 8, 9, 10, 11, 12) look like the same story"
    ]


def test_hundreds_of_retold_stories_give_one_warning_per_story() -> None:
    stories = [
        "OpenAI ships a new reasoning model to all users",
        "Nvidia reports record data centre revenue again",
        "EU lawmakers agree on the final text of the AI Act",
        "Google DeepMind solves olympiad geometry problems",
        "Meta releases open weights for its largest Llama",
        "Anthropic publishes research on interpretability features",
    ]
    suffixes = ("", "!", " | The Loop", " (update)", " - Tech Ledger")
    rows = [
        link(i, f"https://site{i}.example/{i}", stories[i % 6] + suffixes[i % 5], source="S",
             decision="pick")
        for i in range(1, 601)
    ]  # fmt: skip
    lines = same_story_lines(rows)
    assert [line.split()[1] for line in lines] == ["1", "2", "3", "4", "5", "6"]
    assert all(" and 95 more (links " in line for line in lines)


def test_check_warns_about_an_item_first_seen_outside_the_window() -> None:
    rows = [link(1, "https://example.com/a", "Old pick", source="X", decision="pick")]
    rows[0].first_seen = SINCE - timedelta(days=10)
    assert check_draft(plan(rows), rows)[0] == (
        'link 1 "Old pick": first seen 2023-12-12, before the window (2023-12-22 to 2023-12-28)'
    )


def test_a_window_that_starts_mid_day_is_shown_with_times() -> None:
    rows = [link(1, "https://example.com/a", "Same day", source="X", decision="pick")]
    rows[0].first_seen = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
    draft = replace(
        plan(rows),
        since=datetime(2026, 12, 1, 9, 30, tzinfo=UTC),
        until=datetime(2026, 12, 1, 10, 0, tzinfo=UTC),
    )
    assert check_draft(draft, rows)[0] == (
        'link 1 "Same day": first seen 2026-12-01 08:00:00 UTC, before the window '
        "(2026-12-01 09:30:00 UTC to 2026-12-01 10:00:00 UTC)"
    )


def test_check_reads_naive_datetimes_from_sqlite_as_utc() -> None:
    rows = [
        link(1, "https://example.com/a", "Naive", source="X", first_seen=datetime(2023, 12, 24))
    ]
    assert not any("window" in w for w in check_draft(plan(rows), rows))


def test_check_warns_about_empty_sections() -> None:
    rows = [paper(1, "2401.00001", "Only a paper", "Abstract.")]
    assert check_draft(plan(rows, DraftConfig()), rows) == [
        'section "Other interesting stuff" is empty'
    ]


# -- determinism -------------------------------------------------------------------------


@pytest.mark.parametrize("picks", [True, False])
def test_same_inputs_give_the_same_bytes_in_any_order(picks: bool) -> None:
    first = render_draft(plan(week(picks=picks)), CONFIG)
    for seed in range(5):
        rows = week(picks=picks)
        random.Random(seed).shuffle(rows)
        assert render_draft(plan(rows), CONFIG) == first


def test_a_link_without_source_renders_without_parenthesis() -> None:
    text = render_draft(plan([link(1, "https://example.com/c", "No label")]), CONFIG)
    assert text.endswith("\n1. [No label](https://example.com/c)\n")


# -- issue 14: what goes in unasked, pins, the author's words ----------------------------


def test_a_link_that_failed_for_good_stays_out_unless_asked_for() -> None:
    dead = link(1, "https://example.com/gone", "Gone", source="X", status="failed")
    retrying = link(2, "https://example.com/slow", "Slow", source="X", status="failed",
                    next_attempt_at=day(28))  # fmt: skip
    assert ids(plan([dead, retrying], counts={}), OTHER) == [2]
    dead.decision = "pin"
    assert sorted(ids(plan([dead, retrying], counts={}), OTHER)) == [1, 2]


def test_a_title_made_from_the_url_stays_out_unless_the_author_gives_one() -> None:
    pdf = link(1, "https://example.com/files/annual-report.pdf", "annual report", source="X")
    feed_titled = link(2, "https://example.com/files/q3.pdf", "Third quarter", source="X")
    assert ids(plan([pdf, feed_titled], counts={}), OTHER) == [2]
    pdf.user_title = "The annual report"
    assert sorted(ids(plan([pdf, feed_titled], counts={}), OTHER)) == [1, 2]


def test_pinned_links_go_in_past_the_cap_without_dropping_the_ranked_ones() -> None:
    rows = [link(i, f"https://example.com/{i}", f"Link {i}", source="X") for i in range(1, 6)]
    config = DraftConfig(max_links=2)
    assert ids(plan(rows, config, counts={}), OTHER) == [1, 2]
    rows[4].decision = "pin"
    assert ids(plan(rows, config, counts={}), OTHER) == [1, 2, 5]


def test_an_untitled_only_pick_leaves_the_draft_empty_and_says_so() -> None:
    rows = [
        link(1, "https://example.com/a", None, status="pending", decision="pick"),
        link(2, "https://example.com/b", "Unpicked", source="X"),
    ]
    draft = plan(rows, DraftConfig(), counts={})
    assert not any(section.entries for section in draft.sections)
    assert check_draft(draft, rows)[0] == (
        "link 1 (https://example.com/a): picked but left out: no title (not enriched yet); "
        "give it one with `curator edit 1 --title TEXT`"
    )


def test_the_authors_summary_ends_a_listed_links_line() -> None:
    row = link(1, "https://example.com/a", "A link", source="Example", summary="Fetched.")
    assert render_draft(plan([row]), CONFIG).endswith(
        "\n1. [A link](https://example.com/a) (Example)\n"
    )
    row.user_summary = "My [own] words."
    assert render_draft(plan([row]), CONFIG).endswith(
        "\n1. [A link](https://example.com/a) (Example) - My \\[own\\] words.\n"
    )


def test_summary_source_names_hugging_face_when_the_draft_shows_its_summary() -> None:
    paper = Link(
        key="arxiv:2401.00001",
        url="https://arxiv.org/abs/2401.00001",
        canonical_url="https://arxiv.org/abs/2401.00001",
        kind="paper",
        summary="An abstract.",
        signals=Signals(ai_summary="What Hugging Face says.").stored(),
        first_seen=datetime(2024, 1, 1, tzinfo=UTC),
    )
    assert summary_source(paper, DraftConfig(paper_summary="hf")) == "hf"
    assert summary_source(paper, DraftConfig()) == "abstract"
