"""`curator serve` over raw HTTP (issue 18): the command, the loopback bind, the refusals
of item 6, no change on a GET, stale edits refused, the preview equal to `curator draft`.
The browser tests are in tests/e2e/test_browser.py."""

from __future__ import annotations

import asyncio
import html
import json
import re
import socket
import warnings
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from curator.cli.serve import bind
from curator.web.app import Settings, create_app
from tests.cli import invoke, queue
from tests.helpers import serving, wait_until
from tests.server import LoopbackServer

with warnings.catch_warnings():
    # Starlette 1.x suggests httpx2 for its TestClient; the httpx curator uses still works.
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    from starlette.testclient import TestClient

PORT = 8765
BASE = f"http://127.0.0.1:{PORT}"
HOSTILE = "<img src=x onerror=alert(1)>"


@pytest.fixture
def settings(env: Path) -> Settings:
    return Settings(env / "curator.db", env / "curator.toml", False, "127.0.0.1", PORT, "ada")


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings), base_url=BASE) as client:
        yield client


def version_of(page: str, link_id: int) -> str:
    """The version of a link the page shows, as the page's script sends it back."""
    found = re.search(rf'data-link-id="{link_id}" data-version="([^"]*)"', page)
    assert found, f"link {link_id} is not on the page"
    return html.unescape(found[1])


def post(client: TestClient, path: str, token: str, **fields: str) -> httpx.Response:
    return client.post(path, json=fields, headers={"X-CSRF-Token": token})


def add_link(runner: CliRunner, url: str = "https://example.com/a") -> int:
    invoke(runner, "add", url)
    return int(queue(runner)[-1]["id"])


def change_new_link(
    runner: CliRunner, client: TestClient, action: str, headers: dict[str, str]
) -> httpx.Response:
    """`action` on a newly queued link, with the version the page shows and `headers`."""
    link_id = add_link(runner)
    seen = version_of(client.get("/").text, link_id)
    return client.post(f"/links/{link_id}/{action}", json={"version": seen}, headers=headers)


# -- the command ----------------------------------------------------------------------------


@pytest.mark.slow
def test_serve_prints_its_loopback_url_and_stops_cleanly_on_ctrl_c(runner: CliRunner) -> None:
    add_link(runner)
    with serving("serve", "--no-open") as served:
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+/", served.url)
        page = httpx.get(served.url)
        assert page.status_code == 200 and "example.com/a" in page.text
        code, stderr = served.stop()
    assert code == 0
    assert "Traceback" not in stderr and "stopped" in stderr


@pytest.mark.slow
def test_serve_binds_only_127_0_0_1_unless_told(runner: CliRunner) -> None:
    add_link(runner)
    with serving("serve") as served:
        port = int(served.url.rsplit(":", 1)[1].rstrip("/"))
        assert httpx.get(served.url).status_code == 200
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.2", port), timeout=5).close()


@pytest.mark.slow
def test_serve_on_a_given_port_and_host_answers_there(runner: CliRunner) -> None:
    add_link(runner)
    with socket.socket() as probe:
        probe.bind(("127.0.0.2", 0))
        port = probe.getsockname()[1]
    with serving("serve", "--host", "127.0.0.2", "--port", str(port)) as served:
        assert served.url == f"http://127.0.0.2:{port}/"
        assert httpx.get(served.url).status_code == 200
        assert "warning: listening on 127.0.0.2" in "".join(served.seen)


def test_serve_on_a_port_in_use_says_so_in_one_line(runner: CliRunner) -> None:
    add_link(runner)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        _, stderr = invoke(runner, "serve", "--port", str(port), code=2)
    assert stderr.startswith(f"curator: error: cannot listen on 127.0.0.1:{port}")


@pytest.mark.slow
def test_serve_open_starts_the_browser_on_its_url(runner: CliRunner, env: Path) -> None:
    add_link(runner)
    opened = env / "opened.txt"
    browser = f"sh -c 'echo %s > {opened}'"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("BROWSER", browser)
        with serving("serve", "--open") as served:
            wait_until(lambda: opened.exists() and opened.read_text().strip() != "", "the browser")
            assert opened.read_text().strip() == served.url


