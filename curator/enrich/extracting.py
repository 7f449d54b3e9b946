"""Page extraction in forked worker processes, each page bounded in CPU time (issue 12).

A worker extracts one page at a time, so a page that uses up its CPU time, or crashes its
worker, fails alone: the parent knows which page the worker had, records that one, forks
a replacement, and the pages in the other workers go on. (ProcessPoolExecutor cannot do
this: one dead worker breaks the pool and fails every page in it.)
"""

from __future__ import annotations

import asyncio
import gc
import math
import os
import resource
import signal
import socket
import threading
import time
from collections.abc import Mapping
from multiprocessing.connection import Connection
from types import FrameType, TracebackType
from typing import Any, NoReturn

from curator.enrich.maintext import main_text
from curator.enrich.pages import extract_page
from curator.errors import ExtractionError, FetchError
from curator.values import Metadata

# CPU seconds one page may use (RLIMIT_CPU, whole seconds); the measured cost of a heavy
# real page is under 2 s.
CPU_SECONDS = 10
# A worker that answers nothing for this long is killed: it is stuck where the CPU limit
# cannot reach (no CPU used, or a C call that never returns to Python).
WALL_SECONDS = 120.0
WORKER_NICENESS = 10
WARM_UP_PAGE = (
    b"<html><head><title>Warm-up</title><meta name=description content='Warm-up.'></head>"
    b"<body><article><p>A paragraph to extract.</p></article></body></html>"
)
_OVER_CPU = 3  # a worker's exit status after SIGXCPU

# What a worker does with a page: extract_page (METADATA) or main_text (MAIN_TEXT), with
# the body, the URL, the content type and that function's fourth argument.
METADATA = "metadata"
MAIN_TEXT = "main text"
Job = tuple[str, bytes, str, str, Any]
Answer = Metadata | str | FetchError


class Extractors:
    """At most `size` workers. Use as `with Extractors(n) as pool: await pool.extract(...)`;
    leaving the block kills every worker."""

    def __init__(self, size: int) -> None:
        self._size = max(size, 1)
        self._workers: set[_Worker] = set()
        self._idle: asyncio.Queue[_Worker] = asyncio.Queue()

    def __enter__(self) -> Extractors:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        for worker in self._workers:
            worker.end()

    def start_all(self) -> None:
        """Fork every worker now, so that each imports trafilatura and warms its caches
        while the first requests are still in flight."""
        while len(self._workers) < self._size:
            self._idle.put_nowait(self._start())

    async def extract(
        self, body: bytes, url: str, content_type: str, labels: Mapping[str, str]
    ) -> Metadata:
        """extract_page in a worker; ExtractionError when the page was too costly or
        crashed the worker, and every other error of the page as its FetchError."""
        answer = await self._run((METADATA, body, url, content_type, dict(labels)))
        assert isinstance(answer, Metadata)
        return answer

    async def main_text(self, body: bytes, url: str, content_type: str, limit: int) -> str:
        """main_text in a worker, failing as `extract` does (issue 20)."""
        answer = await self._run((MAIN_TEXT, body, url, content_type, limit))
        assert isinstance(answer, str)
        return answer

    async def _run(self, job: Job) -> Metadata | str:
        if self._idle.empty() and len(self._workers) < self._size:
            self._idle.put_nowait(self._start())
        worker = await self._idle.get()
        url = job[2]
        try:
            answer = await asyncio.wait_for(asyncio.to_thread(worker.ask, job), WALL_SECONDS)
        except TimeoutError:
            worker.end()
            answer = ExtractionError(url, ExtractionError.TOO_LARGE)
        except BaseException:  # cancelled: nobody would read the worker's answer
            worker.end()
            self._workers.discard(worker)
            raise
        self._idle.put_nowait(worker if worker.is_alive else self._replace(worker))
        if isinstance(answer, FetchError):
            raise answer
        return answer

    def _start(self) -> _Worker:
        worker = _Worker()
        self._workers.add(worker)
        return worker

    def _replace(self, dead: _Worker) -> _Worker:
        self._workers.discard(dead)
        return self._start()


