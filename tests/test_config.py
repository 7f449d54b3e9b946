"""curator.toml: typed, frozen, strict about unknown keys and wrong types."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest

from curator.config import Config, FetchConfig, load_config, offline, parse_config
from curator.errors import ConfigError


@pytest.mark.parametrize("word", ["1", "true", "YES", " on "])
def test_hf_hub_offline_turns_off_every_hugging_face_call(word: str) -> None:
    text = "[huggingface]\ndaily_papers = true\nlookup = true\n"
    config = offline(parse_config(text, Path("c.toml")), {"HF_HUB_OFFLINE": word})
    assert (config.huggingface.lookup, config.huggingface.daily_papers) == (False, False)


@pytest.mark.parametrize("environ", [{}, {"HF_HUB_OFFLINE": "0"}, {"HF_HUB_OFFLINE": ""}])
def test_papers_are_asked_about_on_hugging_face_unless_switched_off(
    environ: dict[str, str],
) -> None:
    assert offline(Config(), environ).huggingface.lookup is True


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "curator.toml"
    path.write_text(text)
    return path


def test_missing_optional_config_gives_the_design_defaults(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("HF_HUB_OFFLINE")
    config = load_config(tmp_path / "absent.toml", required=False)
    assert config == Config()
    assert config.fetch == FetchConfig(
        concurrency=16,
        per_host=4,
        timeout=10.0,
        max_bytes=5_000_000,
        arxiv_api_url="https://export.arxiv.org/api/query",
        arxiv_delay=3.0,
    )


def test_missing_required_config_names_the_file_and_the_fix(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"absent\.toml: no such file.*curator init"):
        load_config(tmp_path / "absent.toml", required=True)


def test_config_keys_from_the_design_are_read(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
[fetch]
concurrency = 8
per_host = 2
timeout = 5
max_bytes = 1_000
arxiv_api_url = "http://127.0.0.1:9/api/query"
arxiv_delay = 0

[[feed]]
name = "The Verge"
url = "https://www.theverge.com/rss/index.xml"

[[arxiv]]
name = "Language models"
query = 'cat:cs.CL AND abs:"language model"'
max_results = 50

[sources]
"mck.co" = "McKinsey"

[draft]
template = "mine.md.j2"
interests = ["agents"]

[[draft.section]]
name = "Robotics"
keywords = ["robot"]
order = 20
""",
    )
    config = load_config(path, required=True)
    assert config.fetch.concurrency == 8 and config.fetch.timeout == 5.0
    assert config.fetch.arxiv_delay == 0.0
    assert config.feed[0].name == "The Verge"
    assert config.arxiv[0].query == 'cat:cs.CL AND abs:"language model"'
    assert config.sources == {"mck.co": "McKinsey"}
    assert config.draft.template == tmp_path / "mine.md.j2"
    assert config.draft.section[0].keywords == ("robot",)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[fetch]\nconcurency = 3\n", r"unknown key fetch\.concurency"),
        ("[fetch]\ntimeout = 'ten'\n", r"fetch\.timeout must be a number, got 'ten'"),
        ("[fetch]\nconcurrency = true\n", r"fetch\.concurrency must be an integer"),
        ("[fetch]\nconcurrency = 0\n", r"fetch\.concurrency must be at least 1"),
        ("[[feed]]\nurl = 'ftp://example.com/feed'\n", r"feed\[0\]\.url: not an http\(s\) URL"),
        ("[[feed]]\nname = 'x'\n", r"missing key feed\[0\]\.url"),
        ("[[arxiv]]\nquery = 'cat:cs.AI'\nmax_results = 0\n", r"arxiv\[0\]\.max_results"),
        ("[draft]\ntags = 'AI'\n", r"draft\.tags must be an array"),
        ("[sources]\n'x.com' = 3\n", r"sources\.x\.com must be a string"),
        ("title = 'x'\n", r"unknown key title"),
        ("[fetch\n", r"invalid TOML: .*line 1"),
        (
            "[[feed]]\nurl = 'https://a.example/f'\nname = 'A'\n"
            "[[feed]]\nurl = 'https://b.example/f'\nname = 'A'\n",
            r"duplicate source name 'A'",
        ),
    ],
)
def test_bad_config_is_one_line_naming_file_and_key(
    tmp_path: Path, text: str, message: str
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError, match=message) as caught:
        load_config(path, required=True)
    assert str(caught.value).startswith(str(path))
    assert "\n" not in str(caught.value)


def test_starter_config_is_valid_and_has_real_sources() -> None:
    text = resources.files("curator.config").joinpath("starter.toml").read_text("utf-8")
    config = parse_config(text, Path("curator.toml"))
    queries = " ".join(q.query for q in config.arxiv)
    assert all(cat in queries for cat in ("cs.AI", "cs.CL", "cs.LG"))
    assert len(config.feed) >= 3
    assert all(feed.url.startswith("https://") for feed in config.feed)
