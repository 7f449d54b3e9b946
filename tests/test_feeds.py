"""curator.collect.feeds: real feed bytes in, candidates out."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from curator.collect.feeds import FeedResult, parse_feed
from curator.errors import ContentError
from tests.helpers import DATA
from tests.server import LoopbackServer

FEEDS = DATA / "feeds"
FEED_URL = "https://www.example.com/feeds/main.xml"
NOW = datetime(2024, 1, 8, 12, 0, tzinfo=UTC)


def parse(name: str, url: str = FEED_URL, headers: dict[str, str] | None = None) -> FeedResult:
    return parse_feed((FEEDS / name).read_bytes(), headers or {}, url, "Example", now=NOW)


def test_rss2_entries_become_candidates_with_plain_text() -> None:
    result = parse("rss2.xml")

    assert result.title == "Example & Friends Weekly"
    assert (result.dropped, result.warning) == (0, None)
    first = result.candidates[0]
    assert first.url == "https://news.example.com/2024/01/first?utm_source=rss"
    assert first.via == "Example"
    assert first.meta.title == "First & foremost bold"
    assert first.meta.summary == "A short look at “things” & stuff. Second paragraph."
    assert first.meta.published == datetime(2024, 1, 2, 9, 30, tzinfo=UTC)


def test_rss2_arxiv_pdf_link_is_kept_as_it_is() -> None:
    paper = parse("rss2.xml").candidates[1]

    assert paper.url == "https://arxiv.org/pdf/2312.13558v1.pdf"
    assert paper.meta.published == datetime(2024, 1, 3, 8, 0, tzinfo=UTC)


def test_rss2_entry_with_only_a_permalink_guid_uses_it_and_a_bad_date_is_none() -> None:
    entry = parse("rss2.xml").candidates[2]

    assert entry.url == "https://news.example.com/2024/01/guid-only"
    assert entry.meta.title == "Only a permalink guid"
    assert (entry.meta.summary, entry.meta.published) == (None, None)


def test_rss1_rdf_feed_is_read() -> None:
    result = parse("rss1.rdf")

    assert result.title == "RDF Example"
    assert [c.url for c in result.candidates] == [
        "https://rdf.example.org/one",
        "https://rdf.example.org/two",
    ]
    assert result.candidates[0].meta.summary == "The first RDF item."
    assert result.candidates[1].meta.published == datetime(2024, 1, 6, 6, 15, tzinfo=UTC)


def test_atom_links_resolve_against_xml_base() -> None:
    result = parse("atom.xml")

    assert result.title == "Example Blog"
    assert [c.url for c in result.candidates] == [
        "https://blog.example.net/posts/hello",
        "https://blog.example.net/old/post",
        "https://blog.example.net/posts/by-id",
    ]
    hello, nested, by_id = result.candidates
    assert (hello.meta.title, hello.meta.summary) == ("Relative to xml:base", "Hello & welcome")
    assert hello.meta.published == datetime(2024, 1, 7, 14, 0, tzinfo=UTC)
    assert (nested.meta.title, nested.meta.summary) == ("Nested base", "Only content, no summary.")
    assert nested.meta.published == datetime(2023, 12, 30, 10, 0, tzinfo=UTC)  # from <updated>
    assert by_id.meta.title == "The id is the link"


def test_relative_and_protocol_relative_links_resolve_against_the_feed_url() -> None:
    result = parse("relative.xml")

    assert [c.url for c in result.candidates] == [
        "https://www.example.com/posts/1",
        "https://www.example.com/feeds/posts/2",
        "https://cdn.example.org/media/3",
        "https://www.example.com/archive/4",
    ]


def test_relative_links_follow_the_final_url_after_redirects() -> None:
    result = parse("relative.xml", url="http://mirror.example.org/x/feed.rss")

    assert result.candidates[0].url == "http://mirror.example.org/posts/1"


def test_truncated_feed_keeps_its_complete_entries_with_a_warning() -> None:
    result = parse("truncated.xml")

    assert [c.meta.title for c in result.candidates] == ["Complete one", "Complete two"]
    assert result.warning is not None
    assert result.warning.startswith("broken XML, entries recovered")


def test_html_page_is_not_a_feed() -> None:
    with pytest.raises(ContentError, match="not a feed") as caught:
        parse("not_a_feed.html", headers={"content-type": "text/html"})

    assert caught.value.url == FEED_URL


@pytest.mark.parametrize(
    "body",
    [b"", b"   \n", b'{"version": "2.0", "items": []}'],
    ids=["empty", "blank", "other-json"],
)
def test_empty_bodies_and_json_that_is_no_json_feed_are_not_feeds(body: bytes) -> None:
    with pytest.raises(ContentError, match="not a feed"):
        parse_feed(body, {}, FEED_URL, "Example", now=NOW)


def test_valid_feed_without_entries_gives_no_candidates() -> None:
    body = b'<rss version="2.0"><channel><title>Quiet week</title></channel></rss>'

    result = parse_feed(body, {}, FEED_URL, "Example", now=NOW)

    assert result == FeedResult(candidates=[], dropped=0, warning=None, title="Quiet week")


def test_feed_served_as_text_html_parses_without_warning() -> None:
    result = parse("rss2.xml", headers={"Content-Type": "text/html; charset=utf-8"})

    assert len(result.candidates) == 3
    assert result.warning is None


def test_feed_entries_with_non_http_links_are_dropped_and_counted() -> None:
    result = parse("bad_links.xml")

    assert [c.url for c in result.candidates] == [
        "https://good.example.com/one",
        "http://good.example.com/two",
    ]
    assert result.dropped == 7


def test_long_summaries_are_cut_to_about_a_thousand_characters() -> None:
    words = " ".join(f"word{n}" for n in range(400))
    body = (
        '<rss version="2.0"><channel><title>t</title><item><link>https://e.com/1</link>'
        f"<description>{words}</description></item></channel></rss>"
    ).encode()

    summary = parse_feed(body, {}, FEED_URL, "Example", now=NOW).candidates[0].meta.summary

    assert summary is not None
    assert 900 < len(summary) <= 1000
    assert summary.endswith("…")
    assert summary.startswith("word0 word1 ")


def test_a_body_that_looks_like_a_path_is_never_opened(tmp_path: Path) -> None:
    local = tmp_path / "local.xml"
    local.write_bytes((FEEDS / "rss2.xml").read_bytes())

    with pytest.raises(ContentError, match="not a feed"):
        parse_feed(str(local).encode(), {}, FEED_URL, "Example", now=NOW)


def test_billion_laughs_is_not_expanded() -> None:
    result = parse("billion_laughs.xml")

    [entry] = result.candidates
    assert entry.url == "https://laughs.example.com/1"
    assert len(entry.meta.title or "") < 100 and len(entry.meta.summary or "") < 100
    assert result.warning is not None
    assert result.warning.startswith("entity declarations removed")


def test_billion_laughs_in_utf16_is_not_expanded() -> None:
    text = (FEEDS / "billion_laughs.xml").read_text().replace("UTF-8", "UTF-16")

    result = parse_feed(text.encode("utf-16"), {}, FEED_URL, "Example", now=NOW)

    assert len(result.candidates[0].meta.title or "") < 100


def test_text_entities_declared_in_the_feed_are_not_multiplied() -> None:
    # feedparser itself keeps "safe" text entities and expands every reference.
    body = (
        '<?xml version="1.0"?>\n<!DOCTYPE rss [\n<!ENTITY big "' + "x" * 100_000 + '">\n]>\n'
        '<rss version="2.0"><channel><title>t</title><item><link>https://e.com/1</link>'
        "<description>" + "&big;" * 2_000 + "</description></item></channel></rss>"
    ).encode()

    result = parse_feed(body, {}, FEED_URL, "Example", now=NOW)

    assert len(result.candidates[0].meta.summary or "") <= 1000
    assert "x" * 100 not in (result.candidates[0].meta.summary or "")


def test_external_file_entity_is_never_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-7f3a")
    body = (FEEDS / "xxe_file.xml").read_text().replace("SECRET_FILE_URL", secret.as_uri())

    result = parse_feed(body.encode(), {}, FEED_URL, "Example", now=NOW)

    assert [c.url for c in result.candidates] == ["https://xxe.example.com/1"]
    seen = [result.title, *(f"{c.meta.title} {c.meta.summary}" for c in result.candidates)]
    assert not any("TOP-SECRET" in (text or "") for text in seen)


def test_external_http_entity_is_never_fetched(server: LoopbackServer) -> None:
    target = server.add("/stolen", "SERVER-SECRET", content_type="text/plain")
    body = (FEEDS / "xxe_http.xml").read_text().replace("SERVER_URL", target)

    result = parse_feed(body.encode(), {}, FEED_URL, "Example", now=NOW)

    assert [c.url for c in result.candidates] == ["https://xxe.example.com/1"]
    assert server.requests == []


def test_external_dtd_is_neither_fetched_nor_a_problem(server: LoopbackServer) -> None:
    dtd = server.add("/rss-0.91.dtd", '<!ENTITY leak "SERVER-SECRET">', content_type="text/plain")
    body = (
        '<?xml version="1.0"?>\n'
        f'<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" "{dtd}">\n'
        '<rss version="0.91"><channel><title>Old</title><link>https://old.example.com/</link>'
        "<item><title>Vintage</title><link>https://old.example.com/1</link></item>"
        "</channel></rss>"
    ).encode()

    result = parse_feed(body, {}, FEED_URL, "Example", now=NOW)

    assert [(c.url, c.meta.title) for c in result.candidates] == [
        ("https://old.example.com/1", "Vintage")
    ]
    assert result.warning is None
    assert server.requests == []


def test_a_doctype_built_to_make_pattern_matching_backtrack_is_refused() -> None:
    body = b"<!DOCTYPE rss [" + b"<!---->" * 18 + b'<!ENTITY a "b"> "unbalanced'

    with pytest.raises(ContentError, match="not a feed"):
        parse_feed(body, {}, FEED_URL, "Example", now=NOW)


@pytest.mark.slow
def test_five_thousand_entries_all_parse() -> None:
    items = "".join(
        f"<item><title>Post {n} &amp; more</title><link>https://big.example.com/{n}</link>"
        f"<pubDate>Mon, 01 Jan 2024 10:00:00 +0000</pubDate>"
        f"<description><![CDATA[<p>Summary of <b>post</b> {n}.</p>]]></description></item>"
        for n in range(5_000)
    )
    body = f'<rss version="2.0"><channel><title>Big</title>{items}</channel></rss>'.encode()

    result = parse_feed(body, {}, FEED_URL, "Example", now=NOW)

    assert len(result.candidates) == 5_000
    assert result.candidates[-1].meta.title == "Post 4999 & more"


def test_an_atom_entry_linking_only_a_pdf_keeps_that_link() -> None:
    body = (
        b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>'
        b"<id>tag:x,2024:f</id><updated>2024-01-01T00:00:00Z</updated>"
        b"<entry><title>PDF only</title><id>tag:x,2024:1</id>"
        b"<updated>2024-01-01T00:00:00Z</updated>"
        b'<link rel="alternate" type="application/pdf" href="https://arxiv.org/pdf/2401.04321v1"/>'
        b"</entry><entry><title>No link</title><id>tag:x,2024:2</id>"
        b"<updated>2024-01-01T00:00:00Z</updated></entry></feed>"
    )
    result = parse_feed(
        body, {"content-type": "application/atom+xml"}, "https://x.example/f", "x", now=NOW
    )
    assert [c.url for c in result.candidates] == ["https://arxiv.org/pdf/2401.04321v1"]
    assert result.dropped == 1


def rss(*items: str) -> bytes:
    channel = "".join(items)
    return f'<rss version="2.0"><channel><title>t</title>{channel}</channel></rss>'.encode()


@pytest.mark.parametrize(
    ("feed_url", "link"),
    [
        ("http://www.example.com/feeds/main.xml", "http://"),
        (FEED_URL, "https://"),
        (FEED_URL, "http://"),
        (FEED_URL, "//"),
        (FEED_URL, "#"),
        (FEED_URL, FEED_URL),
    ],
)
def test_an_entry_whose_link_is_hostless_never_queues_the_feeds_own_url(
    feed_url: str, link: str
) -> None:
    body = rss(
        f"<item><title>Broken</title><link>{link}</link><guid>tag:x,2024:1</guid></item>",
        f"<item><title>Saved by its guid</title><link>{link}</link>"
        "<guid>https://news.example.com/2024/01/by-guid</guid></item>",
    )

    result = parse_feed(body, {}, feed_url, "Example", now=NOW)

    assert [c.url for c in result.candidates] == ["https://news.example.com/2024/01/by-guid"]
    assert result.dropped == 1


def test_a_pub_date_more_than_two_days_ahead_is_no_date() -> None:
    body = rss(
        "<item><link>https://e.com/far</link>"
        "<pubDate>Fri, 31 Dec 9999 23:59:59 GMT</pubDate></item>",
        "<item><link>https://e.com/skew</link>"
        "<pubDate>Wed, 10 Jan 2024 11:00:00 GMT</pubDate></item>",
        "<item><link>https://e.com/wrong-year</link>"
        "<pubDate>Thu, 11 Jan 2024 12:00:01 GMT</pubDate></item>",
    )

    dates = [
        c.meta.published for c in parse_feed(body, {}, FEED_URL, "Example", now=NOW).candidates
    ]

    assert dates == [None, datetime(2024, 1, 10, 11, 0, tzinfo=UTC), None]


def test_entries_keep_their_guid_or_atom_id_and_a_shared_one_is_dropped() -> None:
    body = rss(
        '<item><link>https://e.com/1</link><guid isPermaLink="false">post-1</guid></item>',
        "<item><link>https://e.com/2</link><guid>https://e.com/</guid></item>",
        "<item><link>https://e.com/3</link><guid>https://e.com/</guid></item>",
        "<item><link>https://e.com/4</link></item>",
    )

    result = parse_feed(body, {}, FEED_URL, "Example", now=NOW)

    assert [c.entry_id for c in result.candidates] == ["post-1", None, None, None]
    atom = parse("atom.xml").candidates
    assert all(c.entry_id and c.entry_id.startswith("tag:") for c in atom[:2])
