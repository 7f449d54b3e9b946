"""`curator export buttondown|ghost` (issue 16, item 4) against loopback fakes that enforce
the services' rules: drafts only, keys from the environment only and never shown, the same
issue exported twice updates one draft, errors in one line, 429 waits for Retry-After."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from curator.cli import app
from curator.config import FetchConfig, GhostConfig
from curator.errors import ExportError
from curator.export import ghost
from curator.http import Fetcher
from tests.cli import invoke
from tests.export_fakes import FakeButtondown, FakeGhost
from tests.helpers import DATA, recent_days
from tests.server import LoopbackServer

KEY = "bd-secret-token-1234567890"
PAGES = DATA / "publishing"


def window() -> tuple[str, ...]:
    return (*recent_days(), "--date", "2024-01-05", "--number", "4")


@pytest.fixture
def buttondown() -> Iterator[FakeButtondown]:
    fake = FakeButtondown(KEY)
    yield fake
    fake.stop()


@pytest.fixture
def site() -> Iterator[FakeGhost]:
    fake = FakeGhost()
    yield fake
    fake.stop()


@pytest.fixture
def week(
    runner: CliRunner,
    env: Path,
    server: LoopbackServer,
    buttondown: FakeButtondown,
    site: FakeGhost,
) -> LoopbackServer:
    (env / "curator.toml").write_text(
        f'[export.buttondown]\napi_url = "{buttondown.api_url}"\n\n'
        f'[export.ghost]\nurl = "{site.base_url}"\n\n'
        '[sources]\n"127.0.0.1" = "Loopback Times"\n'
    )
    for name in ("og_image", "twitter_image"):
        server.add(f"/{name}", (PAGES / f"{name}.html").read_bytes())
    invoke(runner, "add", server.url("/og_image"), server.url("/twitter_image"))
    invoke(runner, "enrich")
    invoke(runner, "feature", "1")
    invoke(runner, "pin", "2")
    return server


def export(
    runner: CliRunner, service: str, key: str | None, *args: str, code: int = 0
) -> tuple[str, str]:
    name = "BUTTONDOWN_API_KEY" if service == "buttondown" else "GHOST_ADMIN_API_KEY"
    result = runner.invoke(
        app,
        ["export", service, *window(), *args],
        env={name: key} if key is not None else {name: ""},
        catch_exceptions=False,
    )
    assert result.exit_code == code, (result.stdout, result.stderr)
    return result.stdout, result.stderr


def test_buttondown_gets_a_draft_email_without_front_matter(
    runner: CliRunner, week: LoopbackServer, buttondown: FakeButtondown
) -> None:
    stdout, stderr = export(runner, "buttondown", KEY)
    assert stdout == "https://buttondown.example/em_1\n"
    assert "created the buttondown draft" in stderr
    (email,) = buttondown.emails.values()
    assert email.status == "draft" and buttondown.sent == []
    assert email.subject == "Some interesting things to read #4"
    markdown, _ = invoke(runner, "draft", *window())
    assert email.body == markdown.split("---\n", 2)[2].lstrip("\n")
    assert KEY not in stdout + stderr


def test_exporting_the_same_issue_again_updates_its_draft(
    runner: CliRunner, week: LoopbackServer, buttondown: FakeButtondown
) -> None:
    export(runner, "buttondown", KEY)
    invoke(runner, "edit", "2", "--title", "Bike lanes, retitled")
    stdout, stderr = export(runner, "buttondown", KEY)
    assert stdout == "https://buttondown.example/em_1\n" and "updated" in stderr
    assert list(buttondown.emails) == ["em_1"]
    assert "Bike lanes, retitled" in buttondown.emails["em_1"].body
    assert [r.method for r in buttondown.requests] == ["POST", "PATCH"]


def test_a_deleted_remote_draft_is_created_again(
    runner: CliRunner, week: LoopbackServer, buttondown: FakeButtondown
) -> None:
    export(runner, "buttondown", KEY)
    buttondown.emails.clear()
    stdout, _ = export(runner, "buttondown", KEY)
    assert stdout == "https://buttondown.example/em_1\n"
    assert [r.method for r in buttondown.requests] == ["POST", "PATCH", "POST"]


def test_a_bad_key_is_one_line_with_the_service_message_and_never_shown(
    runner: CliRunner, week: LoopbackServer, buttondown: FakeButtondown
) -> None:
    stdout, stderr = export(runner, "buttondown", "wrong-key-abcdef", code=1)
    assert stdout == ""
    assert stderr.count("\n") == 1 and "Buttondown: HTTP 401: Invalid token." in stderr
    assert "wrong-key-abcdef" not in stderr and buttondown.emails == {}


def test_the_key_comes_from_the_environment_only(
    runner: CliRunner, week: LoopbackServer, env: Path, buttondown: FakeButtondown
) -> None:
    _, stderr = export(runner, "buttondown", None, code=2)
    assert "set BUTTONDOWN_API_KEY in the environment" in stderr
    config = (env / "curator.toml").read_text()
    (env / "curator.toml").write_text(config + f'\n[export.buttondown.key]\nvalue = "{KEY}"\n')
    _, stderr = export(runner, "buttondown", KEY, code=2)
    assert "unknown key export.buttondown.key" in stderr and KEY not in stderr


def test_too_many_requests_waits_for_retry_after(
    runner: CliRunner, week: LoopbackServer, buttondown: FakeButtondown
) -> None:
    buttondown.busy = 2
    stdout, _ = export(runner, "buttondown", KEY)
    assert stdout == "https://buttondown.example/em_1\n"
    assert len(buttondown.requests) == 3 and len(buttondown.emails) == 1


def test_the_fake_buttondown_refuses_front_matter_and_sends_without_a_status(
    buttondown: FakeButtondown,
) -> None:
    """The rules the export must respect, checked on the fake itself."""
    assert buttondown._save({"body": "---\ntitle: x\n---\nHi"}, "em_9", 201)[0] == 400
    buttondown._save({"subject": "s", "body": "Hi"}, "em_9", 201)
    assert [email.id for email in buttondown.sent] == ["em_9"]


def test_ghost_gets_a_draft_post_holding_the_email_html_whole(
    runner: CliRunner, week: LoopbackServer, site: FakeGhost
) -> None:
    stdout, stderr = export(runner, "ghost", site.key)
    (post,) = site.posts.values()
    assert stdout == f"{site.base_url}/ghost/#/editor/post/{post.id}\n"
    assert post.status == "draft" and site.published == []
    assert post.title == "Some interesting things to read #4"
    assert post.html.startswith("<!--kg-card-begin: html-->\n<p")
    assert post.html.endswith("<!--kg-card-end: html-->")
    assert f'href="{week.url("/twitter_image")}"' in post.html and 'style="' in post.html
    assert "publishDate" not in post.html
    assert site.key.split(":")[1] not in stdout + stderr
    assert {r.headers["Accept-Version"] for r in site.requests} == {"v5.0"}


def test_ghost_reexport_updates_the_post_with_its_updated_at(
    runner: CliRunner, week: LoopbackServer, site: FakeGhost
) -> None:
    export(runner, "ghost", site.key)
    invoke(runner, "edit", "2", "--title", "Retitled for Ghost")
    _, stderr = export(runner, "ghost", site.key)
    assert "updated the ghost draft" in stderr
    (post,) = site.posts.values()
    assert "Retitled for Ghost" in post.html and post.status == "draft"
    assert [r.method for r in site.requests] == ["POST", "GET", "PUT"]


def test_ghost_refuses_a_token_signed_with_another_secret(
    runner: CliRunner, week: LoopbackServer, site: FakeGhost
) -> None:
    _, stderr = export(runner, "ghost", f"{site.key_id}:{'b2' * 32}", code=1)
    assert stderr.count("\n") == 1
    assert "Ghost: HTTP 401: UnauthorizedError: Invalid token: invalid signature" in stderr
    assert site.posts == {}


def test_a_malformed_ghost_key_is_refused_without_showing_it(
    runner: CliRunner, week: LoopbackServer, site: FakeGhost
) -> None:
    _, stderr = export(runner, "ghost", "not-a-key-zzz", code=2)
    assert "GHOST_ADMIN_API_KEY must be an Admin API key" in stderr
    assert "not-a-key-zzz" not in stderr and site.requests == []


def test_the_admin_token_is_a_five_minute_hs256_jwt_for_the_admin_audience(
    site: FakeGhost,
) -> None:
    now = datetime.now(UTC)
    token = ghost.admin_token(site.key, now)
    assert site._refuse_token(f"Ghost {token}") is None
    other = FakeGhost.__new__(FakeGhost)
    other.key_id, other.secret = "ffff", site.secret
    assert other._refuse_token(f"Ghost {token}") == "Unknown Admin API Key"


def test_an_unreachable_service_is_one_line_naming_it(site: FakeGhost) -> None:
    site.stop()

    async def go() -> None:
        async with Fetcher(FetchConfig(timeout=5)) as fetcher:
            await ghost.save_draft(
                fetcher,
                GhostConfig(url=site.base_url),
                site.key,
                title="t",
                html="<p>x</p>",
                remote_id=None,
                now=datetime.now(UTC),
            )

    with pytest.raises(ExportError, match=r"^Ghost: cannot connect"):
        asyncio.run(go())
