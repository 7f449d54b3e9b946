"""Text hygiene: mojibake, bidi controls and invisible characters, from unit to draft;
whitespace collapsing, shortening and accent folding."""

from __future__ import annotations

import sqlite3
import sys
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from curator.text import ELLIPSIS, clean, collapse, fold_accents, repair, shorten, visible
from tests.cli import invoke, queue
from tests.fakes import API_PATH, FakeArxiv
from tests.helpers import today
from tests.server import LoopbackServer

RLO = "\u202e"  # right-to-left override: reverses what follows in a browser
TECHNOLOGIST = "\U0001f9d1\u200d\U0001f4bb"  # person, ZWJ, laptop
# Cf characters that are visible: they carry the digits after them (Arabic number signs).
PREPENDED_MARKS = set("\u0600\u0601\u0602\u0603\u0604\u0605\u06dd\u070f\u0890\u0891\u08e2")
PREPENDED_MARKS |= {"\U000110bd", "\U000110cd"}
CORRECT = [
    "Café crème : l’histoire d’une boisson parisienne",
    "Über die Brücke – „Straße“ in Zürich, 10 °C",
    "Zażółć gęślą jaźń w dziesiątej rocznicy",
    "Žluťoučký kůň úpěl ďábelské ódy",
    "İstanbul’da ılık bir gün; ağaçlar çiçek açtı",
    "Tiếng Việt có dấu: Hà Nội, Đà Nẵng",
    "SÃO PAULO e São Paulo, ação e coração",
    "Ångström, Æsir, ½ ¼, ©®™, naïve coöperation",
    "Городской совет утвердил новый бюджет",
    "Καλημέρα κόσμε, ελληνικά γράμματα",
    "שלום עולם, עברית מימין לשמאל",
    "مرحبا بالعالم، هذه جملة عربية",
    "می\u200cخواهم به خانه بروم",
    "क्\u200dष हिन्दी में एक वाक्य",
    "বাংলা ভাষায় একটি বাক্য",
    "தமிழில் ஒரு வாக்கியம்",
    "ภาษาไทยเป็นภาษาที่สวยงาม",
    "北京市发布新的公共交通计划",
    "東京で新しい図書館が開館しました",
    "한국어 문장입니다",
    "≤ ≥ ∑ ∞ → € £ ¥ “quoted” ‘single’ — dashes…",
    f"{TECHNOLOGIST} coder, 👩🏽\u200d💻, 🏳️\u200d🌈, 👨\u200d👩\u200d👧 and 🇫🇷",
    "🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f Scotland",
]


@pytest.mark.parametrize("text", CORRECT)
def test_correct_text_in_any_script_is_left_alone(text: str) -> None:
    assert clean(text) == text


@pytest.mark.parametrize(
    ("broken", "fixed"),
    [
        ("it‚Äôs", "it’s"),  # UTF-8 read as Mac Roman
        ("itâ€™s", "it’s"),  # UTF-8 read as windows-1252
        ("cafÃ© crÃ¨me", "café crème"),
        ("donâ\x80\x99t", "don’t"),  # UTF-8 read as ISO-8859-1: C1 controls
        ("Ã  la carte", "à la carte"),
        ("ÐŸÑ€Ð¸Ð²ÐµÑ‚", "Привет"),
    ],
)
def test_mojibake_is_repaired(broken: str, fixed: str) -> None:
    assert clean(broken) == fixed


BIDI_CONTROLS = [*"\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"]


@pytest.mark.parametrize("control", BIDI_CONTROLS)
def test_bidi_controls_are_removed(control: str) -> None:
    assert clean(f"Attention {control}is all you need") == "Attention is all you need"


@pytest.mark.parametrize("invisible", ["\u200b", "\ufeff", "\u2060", "\u00ad", "\U000e0041"])
def test_zero_width_and_other_invisible_characters_are_removed(invisible: str) -> None:
    assert clean(f"Inter{invisible}national news{invisible}") == "International news"


