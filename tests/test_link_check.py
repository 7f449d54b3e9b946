"""`curator draft --check --links` (issue 16, item 5): every link of the draft fetched again
from loopback servers; dead ones (404, 410, no such host, repeated 5xx) and moved ones
reported by item number, exit 1 when any is dead."""

from __future__ import annotations

import json
import shlex
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from curator.compose.draft import Entry, Placed
from curator.http import Response
from curator.pipeline.linkcheck import MOVED, judge
from tests.cli import invoke
from tests.fakes import API_PATH, FakeArxiv
from tests.helpers import DATA, recent_days
from tests.server import LoopbackServer

PAGE = (DATA / "publishing" / "no_image.html").read_bytes()
NAMES = ("ok", "gone", "removed", "flaky", "moved", "tracked", "forbidden", "nohost")
# A 64-letter label is longer than DNS allows (RFC 1035, 2.3.4): the resolver fails it
# at once without sending a query, so the test stays on this machine.
NO_SUCH_HOST = "http://" + "x" * 64 + ".example/page"


TITLES = {
    "ok": "Volcanoes of Iceland wake up",
    "gone": "Quantum chips get colder",
    "removed": "Sourdough starters under the microscope",
    "flaky": "Marathon runners and their shoes",
    "moved": "Jazz clubs return to Harlem",
    "new": "Jazz clubs return to Harlem, updated",
    "tracked": "Satellite maps of coral reefs",
    "forbidden": "Chess engines play poker",
    "nohost": "Tidal power in Brittany",
}


def page(name: str) -> bytes:
    """A page of its own story: pages with alike titles read as one story twice."""
    title = TITLES[name]
    return (
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{title}</title></head>"
        f"<body><article><h1>{title}</h1><p>{title}: the {name} story, told at length "
        "for the readers of this test.</p></article></body></html>"
    ).encode()


def with_a_paper(runner: CliRunner, env: Path, server: LoopbackServer) -> None:
    """A paper, so that no section is empty (a warning, which --check counts too); its
    link goes to a loopback page."""
    (env / "curator.toml").write_text(
        f'[fetch]\narxiv_api_url = "{server.url(API_PATH)}"\narxiv_delay = 0\n'
    )
    server.add_writer(API_PATH, FakeArxiv(known={"2401.00001"}))
    server.add("/paper", PAGE)
    invoke(runner, "add", "arxiv:2401.00001")
    invoke(runner, "enrich")
    invoke(runner, "edit", "1", "--url", server.url("/paper"))


@pytest.fixture
def week(runner: CliRunner, env: Path, server: LoopbackServer) -> dict[str, dict[str, object]]:
    """Eight enriched links, then the web changes under them. Returns the draft's items
    by path name."""
    with_a_paper(runner, env, server)
    for name in NAMES:
        server.add(f"/{name}", page(name))
    invoke(runner, "add", *(server.url(f"/{name}") for name in NAMES))
    invoke(runner, "enrich")
    server.add("/gone", "gone", status=404)
    server.add("/removed", "removed", status=410)
    server.add("/flaky", "down", status=503)
    server.add("/moved", "", status=301, headers={"Location": "/new-home"})
    server.add("/new-home", page("new"))
    server.add("/tracked", "", status=302, headers={"Location": "/tracked?utm_source=rss"})
    server.add("/tracked?utm_source=rss", page("tracked"))
    server.add("/forbidden", "no", status=403)
    nohost = 2 + NAMES.index("nohost")
    invoke(runner, "edit", str(nohost), "--url", NO_SUCH_HOST)
    items = json.loads(invoke(runner, "list", "--draft", "--json", "--week", _week())[0])
    return {item["url"].rsplit("/", 1)[-1] if "x" * 64 not in item["url"] else "nohost": item
            for item in items}  # fmt: skip


def _week() -> str:
    year, week, _ = datetime.now(UTC).date().isocalendar()
    return f"{year}-W{week:02d}"


def where(item: dict[str, object]) -> str:
    return f"{item['section']} {item['position']} (id {item['id']})"


def test_dead_links_are_reported_by_item_and_exit_1(
    runner: CliRunner, week: dict[str, dict[str, object]], server: LoopbackServer
) -> None:
    stdout, stderr = invoke(runner, "draft", *recent_days(), "--check", "--links", code=1)
    assert stdout.startswith("---\n")  # the draft is still written
    lines = stderr.splitlines()
    assert not [line for line in lines if line.startswith("warning:")]
    assert f"dead link: {where(week['gone'])}: HTTP 404: {server.url('/gone')}" in lines
    assert f"dead link: {where(week['removed'])}: HTTP 410: {server.url('/removed')}" in lines
    assert (
        f"dead link: {where(week['flaky'])}: HTTP 503 on 3 tries: {server.url('/flaky')}" in lines
    )
    assert (
        f"dead link: {where(week['nohost'])}: the host name does not resolve: {NO_SUCH_HOST}"
        in lines
    )
    assert len(server.hits("/flaky")) == 1 + 3  # enrichment's fetch, then three tries


def test_a_moved_link_comes_with_the_edit_that_applies_it(
    runner: CliRunner, week: dict[str, dict[str, object]], server: LoopbackServer
) -> None:
    _, stderr = invoke(runner, "draft", *recent_days(), "--check", "--links", code=1)
    moved = week["moved"]
    new = server.url("/new-home")
    assert (
        f"moved link: {where(moved)}: {server.url('/moved')} now redirects to {new}; "
        f"apply: curator edit {moved['id']} --url {new}"
    ) in stderr.splitlines()
    assert "/tracked" not in stderr  # the same page, with tracking parameters only
    assert f"unchecked link: {where(week['forbidden'])}: HTTP 403" in stderr
    assert f"{where(week['ok'])}" not in stderr
    invoke(runner, "edit", str(moved["id"]), "--url", new)
    _, stderr = invoke(runner, "draft", *recent_days(), "--check", "--links", code=1)
    assert "moved link" not in stderr


def test_links_that_answer_add_nothing_to_the_check(
    runner: CliRunner, env: Path, server: LoopbackServer
) -> None:
    with_a_paper(runner, env, server)
    server.add("/fine", PAGE)
    invoke(runner, "add", server.url("/fine"))
    invoke(runner, "enrich")
    _, stderr = invoke(runner, "draft", *recent_days(), "--check", "--links")
    assert stderr == ""
    assert len(server.hits("/paper")) == 1 and len(server.hits("/fine")) == 2


def test_links_goes_with_check(runner: CliRunner, env: Path) -> None:
    _, stderr = invoke(runner, "draft", "--links", code=2)
    assert "--links goes with --check" in stderr


def test_the_edit_for_a_link_moved_to_a_query_url_can_be_pasted_into_a_shell() -> None:
    old = "https://example.com/post?id=7"
    final = "https://example.com/posts/7?page=2&section=news"
    entry = Entry(1, "A post", old, "link", "Example", "", None)
    problem = judge(Placed("Links", 1, entry), Response(final, 200, {}, b""))
    assert problem is not None and problem.kind == MOVED
    command = str(problem).split("apply: ", 1)[1]
    words = shlex.shlex(command, posix=True, punctuation_chars=True)  # `&` as a shell reads it
    assert list(words) == ["curator", "edit", "1", "--url", final]
