"""curator.toml -> frozen dataclasses. Raises ConfigError with one line naming file and key.

Unknown keys and wrong types are errors, so a typo never silently falls back to a default.
Imports nothing from curator but errors and urls.
"""

from __future__ import annotations

import os
import re
import string
import tomllib
import types
import typing
from collections.abc import Mapping
from dataclasses import MISSING, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from curator import urls
from curator.errors import ConfigError, InvalidURLError

ARXIV_API_URL = "https://export.arxiv.org/api/query"
DATE_FORMATS = ("long", "iso")
# A front matter key that needs no YAML quoting (YAML 1.2, 7.3.3 plain scalars).
_YAML_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
HF_API_URL = "https://huggingface.co/api"
HN_API_URL = "https://hn.algolia.com/api/v1"
# huggingface_hub's switch: "if set, no HTTP calls will be made to the Hub"; its true words.
HF_OFFLINE_WORDS = frozenset({"1", "on", "yes", "true"})


@dataclass(frozen=True)
class FetchConfig:
    concurrency: int = 16
    per_host: int = 4
    timeout: float = 10.0
    max_bytes: int = 5_000_000
    arxiv_api_url: str = ARXIV_API_URL
    # arXiv's API terms ask for no more than one request every three seconds.
    arxiv_delay: float = 3.0
    # Transient failures (timeouts, 5xx, 429) are retried this many times, then given up.
    max_attempts: int = 5
    # A proxy URL for every request; empty: HTTP(S)_PROXY / ALL_PROXY / NO_PROXY decide.
    proxy: str = ""
    # A PEM file of trusted CAs; empty: SSL_CERT_FILE / SSL_CERT_DIR, then certifi's.
    ca_bundle: Path | None = None
    # Follow redirects from a public host to loopback, private or link-local addresses.
    allow_private: bool = False


@dataclass(frozen=True)
class FeedSource:
    url: str
    name: str = ""


@dataclass(frozen=True)
class ArxivSource:
    query: str
    name: str = ""
    max_results: int = 50


@dataclass(frozen=True)
class SectionRule:
    """An extra draft section: links whose domain or words match go here."""

    name: str
    domains: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    order: int = 50


@dataclass(frozen=True)
class RankConfig:
    """The weights of the rank score (compose.selection.score, issue 17)."""

    sources: float = 100.0  # per distinct source of the author's that surfaced the link
    hf_upvotes: float = 3.0  # per doubling of Hugging Face upvotes: log2(1 + upvotes)
    hn_points: float = 3.0  # per doubling of Hacker News points: log2(1 + points)
    interests: float = 10.0  # per `interests` keyword in the title or summary
    age: float = 1.0  # taken off per day between publication and the window's end


PAPER_SUMMARIES = ("abstract", "hf")


@dataclass(frozen=True)
class DraftConfig:
    title: str = "Some interesting things to read"
    tags: tuple[str, ...] = ("weekly-digest", "AI", "technology", "machine-learning")
    interests: tuple[str, ...] = ()
    max_papers: int = 10
    max_links: int = 15
    template: Path | None = None
    section: tuple[SectionRule, ...] = ()
    # The front matter's date (issue 16): "long" (29 December 2023), "iso" (2023-12-29) or
    # a strftime pattern; Hugo rejects the long form, Astro reads it as local midnight.
    date_format: str = "long"
    date_key: str = "publishDate"  # Astro's starter reads pubDate, Hugo date

    # "llm": items show the cached LLM summary where there is one (issue 20).
    summary: str = "extractive"
    rank: RankConfig = field(default_factory=RankConfig)
    code_links: bool = True  # a paper's line ends with [code](url) when it has one
    # "abstract": its first sentences; "hf": Hugging Face's ai_summary when it has one.
    paper_summary: str = "abstract"


SUMMARY_KINDS = ("extractive", "llm")
# What a `[summaries] prompt` template may name, as {title} and so on.
PROMPT_FIELDS = frozenset({"title", "text", "source", "kind", "sentences"})


@dataclass(frozen=True)
class SummariesConfig:
    """LLM summaries (issue 20): `model` is an llm model id or alias; empty turns them off."""

    model: str = ""
    prompt: str = ""  # empty: the built-in prompt
    sentences: int = 2
    max_per_run: int = 30  # calls to the model per run, at most
    max_chars: int = 4000  # of a page's main text sent with the prompt
    timeout: float = 30.0  # seconds one call may take


BUTTONDOWN_API_URL = "https://api.buttondown.com/v1"


@dataclass(frozen=True)
class ButtondownConfig:
    api_url: str = BUTTONDOWN_API_URL  # another for a proxy or a test double


@dataclass(frozen=True)
class GhostConfig:
    url: str = ""  # the site's URL, e.g. https://blog.example.com (required to export)


@dataclass(frozen=True)
class ExportConfig:
    """`[export.buttondown]` and `[export.ghost]`: where drafts go. The keys never live
    here: only in the environment (BUTTONDOWN_API_KEY, GHOST_ADMIN_API_KEY)."""

    buttondown: ButtondownConfig = field(default_factory=ButtondownConfig)
    ghost: GhostConfig = field(default_factory=GhostConfig)


