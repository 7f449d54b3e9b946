"""`make bench`: curator's speed beside the baseline a user would otherwise have.

Runs the real `curator` command as a whole process against loopback servers (127.0.0.2-9,
100 ms latency per response) and prints one Markdown table: every figure with its baseline
from the same run and the ratio between them. Exit status 1 when a target is missed.

    python -m tests.bench.run            # the full sizes (under 5 minutes)
    python -m tests.bench.run --small    # tiny sizes, to check the harness still works
    python -m tests.bench.run --only serve --only team   # some sections only
"""

from __future__ import annotations

import argparse
import html
import math
import os
import platform
import random
import re
import resource
import signal
import sqlite3
import ssl
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import trustme

from tests.bench.content import WORDS, arxiv_answer, feed, page, page_size, sentence
from tests.bench.servers import Hosts

HERE = Path(__file__).parent
CURATOR = str(Path(sys.executable).with_name("curator"))
ADDRESSES = [f"127.0.0.{i}" for i in range(2, 10)]
LATENCY = 0.1
CONCURRENCY, PER_HOST = 16, 4
SHORT_PAGE = 12_000  # bytes: a short post, with the head and navigation of an article page
ARXIV_RULE = 3.0  # arXiv's terms: one request every three seconds


@dataclass(frozen=True)
class Sizes:
    pages: int
    naive_pages: int
    papers: int
    arxiv_delay: float
    feeds: int
    entries: int
    draft_links: tuple[int, int]
    many_hosts: int  # the many-hosts enrichment case spreads the pages over this many
    repeats: int  # whole-process timings that are short take the best of this many runs
    queue: int  # links in the scale scenario (issue 12)


FULL = Sizes(500, 100, 100, 1.0, 50, 50, (1_000, 100_000), 250, 3, 200_000)
SMALL = Sizes(24, 8, 10, 0.2, 4, 5, (100, 1_000), 12, 1, 2_000)
# Issue 12's measurements with 200,000 links, before the queue streamed: seconds, bytes.
BEFORE = {"list": (25.5, 1.1e9), "list --json": (39.5, 2.8e9), "draft": (12.7, 551e6),
          "enrich": (20.0, 980e6)}  # fmt: skip


@dataclass(frozen=True)
class Row:
    figure: str
    value: str
    baseline: str = ""
    ratio: str = ""
    target: str = ""
    ok: bool | None = None


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="tiny sizes, for the smoke test")
    parser.add_argument(
        "--only",
        action="append",
        choices=sorted(SECTIONS),
        metavar="NAME",
        help=f"run only this section (repeatable): {', '.join(SECTIONS)}",
    )
    args = parser.parse_args(argv)
    sizes = SMALL if args.small else FULL
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="curator-bench-") as tmp:
        for name in args.only or SECTIONS:
            rows += SECTIONS[name](Path(tmp), sizes)
    print(table(rows, sizes))
    missed = [row.figure for row in rows if row.ok is False]
    if missed:
        print(f"\nmissed targets: {', '.join(missed)}", file=sys.stderr)
    return 1 if missed and not args.small else 0


# -- enrichment -------------------------------------------------------------------------


