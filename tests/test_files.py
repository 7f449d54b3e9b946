"""Files written whole or not at all (issue 12, item 7), on a disk that is really full.

A full disk is a 16 KB tmpfs filled to the last page (mounting needs root, as the suite
runs here; elsewhere those tests skip), and, everywhere, a write past RLIMIT_FSIZE, which
fails with EFBIG once SIGXFSZ is ignored.
"""

from __future__ import annotations

import errno
import os
import resource
import shutil
import signal
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from curator.errors import UsageError, WriteError
from curator.files import write_atomically
from curator.store import Store
from tests.cli import invoke
from tests.helpers import DATA, run

HAND_EDITED = ("My own intro, written by hand.\n" * 140).encode()  # about 4 KB


@pytest.fixture
def full_disk(tmp_path: Path) -> Iterator[Path]:
    """A 16 KB tmpfs holding draft.md (the author's 4 KB) and a filler up to the last byte."""
    disk = tmp_path / "disk"
    disk.mkdir()
    if shutil.which("mount") is None:
        pytest.skip("no mount command here")
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=16k", "tmpfs", str(disk)], capture_output=True
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        (disk / "draft.md").write_bytes(HAND_EDITED)
        _fill(disk / "filler")
        yield disk
    finally:
        subprocess.run(["umount", "-l", str(disk)], capture_output=True)


def _fill(path: Path) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT)
    try:
        while True:
            os.write(fd, b"x" * 512)
    except OSError as err:
        assert err.errno == errno.ENOSPC
    finally:
        os.close(fd)


@pytest.fixture
def queue(env: Path) -> None:
    """An empty queue: `draft` reads one, and never creates it."""
    Store(env / "curator.db").close()


def errors(stderr: str) -> list[str]:
    """What stderr says besides the draft check's warnings."""
    return [line for line in stderr.splitlines() if not line.startswith("warning: ")]


@pytest.mark.usefixtures("queue")
def test_draft_out_on_a_full_disk_keeps_the_old_draft_and_says_why_in_one_line(
    runner: CliRunner, full_disk: Path
) -> None:
    target = full_disk / "draft.md"
    _, stderr = invoke(runner, "draft", "--out", str(target), code=1)
    assert errors(stderr) == [f"curator: error: cannot write {target}: No space left on device"]
    assert target.read_bytes() == HAND_EDITED
    assert sorted(os.listdir(full_disk)) == ["draft.md", "filler"]


def test_import_on_a_full_disk_keeps_the_config_as_it_was(
    runner: CliRunner, full_disk: Path
) -> None:
    config = full_disk / "curator.toml"
    os.rename(full_disk / "draft.md", config)  # the same 4 KB: a comment-only config
    config.write_bytes(b"# " + HAND_EDITED.replace(b"\n", b"\n# ")[:-2])
    before = config.read_bytes()
    _, stderr = invoke(
        runner, "--config", str(config), "import", str(DATA / "import" / "feeds.opml"), code=1
    )
    assert errors(stderr) == [f"curator: error: cannot write {config}: No space left on device"]
    assert config.read_bytes() == before
    assert sorted(os.listdir(full_disk)) == ["curator.toml", "filler"]


def test_init_on_a_full_disk_leaves_no_half_written_config(
    runner: CliRunner, full_disk: Path
) -> None:
    config = full_disk / "curator.toml"
    _, stderr = invoke(runner, "--config", str(config), "init", code=1)
    assert errors(stderr) == [f"curator: error: cannot write {config}: No space left on device"]
    assert sorted(os.listdir(full_disk)) == ["draft.md", "filler"]


def _limit_file_size() -> None:
    resource.setrlimit(resource.RLIMIT_FSIZE, (2048, 2048))
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # write(2) then fails with EFBIG


def test_opml_export_past_the_file_size_limit_keeps_the_old_export(tmp_path: Path) -> None:
    feeds = "".join(f'[[feed]]\nurl = "https://site{i}.example/feed.xml"\n' for i in range(60))
    (tmp_path / "curator.toml").write_text(feeds)
    target = tmp_path / "feeds.opml"
    target.write_bytes(b"<opml>the export a feed reader reads</opml>\n")
    done = run(
        [sys.executable, "-m", "curator", "sources", "--opml", "--out", str(target)],
        capture_output=True,
        text=True,
        preexec_fn=_limit_file_size,
    )
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr == f"curator: error: cannot write {target}: File too large\n"
    assert target.read_bytes() == b"<opml>the export a feed reader reads</opml>\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["curator.toml", "feeds.opml"]


