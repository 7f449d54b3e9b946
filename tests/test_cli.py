"""The command line as users and scripts meet it: output, exit statuses, one-line errors."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from curator.cli import app
from curator.store import Store
from curator.values import Candidate, Metadata
from tests.cli import invoke
from tests.helpers import NOW


def listed(runner: CliRunner, *args: str) -> list[dict[str, object]]:
    stdout, _ = invoke(runner, "list", "--json", *args)
    return json.loads(stdout)  # type: ignore[no-any-return]


def test_init_add_list_gives_one_paper_and_one_clean_article(runner: CliRunner) -> None:
    invoke(runner, "init")
    _, stderr = invoke(
        runner,
        "add",
        "https://arxiv.org/pdf/2312.11514v2",
        "https://huggingface.co/papers/2312.11514",
        "https://www.theverge.com/2023/12/27/24016939/samsung?utm_source=rss",
    )
    assert "2 new, 1 already queued" in stderr
    paper, article = listed(runner)
    assert paper["kind"] == "paper"
    assert paper["url"] == "https://arxiv.org/abs/2312.11514"
    assert paper["key"] == "arxiv:2312.11514"
    assert [s["url"] for s in paper["sightings"]] == [  # type: ignore[union-attr,index]
        "https://arxiv.org/pdf/2312.11514v2",
        "https://huggingface.co/papers/2312.11514",
    ]
    assert article["kind"] == "link"
    assert article["url"] == "https://www.theverge.com/2023/12/27/24016939/samsung"
    assert article["canonical_url"] == "https://www.theverge.com/2023/12/27/24016939/samsung"


def test_list_json_has_the_contract_keys_and_nothing_else_on_stdout(runner: CliRunner) -> None:
    invoke(runner, "add", "https://example.com/a")
    stdout, _ = invoke(runner, "list", "--json")
    [item] = json.loads(stdout)
    for key in (
        "id",
        "url",
        "canonical_url",
        "kind",
        "title",
        "source",
        "summary",
        "status",
        "error",
    ):
        assert key in item
    assert item["status"] == "pending"


def test_adding_the_same_link_twice_says_so_and_keeps_both_sightings(runner: CliRunner) -> None:
    invoke(runner, "add", "https://example.com/a", "--note", "first")
    _, stderr = invoke(runner, "add", "https://example.com/a/?utm_source=x")
    assert "0 new, 1 already queued" in stderr
    [item] = listed(runner)
    assert [s["note"] for s in item["sightings"]] == ["first", None]  # type: ignore[union-attr,index]


def test_a_bad_url_argument_exits_2_with_one_line_and_adds_nothing(runner: CliRunner) -> None:
    _, stderr = invoke(runner, "add", "https://example.com/ok", "javascript:alert(1)", code=2)
    assert stderr.strip() == "curator: error: not an http(s) URL: javascript:alert(1)"
    assert listed(runner) == []


def test_add_file_reports_bad_lines_by_number_and_adds_the_rest(
    runner: CliRunner, tmp_path: Path
) -> None:
    path = tmp_path / "links.txt"
    path.write_text(
        "# reading list\n\nhttps://example.com/one\nnot a url\nhttps://example.com/two\n"
        "ftp://example.com/file\n"
    )
    _, stderr = invoke(runner, "add", "--file", str(path))
    assert "line 4:" in stderr and "line 6:" in stderr
    assert "2 new, 0 already queued, 2 bad lines skipped" in stderr
    assert [item["url"] for item in listed(runner)] == [
        "https://example.com/one",
        "https://example.com/two",
    ]


def test_add_reads_urls_from_stdin(runner: CliRunner) -> None:
    invoke(runner, "add", "--file", "-", input="https://example.com/x\narxiv:2312.13558\n")
    assert {item["kind"] for item in listed(runner)} == {"link", "paper"}


def test_db_option_and_environment_choose_the_database(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    invoke(runner, "--db", str(tmp_path / "other.db"), "add", "https://example.com/a")
    assert (tmp_path / "other.db").exists()
    _, stderr = invoke(runner, "list", code=2)
    assert f"no database at {tmp_path / 'curator.db'}" in stderr
    monkeypatch.setenv("CURATOR_DB", str(tmp_path / "other.db"))
    assert len(listed(runner)) == 1


def test_init_refuses_to_overwrite(runner: CliRunner, env: Path) -> None:
    invoke(runner, "init")
    (env / "curator.toml").write_text("# mine\n")
    _, stderr = invoke(runner, "init", code=2)
    assert "already exists" in stderr
    assert (env / "curator.toml").read_text() == "# mine\n"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[fetch\n", "invalid TOML"),
        ("[fetch]\ntimeout = 'x'\n", "fetch.timeout must be a number"),
        ("[fetchh]\n", "unknown key fetchh"),
    ],
)
def test_a_broken_config_exits_2_with_one_line(
    runner: CliRunner, env: Path, text: str, message: str
) -> None:
    (env / "curator.toml").write_text(text)
    stdout, stderr = invoke(runner, "list", code=2)
    assert stdout == ""
    assert stderr.count("\n") == 1 and message in stderr
    assert "curator.toml" in stderr and "Traceback" not in stderr


def test_a_missing_config_named_explicitly_is_an_error(runner: CliRunner, env: Path) -> None:
    _, stderr = invoke(runner, "--config", str(env / "nope.toml"), "list", code=2)
    assert "nope.toml: no such file" in stderr


def test_collect_without_a_config_says_how_to_make_one(
    runner: CliRunner,
) -> None:
    _, stderr = invoke(runner, "collect", code=2)
    assert "curator init" in stderr


def test_unknown_command_and_bad_option_exit_2(runner: CliRunner) -> None:
    assert runner.invoke(app, ["frobnicate"]).exit_code == 2
    assert runner.invoke(app, ["list", "--colour"]).exit_code == 2
    _, stderr = invoke(runner, "list", "--status", "wat", code=2)
    assert "--status must be one of" in stderr


def test_every_command_explains_itself_with_an_example(runner: CliRunner) -> None:
    stdout, _ = invoke(runner, "--help")
    commands = [
        "init",
        "add",
        "import",
        "list",
        "collect",
        "enrich",
        "sources",
        "draft",
        "publish",
        "pick",
        "skip",
        "feature",
        "reset",
        "edit",
    ]
    for command in commands:
        assert command in stdout
        help_text, _ = invoke(runner, command, "--help")
        assert "Example: curator" in help_text, command


def test_no_arguments_shows_help_and_version_prints(runner: CliRunner) -> None:
    result = runner.invoke(app, [])
    assert "Usage:" in result.output and "collect" in result.output
    stdout, _ = invoke(runner, "--version")
    assert stdout.startswith("curator ")


@pytest.mark.slow
def test_the_installed_console_script_runs_the_contract(env: Path) -> None:
    script = shutil.which("curator", path=str(Path(sys.executable).parent))
    assert script, "pip install -e . provides the curator script"
    environ = {**os.environ, "CURATOR_DB": str(env / "q.db")}

    def curator(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [script, *args], capture_output=True, text=True, env=environ, cwd=env, timeout=60
        )

    assert curator("init").returncode == 0
    assert (
        curator("add", "https://arxiv.org/abs/2312.11514", "https://example.com/a").returncode == 0
    )
    result = curator("list", "--json")
    assert result.returncode == 0
    assert len(json.loads(result.stdout)) == 2
    bad = curator("add", "file:///etc/passwd")
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    module = subprocess.run(
        [sys.executable, "-m", "curator", "--version"], capture_output=True, text=True, check=True
    )
    assert module.stdout.startswith("curator ")


def test_help_shows_plain_placeholders_not_type_names(runner: CliRunner) -> None:
    stdout, _ = invoke(runner, "--help")
    commands = [line.split()[0] for line in stdout.split("Commands:")[1].splitlines() if line]
    for command in commands:
        help_text, _ = invoke(runner, command, "--help")
        assert "<" not in help_text and "{" not in help_text, (command, help_text)
        assert "Usage:" in help_text


def test_publish_records_the_issue_even_when_the_template_is_broken(
    runner: CliRunner, env: Path
) -> None:
    with Store(env / "curator.db") as store:
        [link_id] = store.add([Candidate("https://example.com/a", "manual")], NOW).new_ids
        store.mark_enriched(link_id, Metadata(title="A", summary="S.", label="Ex"), NOW)
    (env / "mine.md.j2").write_text("# {{ titel }}\n")
    (env / "curator.toml").write_text('[draft]\ntemplate = "mine.md.j2"\n')
    _, stderr = invoke(runner, "draft", "--since", "2023-12-01", code=2)
    assert "titel" in stderr
    _, stderr = invoke(runner, "publish", "--since", "2023-12-01")
    assert stderr == "published issue #1\n"
    [link] = listed(runner)
    assert link["published_in"] == 1


def test_list_help_names_exactly_the_statuses_list_accepts(runner: CliRunner) -> None:
    from curator.cli.queue import STATUSES_HELP
    from curator.store import STATUSES

    assert STATUSES_HELP.split(", ") == list(STATUSES)
    help_text, _ = invoke(runner, "list", "--help")
    assert " ".join(help_text.split()).count(STATUSES_HELP) == 1
