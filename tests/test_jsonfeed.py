"""JSON Feed 1.0 and 1.1 through parse_feed: spec-conforming bytes in, candidates out, and
hostile JSON reported in one line."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from curator.collect.entries import FeedResult
from curator.collect.feeds import parse_feed
from curator.errors import ContentError
from tests.helpers import DATA

FEEDS = DATA / "feeds"
FEED_URL = "https://links.example.org/feed.json"
NOW = datetime(2024, 1, 8, 12, 0, tzinfo=UTC)
VERSION = "https://jsonfeed.org/version/1.1"


def parse(body: bytes, content_type: str = "application/feed+json") -> FeedResult:
    return parse_feed(body, {"Content-Type": content_type}, FEED_URL, "Links", now=NOW)


def feed(*items: object, **top: object) -> bytes:
    return json.dumps({"version": VERSION, "title": "T", **top, "items": list(items)}).encode()


def test_json_feed_1_1_items_become_candidates_like_rss_entries() -> None:
    result = parse((FEEDS / "jsonfeed-1.1.json").read_bytes())

    assert (result.title, result.dropped, result.warning) == ("Example Links & Notes", 0, None)
    link_post, microblog, text_only, by_id = result.candidates
    assert link_post.url == "https://news.example.com/2024/01/data-centres?utm_source=jsonfeed"
    assert (link_post.meta.title, link_post.meta.summary) == ("Data centres and the grid",
                                                    "Power is the bottleneck.")  # fmt: skip
    assert link_post.meta.published == datetime(2024, 1, 5, 14, 30, tzinfo=UTC)
    assert link_post.entry_id == "https://links.example.org/2024/01/grid"
    assert microblog.url == "https://links.example.org/2024/01/2347259"
    assert (microblog.meta.title, microblog.entry_id) == (None, "2347259")
    assert microblog.meta.summary == "Cats are neat. Second paragraph & more."
    assert microblog.meta.published == datetime(2024, 1, 6, 8, 0, tzinfo=UTC)  # lower-case t and z
    assert text_only.url == "https://links.example.org/notes/text-only"
    assert text_only.meta.summary == "Tags like <b>this</b> stay as written."  # plain text by spec
    assert text_only.meta.published is None
    assert (by_id.url, by_id.meta.title) == ("https://links.example.org/2024/01/id-is-the-link",
                                        "The id is the link")  # fmt: skip


def test_json_feed_1_0_numeric_ids_are_strings_and_items_without_an_id_are_discarded() -> None:
    result = parse((FEEDS / "jsonfeed-1.0.json").read_bytes(), content_type="application/json")

    [only] = result.candidates
    assert (only.url, only.entry_id) == ("https://old.example.net/42", "42")
    assert only.meta.published == datetime(2017, 5, 17, 8, 2, 12, tzinfo=UTC)
    assert result.dropped == 1  # the mailto: item
    assert result.warning == "skipped 2 items not objects, 2 items without an id"


@pytest.mark.parametrize("content_type", ["application/feed+json", "text/plain", "text/html"])
def test_a_json_feed_is_recognised_by_its_body_whatever_its_type(content_type: str) -> None:
    body = b"\xef\xbb\xbf\n  " + feed(
        {"id": "1", "url": "https://e.example/1", "content_text": "x"}
    )

    assert [c.url for c in parse(body, content_type).candidates] == ["https://e.example/1"]


def test_an_xml_feed_served_as_json_is_still_read_as_xml() -> None:
    body = (FEEDS / "rss2.xml").read_bytes()

    assert len(parse(body, "application/json").candidates) == 3


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"{not json", "not a feed (invalid JSON: "),
        (b"[1, 2]", "not a feed (JSON, but not a JSON Feed)"),
        (b'{"version": "1.1", "items": []}', "not a feed (JSON, but not a JSON Feed)"),
        (b'{"version": 1.1, "items": []}', "not a feed (JSON, but not a JSON Feed)"),
        (b'{"version": "https://jsonfeed.org/version/1.1", "items": {"a": 1}}',
         "not a feed (a JSON Feed without an items array)"),
        (b"", "not a feed (empty body)"),
        (b'{"version": "' + VERSION.encode() + b'", "items": [' + b"[" * 100_000
         + b"]" * 100_000 + b"]}", "not a feed (JSON nested too deeply)"),
    ],
    ids=["broken", "array", "other-version", "numeric-version", "items-object", "empty", "deep"],
)  # fmt: skip
def test_json_that_is_no_json_feed_is_one_line_content_error(body: bytes, reason: str) -> None:
    with pytest.raises(ContentError) as caught:
        parse(body)

    assert caught.value.reason.startswith(reason)
    assert "\n" not in caught.value.reason and len(caught.value.reason) < 300


def test_fields_of_the_wrong_type_are_ignored_not_fatal() -> None:
    body = feed(
        {"id": "1", "url": ["https://e.example/list"], "content_text": "x"},
        {"id": {"x": 1}, "url": "https://e.example/object-id", "content_text": "x"},
        {"id": True, "url": "https://e.example/bool-id", "content_text": "x"},
        {"id": "4", "url": "https://e.example/4", "title": 5, "summary": None,
         "content_html": 7, "date_published": 20240101},
        {"id": 5.0, "external_url": 3, "url": "https://e.example/5", "content_text": "x"},
        title=["not", "a", "string"],
    )  # fmt: skip

    result = parse(body)

    assert [(c.url, c.entry_id) for c in result.candidates] == [
        ("https://e.example/4", "4"),
        ("https://e.example/5", "5"),
    ]
    four = result.candidates[0]
    assert (four.meta.title, four.meta.summary, four.meta.published) == (None, None, None)
    assert result.title is None
    assert result.dropped == 1
    assert result.warning == "skipped 2 items without an id"


def test_huge_numbers_cost_only_their_item() -> None:
    body = (
        b'{"version": "' + VERSION.encode() + b'", "items": ['
        b'{"id": ' + b"9" * 10_000 + b', "url": "https://e.example/huge", "content_text": "x"},'
        b'{"id": "ok", "url": "https://e.example/ok", "content_text": "x",'
        b' "_ext": {"size": 1e999999, "n": -' + b"1" * 10_000 + b"}}]}"
    )

    result = parse(body)

    assert [c.url for c in result.candidates] == ["https://e.example/ok"]
    assert result.warning == "skipped 1 items without an id"


def test_an_id_several_items_share_identifies_none_of_them() -> None:
    body = feed(
        {"id": "https://e.example/", "url": "https://e.example/a", "content_text": "a"},
        {"id": "https://e.example/", "url": "https://e.example/b", "content_text": "b"},
        {"id": "c", "url": "https://e.example/c", "content_text": "c"},
    )

    assert [c.entry_id for c in parse(body).candidates] == [None, None, "c"]


def test_a_hostless_item_url_never_becomes_the_feeds_own_url() -> None:
    body = feed(
        {"id": "1", "url": "https://", "content_text": "x"},
        {"id": "2", "url": "", "external_url": "//", "content_text": "x"},
        {"id": "https://e.example/3", "url": "https://", "content_text": "falls back to id"},
    )

    result = parse(body)

    assert [c.url for c in result.candidates] == ["https://e.example/3"]
    assert result.dropped == 2


def test_a_date_far_in_the_future_is_no_date() -> None:
    body = feed(
        {"id": "1", "url": "https://e.example/1", "content_text": "x",
         "date_published": "9999-12-31T23:59:59Z"},
        {"id": "2", "url": "https://e.example/2", "content_text": "x",
         "date_published": "2024-01-09T12:00:00Z"},
        {"id": "3", "url": "https://e.example/3", "content_text": "x",
         "date_published": "2024-01-11T12:00:00+00:00"},
    )  # fmt: skip

    dates = [c.meta.published for c in parse(body).candidates]

    assert dates == [None, datetime(2024, 1, 9, 12, 0, tzinfo=UTC), None]