def test_opml_export_writes_the_file_it_is_given(runner: CliRunner, env: Path) -> None:
    (env / "curator.toml").write_text('[[feed]]\nurl = "https://a.example/feed.xml"\n')
    stdout, stderr = invoke(runner, "sources", "--opml", "--out", "feeds.opml")
    assert stdout == ""
    assert 'xmlUrl="https://a.example/feed.xml"' in (env / "feeds.opml").read_text()
    assert stderr == "wrote feeds.opml\n"


def test_out_without_opml_is_bad_usage(runner: CliRunner, env: Path) -> None:
    (env / "curator.toml").write_text("")
    _, stderr = invoke(runner, "sources", "--out", "feeds.opml", code=2)
    assert stderr == "curator: error: --out goes with --opml\n"


@pytest.mark.usefixtures("queue")
def test_a_folder_as_the_draft_target_is_bad_usage(runner: CliRunner, env: Path) -> None:
    (env / "drafts").mkdir()
    _, stderr = invoke(runner, "draft", "--out", "drafts", code=2)
    assert errors(stderr) == ["curator: error: cannot write drafts: Is a directory"]
    assert os.listdir(env / "drafts") == []


@pytest.mark.usefixtures("queue")
def test_a_file_in_place_of_the_folder_is_bad_usage(runner: CliRunner, env: Path) -> None:
    (env / "drafts").write_text("not a folder")
    _, stderr = invoke(runner, "draft", "--out", "drafts/next.md", code=2)
    assert errors(stderr) == ["curator: error: cannot write drafts/next.md: Not a directory"]


@pytest.mark.usefixtures("queue")
def test_missing_folders_are_created(runner: CliRunner, env: Path) -> None:
    invoke(runner, "draft", "--out", "drafts/2023/next.md")
    assert (env / "drafts" / "2023" / "next.md").read_text().startswith("---\n")


def test_a_replaced_file_keeps_its_permissions(tmp_path: Path) -> None:
    target = tmp_path / "curator.toml"
    target.write_text("old")
    target.chmod(0o640)
    write_atomically(target, "new")
    assert (target.read_text(), stat.S_IMODE(target.stat().st_mode)) == ("new", 0o640)


def test_a_new_file_gets_the_usual_permissions(tmp_path: Path) -> None:
    umask = os.umask(0o022)
    try:
        write_atomically(tmp_path / "new.md", "text")
    finally:
        os.umask(umask)
    assert stat.S_IMODE((tmp_path / "new.md").stat().st_mode) == 0o644


def test_a_symbolic_link_keeps_pointing_at_the_file_it_named(tmp_path: Path) -> None:
    (tmp_path / "dotfiles").mkdir()
    real = tmp_path / "dotfiles" / "curator.toml"
    real.write_text("old")
    (tmp_path / "curator.toml").symlink_to(real)
    write_atomically(tmp_path / "curator.toml", "new")
    assert (tmp_path / "curator.toml").is_symlink()
    assert real.read_text() == "new"


def test_text_is_written_as_utf8_bytes_without_newline_translation(tmp_path: Path) -> None:
    write_atomically(tmp_path / "a.toml", 'name = "Café"\r\n')
    assert (tmp_path / "a.toml").read_bytes() == 'name = "Café"\r\n'.encode()


def test_io_failures_and_bad_paths_raise_the_errors_the_cli_maps(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="Is a directory"):
        write_atomically(tmp_path, "text")
    done = run(
        [sys.executable, "-c", "from pathlib import Path; from curator.files import "
         f"write_atomically; write_atomically(Path({str(tmp_path / 'big')!r}), 'x' * 5000)"],
        capture_output=True, text=True, preexec_fn=_limit_file_size,
    )  # fmt: skip
    assert f"{WriteError.__module__}.WriteError: cannot write" in done.stderr
    assert sorted(os.listdir(tmp_path)) == []