def test_serve_answers_kept_alive_connections_without_nagle_delays() -> None:
    """With Nagle's algorithm on, each answer on a kept-alive connection waits for the
    browser's delayed ACK (40 ms on Linux): asyncio turns it off on what `bind` accepts."""

    async def accept_one(sock: socket.socket) -> int:
        seen: asyncio.Queue[int] = asyncio.Queue()

        async def on(_: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            accepted = writer.get_extra_info("socket")
            await seen.put(accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            writer.close()

        async with await asyncio.start_server(on, sock=sock):
            _, writer = await asyncio.open_connection(*sock.getsockname())
            found = await seen.get()
            writer.close()
        return found

    assert asyncio.run(accept_one(bind("127.0.0.1", 0))) != 0


# -- item 2: the week at a glance -----------------------------------------------------------


def test_the_week_is_grouped_as_the_draft_groups_it(runner: CliRunner, client: TestClient) -> None:
    first, second = add_link(runner), add_link(runner, "https://example.com/b")
    for link_id, title in ((first, "First"), (second, "Second")):
        invoke(runner, "edit", str(link_id), "--title", title)
    invoke(runner, "feature", str(second))
    page = client.get("/").text
    featured = page.index('aria-label="Featured"')
    other = page.index('aria-label="Other interesting stuff"')
    assert featured < page.index(f'data-link-id="{second}"') < other
    assert other < page.index(f'data-link-id="{first}"')


def test_filters_keep_the_status_and_kind_asked_for(runner: CliRunner, client: TestClient) -> None:
    first, second = add_link(runner), add_link(runner, "https://example.com/b")
    invoke(runner, "skip", str(second))
    skipped = client.get("/", params={"status": "skipped"}).text
    assert f'data-link-id="{second}"' in skipped and f'data-link-id="{first}"' not in skipped
    assert 'data-link-id="' not in client.get("/", params={"kind": "paper"}).text
    assert client.get("/", params={"status": "bogus"}).status_code == 400
    assert client.get("/", params={"week": "2024-W99"}).status_code == 400


def test_published_links_are_hidden_unless_asked_for(runner: CliRunner, client: TestClient) -> None:
    link_id = add_link(runner)
    invoke(runner, "edit", str(link_id), "--title", "Already out")
    invoke(runner, "publish", "--force")
    year, week, _ = datetime.now(UTC).isocalendar()
    this_week = {"week": f"{year}-W{week:02d}"}  # the default window starts after the issue
    assert f'data-link-id="{link_id}"' not in client.get("/", params=this_week).text
    shown = client.get("/", params={**this_week, "published": "1"}).text
    assert f'data-link-id="{link_id}"' in shown and ">published<" in shown


def test_serve_refuses_a_port_out_of_range(runner: CliRunner) -> None:
    add_link(runner)
    _, stderr = invoke(runner, "serve", "--port", "70000", code=2)
    assert stderr == "curator: error: --port must be between 0 and 65535, got 70000\n"


# -- item 6: safe on a shared machine -----------------------------------------------------


@pytest.mark.parametrize("host", ["evil.example:8765", "127.0.0.1:9999", "localhost"])
def test_a_request_naming_another_host_is_refused(client: TestClient, host: str) -> None:
    answer = client.get("/", headers={"Host": host})
    assert answer.status_code == 400
    assert "is not this server" in answer.text


def test_localhost_with_the_port_is_this_server(client: TestClient) -> None:
    assert client.get("/", headers={"Host": f"localhost:{PORT}"}).status_code == 200


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "https://evil.example"},
        {"Origin": "null"},
        {"Origin": f"http://127.0.0.1:{PORT + 1}"},
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site"},
    ],
)
def test_a_cross_site_post_is_refused_even_with_the_token(
    runner: CliRunner, client: TestClient, settings: Settings, headers: dict[str, str]
) -> None:
    answer = change_new_link(runner, client, "pick", {"X-CSRF-Token": settings.token, **headers})
    assert answer.status_code == 403
    assert queue(runner)[0]["decision"] is None


@pytest.mark.parametrize("token", [None, "", "not-the-token"])
def test_a_post_without_the_launch_token_is_refused(
    runner: CliRunner, client: TestClient, token: str | None
) -> None:
    headers = {"Origin": BASE} | ({"X-CSRF-Token": token} if token is not None else {})
    answer = change_new_link(runner, client, "skip", headers)
    assert answer.status_code == 403
    assert "CSRF token" in answer.text
    assert queue(runner)[0]["decision"] is None


