"""`curator draft` and `publish` end to end: a database built through the CLI; then issue
14, the author's week: nothing silently dropped, `pin`, the author's summaries, `list
--draft`, and the small ones (`add --file` comments, the error column, `--status picked`,
the window warning)."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml
from markdown_it import MarkdownIt
from typer.testing import CliRunner

from tests.cli import invoke, queue
from tests.fakes import API_PATH, FakeArxiv
from tests.helpers import DATA, today
from tests.server import LoopbackServer

GOLDEN = DATA / "draft" / "week.md"
PAGES = DATA / "pages"


def draft(runner: CliRunner, *args: str, code: int = 0) -> tuple[str, str]:
    window = ("--since", today(), "--until", today(), "--date", "2024-01-05")
    return invoke(runner, "draft", *window, *args, code=code)


@pytest.fixture
def week(runner: CliRunner, env: Path, server: LoopbackServer) -> LoopbackServer:
    """A week's queue: four pages, a PDF, a tweet and three papers, enriched."""
    (env / "curator.toml").write_text(
        f'[fetch]\narxiv_api_url = "{server.url(API_PATH)}"\narxiv_delay = 0\n\n'
        '[sources]\n"127.0.0.1" = "Loopback Times"\n'
    )
    titles = {
        "2401.00001": "Teaching small models to count",
        "2401.00002": "A made-up study of retrieval",
        "2312.11514": "Efficient attention for long documents",
    }
    server.add_writer(API_PATH, FakeArxiv(known=set(titles), titles=titles))
    for path, name in [
        ("/robots", "with_og_site_name.html"),
        ("/bikes", "without_site_name.html"),
        ("/cafe", "windows1252.html"),
        ("/bahn", "non_english.html"),
    ]:
        server.add(path, (PAGES / name).read_bytes())
    pages = [server.url(path) for path in ("/robots", "/bikes", "/cafe", "/bahn")]
    papers = [
        "https://arxiv.org/pdf/2401.00001v2",
        "https://huggingface.co/papers/2401.00002",
        "https://arxiv.org/abs/2312.11514",
    ]
    invoke(runner, "add", *pages, *papers, "https://x.com/someone/status/1737279359709487498")
    invoke(runner, "enrich")
    return server


def golden_text(server: LoopbackServer) -> str:
    return GOLDEN.read_text().replace("http://LOOPBACK", server.base_url)


def test_the_draft_matches_the_golden_issue(runner: CliRunner, week: LoopbackServer) -> None:
    invoke(runner, "feature", "1")
    invoke(runner, "skip", "4")
    invoke(runner, "pick", "2", "3", "5", "6", "7", "8")
    invoke(runner, "edit", "2", "--title", "Twelve kilometres of [new] bike lanes")
    invoke(runner, "edit", "3", "--summary", "Why it matters, in my words.")
    stdout, stderr = draft(runner, "--number", "7")
    assert stdout == golden_text(week), stdout
    assert stderr == ""


def test_front_matter_and_structure_parse_back(runner: CliRunner, week: LoopbackServer) -> None:
    stdout, _ = draft(runner)
    _, front, body = stdout.split("---\n", 2)
    meta = yaml.safe_load(front)
    assert meta["title"] == "Some interesting things to read #1"
    assert meta["publishDate"] == "5 January 2024"
    assert meta["tags"] == ["weekly-digest", "AI", "technology", "machine-learning"]
    tokens = MarkdownIt("commonmark").parse(body)
    headings = [tokens[i + 1].content for i, t in enumerate(tokens) if t.type == "heading_open"]
    assert headings == ["Other Reads", "AI Papers", "Other interesting stuff"]
    links = [
        child.attrs["href"]
        for token in tokens
        if token.type == "inline"
        for child in token.children or []
        if child.type == "link_open"
    ]
    assert len(links) == 8 and "https://arxiv.org/abs/2401.00001" in links