def bench_enrich(work: Path, sizes: Sizes) -> list[Row]:
    """The same pages from 8 hosts and from many hosts (half https), runs interleaved so
    the two figures see the same machine speed."""
    n = sizes.pages
    pages = {f"/p/{i}": page(i, page_size(i)) for i in range(n)}
    html = {"Content-Type": "text/html; charset=utf-8"}

    def responder(path: str, _: dict[str, str]) -> tuple[int, dict[str, str], bytes] | None:
        return (200, html, pages[path]) if path in pages else None

    ca = trustme.CA()
    many = many_addresses(sizes.many_hosts)
    secure = frozenset(many[::2])
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert(*secure).configure_cert(context)
    few_hosts = Hosts(ADDRESSES, responder, LATENCY)
    many_hosts = Hosts(many, responder, LATENCY, context, secure)
    try:
        ca.cert_pem.write_to_path(str(work / "ca.pem"))
        few = EnrichCase(work / "enrich", few_hosts, n, "")
        wide = EnrichCase(work / "many", many_hosts, n, f'ca_bundle = "{work / "ca.pem"}"\n')
        empty = workspace(work / "empty")
        curator(empty, "--config", str(work / "none.toml"), "init")  # enrich never creates one
        startup = best_of(sizes.repeats, lambda: timed(empty, "enrich")[0])
        for _ in range(sizes.repeats):
            few.run()
            wide.run()
        naive_urls = work / "naive.txt"
        naive_urls.write_text("\n".join(few.urls[: sizes.naive_pages]) + "\n")
        naive = run_seconds([sys.executable, str(HERE / "naive_enrich.py"), str(naive_urls)])
        naive_scaled = naive * n / sizes.naive_pages
    finally:
        few_hosts.stop()
        many_hosts.stop()
    floor = n * LATENCY / CONCURRENCY
    wall = few.best
    best = f"best of {len(few.walls)}: " if len(few.walls) > 1 else ""
    hosts = f"{len(many)} hosts, half https"
    return [
        Row(f"enrich {n} pages (whole process)", f"{best}{wall:.2f} s", f"floor {floor:.2f} s",
            f"{wall / floor:.2f}x", "reported"),
        Row(f"enrich {n} pages vs a naive script", f"{wall:.2f} s",
            f"{naive_scaled:.1f} s (requests + trafilatura, {sizes.naive_pages} pages x"
            f"{n / sizes.naive_pages:g})", f"{wall / naive_scaled:.3f}x"),
        Row("process start-up (enrich, empty queue)", f"{startup:.2f} s", "", "",
            "reported", None),
        Row("enrich after start-up (whole process - start-up)", f"{wall - startup:.2f} s",
            f"floor {floor:.2f} s", f"{(wall - startup) / floor:.2f}x", "<= 1.5x floor",
            (wall - startup) / floor <= 1.5),
        *few.checks(),
        Row(f"enrich {n} pages, {hosts} (whole process)", f"{best}{wide.best:.2f} s",
            f"8 hosts {wall:.2f} s", f"{wide.best / wall:.2f}x", "reported"),
        Row(f"{hosts}, after start-up", f"{wide.best - startup:.2f} s",
            f"floor {floor:.2f} s", f"{(wide.best - startup) / floor:.2f}x", "<= 1.5x floor",
            (wide.best - startup) / floor <= 1.5),
        *wide.checks(f" ({len(many)} hosts)"),
    ]  # fmt: skip


class EnrichCase:
    """One queue of `n` pages spread over the hosts, enriched from the same fresh copy on
    every run; the servers' counters say what each run fetched."""

    def __init__(self, folder: Path, hosts: Hosts, n: int, fetch: str) -> None:
        self.hosts, self.n = hosts, n
        self.urls = [f"{hosts.bases[i % len(hosts.bases)]}/p/{i}" for i in range(n)]
        random.Random(1).shuffle(self.urls)
        limits = f"concurrency = {CONCURRENCY}\nper_host = {PER_HOST}\n{fetch}"
        self.env = workspace(folder, limits)
        (folder / "urls.txt").write_text("\n".join(self.urls) + "\n")
        curator(self.env, "add", "--file", str(folder / "urls.txt"))
        self.db = folder / "curator.db"
        self.queued = self.db.read_bytes()
        self.walls: list[float] = []
        self.peak = self.in_flight = self.host_max = self.fetched_twice = 0
        self.enriched = n

    def run(self) -> None:
        self.db.write_bytes(self.queued)
        self.hosts.counters.reset()
        wall, peak = timed(self.env, "enrich")
        counters = self.hosts.counters
        self.walls.append(wall)
        self.peak = max(self.peak, peak)
        self.in_flight = max(self.in_flight, counters.max_in_flight)
        self.host_max = max(self.host_max, *counters.host_max.values())
        self.fetched_twice = max(
            self.fetched_twice, sum(1 for hits in counters.hits.values() if hits > 1)
        )
        fetched = sum(counters.hits[f"/p/{i}"] > 0 for i in range(self.n))
        self.enriched = min(self.enriched, fetched)

    @property
    def best(self) -> float:
        return min(self.walls)

    def checks(self, where: str = "") -> list[Row]:
        n = self.n
        return [
            Row(f"peak RSS, process tree (summed){where}", f"{self.peak / 1e6:.0f} MB", "", "",
                "< 300 MB", self.peak < 300e6),
            Row(f"max in flight, overall / per host{where}", f"{self.in_flight} / {self.host_max}",
                f"limits {CONCURRENCY} / {PER_HOST}", "", "<= limits",
                self.in_flight <= CONCURRENCY and self.host_max <= PER_HOST),
            Row(f"pages fetched / fetched twice{where}", f"{self.enriched} / {self.fetched_twice}",
                f"{n} / 0", "", "all once", self.enriched == n and self.fetched_twice == 0),
        ]  # fmt: skip


def many_addresses(count: int) -> list[str]:
    """`count` loopback addresses 127.0.X.Y apart from the 8-host case's 127.0.0.x."""
    return [f"127.0.{i // 250 + 1}.{i % 250 + 2}" for i in range(count)]


# -- team mode (issue 19) ---------------------------------------------------------------