def test_a_same_origin_post_with_the_token_is_applied(
    runner: CliRunner, client: TestClient, settings: Settings
) -> None:
    headers = {"X-CSRF-Token": settings.token, "Origin": BASE, "Sec-Fetch-Site": "same-origin"}
    answer = change_new_link(runner, client, "skip", headers)
    assert answer.status_code == 200
    assert queue(runner)[0]["decision"] == "skip"


def test_every_answer_forbids_inline_script_and_framing_and_has_no_cors(
    runner: CliRunner, client: TestClient
) -> None:
    add_link(runner)
    for path in ("/", "/regions", "/add?url=https://example.com/b", "/static/app.js"):
        answer = client.get(path, headers={"Origin": "https://evil.example"})
        policy = answer.headers["content-security-policy"]
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy
        assert "frame-ancestors 'none'" in policy
        assert not any(name.startswith("access-control-") for name in answer.headers)


def test_a_title_from_the_web_is_escaped(
    runner: CliRunner, client: TestClient, server: LoopbackServer
) -> None:
    url = server.add("/hostile", f"<html><head><title>{HOSTILE}</title></head><body></body></html>")
    invoke(runner, "add", url)
    invoke(runner, "enrich")
    assert queue(runner)[0]["title"] == HOSTILE
    page = client.get("/").text
    assert HOSTILE not in page
    assert html.escape(HOSTILE, quote=False) in page or html.escape(HOSTILE) in page


def test_a_card_drawn_before_enrichment_shows_what_enrichment_found(
    runner: CliRunner, client: TestClient, server: LoopbackServer
) -> None:
    url = server.add("/later", "<html><head><title>Found by enrich</title></head></html>")
    invoke(runner, "add", url)
    before = client.get("/").text
    assert "status-pending" in before and "Found by enrich" not in before
    invoke(runner, "enrich")
    after = client.get("/").text
    assert "status-done" in after and "Found by enrich" in after and "status-pending" not in after


# -- item 5: no state changes on a GET -----------------------------------------------------


def test_the_bookmarklet_form_adds_nothing_until_posted(
    runner: CliRunner, client: TestClient, settings: Settings
) -> None:
    add_link(runner)
    form = client.get("/add", params={"url": "https://example.com/new", "title": HOSTILE})
    assert form.status_code == 200
    assert 'value="https://example.com/new"' in form.text and HOSTILE not in form.text
    assert [item["url"] for item in queue(runner)] == ["https://example.com/a"]
    done = client.post(
        "/add",
        data={"url": "https://example.com/new", "note": "from a page", "csrf": settings.token},
        headers={"Origin": BASE},
    )
    assert done.status_code == 200 and "added https://example.com/new" in done.text
    assert [item["url"] for item in queue(runner)][-1] == "https://example.com/new"


def test_the_bookmarklet_form_without_its_token_adds_nothing(
    runner: CliRunner, client: TestClient
) -> None:
    add_link(runner)
    answer = client.post("/add", data={"url": "https://example.com/new"})
    assert answer.status_code == 403
    assert len(queue(runner)) == 1


# -- items 4 and 7: the preview, stale copies --------------------------------------------


def test_the_preview_is_exactly_what_curator_draft_writes(
    runner: CliRunner, client: TestClient, settings: Settings
) -> None:
    link_id = add_link(runner)
    invoke(runner, "edit", str(link_id), "--title", "A page worth reading")
    invoke(runner, "pick", str(link_id))
    regions = client.get("/regions").json()
    draft, _ = invoke(runner, "draft")
    assert regions["draft"] == draft
    assert "A page worth reading" in regions["draft_html"]


def test_a_change_from_a_stale_copy_is_refused_and_not_applied(
    runner: CliRunner, client: TestClient, settings: Settings
) -> None:
    link_id = add_link(runner)
    seen = version_of(client.get("/").text, link_id)
    invoke(runner, "edit", str(link_id), "--title", "Typed in the terminal")
    answer = post(client, f"/links/{link_id}/edit", settings.token, version=seen, title="Stale")
    assert answer.status_code == 409
    assert "changed elsewhere" in answer.json()["error"]
    assert queue(runner)[0]["user_title"] == "Typed in the terminal"
    assert "Typed in the terminal" in client.get("/regions").json()["week"]
    fresh = answer.json()["links"][str(link_id)]["version"]
    again = post(client, f"/links/{link_id}/edit", settings.token, version=fresh, title="Fresh")
    assert again.status_code == 200
    assert queue(runner)[0]["user_title"] == "Fresh"