def test_picking_limits_the_draft_to_the_picked_links(
    runner: CliRunner, week: LoopbackServer
) -> None:
    invoke(runner, "pick", "1", "5")
    stdout, _ = draft(runner)
    assert stdout.count("](") == 2
    invoke(runner, "reset", "1", "5")
    stdout, _ = draft(runner)
    assert stdout.count("](") == 8


def test_publish_then_draft_again_repeats_nothing(runner: CliRunner, week: LoopbackServer) -> None:
    stdout, _ = draft(runner, "--number", "6")
    _, stderr = invoke(runner, "publish", "--since", today(), "--until", today(), "--number", "6")
    assert "published issue #6" in stderr
    stdout, _ = invoke(runner, "list", "--json", "--status", "published")
    assert len(json.loads(stdout)) == 8
    invoke(runner, "add", "https://arxiv.org/abs/2401.00001v3")  # seen again after publishing
    stdout, _ = invoke(runner, "list", "--json", "--status", "published")
    assert {item["published_in"] for item in json.loads(stdout)} == {6}
    stdout, _ = draft(runner)
    assert "#7" in stdout and "](" not in stdout


def test_draft_out_writes_the_file_and_keeps_stdout_clean(
    runner: CliRunner, week: LoopbackServer, env: Path
) -> None:
    stdout, stderr = draft(runner, "--out", str(env / "drafts" / "next.md"))
    assert stdout == "" and "wrote" in stderr
    assert (env / "drafts" / "next.md").read_text().startswith("---\ntitle:")


def test_check_warns_and_exits_1(runner: CliRunner, week: LoopbackServer) -> None:
    week.add("/gone", "no", status=404)
    invoke(runner, "add", week.url("/gone"))
    invoke(runner, "enrich")
    invoke(runner, "edit", "9", "--title", "A link that failed")
    invoke(runner, "pick", "9", "1")
    _, stderr = draft(runner, "--check", code=1)
    assert "warning:" in stderr and "HTTP 404" in stderr
    draft(runner)  # without --check the draft is still written


def test_list_filters_by_section_week_and_status(runner: CliRunner, week: LoopbackServer) -> None:
    stdout, _ = invoke(runner, "list", "--json", "--section", "AI Papers")
    assert {item["kind"] for item in json.loads(stdout)} == {"paper"}
    iso = datetime.now(UTC).isocalendar()
    stdout, _ = invoke(runner, "list", "--json", "--week", f"{iso.year}-W{iso.week:02d}")
    assert len(json.loads(stdout)) == 8
    stdout, _ = invoke(runner, "list", "--json", "--week", "2020-W01")
    assert json.loads(stdout) == []


def test_a_template_typo_is_one_line_and_exit_2(
    runner: CliRunner, week: LoopbackServer, env: Path
) -> None:
    (env / "mine.md.j2").write_text("# {{ titel }}\n")
    with (env / "curator.toml").open("a") as config:
        config.write('\n[draft]\ntemplate = "mine.md.j2"\n')
    _, stderr = draft(runner, code=2)
    assert "mine.md.j2" in stderr and "titel" in stderr and stderr.count("\n") == 1


def test_bad_windows_are_usage_errors(runner: CliRunner) -> None:
    _, stderr = invoke(runner, "draft", "--week", "2023-W52", "--since", "2023-12-01", code=2)
    assert "either --week or --since/--until" in stderr
    _, stderr = invoke(runner, "draft", "--week", "last week", code=2)
    assert "2023-W52" in stderr
    invoke(runner, "draft", "--since", "2023-13-01", code=2)


def test_draft_publish_records_the_issue_it_printed(
    runner: CliRunner, week: LoopbackServer
) -> None:
    stdout, stderr = draft(runner, "--number", "3", "--publish")
    assert "#3" in stdout and "published issue #3" in stderr
    published, _ = invoke(runner, "list", "--json", "--status", "published")
    assert {item["published_in"] for item in json.loads(published)} == {3}
    assert len(json.loads(published)) == stdout.count("](")
    again, _ = draft(runner)
    assert "#4" in again and "](" not in again