@pytest.mark.parametrize(
    "text", ["\u200dstart", "end\u200d", "1\u200d2", "a \u200c b", "😀\u200d!"]
)
def test_a_joiner_that_joins_nothing_is_removed(text: str) -> None:
    assert "\u200c" not in clean(text) and "\u200d" not in clean(text)


def test_a_joiner_after_a_virama_is_kept_at_the_end_of_a_word() -> None:
    assert clean("അവന്\u200d വന്നു") == "അവന്\u200d വന്നു"  # Malayalam chillu, old encoding


def test_control_characters_go_and_whitespace_collapses() -> None:
    assert clean("  A title\nsplit\r\nover\tlines \x00with\x07 noise\u00a0 ") == (
        "A title split over lines with noise"
    )


def test_repair_leaves_ascii_alone() -> None:
    assert repair("it's fine &amp; ASCII") == "it's fine &amp; ASCII"


def test_every_invisible_format_character_is_removed() -> None:
    """Unicode category Cf, as this interpreter's database has it, less the visible marks."""
    for code in range(sys.maxunicode + 1):
        ch = chr(code)
        if unicodedata.category(ch) == "Cf":
            expected = f"1{ch}2" if ch in PREPENDED_MARKS else "12"
            assert visible(f"1{ch}2") == expected, f"U+{code:04X}"


@given(st.text())
def test_cleaned_text_has_no_invisible_characters_left(text: str) -> None:
    cleaned = clean(text)
    assert cleaned == cleaned.strip() and "  " not in cleaned
    for at, ch in enumerate(cleaned):
        kind = unicodedata.category(ch)
        assert kind != "Cc"
        assert (
            kind != "Cf"
            or ch in PREPENDED_MARKS
            or ch in "\u200c\u200d"
            or (
                "\U0001f3f4" in cleaned[:at]  # the tags of a flag
            )
        )


@given(st.text(st.characters(codec="ascii", categories=["L", "N", "P", "S"])))
def test_printable_ascii_words_come_out_as_they_went_in(text: str) -> None:
    assert clean(text) == text


# -- end to end: what `curator list --json` and the draft show ----------------------------


def configure(env: Path, server: LoopbackServer, *lines: str) -> None:
    fetch = ["[fetch]", f'arxiv_api_url = "{server.url(API_PATH)}"', "arxiv_delay = 0"]
    (env / "curator.toml").write_text("\n".join([*fetch, *lines]) + "\n")


def featured_draft(runner: CliRunner) -> str:
    """The week's draft with every queued link featured, so summaries show too."""
    ids = [str(item["id"]) for item in queue(runner)]
    invoke(runner, "feature", *ids)
    return invoke(runner, "draft", "--since", today(), "--until", today())[0]


def test_a_feed_entry_with_a_bidi_override_and_mojibake_is_cleaned(
    runner: CliRunner, env: Path, server: LoopbackServer
) -> None:
    tweet = "https://x.com/someone/status/1745087312094527488"
    feed = (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Links</title>'
        f"<item><title>Shipping a model {RLO}to phones</title><link>{tweet}</link>"
        "<description>Itâ€™s a cafÃ© thread.</description></item></channel></rss>"
    )
    server.add("/links.rss", feed.encode(), content_type="application/rss+xml")
    configure(
        env, server, "", "[[feed]]", 'name = "Links\u200b"', f'url = "{server.url("/links.rss")}"'
    )
    invoke(runner, "collect")
    [item] = queue(runner)
    assert (item["title"], item["summary"]) == ("Shipping a model to phones", "It’s a café thread.")
    assert item["sightings"][0]["source"] == "Links"  # type: ignore[index]
    draft = featured_draft(runner)
    assert "Shipping a model to phones" in draft and "It’s a café thread." in draft
    assert RLO not in draft and "\u200b" not in draft