def test_a_decision_answers_with_the_link_at_once_and_the_regions_then_show_it(
    runner: CliRunner, client: TestClient, settings: Settings
) -> None:
    link_id = add_link(runner)
    invoke(runner, "edit", str(link_id), "--title", "Worth a place")
    before = client.get("/regions").json()
    seen = version_of(before["week"], link_id)
    answer = post(client, f"/links/{link_id}/pick", settings.token, version=seen)
    assert answer.status_code == 200
    assert answer.json()["message"] == f"pick: link {link_id}"
    changed = answer.json()["links"][str(link_id)]
    assert changed["decision"] == "pick"
    regions = client.get("/regions", params={"known": before["digest"]}).json()
    assert version_of(regions["week"], link_id) == changed["version"]
    draft, _ = invoke(runner, "draft")
    assert regions["draft"] == draft and "[Worth a place](" in draft
    again = post(client, f"/links/{link_id}/reset", settings.token, version=changed["version"])
    assert again.status_code == 200 and again.json()["links"][str(link_id)]["decision"] is None


# -- issue 19, item 4: who set a decision -------------------------------------------------


def test_decisions_and_edits_made_on_the_page_record_its_editor(
    runner: CliRunner, client: TestClient, settings: Settings
) -> None:
    link_id = add_link(runner)
    invoke(runner, "--editor", "grace", "pick", str(link_id))
    assert queue(runner)[0]["decided_by"] == "grace"
    seen = version_of(client.get("/").text, link_id)
    assert post(client, f"/links/{link_id}/skip", settings.token, version=seen).status_code == 200
    assert (queue(runner)[0]["decision"], queue(runner)[0]["decided_by"]) == ("skip", "ada")
    invoke(runner, "--editor", "grace", "pick", str(link_id))
    seen = version_of(client.get("/").text, link_id)
    post(client, f"/links/{link_id}/edit", settings.token, version=seen, title="Retitled")
    assert (queue(runner)[0]["user_title"], queue(runner)[0]["decided_by"]) == ("Retitled", "ada")


@pytest.mark.slow
def test_serve_records_the_editor_the_cli_is_given(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    link_id = add_link(runner)
    monkeypatch.setenv("CURATOR_EDITOR", "linus")
    for args, editor in ((("serve",), "linus"), (("--editor", "ada", "serve"), "ada")):
        with serving(*args) as served:
            page = httpx.get(served.url).text
            token = re.search(r'name="csrf-token" content="([^"]+)"', page)
            assert token
            headers = {"X-CSRF-Token": token[1], "Origin": served.url.rstrip("/")}
            answer = httpx.post(f"{served.url}links/{link_id}/pick", headers=headers,
                                json={"version": version_of(page, link_id)})  # fmt: skip
            assert answer.status_code == 200
        assert queue(runner)[0]["decided_by"] == editor


def test_publishing_a_draft_with_a_pending_link_is_refused_as_the_cli_refuses(
    runner: CliRunner, client: TestClient, settings: Settings
) -> None:
    link_id = add_link(runner)
    invoke(runner, "edit", str(link_id), "--title", "Not fetched yet")
    invoke(runner, "pick", str(link_id))
    answer = post(client, "/publish", settings.token)
    assert answer.status_code == 409
    _, cli = invoke(runner, "publish", code=1)
    assert answer.json()["error"] in cli
    assert queue(runner)[0]["published_in"] is None


def test_polling_answers_204_while_nothing_changed(runner: CliRunner, client: TestClient) -> None:
    add_link(runner)
    digest = client.get("/regions").json()["digest"]
    assert client.get("/regions", params={"known": digest}).status_code == 204
    invoke(runner, "skip", "1")
    changed = client.get("/regions", params={"known": digest})
    assert changed.status_code == 200 and json.loads(changed.text)["digest"] != digest
