"""Ids the author saw stay meaningful: a merged link's id is never reused (issue 12)."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from tests.cli import invoke
from tests.helpers import DATA
from tests.server import LoopbackServer


def _merge_a_short_link(runner: CliRunner, env: Path, server: LoopbackServer) -> None:
    """Link 1 is an article, link 2 a short link to it that enrichment merges into 1."""
    (env / "curator.toml").write_text("[fetch]\ntimeout = 5\n")
    article = server.add("/robots", (DATA / "pages" / "with_og_site_name.html").read_bytes())
    short = server.add("/s/x1", status=301, headers={"Location": "/robots"})
    invoke(runner, "add", article)
    invoke(runner, "add", short)
    invoke(runner, "enrich")


def test_a_command_given_a_merged_id_says_where_the_link_went(
    runner: CliRunner, env: Path, server: LoopbackServer
) -> None:
    _merge_a_short_link(runner, env, server)
    invoke(runner, "add", server.url("/unrelated"))
    for command in (["feature", "2"], ["skip", "2"], ["edit", "2", "--title", "Mine"]):
        _, stderr = invoke(runner, *command, code=2)
        assert stderr == "curator: error: link 2 was merged into 1 (see `curator list`)\n"
    listed = json.loads(invoke(runner, "list", "--json")[0])
    assert [(item["id"], item["decision"], item["user_title"]) for item in listed] == [
        (1, None, None),
        (3, None, None),
    ]


def test_merged_and_unknown_ids_are_named_in_one_line(
    runner: CliRunner, env: Path, server: LoopbackServer
) -> None:
    _merge_a_short_link(runner, env, server)
    _, stderr = invoke(runner, "pick", "1", "2", "9", code=2)
    assert stderr == (
        "curator: error: link 2 was merged into 1; no link with id 9 (see `curator list`)\n"
    )
    invoke(runner, "pick", "1")
