"""`curator serve` in a real browser (issue 18, item 8): Debian's Chromium driven by
Playwright clicks and types through triage, edits, moves, capture and publishing, and the
result is read back through `curator list --json`, `list --draft --json` and the preview.

`playwright install` downloads a browser of its own and cannot work offline, so the tests
launch /usr/bin/chromium (`apt-get install -y chromium`; .ci/run installs it) and skip,
saying so, only where it is missing.
"""

from __future__ import annotations

import json
import os
import shutil
import struct
import sys
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from tests.cli import invoke, queue
from tests.helpers import HUNG_AFTER, Served, load_demo, run, serving, wait_until
from tests.server import LoopbackServer

playwright = pytest.importorskip("playwright.sync_api")
from playwright.sync_api import Browser, Locator, Page, expect, sync_playwright  # noqa: E402

pytestmark = pytest.mark.slow
CHROMIUM = Path("/usr/bin/chromium")
# As root, Playwright adds --no-sandbox itself; without the background-networking flags
# Chromium keeps trying to reach Google's hosts, which a closed network refuses.
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOT = Path(__file__).parents[2] / "docs" / "serve.png"
HOSTILE = "<img src=x onerror=alert(1)>"
OTHER = "Other interesting stuff"
expect.set_options(timeout=HUNG_AFTER * 1000)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.skip(f"no Chromium at {CHROMIUM}: apt-get install -y chromium")
    with sync_playwright() as driver:
        launched = driver.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def demo_week(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample week of `make demo`, collected once; each test gets its own copy."""
    folder = tmp_path_factory.mktemp("demo-week")
    demo = load_demo()
    with demo.serve() as base_url:
        demo.write_config(base_url, folder)
        db, config = str(folder / "curator.db"), str(folder / "curator.toml")
        curator("--db", db, "--config", config, "collect")
    return folder


def curator(*args: str) -> None:
    """Commands that run an event loop go in a child process: Playwright's sync API keeps
    one running in this one."""
    run([sys.executable, "-m", "curator", *args], check=True, capture_output=True)


@pytest.fixture
def served(env: Path, demo_week: Path) -> Iterator[Served]:
    for path in demo_week.iterdir():
        shutil.copy(path, env / path.name)
    with serving("serve") as running:
        yield running


@pytest.fixture
def page(browser: Browser, served: Served) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=served.url[:-1])
    opened = context.new_page()
    dialogs: list[str] = []
    opened.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    opened.goto(served.url)
    yield opened
    context.close()
    assert dialogs == [], "the page opened a dialog (a script ran)"


def item(page: Page, link_id: int) -> Locator:
    return page.locator(f'#week [data-link-id="{link_id}"]')


def choose(page: Page, link_id: int) -> None:
    """Select an item with the mouse, as a reader clicks beside its title."""
    item(page, link_id).locator(".meta").click()
    expect(item(page, link_id)).to_have_attribute("aria-current", "true")


def ids_in(page: Page, group: str) -> list[int]:
    found = page.locator(f'#week section[aria-label="{group}"] [data-link-id]')
    return [int(value) for value in found.evaluate_all("els => els.map(e => e.dataset.linkId)")]


def selected_id(page: Page) -> int:
    return int(page.locator("#week [aria-current=true]").get_attribute("data-link-id") or 0)


def link(runner: CliRunner, link_id: int) -> dict[str, Any]:
    return next(entry for entry in queue(runner) if entry["id"] == link_id)


def wait_for(runner: CliRunner, link_id: int, key: str, value: object) -> None:
    wait_until(lambda: link(runner, link_id)[key] == value, f"link {link_id} {key}={value!r}")


def preview(page: Page) -> Locator:
    return page.get_by_role("region", name="Draft preview").locator("#draft-text")


def expect_preview_is_the_draft(page: Page, runner: CliRunner) -> None:
    draft, _ = invoke(runner, "draft")
    expect(preview(page)).to_have_text(draft, use_inner_text=False)
    assert preview(page).text_content() == draft


# -- item 3: triage at keyboard speed -----------------------------------------------------


def test_keys_decide_on_the_selected_item_and_the_preview_follows(
    page: Page, runner: CliRunner
) -> None:
    expect_preview_is_the_draft(page, runner)
    first = selected_id(page)
    page.keyboard.press("j")
    second = selected_id(page)
    assert second != first
    page.keyboard.press("k")
    assert selected_id(page) == first
    page.keyboard.press("j")
    for key, decision in (("p", "pick"), ("n", "pin"), ("s", "skip"), ("f", "feature")):
        page.keyboard.press(key)
        wait_for(runner, second, "decision", decision)
        expect(item(page, second).locator(".decision")).to_have_text(decision)
        expect_preview_is_the_draft(page, runner)
    assert second in ids_in(page, "Featured")
    page.keyboard.press("r")
    wait_for(runner, second, "decision", None)
    expect_preview_is_the_draft(page, runner)


def test_every_item_has_the_buttons_by_name_and_they_decide(page: Page, runner: CliRunner) -> None:
    items = page.locator("#week [data-link-id]")
    assert items.count() == len(queue(runner))
    for name in ("Pick", "Pin", "Skip", "Feature", "Reset", "Edit"):
        assert page.get_by_role("button", name=name, exact=True).count() == items.count()
    target = int(items.nth(2).get_attribute("data-link-id") or 0)
    item(page, target).get_by_role("button", name="Skip", exact=True).click()
    wait_for(runner, target, "decision", "skip")
    item(page, target).get_by_role("button", name="Pin", exact=True).click()
    wait_for(runner, target, "decision", "pin")
    expect_preview_is_the_draft(page, runner)


def test_keys_typed_in_a_burst_all_apply_in_order(page: Page, runner: CliRunner) -> None:
    target = selected_id(page)
    for key in "psnf":
        page.keyboard.press(key)
    wait_for(runner, target, "decision", "feature")
    expect(page.get_by_role("status")).to_have_text(f"feature: link {target}")
    expect_preview_is_the_draft(page, runner)


def test_e_edits_title_and_summary_in_place_and_u_the_url(page: Page, runner: CliRunner) -> None:
    target = ids_in(page, OTHER)[0]
    choose(page, target)
    page.keyboard.press("e")
    form = item(page, target).get_by_role("form", name="Edit link")
    expect(form.get_by_label("Title")).to_be_focused()
    form.get_by_label("Title").fill("A title typed on the page")
    form.get_by_label("Summary").fill("Why it matters, in one line.")
    form.get_by_label("Summary").press("Enter")
    wait_for(runner, target, "user_title", "A title typed on the page")
    assert link(runner, target)["user_summary"] == "Why it matters, in one line."
    expect(preview(page)).to_contain_text("[A title typed on the page](")
    expect_preview_is_the_draft(page, runner)
    page.keyboard.press("u")
    url = item(page, target).get_by_role("form", name="Edit link").get_by_label("URL")
    expect(url).to_be_focused()
    url.fill("https://example.com/the-better-link")
    url.press("Enter")
    wait_for(runner, target, "user_url", "https://example.com/the-better-link")
    expect(preview(page)).to_contain_text("(https://example.com/the-better-link)")


def test_e_starts_from_the_whole_summary_where_the_card_shows_it_cut(
    page: Page, runner: CliRunner
) -> None:
    shown = {int(i) for i in page.locator("#week [data-link-id]").evaluate_all(
        "els => els.map(e => e.dataset.linkId)")}  # fmt: skip
    long = next(e for e in queue(runner) if e["id"] in shown and len(e["summary"] or "") > 400)
    card = item(page, long["id"])
    cut = card.locator(".summary").text_content() or ""
    assert cut.endswith("...") and long["summary"].startswith(cut[:-3].rstrip())
    choose(page, long["id"])
    page.keyboard.press("e")
    summary = card.get_by_role("form", name="Edit link").get_by_label("Summary")
    expect(summary).to_have_value(long["summary"])
    summary.press("End")
    summary.type(" Worth it.")
    summary.press("Enter")
    wait_for(runner, long["id"], "user_summary", long["summary"] + " Worth it.")


def test_alt_arrows_move_an_item_within_its_section(page: Page, runner: CliRunner) -> None:
    before = ids_in(page, OTHER)
    choose(page, before[1])
    page.keyboard.press("Alt+ArrowUp")
    wait_for(runner, before[1], "position", 1)
    expect(
        page.locator(f'#week section[aria-label="{OTHER}"] [data-link-id]').first
    ).to_have_attribute("data-link-id", str(before[1]))
    drafted, _ = invoke(runner, "list", "--draft", "--json")
    places = [entry["id"] for entry in json.loads(drafted) if entry["section"] == OTHER]
    assert places[:2] == [before[1], before[0]]
    page.keyboard.press("Alt+ArrowDown")
    wait_for(runner, before[1], "position", 2)
    expect_preview_is_the_draft(page, runner)


def test_question_mark_lists_the_keys(page: Page) -> None:
    page.keyboard.press("?")
    keys = page.get_by_role("dialog", name="Keys")
    expect(keys).to_be_visible()
    for key in ("j / k", "p", "n", "s", "f", "r", "e", "u", "Alt+↑ / Alt+↓"):
        expect(keys.get_by_text(key, exact=True)).to_be_visible()


# -- item 4: the draft beside it -----------------------------------------------------------


def test_the_preview_shows_as_html_and_copies_as_markdown(page: Page, runner: CliRunner) -> None:
    page.get_by_role("button", name="Show as HTML").click()
    rendered = page.locator("#draft-html")
    expect(rendered).to_be_visible()
    expect(rendered.get_by_role("heading", name="AI Papers")).to_be_visible()
    expect(preview(page)).to_be_hidden()
    page.get_by_role("button", name="Copy").click()
    expect(page.get_by_role("status")).to_have_text("draft copied")
    draft, _ = invoke(runner, "draft")
    assert page.evaluate("navigator.clipboard.readText()") == draft


def test_publish_on_the_page_records_the_issue(page: Page, runner: CliRunner) -> None:
    drafted, _ = invoke(runner, "list", "--draft", "--json")
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_role("status")).to_have_text("published issue #1")
    published = {entry["id"] for entry in queue(runner) if entry["published_in"] == 1}
    assert published == {entry["id"] for entry in json.loads(drafted)}
    expect(page.locator("#week [data-link-id]")).to_have_count(len(queue(runner)) - len(published))


# -- item 5: capture from anywhere ---------------------------------------------------------


def test_the_add_box_queues_a_link_shown_pending_until_enriched(
    page: Page, runner: CliRunner, server: LoopbackServer
) -> None:
    url = server.add(
        "/fresh",
        "<html><head><title>Fresh from the add box</title></head><body><p>Hi.</p></body></html>",
        delay=1.0,
    )
    page.get_by_label("URL").fill(url)
    page.get_by_label("Note").fill("seen on a forum")
    page.get_by_role("button", name="Add", exact=True).click()
    expect(page.get_by_role("status")).to_have_text(f"added {url}")
    added = next(entry for entry in queue(runner) if entry["url"] == url)
    row = item(page, added["id"])
    expect(row.locator(".status")).to_have_text("pending")
    expect(row.locator(".status")).to_have_text("done")
    expect(row.locator(".title")).to_have_text("Fresh from the add box")
    assert link(runner, added["id"])["sightings"][0]["note"] == "seen on a forum"


def test_the_bookmarklet_opens_a_confirm_form_that_adds_the_page(
    page: Page, runner: CliRunner, server: LoopbackServer
) -> None:
    url = server.add("/reading", "<html><head><title>Read me</title></head><body></body></html>")
    code = page.locator("#bookmarklet").get_attribute("href") or ""
    assert code.startswith("javascript:")
    reading = page.context.new_page()
    reading.goto(url)
    with reading.expect_popup() as opened:
        reading.evaluate(code.removeprefix("javascript:"))
    confirm = opened.value
    expect(confirm.get_by_text("Read me")).to_be_visible()
    expect(confirm.get_by_label("URL")).to_have_value(url)
    assert url not in [entry["url"] for entry in queue(runner)]  # nothing added on a GET
    confirm.get_by_role("button", name="Add to queue").click()
    expect(confirm.get_by_role("status")).to_have_text(f"added {url}")
    assert url in [entry["url"] for entry in queue(runner)]


# -- item 6: what comes from the web shows as text -----------------------------------------


def test_a_hostile_title_shows_as_text_and_runs_nothing(
    browser: Browser, served: Served, runner: CliRunner, server: LoopbackServer
) -> None:
    url = server.add("/x", f"<html><head><title>{HOSTILE}</title></head><body></body></html>")
    invoke(runner, "add", url)
    curator("enrich")
    context = browser.new_context()
    shown = context.new_page()
    dialogs: list[str] = []
    shown.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    shown.goto(served.url)
    expect(shown.locator("#week").get_by_text(HOSTILE, exact=True)).to_be_visible()
    assert shown.locator("#week img, #draft-html img").count() == 0
    shown.get_by_role("button", name="Show as HTML").click()
    expect(shown.locator("#draft-html")).to_contain_text(HOSTILE)
    assert shown.locator("#draft-html img").count() == 0
    context.close()
    assert dialogs == []


# -- item 7: any number of writers ---------------------------------------------------------


def test_a_change_made_in_the_cli_shows_without_a_reload(page: Page, runner: CliRunner) -> None:
    target = ids_in(page, OTHER)[-1]
    page.evaluate("window.notReloaded = true")
    invoke(runner, "skip", str(target))
    expect(item(page, target).locator(".decision")).to_have_text("skip")
    assert page.evaluate("window.notReloaded") is True
    expect_preview_is_the_draft(page, runner)


def test_an_edit_from_a_stale_copy_is_refused_with_a_message(page: Page, runner: CliRunner) -> None:
    target = ids_in(page, OTHER)[0]
    choose(page, target)
    page.keyboard.press("e")
    invoke(runner, "edit", str(target), "--title", "Typed in the terminal")
    title = item(page, target).get_by_role("form", name="Edit link").get_by_label("Title")
    title.fill("Typed on a stale page")
    title.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("changed elsewhere")
    assert link(runner, target)["user_title"] == "Typed in the terminal"
    expect(item(page, target).locator(".title")).to_have_text("Typed in the terminal")


# -- the screenshot --------------------------------------------------------------------------


def test_the_page_renders_the_demo_week_and_its_screenshot_is_not_blank(
    page: Page, tmp_path: Path
) -> None:
    expect(page.locator("#week [data-link-id]").first).to_be_visible()
    shot = tmp_path / "serve.png"
    page.screenshot(path=str(shot))
    assert distinct_bytes(shot.read_bytes()) > 64
    if os.environ.get("CURATOR_UPDATE_SCREENSHOT") == "1":  # README's picture, on demand
        SCREENSHOT.parent.mkdir(exist_ok=True)
        shutil.copy(shot, SCREENSHOT)


def distinct_bytes(png: bytes) -> int:
    """How many byte values the decoded image data holds: a blank page has a handful."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    data, at = b"", 8
    while at < len(png):
        (size,) = struct.unpack(">I", png[at : at + 4])
        kind = png[at + 4 : at + 8]
        if kind == b"IDAT":
            data += png[at + 8 : at + 8 + size]
        at += 12 + size
    return len(set(zlib.decompress(data)))
