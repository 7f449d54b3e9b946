"""curator.enrich.pages: page bytes, arXiv papers, tweets and documents -> Metadata."""

from __future__ import annotations

import logging
import pickle
import random
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import pytest

from curator.enrich.pages import (
    SUMMARY_MAX,
    document_metadata,
    extract_page,
    tweet_metadata,
)
from curator.errors import ContentError
from curator.values import Metadata, Paper

PAGES = Path(__file__).parent / "data" / "pages"
ARTICLE_TEXT = (
    "<p>The committee met on Monday to review the plans for the new library, which will open "
    "next autumn with longer hours, a repair café and a room for homework help.</p>"
    "<p>Members asked for more seating near the windows and for a quiet floor.</p>"
)


def page(name: str) -> bytes:
    return (PAGES / name).read_bytes()


def html(head: str, body: str = ARTICLE_TEXT) -> bytes:
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">{head}</head>'
        f"<body><article>{body}</article></body></html>"
    ).encode()


def test_page_with_open_graph_tags_gives_title_site_summary_date_and_author() -> None:
    url = "https://www.dailycircuit.example/2023/12/20/robots-fold-laundry"

    meta = extract_page(page("with_og_site_name.html"), url, "text/html", {})

    assert meta.title == "Robots learn to fold laundry from a single demonstration"
    assert meta.site_name == "The Daily Circuit"
    assert meta.label == "The Daily Circuit"
    assert meta.summary is not None and meta.summary.startswith("A household robot trained")
    assert meta.published == datetime(2023, 12, 20, tzinfo=UTC)
    assert meta.authors == ("Ada Palmer",)
    assert meta.final_url == url


def test_title_suffix_that_spells_the_host_is_dropped_and_becomes_the_site_name() -> None:
    url = "https://www.examplenews.com/local/2024/bike-lanes-approved"

    meta = extract_page(page("without_site_name.html"), url, "text/html", {})

    assert meta.title == "City council approves twelve kilometres of new bike lanes"
    assert meta.site_name == "Example News"
    assert meta.label == "Example News"
    assert meta.summary == (
        "The lanes will connect the university, the central station and the harbour "
        "by the end of next year."
    )


def test_title_suffix_of_the_brand_and_the_subdomain_names_the_site() -> None:
    url = "https://news.example.com/local/2024/bike-lanes-approved"

    meta = extract_page(page("without_site_name.html"), url, "text/html", {})

    assert meta.label == "Example News"
    assert meta.title == "City council approves twelve kilometres of new bike lanes"


def test_page_that_names_no_site_is_labelled_with_its_host_and_titled_by_its_h1() -> None:
    url = "https://citydesk.example/local/2024/bike-lanes-approved"

    meta = extract_page(page("without_site_name.html"), url, "text/html", {})

    assert meta.site_name is None  # not trafilatura's fallback to the host name
    assert meta.label == "citydesk.example"
    assert meta.title == "City council approves twelve kilometres of new bike lanes"


def test_windows_1252_page_decodes_from_its_declared_charset() -> None:
    body = page("windows1252.html")
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")

    meta = extract_page(
        body, "https://lepetitcomptoir.example/boissons/cafe-creme", "text/html", {}
    )

    assert meta.title == "Café crème : l’histoire d’une boisson parisienne"
    assert meta.summary is not None and "café crème" in meta.summary
    assert meta.published == datetime(2022, 3, 8, tzinfo=UTC)


def test_german_page_keeps_its_umlauts_and_metadata() -> None:
    url = "https://www.beispiel-zeitung.example/technik/fahrerlose-zuege"

    meta = extract_page(page("non_english.html"), url, "text/html", {})

    assert meta.title == "Bahn testet fahrerlose Züge im Regionalverkehr"
    assert meta.label == "Beispiel Zeitung"
    assert meta.authors == ("Jürgen Weiß",)
    assert meta.summary is not None and meta.summary.startswith("Auf einer Strecke in Oberfranken")
    assert meta.published == datetime(2024, 1, 15, tzinfo=UTC)