@dataclass(frozen=True)
class HuggingFaceConfig:
    """Hugging Face Daily Papers as a source, and papers' signals (issue 17)."""

    daily_papers: bool = False  # queue the daily papers of the days since the last run
    min_upvotes: int = 0  # daily papers with fewer upvotes are not queued
    lookup: bool = True  # ask /api/papers/{id} for every queued paper's signals
    api_url: str = HF_API_URL
    days: int = 7  # the window: a run fetches at most this many days


@dataclass(frozen=True)
class HackerNewsConfig:
    """Hacker News points and threads for links, and front-page stories (issue 17)."""

    lookup: bool = False  # look every non-paper link up on HN by its URL
    front_page: bool = False  # queue the window's front-page stories
    min_points: int = 100  # front-page stories with fewer points are not queued
    api_url: str = HN_API_URL
    days: int = 7


@dataclass(frozen=True)
class Config:
    fetch: FetchConfig = field(default_factory=FetchConfig)
    feed: tuple[FeedSource, ...] = ()
    arxiv: tuple[ArxivSource, ...] = ()
    draft: DraftConfig = field(default_factory=DraftConfig)
    summaries: SummariesConfig = field(default_factory=SummariesConfig)
    sources: dict[str, str] = field(default_factory=dict)
    export: ExportConfig = field(default_factory=ExportConfig)
    huggingface: HuggingFaceConfig = field(default_factory=HuggingFaceConfig)
    hackernews: HackerNewsConfig = field(default_factory=HackerNewsConfig)
    path: Path | None = None


def load_config(path: Path, *, required: bool) -> Config:
    """Read `path`; a missing file gives the defaults unless `required`. The environment
    has the last word on what may reach Hugging Face (`offline`)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        if required:
            raise ConfigError(f"{path}: no such file (create one with `curator init`)") from None
        return offline(Config(), os.environ)
    except (OSError, UnicodeDecodeError) as err:
        raise ConfigError(f"{path}: cannot read: {err}") from None
    return offline(parse_config(text, path), os.environ)


def offline(config: Config, environ: Mapping[str, str]) -> Config:
    """`HF_HUB_OFFLINE=1`, the switch huggingface_hub and its users already honour, turns
    off every call to Hugging Face: the papers' lookups and the Daily Papers."""
    if environ.get("HF_HUB_OFFLINE", "").strip().lower() not in HF_OFFLINE_WORDS:
        return config
    quiet = replace(config.huggingface, lookup=False, daily_papers=False)
    return replace(config, huggingface=quiet)


def parse_config(text: str, path: Path) -> Config:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"{path}: invalid TOML: {err}") from None
    reserved = {"path"}
    if reserved & data.keys():
        raise ConfigError(f"{path}: unknown key 'path'")
    config = _build(Config, data, path, "")
    _check(config, path)
    return _resolve_template(config, path)


def _build(cls: type[Any], data: Any, path: Path, where: str) -> Any:
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: {where or 'top level'} must be a table")
    hints = typing.get_type_hints(cls)
    known = {f.name: f for f in fields(cls)}
    for name in data:
        if name not in known:
            raise ConfigError(f"{path}: unknown key {_join(where, name)}")
    values = {}
    for name, spec in known.items():
        if name in data:
            values[name] = _convert(hints[name], data[name], path, _join(where, name))
        elif spec.default is MISSING and spec.default_factory is MISSING:
            raise ConfigError(f"{path}: missing key {_join(where, name)}")
    return cls(**values)


def _convert(hint: Any, value: Any, path: Path, where: str) -> Any:
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (types.UnionType, typing.Union):
        return _convert(next(a for a in args if a is not type(None)), value, path, where)
    if origin is tuple:
        if not isinstance(value, list):
            raise ConfigError(f"{path}: {where} must be an array, got {_show(value)}")
        return tuple(_convert(args[0], v, path, f"{where}[{i}]") for i, v in enumerate(value))
    if origin is dict:
        if not isinstance(value, dict):
            raise ConfigError(f"{path}: {where} must be a table, got {_show(value)}")
        return {str(k): _convert(args[1], v, path, _join(where, k)) for k, v in value.items()}
    if hint is float and isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if hint is Path and isinstance(value, str):
        return Path(value)
    if hint in (int, str, bool):
        if isinstance(value, hint) and (hint is bool or not isinstance(value, bool)):
            return value
        raise ConfigError(f"{path}: {where} must be {_TYPE_NAMES[hint]}, got {_show(value)}")
    if isinstance(hint, type) and hasattr(hint, "__dataclass_fields__"):
        return _build(hint, value, path, where)
    raise ConfigError(f"{path}: {where} must be {_TYPE_NAMES.get(hint, hint)}, got {_show(value)}")


_TYPE_NAMES: dict[Any, str] = {
    int: "an integer",
    float: "a number",
    str: "a string",
    bool: "true or false",
    Path: "a path string",
}


