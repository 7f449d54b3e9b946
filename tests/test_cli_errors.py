"""What the author sees when something is not a bug (issue 14, items 5, 6, 7 and 9): one
line on stderr and the right exit status, never a crash log, never a database made by a
command that only reads."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from curator.store import Store
from curator.values import Candidate
from tests.cli import invoke
from tests.helpers import NOW, damaged_queue
from tests.server import LoopbackServer

NO_DATABASE = "no database at {}: start one with `curator init` or `curator add URL`"
LONG_URL = "https://example.com/" + "a-very-long-path-segment/" * 8 + "end"


def curator(*args: str, env: Path) -> list[str]:
    """The console script's command line, run with the test's database."""
    return [str(Path(sys.executable).with_name("curator")), "--db", str(env / "q.db"), *args]


def run_with_reader_gone(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run `args` with a stdout pipe whose reading end is closed before curator writes,
    as `| head -1` leaves it: every write gets EPIPE."""
    read, write = os.pipe()
    os.close(read)
    try:
        return subprocess.run(
            args, stdout=write, stderr=subprocess.PIPE, text=True, cwd=cwd, timeout=120
        )
    finally:
        os.close(write)


def one_line(stderr: str) -> str:
    assert stderr.count("\n") == 1, stderr
    assert "Traceback" not in stderr and "internal error" not in stderr, stderr
    return stderr.strip()


# -- item 5: broken pipes, unwritable targets, bad values -----------------------------------


@pytest.mark.slow
@pytest.mark.parametrize(
    "command", [["list"], ["list", "--json"], ["draft", "--since", "2023-12-01"], ["sources"]]
)
def test_a_reader_that_hangs_up_ends_curator_quietly(env: Path, command: list[str]) -> None:
    (env / "curator.toml").write_text('[[feed]]\nurl = "https://example.com/feed.xml"\n')
    with Store(env / "q.db") as store:
        store.add([Candidate(f"https://example.com/{i}", "manual") for i in range(50)], NOW)
    done = run_with_reader_gone(curator(*command, env=env), env)
    assert done.returncode == 0, done.stderr
    assert "error" not in done.stderr  # the draft's own warnings may come before


@pytest.mark.parametrize(
    ("target", "reason"),
    [
        ("missing/dir/{}", None),  # created: a missing folder is fine
        ("/proc/curator-test/y.md", "No such file or directory"),
        ("{}", "Is a directory"),
        ("", "Is a directory"),
    ],
)
def test_draft_out_to_a_path_that_cannot_be_written_exits_2_naming_it(
    runner: CliRunner, env: Path, target: str, reason: str | None
) -> None:
    invoke(runner, "add", "https://example.com/a")
    out = target.format(env)
    if reason is None:
        invoke(runner, "draft", "--out", out)
        assert (env / out).read_text().startswith("---")
        return
    _, stderr = invoke(runner, "draft", "--out", out, code=2)
    assert "internal error" not in stderr  # the lines before are the draft's warnings
    assert stderr.splitlines()[-1] == f"curator: error: cannot write {Path(out)}: {reason}"


def test_init_into_a_folder_that_cannot_exist_exits_2_naming_the_file(
    runner: CliRunner,
) -> None:
    config = "/proc/curator-test/curator.toml"
    _, stderr = invoke(runner, "--config", config, "init", code=2)
    assert one_line(stderr) == f"curator: error: cannot write {config}: No such file or directory"


def test_a_non_numeric_id_exits_2_with_one_line(runner: CliRunner) -> None:
    invoke(runner, "add", "https://example.com/a")
    _, stderr = invoke(runner, "pick", "1", "x", code=2)
    line = one_line(stderr)
    assert line.startswith("curator: error: Invalid value for 'ID'")
    assert line.endswith("(see curator pick --help)")


def test_a_date_that_does_not_exist_exits_2_with_one_line(runner: CliRunner) -> None:
    invoke(runner, "add", "https://example.com/a")
    _, stderr = invoke(runner, "draft", "--date", "2026-13-01", code=2)
    line = one_line(stderr)
    assert "'--date'" in line and "2026-13-01" in line


def test_stderr_lines_are_not_wrapped_however_narrow_the_terminal(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "40")
    bad = "ftp" + LONG_URL.removeprefix("https")
    _, stderr = invoke(runner, "add", LONG_URL, bad, code=2)
    assert one_line(stderr) == f"curator: error: not an http(s) URL: {bad}"
    Path("urls.txt").write_text(f"{LONG_URL}\n{bad}\n")
    _, stderr = invoke(runner, "add", "--file", "urls.txt")
    assert stderr.splitlines()[0] == f"line 2: not an http(s) URL: {bad}"


# -- item 6: databases appear only where asked ----------------------------------------------


@pytest.mark.parametrize(
    "command",
    [["list"], ["list", "--json"], ["draft"], ["enrich"], ["pick", "1"], ["publish"]],
)
def test_a_command_that_does_not_add_links_never_creates_a_database(
    runner: CliRunner, env: Path, command: list[str]
) -> None:
    db = env / "nonexistent" / "dir" / "x.db"
    _, stderr = invoke(runner, "--db", str(db), *command, code=2)
    assert one_line(stderr).startswith("curator: error: " + NO_DATABASE.format(db))
    assert not (env / "nonexistent").exists()


