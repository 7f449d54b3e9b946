"""Helpers shared by several test files (fixtures stay in conftest.py)."""

from __future__ import annotations

import asyncio
import importlib.util
import queue
import re
import shlex
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

from curator.config import FetchConfig
from curator.errors import FetchError
from curator.http import Fetcher, Response

# The data files tests read: small ones written for these tests, never a corpus copy.
DATA = Path(__file__).parent / "data"
# `make demo`'s sample week, which the demo, browser and README tests all use.
SAMPLE = Path(__file__).parent.parent / "data" / "sample"
DEMO = SAMPLE / "demo.py"
# The clock of store-level tests: runs are given `now`, so tests never patch the clock.
NOW = datetime(2023, 12, 27, 9, 0, tzinfo=UTC)
# A hang guard, not a speed target: far above any healthy command on a loaded machine, and
# below pytest-timeout's 300 s, so that the test itself says which step hung.
HUNG_AFTER = 120.0
# Neither a zlib stream nor raw deflate. (Random bytes will not do: 0.5% of them decode.)
INVALID_DEFLATE = b"x\x9c" + b"\xff" * 16


def today() -> str:
    """Today's date in UTC, ISO: the day a link a test adds now was first seen."""
    return datetime.now(UTC).date().isoformat()


def recent_days() -> tuple[str, ...]:
    """`--since` yesterday `--until` today (UTC): a window holding the links the test has
    just added, even when it runs across midnight."""
    today = datetime.now(UTC).date()
    return ("--since", (today - timedelta(days=1)).isoformat(), "--until", today.isoformat())


def fetch_all(urls: list[str], config: FetchConfig) -> list[Response | FetchError]:
    """GET every URL through one Fetcher at once; each result is a Response or the error."""

    async def one(fetcher: Fetcher, url: str) -> Response | FetchError:
        try:
            return await fetcher.get(url)
        except FetchError as err:
            return err

    async def go() -> list[Response | FetchError]:
        async with Fetcher(config) as fetcher:
            return await asyncio.gather(*(one(fetcher, url) for url in urls))

    return asyncio.run(go())


def load_demo() -> ModuleType:
    """data/sample/demo.py as a module: its sample server and config writer."""
    spec = importlib.util.spec_from_file_location("sample_demo", DEMO)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def wait_until(condition: Callable[[], bool], what: str, seconds: float = HUNG_AFTER) -> None:
    """Poll `condition` until it holds; fail naming `what` if it never did within
    `seconds`, a bound generous enough for a loaded machine (a hang guard, not a speed
    target)."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"hung: still waiting after {seconds:g} s for {what}")
        time.sleep(0.05)


def run(
    args: Sequence[str], seconds: float = HUNG_AFTER, **options: Any
) -> subprocess.CompletedProcess[Any]:
    """subprocess.run(args, **options), killed and failed as hung past `seconds` (a hang
    guard, not a speed target)."""
    try:
        return subprocess.run(args, timeout=seconds, **options)
    except subprocess.TimeoutExpired:
        command = shlex.join(args)
        raise AssertionError(f"hung: {command} still running after {seconds:g} s") from None


def finish(process: subprocess.Popen[str], seconds: float = HUNG_AFTER) -> tuple[str, str]:
    """The (stdout, stderr) of a started process once it exits; killed and failed as hung
    past `seconds` (a hang guard, not a speed target)."""
    try:
        return process.communicate(timeout=seconds)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        command = shlex.join(map(str, process.args))
        raise AssertionError(f"hung: {command} still running after {seconds:g} s") from None


class Served:
    """A `curator serve` process: its URL, and every line it wrote on stderr."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.process = process
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        self.url = self._wait_for_url()

    def _read(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.lines.put(line)

    def _wait_for_url(self) -> str:
        deadline = time.monotonic() + HUNG_AFTER
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.5)
            except queue.Empty:
                if self.process.poll() is not None:
                    raise AssertionError(f"curator serve exited: {self.seen}") from None
                continue
            self.seen.append(line)
            if found := re.search(r"http://\S+/", line):
                return found[0]
        raise AssertionError(f"hung: curator serve printed no URL after {HUNG_AFTER:g} s")

    def stop(self) -> tuple[int, str]:
        """Ctrl-C, as a person stops it; the exit status and the rest of stderr."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=HUNG_AFTER)
        except subprocess.TimeoutExpired:
            self.process.kill()
            raise AssertionError(
                f"hung: curator serve still running {HUNG_AFTER:g} s after Ctrl-C"
            ) from None
        self.reader.join(HUNG_AFTER)
        while not self.lines.empty():
            self.seen.append(self.lines.get())
        return self.process.returncode, "".join(self.seen)


@contextmanager
def serving(*args: str) -> Iterator[Served]:
    """`curator [ARGS] serve` in a child process, stopped with Ctrl-C on the way out."""
    process = subprocess.Popen(
        [sys.executable, "-m", "curator", *args],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        served = Served(process)
    except BaseException:
        process.kill()
        process.communicate()
        raise
    try:
        yield served
    finally:
        served.stop()


def damaged_queue(db: Path, *, pages: int | None = None) -> bytes:
    """A queue of 300 links at `db` with `pages` of its 4 KB pages after the first (the
    header and schema, left whole) overwritten with zeros: by default every page but the
    first and the last. Returns the damaged file's bytes."""
    from curator.store import Store
    from curator.values import Candidate

    with Store(db) as store:
        store.add([Candidate(f"https://example.com/{i}", "manual") for i in range(300)], NOW)
    size = db.stat().st_size
    with db.open("r+b") as file:
        file.seek(4096)
        file.write(b"\0" * (4096 * pages if pages is not None else size - 8192))
    return db.read_bytes()
