"""A page that is too costly to extract, or that breaks its extractor, fails alone (issue 12).

Each test runs `curator enrich` on a loopback server with the bad page among healthy ones,
which must all end done, and the bad page failed with a one-line reason, for good.
"""

from __future__ import annotations

import json
import os
import signal
import time
from collections.abc import Mapping
from pathlib import Path

import pytest
from typer.testing import CliRunner

from curator.enrich import extracting, pages
from curator.pipeline import enrich as enriching
from curator.values import Metadata
from tests.cli import invoke
from tests.helpers import DATA
from tests.server import LoopbackServer

HEALTHY = (DATA / "pages" / "with_og_site_name.html").read_bytes()
MANY = enriching.POOL_THRESHOLD + 6  # enough pages for one worker per core


def enrich_beside_healthy(
    runner: CliRunner, env: Path, server: LoopbackServer, bad: str, healthy: int = MANY
) -> tuple[dict[str, object], str]:
    """Queue `bad` and `healthy` good pages, enrich; return the bad link and stderr."""
    (env / "curator.toml").write_text("[fetch]\ntimeout = 5\n")
    good = [server.add(f"/good/{n}", HEALTHY) for n in range(healthy)]
    invoke(runner, "add", bad, *good)
    _, stderr = invoke(runner, "enrich")
    stdout, _ = invoke(runner, "list", "--json")
    items = {str(item["url"]): item for item in json.loads(stdout)}
    assert [items[url]["status"] for url in good] == ["done"] * healthy
    return items[bad], stderr


def assert_failed_for_good(
    runner: CliRunner, server: LoopbackServer, link: Mapping[str, object], reason: str
) -> None:
    assert (link["status"], link["error"]) == ("failed", reason)
    _, stderr = invoke(runner, "enrich")  # a later run does not try it again
    assert "enriched 0, failed 0, retry later 0" in stderr
    assert len(server.hits(str(link["url"]).removeprefix(server.base_url))) == 1


def test_json_ld_nested_100000_deep_fails_as_too_deeply_nested(
    runner: CliRunner, env: Path, server: LoopbackServer
) -> None:
    deep = b"[" * 100_000 + b"]" * 100_000
    body = (
        b'<html><head><title>Deep</title><script type="application/ld+json">'
        + deep
        + b"</script></head><body><p>Text.</p></body></html>"
    )
    bad = server.add("/deep", body)

    link, stderr = enrich_beside_healthy(runner, env, server, bad)

    assert f"enriched {MANY}, failed 1, retry later 0" in stderr
    assert f"failed: {bad}: page too deeply nested" in stderr
    assert_failed_for_good(runner, server, link, "page too deeply nested")


def test_a_page_of_millions_of_elements_fails_as_too_large_to_extract(
    runner: CliRunner, env: Path, server: LoopbackServer
) -> None:
    bad = server.add("/paragraphs", b"<html><body>" + b"<p>" * 1_600_000 + b"</body></html>")

    link, _ = enrich_beside_healthy(runner, env, server, bad)

    assert_failed_for_good(runner, server, link, "page too large to extract")


def test_a_page_over_its_cpu_time_fails_and_its_worker_is_replaced(
    runner: CliRunner, env: Path, server: LoopbackServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # About 25 s of CPU without the element limit, stopped after at most 2 s.
    monkeypatch.setattr(pages, "MAX_ELEMENTS", 1_000_000)
    monkeypatch.setattr(extracting, "CPU_SECONDS", 1)
    bad = server.add("/costly", b"<html><body>" + b"<p>x</p>" * 300_000 + b"</body></html>")
    # One worker for a few pages, and the good pages arrive later: the replacement
    # worker extracts them.
    for n in range(3):
        server.add(f"/good/{n}", HEALTHY, delay=1.0)

    link, _ = enrich_beside_healthy(runner, env, server, bad, healthy=3)

    assert_failed_for_good(runner, server, link, "page too large to extract")


def kill_on(path: str) -> None:
    os.kill(os.getpid(), signal.SIGKILL)  # as the kernel's out-of-memory killer would


def hang_on(path: str) -> None:
    time.sleep(60)  # stuck where the CPU limit cannot reach


def raise_on(path: str) -> None:
    raise ValueError("a parser's own bug")


@pytest.mark.parametrize(
    ("fault", "reason"),
    [
        (kill_on, "extraction crashed"),
        (hang_on, "page too large to extract"),
        (raise_on, "extraction failed (ValueError)"),
    ],
)
def test_a_page_that_breaks_its_worker_fails_alone(
    runner: CliRunner,
    env: Path,
    server: LoopbackServer,
    monkeypatch: pytest.MonkeyPatch,
    fault: object,
    reason: str,
) -> None:
    real = extracting.extract_page

    def faulty(body: bytes, url: str, content_type: str, labels: Mapping[str, str]) -> Metadata:
        if url.endswith("/poison"):
            fault(url)  # type: ignore[operator]
        return real(body, url, content_type, labels)

    # Injected into the workers, which are forked from this process.
    monkeypatch.setattr(extracting, "extract_page", faulty)
    # Long enough that no healthy page on a loaded machine comes near it, warm-up included.
    monkeypatch.setattr(extracting, "WALL_SECONDS", 15.0)
    bad = server.add("/poison", HEALTHY)

    link, _ = enrich_beside_healthy(runner, env, server, bad)

    assert_failed_for_good(runner, server, link, reason)