NEXT = "9"  # the id of the first link a test adds to the week's eight


def titles_in(text: str) -> list[str]:
    """Every linked item's title, in the draft's order (a featured one by its heading)."""
    featured = re.findall(r"^## \d+\. (.*)$", text, re.M)
    listed = re.findall(r"^\d+\. \[(.*?)\]\(", text, re.M)
    return [re.sub(r"\\(.)", r"\1", title) for title in [*featured, *listed]]  # unescaped


def dead_bookmark(runner: CliRunner, server: LoopbackServer, env: Path) -> None:
    """A bookmark with a title whose page is gone (HTTP 404): failed for good."""
    gone = server.add("/gone", "no", status=404)
    bookmarks = env / "bookmarks.html"
    bookmarks.write_text(
        f'<!DOCTYPE NETSCAPE-Bookmark-file-1>\n<DL><p><DT><A HREF="{gone}">A dead page</A>\n'
    )
    invoke(runner, "import", str(bookmarks))
    invoke(runner, "enrich")


# -- issue 14 item 1: nothing silently dropped --------------------------------------------


def test_a_picked_link_without_a_title_yet_is_named_and_the_draft_does_not_fall_back(
    runner: CliRunner, week: LoopbackServer
) -> None:
    invoke(runner, "add", week.url("/later"))
    invoke(runner, "pick", NEXT)
    stdout, stderr = draft(runner)
    assert "](" not in stdout  # not every link of the window instead
    assert (
        f"warning: link {NEXT} ({week.url('/later')}): picked but left out: no title "
        f"(not enriched yet); give it one with `curator edit {NEXT} --title TEXT`\n"
    ) in stderr


def test_a_picked_link_that_has_a_title_goes_in_with_a_warning(
    runner: CliRunner, week: LoopbackServer
) -> None:
    invoke(runner, "add", week.url("/later"))
    invoke(runner, "edit", NEXT, "--title", "Worth the wait")
    invoke(runner, "pick", NEXT, "1")
    stdout, stderr = draft(runner)
    robots = "Robots learn to fold laundry from a single demonstration"
    assert sorted(titles_in(stdout)) == [robots, "Worth the wait"]
    assert f'warning: link {NEXT} "Worth the wait": not enriched yet\n' in stderr


def test_a_dead_link_with_a_title_stays_out_of_the_automatic_draft(
    runner: CliRunner, week: LoopbackServer, env: Path
) -> None:
    dead_bookmark(runner, week, env)
    stdout, _ = draft(runner)
    assert "A dead page" not in stdout and len(titles_in(stdout)) == 8
    invoke(runner, "pin", NEXT)  # asked for, it goes in, with a warning
    stdout, stderr = draft(runner)
    assert "A dead page" in stdout
    assert f'warning: link {NEXT} "A dead page": enrichment failed: HTTP 404\n' in stderr


def test_a_pdf_named_after_its_url_stays_out_of_the_automatic_draft(
    runner: CliRunner, week: LoopbackServer
) -> None:
    pdf = week.add(
        "/files/quarterly-report.pdf",
        (PAGES / "minimal.pdf").read_bytes(),
        content_type="application/pdf",
    )
    invoke(runner, "add", pdf)
    invoke(runner, "enrich")
    [row] = [item for item in queue(runner) if item["url"] == pdf]
    assert row["title"] == "quarterly report" and row["status"] == "done"
    stdout, _ = draft(runner)
    assert "quarterly report" not in stdout
    invoke(runner, "edit", NEXT, "--title", "The quarter in numbers")
    stdout, _ = draft(runner)
    assert "[The quarter in numbers](" in stdout