def bench_team(work: Path, sizes: Sizes) -> list[Row]:
    """Two `curator enrich` processes against one PostgreSQL queue, beside one alone: the
    claims split the queue, so each page is fetched once and the pair ends sooner. Run on
    article pages (50-300 KB), then on short ones: on two cores the large pages' CPU
    decides how much sooner, the short pages show what the claims alone allow."""
    from tests import postgres

    n = sizes.pages * 2
    why = postgres.missing()
    if why is not None:
        return [Row(f"enrich {n} pages, two processes, PostgreSQL", "skipped", why)]
    with postgres.cluster() as server:
        alone, pair = team_runs(
            work / "team", server, {f"/t/{i}": page(i, page_size(i)) for i in range(n)}
        )
        short_alone, short_pair = team_runs(
            work / "team-short", server, {f"/t/{i}": page(i, SHORT_PAGE) for i in range(n)}
        )
    ratio = pair.wall / alone.wall
    short_ratio = short_pair.wall / short_alone.wall
    cores = os.cpu_count() or 1
    # On one machine both enrichers share its cores: together they cannot end before
    # their CPU time spread over every core, whatever the claims do.
    cpu_floor = pair.cpu / cores
    return [
        Row(f"enrich {n} pages, two processes on one PostgreSQL queue", f"{pair.wall:.2f} s",
            f"one process {alone.wall:.2f} s", f"{ratio:.2f}x", "<= 0.6x", ratio <= 0.6),
        Row("pages fetched / fetched twice (two enrichers)", f"{pair.fetched} / {pair.twice}",
            f"{n} / 0", "", "all once", pair.fetched == n and pair.twice == 0),
        Row("CPU per page, one enricher (process tree)", f"{alone.cpu / n * 1000:.1f} ms",
            f"{alone.cpu:.1f} s in {alone.wall:.1f} s", f"{alone.cpu / alone.wall:.2f} cores",
            "reported"),
        Row(f"two enrichers' CPU spread over {cores} cores", f"{cpu_floor:.2f} s",
            f"one process {alone.wall:.2f} s", f"{cpu_floor / alone.wall:.2f}x",
            "reported: the best ratio this machine allows"),
        Row(f"the same with {SHORT_PAGE // 1000} KB pages, two processes",
            f"{short_pair.wall:.2f} s", f"one process {short_alone.wall:.2f} s",
            f"{short_ratio:.2f}x", "reported: the claims' split when CPU is not the limit",
            short_pair.fetched == n and short_pair.twice == 0),
    ]  # fmt: skip


def team_runs(folder: Path, server: str, pages: dict[str, bytes]) -> tuple[TeamResult, TeamResult]:
    """One enricher alone, then two at once, each on a fresh queue of these pages."""
    html = {"Content-Type": "text/html; charset=utf-8"}

    def responder(path: str, _: dict[str, str]) -> tuple[int, dict[str, str], bytes] | None:
        return (200, html, pages[path]) if path in pages else None

    hosts = Hosts(ADDRESSES, responder, LATENCY)
    urls = [f"{hosts.bases[i % len(hosts.bases)]}{path}" for i, path in enumerate(pages)]
    try:
        alone = TeamRun(folder / "alone", server, urls, hosts).run(1)
        pair = TeamRun(folder / "pair", server, urls, hosts).run(2)
    finally:
        hosts.stop()
    return alone, pair


@dataclass(frozen=True)
class TeamResult:
    wall: float
    fetched: int
    twice: int
    cpu: float  # user and system seconds of the enrichers and their workers


class TeamRun:
    """A fresh PostgreSQL database holding the queue, enriched by `k` processes at once."""

    def __init__(self, folder: Path, server: str, urls: list[str], hosts: Hosts) -> None:
        from tests import postgres

        self.hosts, self.n = hosts, len(urls)
        self.env = workspace(folder, f"concurrency = {CONCURRENCY}\nper_host = {PER_HOST}\n")
        self.env["CURATOR_DB"] = postgres.new_database(server)
        (folder / "urls.txt").write_text("\n".join(urls) + "\n")
        curator(self.env, "add", "--file", str(folder / "urls.txt"))

    def run(self, k: int) -> TeamResult:
        self.hosts.counters.reset()
        before = children_cpu()
        started = time.perf_counter()
        runs = [subprocess.Popen([CURATOR, "enrich"], env=self.env, stdout=subprocess.DEVNULL,
                                 stderr=subprocess.PIPE) for _ in range(k)]  # fmt: skip
        for process in runs:
            _, stderr = process.communicate(timeout=600)
            if process.returncode != 0:
                raise RuntimeError(f"curator enrich failed: {stderr.decode()[-2000:]}")
        wall = time.perf_counter() - started
        hits = self.hosts.counters.hits
        fetched = sum(hits[f"/t/{i}"] > 0 for i in range(self.n))
        twice = sum(1 for count in hits.values() if count > 1)
        return TeamResult(wall, fetched, twice, children_cpu() - before)


def children_cpu() -> float:
    """CPU seconds of the finished child processes so far, with the workers they reaped."""
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


# -- arXiv ------------------------------------------------------------------------------