def test_personal_blog_is_labelled_with_its_author() -> None:
    url = "https://blog.janedoe.com/posts/small-tools/"

    meta = extract_page(page("personal_blog.html"), url, "text/html", {})

    assert meta.label == "Jane Doe"
    assert meta.title == "What I learned from writing small tools"
    assert meta.published == datetime(2023, 11, 2, tzinfo=UTC)


def test_the_same_blog_post_elsewhere_is_labelled_with_the_host() -> None:
    meta = extract_page(
        page("personal_blog.html"), "https://notes.example.org/p/1", "text/html", {}
    )

    assert meta.label == "notes.example.org"


def test_page_without_description_is_summarised_from_its_first_paragraph() -> None:
    meta = extract_page(
        page("no_description.html"), "https://fieldnotes.example/reading-group", "text/html", {}
    )

    assert meta.summary is not None
    assert meta.summary.startswith("For three years a dozen of us have met every other Thursday")
    assert meta.summary.endswith("one awkward silence at a time.")
    assert "Comments are closed" not in meta.summary
    assert meta.title == "Notes on running a reading group"


def test_summary_from_the_text_is_cut_at_a_word_boundary() -> None:
    sentence = "Every sentence in this long opening paragraph says a little more about the plan. "
    body = f"<h1>Plans</h1><p>{sentence * 12}</p><p>Second paragraph.</p>"

    meta = extract_page(
        html("<title>Plans for the year</title>", body), "https://example.org/plans", "", {}
    )

    assert meta.summary is not None
    assert len(meta.summary) <= SUMMARY_MAX
    assert meta.summary.endswith("…")
    assert sentence.strip().split(" ")[:5] == meta.summary.split(" ")[:5]
    assert (meta.summary[:-1] + " ") in sentence * 12  # whole words only


def test_long_description_is_shortened() -> None:
    description = "word " * 300
    head = f'<title>Words</title><meta name="description" content="{description}">'

    meta = extract_page(html(head), "https://example.org/words", "text/html", {})

    assert meta.summary is not None
    assert len(meta.summary) <= SUMMARY_MAX
    assert meta.summary.endswith("word…")


def test_a_lone_copyright_year_is_not_a_publication_date() -> None:
    meta = extract_page(
        page("copyright_only.html"),
        "https://crumbandco.example/blog/four-day-week",
        "text/html",
        {},
    )

    assert meta.published is None
    assert meta.title == "How our tiny bakery switched to a four-day week"


def test_title_suffix_equal_to_the_site_name_is_removed() -> None:
    head = (
        '<meta property="og:title" content="Library opens a repair café - The Daily Circuit">'
        '<meta property="og:site_name" content="The Daily Circuit">'
    )

    meta = extract_page(html(head), "https://dailycircuit.example/repair-cafe", "text/html", {})

    assert meta.title == "Library opens a repair café"


def test_title_suffix_equal_to_a_known_label_is_removed() -> None:
    head = "<title>Library opens a repair café | Local Times</title>"
    labels = {"localtimes.example": "Local Times"}

    meta = extract_page(html(head), "https://localtimes.example/2024/01/x", "text/html", labels)

    assert meta.title == "Library opens a repair café"
    assert meta.label == "Local Times"


def test_title_element_with_a_dot_is_kept() -> None:
    meta = extract_page(
        html("<title>Node.js 22 released</title>"), "https://example.org/post", "text/html", {}
    )

    assert meta.title == "Node.js 22 released"


def test_site_name_first_in_the_title_keeps_the_headline() -> None:
    head = "<title>Green Party Council Group - New school building approved</title>"
    url = "https://greens-council.example/news/new-school-building-approved/index.html"

    meta = extract_page(html(head), url, "text/html", {})

    assert meta.title == "Green Party Council Group - New school building approved"


def test_page_without_any_title_takes_it_from_the_url() -> None:
    url = "https://example.org/news/library-plans-reviewed"

    meta = extract_page(html(""), url, "text/html", {})

    assert meta.title == "library plans reviewed"
    assert meta.summary is not None and meta.summary.startswith("The committee met on Monday")


def test_page_with_neither_title_nor_text_is_a_content_error() -> None:
    with pytest.raises(ContentError, match="no title and no text"):
        extract_page(html("", "<div></div>"), "https://example.org/blank", "text/html", {})