def test_publish_refuses_a_draft_holding_a_failed_or_pending_link_unless_forced(
    runner: CliRunner, week: LoopbackServer, env: Path
) -> None:
    dead_bookmark(runner, week, env)
    invoke(runner, "add", week.url("/later"))
    invoke(runner, "edit", "10", "--title", "Not fetched yet")
    invoke(runner, "pick", NEXT, "10", "1")
    window = ("--since", today(), "--until", today())
    _, stderr = invoke(runner, "publish", *window, code=1)
    assert stderr == (
        'curator: error: not published: link 10 "Not fetched yet" (not enriched yet), '
        f'link {NEXT} "A dead page" (failed); enrich, skip or edit them, or publish with '
        "--force\n"
    )
    stdout, stderr = draft(runner, "--publish", code=1)
    assert "[A dead page](" in stdout and stderr.endswith("or publish with --force\n")
    assert json.loads(invoke(runner, "list", "--json", "--status", "published")[0]) == []
    _, stderr = invoke(runner, "publish", *window, "--force")
    assert "published issue #1" in stderr


def test_a_link_seen_after_a_same_day_issue_was_published_is_in_the_next_window(
    runner: CliRunner, week: LoopbackServer
) -> None:
    draft(runner, "--publish")  # the window was all of today, and is partly still to come
    invoke(runner, "add", week.url("/later"))
    invoke(runner, "edit", NEXT, "--title", "After the issue")
    stdout, stderr = invoke(runner, "draft")
    assert titles_in(stdout) == ["After the issue"]
    assert "window" not in stderr


def test_a_pick_from_an_earlier_week_is_named_with_the_window_it_is_outside(
    runner: CliRunner, week: LoopbackServer
) -> None:
    invoke(runner, "pick", "1")
    _, stderr = invoke(runner, "draft", "--since", "2020-01-06", "--until", "2020-01-12")
    assert re.search(
        r'warning: link 1 "Robots learn[^"]*": first seen \d{4}-\d\d-\d\d, after the window '
        r"\(2020-01-06 to 2020-01-12\)\n",
        stderr,
    ), stderr


# -- issue 14 item 2: pin -----------------------------------------------------------------


def draft_ids(runner: CliRunner) -> list[str]:
    """The ids `list --draft` shows, in the draft's order."""
    stdout, _ = invoke(runner, "list", "--draft")
    return [line.split("\t")[2] for line in stdout.splitlines()]


def test_pin_adds_a_link_on_top_of_the_automatic_selection_and_reset_clears_it(
    runner: CliRunner, week: LoopbackServer, env: Path
) -> None:
    with (env / "curator.toml").open("a") as config:
        config.write("\n[draft]\nmax_links = 1\nmax_papers = 1\n")
    before = draft_ids(runner)
    assert len(before) == 2  # one paper, one link
    paper = next(i for i in ("5", "6", "7") if i not in before)
    page = next(i for i in ("1", "2", "3", "4") if i not in before)
    _, stderr = invoke(runner, "pin", paper, page)
    assert stderr == f"pin: {paper}, {page}\n"
    after = draft_ids(runner)
    assert sorted(after) == sorted([*before, paper, page])  # nothing else dropped
    stdout, _ = invoke(runner, "list", "--status", "pinned")
    assert sorted(line.split("\t")[0] for line in stdout.splitlines()) == sorted([paper, page])
    invoke(runner, "reset", paper, page)
    assert draft_ids(runner) == before


def test_pick_still_means_only_the_picked_ones_beside_a_pin(
    runner: CliRunner, week: LoopbackServer
) -> None:
    invoke(runner, "pin", "8")
    invoke(runner, "pick", "5")
    assert titles_in(draft(runner)[0]) == ["Teaching small models to count", "Tweet by @someone"]


# -- issue 14 item 3: the author's words --------------------------------------------------