def _check(config: Config, path: Path) -> None:
    fetch = config.fetch
    for name in ("concurrency", "per_host", "max_bytes", "max_attempts"):
        if getattr(fetch, name) < 1:
            raise ConfigError(f"{path}: fetch.{name} must be at least 1")
    if fetch.timeout <= 0 or fetch.arxiv_delay < 0:
        raise ConfigError(f"{path}: fetch.timeout must be > 0 and fetch.arxiv_delay >= 0")
    _check_url(fetch.arxiv_api_url, path, "fetch.arxiv_api_url")
    if fetch.proxy and not fetch.proxy.lower().startswith(("http://", "https://", "socks5://")):
        raise ConfigError(f"{path}: fetch.proxy must be an http://, https:// or socks5:// URL")
    names: set[str] = set()
    for i, feed in enumerate(config.feed):
        _check_url(feed.url, path, f"feed[{i}].url")
        _check_unique(feed_name(feed), names, path, f"feed[{i}].name")
    for i, query in enumerate(config.arxiv):
        if not 1 <= query.max_results <= 2000:
            raise ConfigError(f"{path}: arxiv[{i}].max_results must be between 1 and 2000")
        if not query.query.strip():
            raise ConfigError(f"{path}: arxiv[{i}].query is empty")
        _check_unique(arxiv_name(query), names, path, f"arxiv[{i}].name")
    _check_services(config, path)
    _check_draft(config.draft, path)
    _check_url(config.export.buttondown.api_url, path, "export.buttondown.api_url")
    if config.export.ghost.url:
        _check_url(config.export.ghost.url, path, "export.ghost.url")
    _check_summaries(config.summaries, path)


def _check_draft(draft: DraftConfig, path: Path) -> None:
    if draft.paper_summary not in PAPER_SUMMARIES:
        raise ConfigError(f'{path}: draft.paper_summary must be "abstract" or "hf"')
    if draft.max_papers < 0 or draft.max_links < 0:
        raise ConfigError(f"{path}: draft.max_papers and draft.max_links must be >= 0")
    if draft.summary not in SUMMARY_KINDS:
        raise ConfigError(f"{path}: draft.summary must be one of {', '.join(SUMMARY_KINDS)}")
    if draft.date_format not in DATE_FORMATS and "%" not in draft.date_format:
        raise ConfigError(f'{path}: draft.date_format must be "long", "iso" or a strftime pattern')
    if not _YAML_KEY.fullmatch(draft.date_key):
        raise ConfigError(f"{path}: draft.date_key must be a plain name like pubDate")


def _check_summaries(summaries: SummariesConfig, path: Path) -> None:
    for name in ("sentences", "max_per_run", "max_chars"):
        if getattr(summaries, name) < 1:
            raise ConfigError(f"{path}: summaries.{name} must be at least 1")
    if summaries.timeout <= 0:
        raise ConfigError(f"{path}: summaries.timeout must be > 0")
    _check_prompt(summaries.prompt, path)


def _check_prompt(template: str, path: Path) -> None:
    try:
        names = {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}
    except ValueError as err:
        raise ConfigError(f"{path}: summaries.prompt: {err}") from None
    unknown = sorted(names - PROMPT_FIELDS)
    if unknown:
        allowed = ", ".join(f"{{{name}}}" for name in sorted(PROMPT_FIELDS))
        raise ConfigError(
            f"{path}: summaries.prompt: unknown placeholder {{{unknown[0]}}} (use {allowed})"
        )


def _check_services(config: Config, path: Path) -> None:
    for name in ("huggingface", "hackernews"):
        service = getattr(config, name)
        _check_url(service.api_url, path, f"{name}.api_url")
        if not 1 <= service.days <= 31:
            raise ConfigError(f"{path}: {name}.days must be between 1 and 31")
    if config.huggingface.min_upvotes < 0 or config.hackernews.min_points < 0:
        raise ConfigError(f"{path}: huggingface.min_upvotes and hackernews.min_points must be >= 0")


def _check_url(url: str, path: Path, where: str) -> None:
    try:
        urls.check(url)
    except InvalidURLError as err:
        raise ConfigError(f"{path}: {where}: {err}") from None


def _check_unique(name: str, seen: set[str], path: Path, where: str) -> None:
    if name in seen:
        raise ConfigError(f"{path}: {where}: duplicate source name {name!r}")
    seen.add(name)


def _resolve_template(config: Config, path: Path) -> Config:
    """Relative paths in the config are relative to the config file."""
    template = config.draft.template
    draft = config.draft
    if template is not None and not template.is_absolute():
        draft = DraftConfig(**{**draft.__dict__, "template": path.parent / template})
    fetch = config.fetch
    if fetch.ca_bundle is not None and not fetch.ca_bundle.is_absolute():
        fetch = FetchConfig(**{**fetch.__dict__, "ca_bundle": path.parent / fetch.ca_bundle})
    return Config(**{**config.__dict__, "draft": draft, "fetch": fetch, "path": path})


def feed_name(feed: FeedSource) -> str:
    return feed.name or urls.host(feed.url)


def arxiv_name(query: ArxivSource) -> str:
    return query.name or f"arXiv: {query.query}"


def _join(where: str, name: object) -> str:
    return f"{where}.{name}" if where else str(name)


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."