class _Worker:
    """One forked process and the socket to it. `ask` runs in a thread; `end` may be
    called from another at the same time, hence the lock."""

    def __init__(self) -> None:
        parent_end, child_end = socket.socketpair()
        parent = os.getpid()
        pid = os.fork()
        if pid == 0:
            parent_end.close()
            _worker_main(Connection(child_end.detach()), parent)
        child_end.close()
        self.pid = pid
        self._conn = Connection(parent_end.detach())
        self._lock = threading.Lock()
        self._status: int | None = None  # the wait status, once reaped

    @property
    def is_alive(self) -> bool:
        return self._status is None

    def ask(self, job: Job) -> Answer:
        try:
            self._conn.send(job)
            answer: Answer = self._conn.recv()
            return answer
        except (EOFError, OSError):  # the worker died on this page
            status = self.end()
            over_cpu = os.WIFEXITED(status) and os.WEXITSTATUS(status) == _OVER_CPU
            reason = ExtractionError.TOO_LARGE if over_cpu else ExtractionError.CRASHED
            return ExtractionError(job[2], reason)

    def end(self) -> int:
        """Kill the worker unless it is already reaped (its pid could be reused); return
        its wait status. A worker that already died keeps the status it died with."""
        with self._lock:
            if self._status is None:
                os.kill(self.pid, signal.SIGKILL)
                self._status = os.waitpid(self.pid, 0)[1]
                self._conn.close()
            return self._status


def _worker_main(conn: Connection, parent: int) -> NoReturn:
    """A worker's whole life: it never returns into the parent's code it was forked from."""
    status = 1
    try:
        _settle(conn.fileno(), parent)
        extract_page(WARM_UP_PAGE, "http://localhost/", "text/html", {})
        while True:
            try:
                job: Job = conn.recv()
            except EOFError:  # the parent is done
                break
            _limit_cpu(CPU_SECONDS)
            conn.send(_answer(*job))
        status = 0
    finally:
        os._exit(status)


def _settle(keep: int, parent: int) -> None:
    """Leave the parent's resources alone and yield the CPU to its event loop.

    The parent's sockets and database stay open in a forked child, so a connection the
    parent closes would not end; they are closed here, and the parent's objects are never
    garbage-collected here (gc.freeze), so none can close a descriptor reused since. Signal
    wake-ups went to the parent's event loop. Extraction is throughput work and fetching is
    latency work: nice 10 keeps a response from waiting for the loop with a slot idle.
    """
    gc.freeze()
    signal.set_wakeup_fd(-1)
    os.closerange(3, keep)
    os.closerange(keep + 1, os.sysconf("SC_OPEN_MAX"))
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's: it ends workers
    signal.signal(signal.SIGXCPU, _over_cpu)
    os.nice(WORKER_NICENESS)
    threading.Thread(target=_watch, args=(parent,), daemon=True).start()


def _watch(parent: int) -> None:
    """End with the parent: a killed `curator` must not leave workers behind."""
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(0)


def _limit_cpu(seconds: int) -> None:
    """SIGXCPU once this process has used `seconds` more of CPU time. RLIMIT_CPU counts
    the process's whole life, so the limit moves up before every page."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    soft = math.ceil(usage.ru_utime + usage.ru_stime) + seconds
    hard = resource.getrlimit(resource.RLIMIT_CPU)[1]
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))


def _over_cpu(signum: int, frame: FrameType | None) -> None:
    os._exit(_OVER_CPU)  # SIGXCPU's default action would also dump core


def _answer(task: str, body: bytes, url: str, content_type: str, argument: Any) -> Answer:
    """What `task` makes of the page, or why it makes nothing.

    The worker is where one page is kept from all others (issue 12), so a parser that
    fails on this page's input, in a way curator does not name, fails this page only.
    """
    try:
        if task == MAIN_TEXT:
            return main_text(body, url, content_type, argument)
        return extract_page(body, url, content_type, argument)
    except FetchError as err:
        return err
    except RecursionError:
        return ExtractionError(url, ExtractionError.TOO_DEEP)
    except MemoryError:
        return ExtractionError(url, ExtractionError.TOO_LARGE)
    except Exception as err:  # the isolation boundary described above
        return ExtractionError(url, f"extraction failed ({type(err).__name__})")