def test_an_own_summary_shows_on_a_paper_a_link_and_a_tweet(
    runner: CliRunner, week: LoopbackServer
) -> None:
    invoke(runner, "edit", "5", "--summary", "Counting, finally.")
    invoke(runner, "edit", "8", "--summary", "A thread worth reading.")
    stdout, _ = draft(runner)
    paper = "[Teaching small models to count](https://arxiv.org/abs/2401.00001)"
    assert f"1. {paper} - Counting, finally.\n" in stdout
    assert (
        "(https://x.com/someone/status/1737279359709487498) (Tweet) - A thread worth reading.\n"
        in stdout
    )


# -- issue 14 item 4: list --draft --------------------------------------------------------


def test_list_draft_shows_the_drafts_items_in_its_order_by_section(
    runner: CliRunner, week: LoopbackServer
) -> None:
    invoke(runner, "feature", "1")
    invoke(runner, "pick", "2", "3", "5", "6", "7")
    invoke(runner, "pin", "8")
    invoke(runner, "edit", "3", "--position", "1")
    text, _ = draft(runner)
    stdout, _ = invoke(runner, "list", "--draft")
    lines = [line.split("\t") for line in stdout.splitlines()]
    assert [fields[5] for fields in lines] == titles_in(text)
    assert lines[0] == [
        "Featured", "1", "1", "featured", "Loopback Times",
        "Robots learn to fold laundry from a single demonstration",
    ]  # fmt: skip
    sections = [fields[0] for fields in lines]
    assert sections == ["Featured"] + ["AI Papers"] * 3 + ["Other interesting stuff"] * 3
    other = [fields for fields in lines if fields[0] == "Other interesting stuff"]
    assert [f[1] for f in other] == ["1", "2", "3"] and other[0][2] == "3"  # --position 1
    assert {f[3] for f in lines[1:]} == {"picked", "pinned"}


def test_list_draft_json_is_the_same_plan(runner: CliRunner, week: LoopbackServer) -> None:
    invoke(runner, "pick", "5", "3")
    stdout, _ = invoke(runner, "list", "--draft", "--json")
    items = json.loads(stdout)
    assert [(i["id"], i["section"], i["position"], i["decision"]) for i in items] == [
        (5, "AI Papers", 1, "pick"),
        (3, "Other interesting stuff", 1, "pick"),
    ]
    assert items[1]["source"] == "Loopback Times" and items[1]["url"] == week.url("/cafe")


def test_list_draft_takes_no_queue_filters(runner: CliRunner, week: LoopbackServer) -> None:
    _, stderr = invoke(runner, "list", "--draft", "--status", "done", code=2)
    assert stderr == "curator: error: --draft takes only --week and --json\n"


# -- issue 14 item 9, the small ones ------------------------------------------------------


def test_add_file_accepts_a_comment_after_a_url(runner: CliRunner) -> None:
    text = "https://a.example/post  # from Ana\nhttps://b.example/page#part\n# a whole line\n"
    _, stderr = invoke(runner, "add", "--file", "-", input=text)
    assert stderr == "2 new, 0 already queued\n"
    assert [item["url"] for item in queue(runner)] == [
        "https://a.example/post",
        "https://b.example/page",
    ]


def test_list_of_failed_links_shows_their_error(
    runner: CliRunner, week: LoopbackServer, env: Path
) -> None:
    dead_bookmark(runner, week, env)
    stdout, _ = invoke(runner, "list", "--status", "failed")
    assert stdout == f"{NEXT}\tfailed\tlink\tA dead page\t{week.url('/gone')}\tHTTP 404\n"


@pytest.mark.parametrize("decision", ["pick", "feature", "pin"])
def test_status_picked_includes_featured_and_pinned_links(
    runner: CliRunner, week: LoopbackServer, decision: str
) -> None:
    invoke(runner, decision, "3")
    stdout, _ = invoke(runner, "list", "--status", "picked")
    assert [line.split("\t")[0] for line in stdout.splitlines()] == ["3"]
