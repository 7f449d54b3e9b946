"""Add feeds to curator.toml without disturbing what the author wrote there.

New [[feed]] tables are rendered with tomlkit and appended to the file's text, so every
existing byte (comments, order, blank lines) stays as it was. The result is validated like
any config before it replaces the file.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import tomlkit
from tomlkit.exceptions import ParseError
from tomlkit.items import AoT
from tomlkit.toml_document import TOMLDocument

from curator import urls
from curator.config import FeedSource, arxiv_name, feed_name, parse_config
from curator.errors import ConfigError
from curator.files import write_atomically
from curator.text import collapse


def add_feeds(path: Path, feeds: Sequence[FeedSource]) -> list[FeedSource]:
    """Append the feeds whose URL is not configured yet; return them as written."""
    text = _read(path)
    config = parse_config(text, path)
    known = {urls.canonical(feed.url) for feed in config.feed}
    # Feed and query names share one namespace and must be unique (config.py, _check).
    names = {feed_name(feed) for feed in config.feed} | {arxiv_name(q) for q in config.arxiv}
    added: list[FeedSource] = []
    for feed in feeds:
        key = urls.canonical(feed.url)
        if key in known:
            continue
        known.add(key)
        name = _unique_name(feed, names)
        names.add(name)
        added.append(FeedSource(url=urls.check(feed.url), name=name))
    if added:
        new_text = _with_feeds(text, _parse(text, path), added)
        parse_config(new_text, path)
        write_atomically(path, new_text)
    return added


def _read(path: Path) -> str:
    try:
        # Bytes, so that CRLF line ends survive the round trip unchanged.
        return path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        return ""
    except (OSError, UnicodeDecodeError) as err:
        raise ConfigError(f"{path}: cannot read: {err}") from None


def _parse(text: str, path: Path) -> TOMLDocument:
    try:
        return tomlkit.parse(text)
    except ParseError as err:
        raise ConfigError(f"{path}: invalid TOML: {err}") from None


def _unique_name(feed: FeedSource, taken: set[str]) -> str:
    base = collapse(feed_name(feed))
    host = urls.host(feed.url)
    options = [base, f"{base} ({host})"] if host != base else [base]
    for name in options:
        if name not in taken:
            return name
    number = 2
    while f"{base} {number}" in taken:
        number += 1
    return f"{base} {number}"


def _with_feeds(text: str, document: TOMLDocument, feeds: list[FeedSource]) -> str:
    existing = document.get("feed")
    if existing is not None and not isinstance(existing, AoT):
        # `feed = [...]` written inline: TOML forbids adding [[feed]] tables to it.
        for feed in feeds:
            existing.append({"name": feed.name, "url": feed.url})
        return document.as_string()
    tables = tomlkit.aot()
    for feed in feeds:
        table = tomlkit.table()
        table.add("name", feed.name)
        table.add("url", feed.url)
        tables.append(table)
    addition = tomlkit.document()
    addition.append("feed", tables)
    rendered = addition.as_string()
    if not text:
        return rendered
    newline = "\r\n" if "\r\n" in text else "\n"
    if newline != "\n":
        rendered = rendered.replace("\n", newline)
    ending = "" if text.endswith("\n") else newline
    return text + ending + newline + rendered
