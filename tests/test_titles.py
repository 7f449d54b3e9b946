"""Titles and labels on real-shaped pages (issue 15): one fixture page per rule, and the
whole label chain over a table of (host, signals) -> label."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from curator.enrich.labels import Signals, choose_label, clean_site_name, logo_name
from curator.enrich.pages import extract_page
from curator.enrich.titles import Site, shared_suffixes, strip_site
from tests.cli import invoke, queue
from tests.server import LoopbackServer

TITLES = Path(__file__).parent / "data" / "pages" / "titles"


def extract(name: str, url: str) -> tuple[str | None, str | None]:
    meta = extract_page((TITLES / name).read_bytes(), url, "text/html", {})
    return meta.title, meta.label


@pytest.mark.parametrize(
    ("name", "url", "title", "label"),
    [
        (
            "section_after_brand.html",
            "https://www.dailyledger.example/politics/budget",
            "Senate passes the harbour budget",
            "Daily Ledger",
        ),
        (
            "domain_brand.html",
            "https://shellnotes.net/ten-habits",
            "Ten habits of small shell scripts",
            "Shellnotes.net",
        ),
        (
            "tight_suffix_other_script.html",
            "https://english.dongfang.example/rail-link",
            "Rail link to the coast opens ahead of schedule",
            "english.dongfang.example",
        ),
        (
            "breadcrumb.html",
            "https://www.valleyherald.example/local/bridge",
            "Alde bridge reopens after repairs",
            "Valley Herald",
        ),
        (
            "brand_prefix.html",
            "https://www.vh.example/local/bridge",
            "Alde bridge reopens after repairs",
            "Valley Herald",
        ),
        (
            "author_after_headline.html",
            "https://www.coastgazette.example/opinion/harbour",
            "Why the harbour still matters",
            "The Coast Gazette",
        ),
        (
            "published_note.html",
            "https://www.valleyherald.example/2017/storm",
            "The storm that closed the Alde bridge",
            "valleyherald.example",
        ),
    ],
)
def test_title_loses_what_names_the_site(name: str, url: str, title: str, label: str) -> None:
    assert extract(name, url) == (title, label)


@pytest.mark.parametrize(
    ("name", "label"),
    [
        ("json_ld_publisher.html", "Valley Herald"),
        ("logo_alt.html", "Valley Herald"),
        ("tagline_in_site_name.html", "Byte Notes"),
        ("legal_form.html", "Acme Widgets"),
        ("publisher_company.html", "Periódico Sur"),
        ("twitter_handle.html", "news.example.in"),
        ("headline_as_site_name.html", "news.example.in"),
    ],
)
def test_label_is_the_name_the_page_gives_itself_cleaned(name: str, label: str) -> None:
    assert extract(name, "https://news.example.in/2024/story")[1] == label


def test_tagline_after_the_site_name_is_dropped_from_the_title_too() -> None:
    title, _ = extract("tagline_in_site_name.html", "https://bytenotes.example/grid")

    assert title == "Grid layouts without media queries"


def test_a_medium_post_is_credited_to_its_author() -> None:
    url = "https://medium.com/@janedoe/what-i-learned-maintaining-a-parser-1a2b3c"

    assert extract("medium_post.html", url) == (
        "What I learned maintaining a parser for ten years",
        "Jane Doe",
    )


def test_metadata_the_parser_moved_into_the_body_is_read() -> None:
    meta = extract_page(
        (TITLES / "meta_in_body.html").read_bytes(),
        "https://www.vh.example/bridge",
        "text/html",
        {},
    )

    assert meta.title == "Alde bridge reopens after repairs"
    assert meta.summary == "Eight months of work end with buses at dawn."
    assert meta.label == "Valley Herald"


def test_publication_date_wins_over_the_modified_date() -> None:
    meta = extract_page(
        (TITLES / "modified_before_published.html").read_bytes(),
        "https://www.vh.example/bridge",
        "text/html",
        {},
    )

    assert meta.published == datetime(2024, 3, 4, tzinfo=UTC)


def test_the_h1_a_reader_sees_wins_over_a_different_og_title() -> None:
    url = "https://www.valleyherald.example/bridge"

    assert extract("h1_differs_from_og_title.html", url)[0] == (
        "Alde bridge reopens: what commuters need to know now"
    )


def test_the_heading_that_ends_the_title_after_a_blog_name_is_the_headline() -> None:
    url = "https://notebook.example.org/tuning"

    assert extract("blog_name_before_headline.html", url)[0] == "Tuning a cheap soldering station"


def test_a_one_word_logo_heading_ending_the_title_is_not_the_headline() -> None:
    url = "https://www.fenland-notes.example/tuning"

    assert extract("logo_heading_after_headline.html", url)[0] == (
        "Tuning a cheap soldering station · Fenlog"
    )


def test_an_empty_title_yields_the_article_heading_not_the_site_slogan() -> None:
    url = "https://www.valleyherald.example/bridge"

    assert extract("empty_title_with_slogan.html", url) == (
        "Alde bridge reopens after repairs",
        "Valley Herald",
    )


def test_a_suffix_that_names_nothing_stays_part_of_the_headline() -> None:
    site = Site("www.python.org", names=("Python.org",))

    assert strip_site("Python 3.6.0 - now available", site).text == "Python 3.6.0 - now available"


def test_a_suffix_that_ends_other_titles_of_the_host_is_dropped() -> None:
    suffixes = shared_suffixes(
        ["Bridge reopens | The Alde Letter", "Rail link opens | The Alde Letter", "Solo post"]
    )
    site = Site("alde.example", shared_suffixes=suffixes)

    assert strip_site("Ferry returns | The Alde Letter", site).text == "Ferry returns"


@pytest.mark.parametrize(
    ("name", "cleaned"),
    [
        ("Byte Notes – the Web developer blog", "Byte Notes"),
        ("Periódico Sur - la voz del valle", "Periódico Sur"),
        ("Acme Widgets Inc", "Acme Widgets"),
        ("Acme Widgets, Inc.", "Acme Widgets"),
        ("C.A. EL DIARIO DEL VALLE", "EL DIARIO DEL VALLE"),
        ("Herald_India", None),
        ("@valleyherald", None),
        ("Home", None),
    ],
)
def test_site_names_lose_taglines_and_legal_forms(name: str, cleaned: str | None) -> None:
    assert clean_site_name(name) == cleaned


# (url, signals) -> the label and the rule that gave it: the whole chain, in order.
CHAIN = [
    (
        "https://www.theverge.com/a",
        Signals(og_site_name="Verge Staff"),
        "The Verge",
        "built-in map",
    ),
    ("https://x.com/someone/status/1", Signals(og_site_name="X"), "Tweet", "tweet"),
    (
        "https://www.vh.example/a",
        Signals(publisher="Valley Herald", og_site_name="VH Online"),
        "Valley Herald",
        "JSON-LD publisher",
    ),
    (
        "https://www.vh.example/a",
        Signals(website="Valley Herald", og_site_name="VH Online"),
        "Valley Herald",
        "JSON-LD WebSite",
    ),
    (
        "https://www.sur.example/a",
        Signals(publisher="Ediciones Periódico Sur S.L.", og_site_name="Periódico Sur"),
        "Periódico Sur",
        "og:site_name, within the JSON-LD publisher",
    ),
    ("https://www.vh.example/a", Signals(og_site_name="VH Online"), "VH Online", "og:site_name"),
    (
        "https://www.vh.example/a",
        Signals(application_name="Valley Herald", logo_alt="VH"),
        "Valley Herald",
        "application-name",
    ),
    ("https://about.gitlab.example/a", Signals(twitter_site="@GitLab"), "GitLab", "twitter:site"),
    (
        "https://www.brandindia.example/a",
        Signals(twitter_site="@Brand_India"),
        "brandindia.example",
        "host",
    ),
    (
        "https://www.vh.example/a",
        Signals(title_brand="Valley Herald", logo_alt="VH logo"),
        "Valley Herald",
        "<title> segment naming the host",
    ),
    (
        "https://www.vh.example/a",
        Signals(logo_alt="Valley Herald"),
        "Valley Herald",
        "logo alt text",
    ),
    (
        "https://medium.com/@jdoe/post-1",
        Signals(og_site_name="Medium", author="Jane Doe"),
        "Jane Doe",
        "person",
    ),
    (
        "https://janedoe.substack.com/p/post",
        Signals(author="Jane Doe"),
        "Jane Doe",
        "person",
    ),
    ("https://jdoe.github.io/post", Signals(author="Jane Doe"), "Jane Doe", "person"),
    ("https://blog.samaltman.com/p", Signals(author="Sam Altman"), "Sam Altman", "person"),
    ("https://medium.com/about", Signals(og_site_name="Medium"), "Medium", "platform"),
    (
        "https://www.vh.example/a",
        Signals(
            og_site_name="Alde bridge reopens after repairs",
            headlines=("Alde bridge reopens after repairs",),
        ),
        "vh.example",
        "host",
    ),
]


@pytest.mark.parametrize(("url", "signals", "label", "rule"), CHAIN)
def test_label_chain(url: str, signals: Signals, label: str, rule: str) -> None:
    found = choose_label(url, signals, {})

    assert (found.text, found.rule) == (label, rule)


def test_your_sources_win_over_everything() -> None:
    found = choose_label("https://www.theverge.com/a", Signals(), {"theverge.com": "Verge"})

    assert (found.text, found.rule) == ("Verge", "your [sources]")


def test_explain_shows_the_rules_behind_a_links_title_and_source(
    runner: CliRunner, server: LoopbackServer
) -> None:
    url = server.add("/local/bridge", (TITLES / "breadcrumb.html").read_bytes())
    invoke(runner, "add", url)

    stdout, _ = invoke(runner, "enrich", "--explain", "1")

    assert "title:  Alde bridge reopens after repairs" in stdout
    assert "rule: <title>, without site suffix" in stdout
    assert "source: Valley Herald" in stdout
    assert "rule: og:site_name" in stdout
    assert '"127.0.0.1" = "Valley Herald"' in stdout
    assert queue(runner)[0]["status"] == "pending"


def test_explain_of_an_unknown_id_is_a_usage_error(runner: CliRunner) -> None:
    invoke(runner, "init")
    _, stderr = invoke(runner, "enrich", "--explain", "7", code=2)

    assert "no link with id 7" in stderr


def test_a_suffix_shared_by_titles_of_one_host_in_a_run_is_the_sites_name(
    runner: CliRunner, server: LoopbackServer
) -> None:
    body = "<p>The ferry to the islands runs again from Monday, twice a day in summer.</p>"
    for path, title in (("/ferry", "Ferry returns"), ("/rail", "Rail link opens")):
        page = f"<html><head><title>{title} | The Alde Letter</title></head><body>{body}</body>"
        invoke(runner, "add", server.add(path, page))
    invoke(runner, "add", server.add("/solo", f"<title>Harbour - at dawn</title>{body}"))

    invoke(runner, "enrich")

    found = {(row["title"], row["source"]) for row in queue(runner)}
    assert found == {
        ("Ferry returns", "The Alde Letter"),
        ("Rail link opens", "The Alde Letter"),
        ("Harbour - at dawn", "127.0.0.1"),
    }


def test_a_date_after_the_sites_acronym_goes_with_it() -> None:
    site = Site("www.vh.example")

    assert strip_site("Bridge reopens | VH | 19.01.2020", site).text == "Bridge reopens"
    assert strip_site("Results - 19.01.2020", site).text == "Results - 19.01.2020"


@pytest.mark.parametrize(
    ("alt", "name"),
    [("Valley Herald logo", "Valley Herald"), ("Go to homepage", None), ("Logo", None)],
)
def test_logo_alt_text_names_the_site_not_where_the_logo_links(alt: str, name: str | None) -> None:
    assert logo_name(alt) == name