def bench_arxiv(work: Path, sizes: Sizes) -> list[Row]:
    n = sizes.papers
    queued = [f"2402.{i:05d}" for i in range(1, n + 1)]
    searches = {"cat:cs.LG": [f"2401.{i:05d}" for i in range(1, 6)],
                "cat:cs.CL": [f"2401.{i:05d}" for i in range(6, 11)]}  # fmt: skip

    def api(path: str, _: dict[str, str]) -> tuple[int, dict[str, str], bytes] | None:
        query = {k: v[0] for k, v in parse_qs(urlsplit(path).query).items()}
        ids = searches.get(query.get("search_query", ""), [])
        if query.get("id_list"):
            ids = [i for i in query["id_list"].split(",") if i in queued]
        start, size = int(query.get("start", 0)), int(query.get("max_results", 100))
        body = arxiv_answer(ids[start : start + size], start, len(ids))
        return 200, {"Content-Type": "application/atom+xml"}, body

    hosts = Hosts(ADDRESSES[:1], api, LATENCY)
    try:
        api_url = f"{hosts.bases[0]}/api/query"
        sources = "".join(
            f'\n[[arxiv]]\nname = "{q}"\nquery = "{q}"\nmax_results = 5\n' for q in searches
        )
        env = workspace(work / "arxiv", f'arxiv_api_url = "{api_url}"\n'
                        f"arxiv_delay = {sizes.arxiv_delay}\n", sources)  # fmt: skip
        (work / "arxiv" / "ids.txt").write_text(
            "".join(f"https://arxiv.org/abs/{i}\n" for i in queued)
        )
        curator(env, "add", "--file", str(work / "arxiv" / "ids.txt"))
        timed(env, "collect")
        spans = sorted(hosts.counters.spans, key=lambda span: span[1])
    finally:
        hosts.stop()
    lookups = [span for span in spans if "id_list=2402" in span[0]]
    lookup_seconds = sum(end - start for _, start, end in lookups)
    gaps = [b[1] - a[2] for a, b in zip(spans, spans[1:], strict=False)]
    smallest = min(gaps) if gaps else math.inf
    wanted = math.ceil(n / 100)
    naive = n * ARXIV_RULE
    return [
        Row(f"arXiv API calls for {n} queued papers", str(len(lookups)),
            f"{n} (one per paper)", f"{len(lookups) / n:.2f}x", str(wanted),
            len(lookups) == wanted),
        Row(f"arXiv time for {n} papers", f"{lookup_seconds:.2f} s",
            f"{naive:.0f} s ({n} calls x {ARXIV_RULE:g} s, computed)",
            f"{lookup_seconds / naive:.4f}x"),
        Row(f"smallest gap between {len(spans)} API calls", f"{smallest:.2f} s",
            f"arxiv_delay {sizes.arxiv_delay:g} s", f"{smallest / sizes.arxiv_delay:.2f}x",
            ">= arxiv_delay", smallest >= sizes.arxiv_delay * 0.99),
    ]  # fmt: skip


# -- feeds ------------------------------------------------------------------------------


def bench_feeds(work: Path, sizes: Sizes) -> list[Row]:
    bodies = {
        f"/feeds/{f}.xml": feed(
            f"Feed {f}", [f"https://news{f}.example.com/story/{e}" for e in range(sizes.entries)]
        )
        for f in range(sizes.feeds)
    }

    def serve(path: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes] | None:
        if path not in bodies:
            return None
        etag = f'"{abs(hash(path))}"'
        if headers.get("If-None-Match") == etag:
            return 304, {"ETag": etag}, b""
        return 200, {"Content-Type": "application/rss+xml", "ETag": etag}, bodies[path]

    hosts = Hosts(ADDRESSES, serve, LATENCY)
    try:
        urls = [f"{hosts.bases[i % len(hosts.bases)]}{path}" for i, path in enumerate(bodies)]
        sources = "".join(f'\n[[feed]]\nname = "f{i}"\nurl = "{u}"\n' for i, u in enumerate(urls))
        env = workspace(work / "feeds", "", sources)
        first, _ = timed(env, "collect", "--no-enrich")
        hosts.counters.reset()
        second, _ = timed(env, "collect", "--no-enrich")
        not_modified = hosts.counters.statuses[304]
        naive_urls = work / "feeds.txt"
        naive_urls.write_text("\n".join(urls) + "\n")
        naive = run_seconds([sys.executable, str(HERE / "naive_feeds.py"), str(naive_urls)])
    finally:
        hosts.stop()
    n = sizes.feeds
    return [
        Row(f"collect {n} feeds x {sizes.entries} entries, first run", f"{first:.2f} s",
            f"{naive:.2f} s (feedparser, one feed after another)", f"{first / naive:.2f}x"),
        Row("second run: answered 304", f"{not_modified}/{n}", f"{n}/{n}", "", "all",
            not_modified == n),
        Row("second run (nothing changed)", f"{second:.2f} s", f"first run {first:.2f} s",
            f"{second / first:.2f}x"),
    ]  # fmt: skip