def test_sources_on_a_missing_database_says_how_to_start_one(runner: CliRunner, env: Path) -> None:
    (env / "curator.toml").write_text('[[feed]]\nurl = "https://example.com/feed.xml"\n')
    _, stderr = invoke(runner, "sources", code=2)
    assert NO_DATABASE.format(env / "curator.db") in one_line(stderr)
    assert not (env / "curator.db").exists()


def test_init_and_add_start_a_database_that_list_then_reads(runner: CliRunner, env: Path) -> None:
    invoke(runner, "init")
    assert invoke(runner, "list", "--json")[0] == "[]\n"
    invoke(runner, "--db", "other/x.db", "add", "https://example.com/a")
    assert json.loads(invoke(runner, "--db", "other/x.db", "list", "--json")[0])[0]["id"] == 1


@pytest.mark.parametrize(
    "command", [["list"], ["draft"], ["add", "https://example.com/b"], ["pick", "1"], ["init"]]
)
def test_an_empty_file_is_refused_by_every_command(
    runner: CliRunner, env: Path, command: list[str]
) -> None:
    (env / "curator.db").write_bytes(b"")
    _, stderr = invoke(runner, *command, code=1)
    assert one_line(stderr) == (
        f"curator: error: {env / 'curator.db'}: the file is empty, not a curator database"
    )
    assert (env / "curator.db").read_bytes() == b""


def test_a_file_that_is_not_a_database_is_refused_and_left_alone(
    runner: CliRunner, env: Path
) -> None:
    (env / "curator.db").write_text("my notes\n")
    for command in (["list"], ["add", "https://example.com/b"]):
        _, stderr = invoke(runner, *command, code=1)
        assert "not a curator database" in one_line(stderr)
    assert (env / "curator.db").read_text() == "my notes\n"


def test_a_partly_overwritten_database_is_refused_by_commands_that_write(
    runner: CliRunner, env: Path
) -> None:
    db = env / "curator.db"
    damaged = damaged_queue(db)
    for command in (["add", "https://example.com/new"], ["pick", "3"], ["skip", "1"]):
        _, stderr = invoke(runner, *command, code=1)
        assert one_line(stderr).startswith(f"curator: error: {db}: ")
    assert db.read_bytes() == damaged


def test_curator_config_naming_a_missing_file_is_the_same_error_as_the_option(
    runner: CliRunner, env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    invoke(runner, "add", "https://example.com/a")
    _, by_option = invoke(runner, "--config", "missing.toml", "draft", code=2)
    monkeypatch.setenv("CURATOR_CONFIG", "missing.toml")
    _, by_environment = invoke(runner, "draft", code=2)
    assert one_line(by_environment) == one_line(by_option)
    assert "missing.toml: no such file" in by_option


# -- item 7: cron can tell -----------------------------------------------------------------


def write_feeds(env: Path, server: LoopbackServer, paths: list[str]) -> None:
    lines = ["[fetch]", "timeout = 5", "max_attempts = 1"]
    for path in paths:
        lines += ["[[feed]]", f'name = "{path}"', f'url = "{server.url(path)}"']
    (env / "curator.toml").write_text("\n".join(lines) + "\n")


RSS = (
    "<?xml version='1.0'?><rss version='2.0'><channel><title>T</title>"
    "<item><title>One</title><link>https://example.com/one</link></item></channel></rss>"
)


def test_collect_exits_1_when_every_source_failed_and_says_so_last(
    runner: CliRunner, env: Path, server: LoopbackServer
) -> None:
    server.add("/gone.rss", "gone", status=404)
    server.add("/broken.rss", "oops", status=500)
    write_feeds(env, server, ["/gone.rss", "/broken.rss"])
    _, stderr = invoke(runner, "collect", "--no-enrich", code=1)
    assert stderr.splitlines()[-1] == "every source failed (2): nothing was collected"


def test_collect_exits_0_when_one_source_worked(
    runner: CliRunner, env: Path, server: LoopbackServer
) -> None:
    server.add("/gone.rss", "gone", status=404)
    server.add("/ok.rss", RSS, content_type="application/rss+xml")
    write_feeds(env, server, ["/gone.rss", "/ok.rss"])
    _, stderr = invoke(runner, "collect", "--no-enrich")
    assert stderr.splitlines()[-1] == "1 of 2 sources failed"


# -- item 9: the small ones ----------------------------------------------------------------


def test_importing_a_binary_file_exits_2_with_one_line(runner: CliRunner, env: Path) -> None:
    (env / "photo.jpg").write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) * 8)
    for command in (["import", "photo.jpg"], ["add", "--file", "photo.jpg"]):
        _, stderr = invoke(runner, *command, code=2)
        assert one_line(stderr) == (
            "curator: error: photo.jpg: a binary file, not OPML, bookmarks or a list of URLs"
        )


def test_sources_json_gives_last_fetched_in_iso_8601_utc(
    runner: CliRunner, env: Path, server: LoopbackServer
) -> None:
    server.add("/ok.rss", RSS, content_type="application/rss+xml")
    write_feeds(env, server, ["/ok.rss"])
    invoke(runner, "collect", "--no-enrich")
    [row] = json.loads(invoke(runner, "sources", "--json")[0])
    fetched = row["last_fetched"]
    assert fetched[10] == "T" and fetched.endswith("+00:00"), fetched