def test_an_arxiv_title_with_a_bidi_override_is_cleaned(
    runner: CliRunner, env: Path, server: LoopbackServer
) -> None:
    title = f"Teaching small models {RLO}to count 🧮 with {TECHNOLOGIST}"
    server.add_writer(API_PATH, FakeArxiv(known={"2401.00001"}, titles={"2401.00001": title}))
    configure(env, server)
    invoke(runner, "add", "https://arxiv.org/abs/2401.00001")
    invoke(runner, "enrich")
    expected = f"Teaching small models to count 🧮 with {TECHNOLOGIST}"
    assert queue(runner)[0]["title"] == expected
    draft = featured_draft(runner)
    assert expected in draft and RLO not in draft


def test_a_page_title_with_zero_width_spaces_and_a_mojibake_summary_is_cleaned(
    runner: CliRunner, env: Path, server: LoopbackServer
) -> None:
    page = (
        "<html><head><title>Inter\u200bnational\u2060 news\ufeff today</title>"
        '<meta name="description" content="Itâ€™s the cafÃ© everyone talks about.">'
        "</head><body><p>Body text.</p></body></html>"
    )
    url = server.add("/news", page.encode())
    configure(env, server)
    invoke(runner, "add", url)
    invoke(runner, "enrich")
    [item] = queue(runner)
    summary = "It’s the café everyone talks about."
    assert (item["title"], item["summary"]) == ("International news today", summary)
    draft = featured_draft(runner)
    assert "International news today" in draft and summary in draft


def test_rows_stored_before_the_cleaning_are_drafted_clean(
    runner: CliRunner, env: Path, server: LoopbackServer
) -> None:
    configure(env, server)
    invoke(runner, "add", "https://example.org/featured", "https://example.org/listed")
    rows = [
        (f"An old {RLO}row", "Itâ€™s\u200b stored", None, 1),
        ("Another \u200bentry", None, f"Old{RLO} Times", 2),
    ]
    with sqlite3.connect(env / "curator.db") as db:
        db.executemany(
            "UPDATE link SET title = ?, summary = ?, source = ?, status = 'done' WHERE id = ?", rows
        )
    invoke(runner, "feature", "1")
    invoke(runner, "pick", "2")
    draft = invoke(runner, "draft", "--since", today(), "--until", today())[0]
    assert "## 1. An old row\nIt’s stored\n" in draft
    assert "[Another entry](https://example.org/listed) (Old Times)" in draft
    assert RLO not in draft and "\u200b" not in draft


def test_collapse_makes_one_line_of_single_spaces() -> None:
    assert collapse("  a\n\tb   c \r\n") == "a b c"
    assert collapse(None) == ""
    assert collapse(" \n ") == ""


def test_text_that_fits_is_not_shortened() -> None:
    assert shorten("exactly ten", 11) == "exactly ten"


def test_shortening_cuts_at_the_last_word_and_adds_an_ellipsis() -> None:
    assert shorten("one two three four", 12) == "one two" + ELLIPSIS


def test_shortening_keeps_a_word_that_ends_at_the_limit() -> None:
    assert shorten("one two three four", 14) == "one two three" + ELLIPSIS


def test_shortening_drops_the_punctuation_the_ellipsis_replaces() -> None:
    assert shorten("alpha, beta; gamma — delta epsilon", 20) == "alpha, beta; gamma" + ELLIPSIS


def test_an_unbroken_word_is_cut_inside_rather_than_dropped() -> None:
    assert shorten("see https://example.org/a/very/long/path", 20) == (
        "see https://example" + ELLIPSIS
    )


def test_shortening_needs_room_for_the_ellipsis() -> None:
    with pytest.raises(ValueError):
        shorten("anything", 0)


@given(st.text(), st.integers(min_value=1, max_value=300))
def test_shortened_text_never_exceeds_the_limit(text: str, limit: int) -> None:
    short = shorten(text, limit)
    assert len(short) <= limit
    assert short == text or short.endswith(ELLIPSIS)


def test_accents_fold_to_ascii() -> None:
    assert fold_accents("José Núñez, für Ærø") == "Jose Nunez, fur r"  # Æ, ø: no ASCII form
    assert fold_accents("東京") == ""