# -- draft ------------------------------------------------------------------------------


def bench_draft(work: Path, sizes: Sizes) -> list[Row]:
    """Start-up, the small and the large queue are timed in turn, round after round: this
    machine's speed drifts by a third over minutes, and a ratio must compare like with
    like. Each figure is its best round."""
    small, large = sizes.draft_links
    # The start-up of a command that reads the queue: `list` over a queue of one link.
    reading = workspace(work / "one-link")
    curator(reading, "add", "https://example.com/one")
    envs = {"start-up": (reading, "list")}
    for n in (small, large):
        env = workspace(work / f"draft{n}")
        build_queue(Path(env["CURATOR_DB"]), n)
        envs[str(n)] = (env, "draft")
    times: dict[str, list[float]] = {name: [] for name in envs}
    for _ in range(sizes.repeats + 2):
        for name, (env, command) in envs.items():
            times[name].append(timed(env, command)[0])
    startup, low, high = (min(times[name]) for name in envs)
    ratio = high / low
    return [
        Row("start-up (curator list, one link)", f"{startup:.2f} s", "", "", "reported", None),
        Row(f"draft over {small:,} links (two years)", f"{low:.2f} s",
            f"start-up {startup:.2f} s", f"{low / startup:.2f}x"),
        Row(f"draft over {large:,} links (two years)", f"{high:.2f} s",
            f"{small:,} links {low:.2f} s", f"{ratio:.2f}x", "< 1 s and <= 1.5x",
            high < 1.0 and ratio <= 1.5),
    ]  # fmt: skip


# -- the review page (issue 18, item 9) ----------------------------------------------------

SERVE_LINKS = {"full": 2_000, "small": 100}
SERVE_ROUNDS = {"full": 30, "small": 3}


def bench_serve(work: Path, sizes: Sizes) -> list[Row]:
    """`curator serve` over a week of candidates: the page; a triage key's POST until its
    answer (the link's new version) is read; and the regions the page asks for right
    after it (the week regrouped, the draft preview). Each figure is the median of its
    rounds, beside the server's mean CPU time per request (what a busy machine does not
    stretch); the first page after launch is shown on its own."""
    size = "small" if sizes is SMALL else "full"
    n, rounds = SERVE_LINKS[size], SERVE_ROUNDS[size]
    env = workspace(work / "serve")
    build_queue(Path(env["CURATOR_DB"]), n, days=6)
    process = subprocess.Popen(
        [CURATOR, "serve"], env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        url = served_url(process)
        first, page, triage, refresh = serve_timings(url, process.pid, rounds)
    finally:
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=60)
    return [
        Row(f"serve: the first page after launch, {n:,} candidates", f"{first.wall:.0f} ms"),
        Row(f"serve: the page over {n:,} candidates (median)", page.shown, "", "",
            "< 300 ms", page.wall < 300),
        Row(f"serve: a triage key's round trip, {n:,} candidates (median)", triage.shown,
            "", "", "< 50 ms", triage.wall < 50),
        Row(f"serve: preview refresh after a triage key, {n:,} candidates (median)",
            refresh.shown, "", "", "< 300 ms", refresh.wall < 300),
    ]  # fmt: skip


def served_url(process: subprocess.Popen[str]) -> str:
    assert process.stderr is not None
    for line in process.stderr:
        if found := re.search(r"http://\S+/", line):
            return found[0]
    raise RuntimeError("curator serve printed no URL")


@dataclass
class Timed:
    """Milliseconds of one kind of request: wall times, and the server's CPU time."""

    pid: int
    walls: list[float] = field(default_factory=list)
    cpu: float = 0.0

    @contextmanager
    def one(self) -> Iterator[None]:
        cpu, started = cpu_seconds(self.pid), time.perf_counter()
        yield
        self.walls.append((time.perf_counter() - started) * 1000)
        self.cpu += (cpu_seconds(self.pid) - cpu) * 1000

    @property
    def wall(self) -> float:
        return statistics.median(self.walls)

    @property
    def shown(self) -> str:
        return f"{self.wall:.0f} ms (server CPU {self.cpu / len(self.walls):.0f} ms)"


