"""Featured images (issue 16, item 6): a page's og:image / twitter:image kept on its link,
shown in a featured block as the model issue does, and overridden by `edit --image`."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.cli import invoke, queue
from tests.helpers import DATA, today
from tests.server import LoopbackServer

PAGES = DATA / "publishing"


def draft(runner: CliRunner) -> str:
    window = ("--since", today(), "--until", today(), "--date", "2024-01-05")
    stdout, _ = invoke(runner, "draft", *window)
    return stdout


@pytest.fixture
def pages(runner: CliRunner, env: Path, server: LoopbackServer) -> LoopbackServer:
    (env / "curator.toml").write_text('[sources]\n"127.0.0.1" = "Loopback Times"\n')
    for name in ("og_image", "twitter_image", "no_image"):
        server.add(f"/{name}", (PAGES / f"{name}.html").read_bytes())
    invoke(runner, "add", *(server.url(f"/{n}") for n in ("og_image", "twitter_image", "no_image")))
    invoke(runner, "enrich")
    return server


def test_enrichment_keeps_the_page_image_absolute_and_http_only(
    runner: CliRunner, pages: LoopbackServer
) -> None:
    images = {link["url"]: link["image"] for link in queue(runner)}
    assert images == {
        pages.url("/og_image"): pages.url("/img/robot.jpg"),
        pages.url("/twitter_image"): "https://cdn.example.org/bikes.png",
        pages.url("/no_image"): None,
    }


def test_a_featured_item_shows_its_image_and_the_image_source(
    runner: CliRunner, pages: LoopbackServer
) -> None:
    invoke(runner, "feature", "1")
    text = draft(runner)
    block = (
        "## 1. Robots learn to fold laundry\n\n"
        f"![]({pages.url('/img/robot.jpg')})\n"
        f"_Image Source: [Loopback Times]({pages.url('/og_image')})_\n\n"
        "A lab taught a robot arm to fold shirts from a few dozen demonstrations.\n"
        f"_Source: [Loopback Times]({pages.url('/og_image')})_\n"
    )
    assert block in text, text


def test_listed_items_and_featured_items_without_an_image_show_none(
    runner: CliRunner, pages: LoopbackServer
) -> None:
    invoke(runner, "feature", "3")
    invoke(runner, "pin", "1")
    text = draft(runner)
    assert "![]" not in text and "Image Source" not in text


def test_edit_image_replaces_the_page_image_and_no_image_hides_it(
    runner: CliRunner, pages: LoopbackServer
) -> None:
    invoke(runner, "feature", "1", "3")
    invoke(runner, "edit", "3", "--image", "https://images.example.net/cafe.jpg")
    invoke(runner, "edit", "1", "--no-image")
    text = draft(runner)
    assert "![](https://images.example.net/cafe.jpg)" in text
    assert "robot.jpg" not in text
    invoke(runner, "edit", "1", "--image", "https://images.example.net/robot.webp")
    assert "![](https://images.example.net/robot.webp)" in draft(runner)


def test_edit_refuses_an_image_that_is_not_an_http_url(
    runner: CliRunner, pages: LoopbackServer
) -> None:
    _, stderr = invoke(runner, "edit", "1", "--image", "javascript:alert(1)", code=2)
    assert "not an http(s) URL" in stderr
    _, stderr = invoke(
        runner, "edit", "1", "--image", "https://a.example/x.png", "--no-image", code=2
    )
    assert "either --image or --no-image" in stderr