def test_several_authors_are_kept_apart() -> None:
    head = (
        '<title>Joint report</title><meta name="author" content="Jane Doe">'
        '<meta name="author" content="John Roe">'
    )

    meta = extract_page(html(head), "https://example.org/report", "text/html", {})

    assert meta.authors == ("Jane Doe", "John Roe")


def test_user_labels_name_the_source() -> None:
    url = "https://www.dailycircuit.example/2023/12/20/robots-fold-laundry"
    labels = {"dailycircuit.example": "Circuit"}

    meta = extract_page(page("with_og_site_name.html"), url, "text/html", labels)

    assert meta.label == "Circuit"
    assert meta.site_name == "The Daily Circuit"


@pytest.mark.parametrize("content_type", ["", "text/plain", "application/xhtml+xml"])
def test_html_served_without_an_html_type_is_read_as_a_page(content_type: str) -> None:
    url = "https://www.examplenews.com/local/2024/bike-lanes-approved"

    meta = extract_page(page("without_site_name.html"), url, content_type, {})

    assert meta.title == "City council approves twelve kilometres of new bike lanes"


def test_pdf_bytes_served_as_html_become_a_pdf_document() -> None:
    url = "https://example.org/papers/Attention-Is-All-You-Need.pdf"

    meta = extract_page(page("minimal.pdf"), url, "text/html", {})

    assert meta.title == "Attention Is All You Need"
    assert meta.note == "PDF document"
    assert meta.label == "example.org"


def test_image_is_kept_as_a_document_named_after_its_file() -> None:
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64)

    meta = extract_page(png, "https://example.org/charts/ai_compute_2023.png", "image/png", {})

    assert meta.title == "ai compute 2023"
    assert meta.note == "document of type image/png: title taken from the URL"


def test_plain_text_is_kept_as_a_document() -> None:
    body = b"Network Working Group\n\nRequest for Comments: 9110\n\nHTTP Semantics\n"

    meta = extract_page(body, "https://example.org/rfc/rfc9110.txt", "text/plain", {})

    assert meta.title == "rfc9110"
    assert meta.note == "document of type text/plain: title taken from the URL"


@pytest.mark.parametrize("body", [b"", b"  \r\n\t  ", b"\xef\xbb\xbf\n"])
def test_empty_body_is_a_content_error(body: bytes) -> None:
    with pytest.raises(ContentError, match=r"not an HTML page \(empty body\)"):
        extract_page(body, "https://example.org/empty", "text/html", {})


@pytest.mark.parametrize(
    "content_type", ["text/html", "application/json", "application/vnd.api+json", ""]
)
def test_json_body_is_a_content_error(content_type: str) -> None:
    with pytest.raises(ContentError, match=r"not an HTML page \(JSON data\)") as caught:
        extract_page(page("api_response.json"), "https://api.example.com/v1/item", content_type, {})

    assert caught.value.url == "https://api.example.com/v1/item"


def test_binary_junk_is_a_content_error() -> None:
    junk = random.Random(7).randbytes(4096)

    with pytest.raises(ContentError, match=r"binary data"):
        extract_page(junk, "https://example.org/blob", "text/html", {})


def test_words_without_markup_served_as_html_are_a_content_error() -> None:
    with pytest.raises(ContentError, match=r"no HTML markup"):
        extract_page(b"Just a few words, no tags.", "https://example.org/t", "text/html", {})


def test_unknown_type_without_html_is_a_content_error() -> None:
    feed = b'<?xml version="1.0"?><rss version="2.0"><channel><title>x</title></channel></rss>'

    with pytest.raises(ContentError, match=r"application/rss\+xml"):
        extract_page(feed, "https://example.org/feed", "application/rss+xml", {})


def test_bad_input_is_not_logged_as_an_error(caplog: pytest.LogCaptureFixture) -> None:
    with pytest.raises(ContentError):
        extract_page(b"Just a few words, no tags.", "https://example.org/t", "text/html", {})
    with pytest.raises(ContentError):
        extract_page(html("", "<div></div>"), "https://example.org/blank", "text/html", {})

    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []


def test_extract_page_runs_in_a_worker_process() -> None:
    args: tuple[bytes, str, str, dict[str, str]] = (
        page("non_english.html"),
        "https://beispiel.example/a",
        "text/html",
        {},
    )

    with ProcessPoolExecutor(max_workers=1) as pool:
        meta = pool.submit(extract_page, *args).result(timeout=60)

    assert meta == extract_page(*args)
    assert pickle.loads(pickle.dumps(meta)) == meta


def test_paper_metadata_keeps_the_whole_abstract() -> None:
    paper = Paper(
        arxiv_id="2312.13558",
        title="The Truth is in There: Improving Reasoning in Language Models",
        summary="Transformer-based LLMs have become a fixture.\nWe show that selectively\n"
        "removing higher-order components improves accuracy.",
        authors=("Pratyusha Sharma", "Jordan T. Ash", "Dipendra Misra"),
        published=datetime(2023, 12, 21, 18, 57, tzinfo=UTC),
        category="cs.LG",
        code_url="https://github.com/pratyushasharma/laser",
    )

    meta = paper.metadata()

    assert meta == Metadata(
        title="The Truth is in There: Improving Reasoning in Language Models",
        summary="Transformer-based LLMs have become a fixture. We show that selectively "
        "removing higher-order components improves accuracy.",
        label="arXiv",
        authors=("Pratyusha Sharma", "Jordan T. Ash", "Dipendra Misra"),
        published=datetime(2023, 12, 21, 18, 57, tzinfo=UTC),
        category="cs.LG",
        code_url="https://github.com/pratyushasharma/laser",
        final_url=None,
    )


@pytest.mark.parametrize(
    ("url", "title"),
    [
        ("https://twitter.com/AravSrinivas/status/1737279359709487498", "Tweet by @AravSrinivas"),
        ("https://x.com/sama/status/1737279359709487498?s=20", "Tweet by @sama"),
        ("https://twitter.com/i/web/status/1737279359709487498", "Tweet"),
    ],
)
def test_tweets_are_named_after_their_author(url: str, title: str) -> None:
    meta = tweet_metadata(url)

    assert (meta.title, meta.label, meta.site_name) == (title, "Tweet", "X")


@pytest.mark.parametrize(
    ("url", "title"),
    [
        ("https://example.org/papers/Attention-Is-All-You-Need.pdf", "Attention Is All You Need"),
        ("https://example.org/files/Annual%20Report_2023.docx", "Annual Report 2023"),
        ("https://example.org/reports/2023/", "reports"),
        ("https://example.org/", "example.org"),
        ("https://www.example.org", "example.org"),
    ],
)
def test_document_title_comes_from_the_url(url: str, title: str) -> None:
    assert document_metadata(url, "application/pdf", labels={}).title == title


def test_document_note_names_its_type() -> None:
    pdf = document_metadata("https://example.org/a.pdf", "application/pdf", labels={})
    image = document_metadata("https://example.org/chart.png", "image/png", labels={})

    assert pdf.note == "PDF document"
    assert image.note == "document of type image/png: title taken from the URL"


def test_document_label_uses_the_authors_labels() -> None:
    url = "https://www.nature.com/articles/d41586-023-03969-5.pdf"

    assert document_metadata(url, "application/pdf", labels={}).label == "Nature"
    assert document_metadata(url, "application/pdf", labels={"nature.com": "N"}).label == "N"


@pytest.mark.parametrize("name", sorted(p.name for p in PAGES.glob("*.html")))
def test_page_metadata_matches_trafilaturas_own_extraction(name: str) -> None:
    """curator.enrich.metadata skips categories, tags and license; all else must stay the same."""
    import trafilatura

    from curator.enrich.metadata import page_metadata
    from curator.enrich.pages import DATE_PARAMS

    tree = trafilatura.load_html((PAGES / name).read_bytes())
    url = "https://news.example.org/2024/01/story"
    ours = page_metadata(tree, url, DATE_PARAMS)
    theirs = trafilatura.extract_metadata(tree, default_url=url, date_config=dict(DATE_PARAMS))
    fields = ("title", "author", "url", "hostname", "date", "sitename", "description")
    assert [getattr(ours, f) for f in fields] == [getattr(theirs, f) for f in fields]