def cpu_seconds(pid: int) -> float:
    """User and system time of a process so far (Linux /proc, in clock ticks)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def serve_timings(url: str, pid: int, rounds: int) -> tuple[Timed, Timed, Timed, Timed]:
    """GET /, a decision's POST and the GET /regions sent once it is answered, as the
    page's script sends them: the CSRF token from the page, each link's version from
    the last answer, the regions asked for with the digest the page holds."""
    first, pages, triages, refreshes = (Timed(pid) for _ in range(4))
    with httpx.Client(base_url=url, timeout=60) as client:
        for timed_as in (first, *[pages] * rounds):
            with timed_as.one():
                page_html = client.get("/").text
        token = re.search(r'name="csrf-token" content="([^"]+)"', page_html)
        digest = re.search(r'name="digest" content="([^"]+)"', page_html)
        found = re.search(r'data-link-id="(\d+)" data-version="([^"]*)"', page_html)
        assert token and digest and found
        link_id, version, known = found[1], html.unescape(found[2]), digest[1]
        headers = {"X-CSRF-Token": token[1], "Origin": url.rstrip("/")}
        for i in range(rounds):
            with triages.one():
                answer = client.post(f"/links/{link_id}/{'pick' if i % 2 == 0 else 'reset'}",
                                     json={"version": version}, headers=headers)  # fmt: skip
                answer.raise_for_status()
                version = answer.json()["links"][link_id]["version"]
            with refreshes.one():
                regions = client.get("/regions", params={"known": known})
                assert regions.status_code == 200, "the regions did not change after a triage"
                known = regions.json()["digest"]
    return first, pages, triages, refreshes


# -- start-up ---------------------------------------------------------------------------


def bench_startup(work: Path, sizes: Sizes) -> list[Row]:
    """Whole processes that should feel instant (issue 14, item 10). The baseline, timed
    in the same run, is what `--version` did when it took 0.9 s: load the CLI and the
    database layer, the PostgreSQL dialect included (the store now loads it only for a
    postgresql:// queue). `add` goes to a queue that already exists, each run a new URL."""
    env = workspace(work / "startup")
    curator(env, "add", "https://example.com/first")
    layer = "import curator.cli, curator.store.store, sqlalchemy.dialects.postgresql"
    loaded = [sys.executable, "-c", layer]
    before = best_of(sizes.repeats + 2, lambda: run_seconds(loaded))
    urls = (f"https://example.com/{i}" for i in range(1_000))
    rows = []
    for name, target in [("--version", 0.15), ("--help", 0.15), ("add URL", 0.5)]:

        def once(name: str = name) -> float:
            return timed(env, *(["add", next(urls)] if name == "add URL" else [name]))[0]

        best = best_of(sizes.repeats + 2, once)
        rows.append(Row(f"start-up: curator {name}", f"{best:.2f} s",
                        f"CLI + store loaded {before:.2f} s", f"{best / before:.2f}x",
                        f"<= {target} s", best <= target))  # fmt: skip
    return rows


# -- scale ------------------------------------------------------------------------------


def bench_scale(work: Path, sizes: Sizes) -> list[Row]:
    """A queue of `sizes.queue` links: list, list --json and draft over enriched links
    (first seen over two years), and enrich over as many pending ones, stopped after
    its first commits. Compared with issue 12's figures from before streaming."""
    n = sizes.queue
    env = workspace(work / "scale")
    build_queue(Path(env["CURATOR_DB"]), n)
    rows = []
    for command in ("list", "list --json", "draft"):
        wall, peak = timed(env, *command.split())
        before = BEFORE[command]
        rows.append(Row(f"{command} over {n:,} links: time / peak RSS",
                        f"{wall:.1f} s / {peak / 1e6:.0f} MB",
                        f"before: {before[0]:g} s / {before[1] / 1e6:,.0f} MB",
                        f"{peak / before[1]:.3f}x RSS", "RSS flat (< 300 MB)",
                        peak < 300e6))  # fmt: skip
    first, peak = enrich_first_commit(work / "scale-enrich", n)
    before = BEFORE["enrich"]
    return [
        *rows,
        Row(f"enrich with {n:,} pending: first commit", f"{first:.2f} s",
            f"before: {before[0]:g} s", f"{first / before[0]:.3f}x", "< 2 s", first < 2.0),
        Row(f"enrich with {n:,} pending: peak RSS, process tree", f"{peak / 1e6:.0f} MB",
            f"before: {before[1] / 1e6:,.0f} MB", f"{peak / before[1]:.3f}x", "< 300 MB",
            peak < 300e6),
    ]  # fmt: skip


def enrich_first_commit(folder: Path, n: int) -> tuple[float, int]:
    """Seconds from starting `curator enrich` to the first link another connection sees
    done, and the peak RSS of the run until then plus two seconds; then it is stopped."""
    body = page(0, 2_000)
    html = {"Content-Type": "text/html; charset=utf-8"}
    hosts = Hosts(ADDRESSES, lambda path, _: (200, html, body), LATENCY)
    try:
        env = workspace(folder, f"concurrency = {CONCURRENCY}\nper_host = {PER_HOST}\n")
        db = Path(env["CURATOR_DB"])
        build_pending(db, [f"{hosts.bases[i % len(hosts.bases)]}/p/{i}" for i in range(n)])
        started = time.perf_counter()
        process = subprocess.Popen([CURATOR, "enrich"], env=env, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)  # fmt: skip
        sampler = TreeRss(process.pid)
        first = wait_for_done(db, process, started)
        time.sleep(2.0)  # let memory settle into the steady state of a long run
        sampler.stop()
        process.kill()
        process.wait()
    finally:
        hosts.stop()
    return first, sampler.peak


def wait_for_done(db: Path, process: subprocess.Popen[bytes], started: float) -> float:
    conn = sqlite3.connect(db, timeout=30)
    try:
        while process.poll() is None:
            if conn.execute("SELECT 1 FROM link WHERE status = 'done' LIMIT 1").fetchone():
                return time.perf_counter() - started
            time.sleep(0.02)
    finally:
        conn.close()
    raise RuntimeError(f"curator enrich ended ({process.returncode}) before any commit")


def build_pending(db: Path, urls: list[str]) -> None:
    """Pending links, inserted in one transaction as `curator add` would leave them."""

    now = datetime.now(UTC)
    links = [{"key": url, "url": url, "canonical_url": url, "kind": "link", "authors": [],
              "status": "pending", "first_seen": now, "attempts": 0} for url in urls]  # fmt: skip
    sightings = [{"link_id": i, "source": "bench", "url": url, "seen_at": now}
                 for i, url in enumerate(urls, 1)]  # fmt: skip
    insert_queue(db, links, sightings)


def build_queue(db: Path, n: int, days: int = 730) -> None:
    """n enriched links, first seen evenly over the last `days` days; a third are papers."""

    now = datetime.now(UTC)
    rng = random.Random(n)
    links, sightings = [], []
    for i in range(1, n + 1):
        is_paper = i % 3 == 0
        url = (
            f"https://arxiv.org/abs/2301.{i:05d}"
            if is_paper
            else f"https://site{i % 97}.example.com/{i}"
        )
        links.append({
            "id": i, "key": f"arxiv:2301.{i:05d}" if is_paper else url, "url": url,
            "canonical_url": url, "kind": "paper" if is_paper else "link",
            "arxiv_id": f"2301.{i:05d}" if is_paper else None,
            "title": sentence(rng, rng.randint(6, 12)).rstrip("."), "authors": [],
            "summary": "A first sentence about the work. A second one. And a third.",
            "source": "arXiv" if is_paper else f"Site {i % 97}", "status": "done",
            "first_seen": now - timedelta(seconds=rng.uniform(0, days * 86400)), "attempts": 0,
        })  # fmt: skip
        sightings.append({"link_id": i, "source": "bench", "url": url, "seen_at": now})
    insert_queue(db, links, sightings)


def insert_queue(db: Path, links: list[dict[str, Any]], sightings: list[dict[str, Any]]) -> None:
    """Rows straight into a new queue: building 200,000 links through `curator add` would
    measure the adding, not the command under test."""
    from sqlalchemy import insert

    from curator.models import Link, Sighting
    from curator.store import Store

    store = Store(db)
    with store.engine.begin() as conn:
        conn.execute(insert(Link), links)
        conn.execute(insert(Sighting), sightings)
    store.close()


# -- draft with many picks (issue 12, item 9) --------------------------------------------

PICKS = {"full": 2_000, "small": 60}
# `curator draft` over 2,000 picks before the same-story check was blocked (issue 12).
PICKS_BEFORE = {"distinct": (33.8, ""), "similar": (194.0, ", 200,150 warnings")}
STORIES = 10  # the similar-titles queue: 10 stories told 200 ways each


def bench_picks(work: Path, sizes: Sizes) -> list[Row]:
    """`curator draft` over 2,000 picked links: distinct titles, then 10 stories in 200
    near-identical titles each, as when every feed carries the same launch."""
    n = PICKS["small" if sizes == SMALL else "full"]
    rows = []
    for kind in ("distinct", "similar"):
        env = workspace(work / f"picks-{kind}")
        build_picks(Path(env["CURATOR_DB"]), n, is_similar=kind == "similar")
        wall = best_of(sizes.repeats, lambda env=env: timed(env, "draft")[0])
        done = subprocess.run([CURATOR, "draft"], env=env, capture_output=True, text=True,
                              check=True, timeout=600)  # fmt: skip
        same = sum("same story" in line for line in done.stderr.splitlines())
        before, warned = PICKS_BEFORE[kind]
        rows.append(
            Row(f"draft of {n:,} picks, {kind} titles", f"{wall:.2f} s, {same:,} same-story "
                "warnings", f"2,000 picks before: {before:g} s{warned} (issue 12)",
                f"{wall / before:.3f}x" if n == 2_000 else "", "< 3 s", wall < 3.0)
        )  # fmt: skip
    return rows


def build_picks(db: Path, n: int, *, is_similar: bool) -> None:
    """n picked, enriched links first seen in the last two days, each on its own page."""

    now = datetime.now(UTC)
    rng = random.Random(n)
    vocabulary = [a + b for a in WORDS for b in WORDS if a != b]
    stories = [pick_title(rng, vocabulary) for _ in range(STORIES)]
    links, sightings = [], []
    for i in range(1, n + 1):
        url = f"https://site{i % 97}.example.com/{i}"
        title = retold(rng, stories[i % STORIES]) if is_similar else pick_title(rng, vocabulary)
        links.append({
            "id": i, "key": url, "url": url, "canonical_url": url, "kind": "link",
            "title": title, "authors": [], "summary": "What happened, in a sentence.",
            "source": f"Site {i % 97}", "status": "done", "decision": "pick",
            "first_seen": now - timedelta(seconds=rng.uniform(0, 2 * 86400)), "attempts": 0,
        })  # fmt: skip
        sightings.append({"link_id": i, "source": "bench", "url": url, "seen_at": now})
    insert_queue(db, links, sightings)


def pick_title(rng: random.Random, vocabulary: list[str]) -> str:
    """A headline of 6-12 words: rare words from a large vocabulary among common ones."""
    words = [
        rng.choice(WORDS if rng.random() < 0.4 else vocabulary) for _ in range(rng.randint(6, 12))
    ]
    return " ".join(words).capitalize()


def retold(rng: random.Random, story: str) -> str:
    """The story's headline as another site words it: one word changed, maybe a suffix."""
    words = story.split()
    words[rng.randrange(1, len(words))] = rng.choice(WORDS)
    suffix = rng.choice(["", "", " | The Loop", " - Tech Ledger", "!", " (update)"])
    return " ".join(words) + suffix


# -- running curator --------------------------------------------------------------------


def workspace(folder: Path, fetch: str = "", sources: str = "") -> dict[str, str]:
    folder.mkdir(parents=True, exist_ok=True)
    config = folder / "curator.toml"
    config.write_text(f"[fetch]\ntimeout = 10\n{fetch}{sources}")
    paths = {"CURATOR_DB": str(folder / "curator.db"), "CURATOR_CONFIG": str(config)}
    return {**os.environ, **paths, "HF_HUB_OFFLINE": "1"}  # loopback only, like the tests


def curator(env: dict[str, str], *args: str) -> None:
    subprocess.run([CURATOR, *args], env=env, check=True, capture_output=True, timeout=600)


def timed(env: dict[str, str], *args: str) -> tuple[float, int]:
    """Wall seconds of one whole `curator` process, and the peak RSS of its process tree."""
    started = time.perf_counter()
    process = subprocess.Popen([CURATOR, *args], env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)  # fmt: skip
    sampler = TreeRss(process.pid)
    _, stderr = process.communicate(timeout=600)
    elapsed = time.perf_counter() - started
    sampler.stop()
    if process.returncode != 0:
        raise RuntimeError(f"curator {' '.join(args)} failed: {stderr.decode()[-2000:]}")
    return elapsed, sampler.peak


def run_seconds(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, timeout=600)
    return time.perf_counter() - started


def best_of(runs: int, measure: Callable[[], float]) -> float:
    return min(measure() for _ in range(runs))


class TreeRss:
    """Samples the summed RSS of a process and its descendants every 20 ms (Linux /proc)."""

    def __init__(self, pid: int) -> None:
        self.pid, self.peak = pid, 0
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._done.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._done.wait(0.02):
            self.peak = max(self.peak, tree_rss(self.pid))


def tree_rss(root: int) -> int:
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    tree, changed = {root}, True
    while changed:
        grown = tree | {pid for pid, parent in parents.items() if parent in tree}
        changed, tree = grown != tree, grown
    total = 0
    for pid in tree:
        try:
            pages = int(Path(f"/proc/{pid}/statm").read_text().split()[1])
        except (OSError, IndexError, ValueError):
            continue
        total += pages * os.sysconf("SC_PAGE_SIZE")
    return total


def table(rows: Sequence[Row], sizes: Sizes) -> str:
    mark = {True: "ok", False: "MISSED", None: ""}
    lines = [
        f"curator benchmarks: {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{datetime.now(UTC):%Y-%m-%d}{' (small sizes)' if sizes == SMALL else ''}",
        "",
        "| figure | curator | baseline (same run) | ratio | target | |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    lines += [
        f"| {r.figure} | {r.value} | {r.baseline} | {r.ratio} | {r.target} | {mark[r.ok]} |"
        for r in rows
    ]
    return "\n".join(lines)


SECTIONS: dict[str, Callable[[Path, Sizes], list[Row]]] = {
    "enrich": bench_enrich, "arxiv": bench_arxiv, "feeds": bench_feeds, "draft": bench_draft,
    "picks": bench_picks, "scale": bench_scale, "startup": bench_startup, "team": bench_team,
    "serve": bench_serve,
}  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
