"""Escaping for the draft: the Jinja2 filters md_text, md_url and yaml_str, and inert.

Titles and summaries come from the web, so every value is rendered as literal text: no input
can add a link, image, heading, emphasis, code span, autolink, raw HTML or line break
(CommonMark 0.31); curator.text's hygiene runs first, so rows stored before it existed
are drafted without mojibake or bidi controls. Pure functions on strings; imports only
curator.text.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote, urlsplit

from curator.text import clean, collapse

# CommonMark 2.4: any ASCII punctuation may be backslash-escaped. These are the ones that
# start or end inline or block syntax here, plus GFM tables (|), strikethrough (~) and the
# attribute lists ({#id}) of several site generators, and pandoc's Markdown: math ($),
# superscript (^), subscript (~) and citations (@). Parentheses only matter right after
# a "]", which is always escaped, so "(MoE)" stays readable.
_SPECIAL = re.compile(r"[\\`*_\[\]<>#!|~{}$^@]")
# CommonMark 2.5: entity and numeric character references are decoded in text and in link
# destinations, so an `&` that could start one is written as `&amp;`.
_REFERENCE = re.compile(r"&(?=#?[0-9A-Za-z]+;)")
# At the start of a line these open a list item (CommonMark 5.2: "1." and "1)"; pandoc's
# fancy_lists: "a.", "iv)", "(1)", "(a)"), underline a setext heading (4.3), or open a
# pandoc fenced div or definition (":::"); `*`, `#` and `>` are escaped everywhere already.
_LEADING_MARKER = re.compile(r"^(?:[+\-=:(]|\d{1,9}[.)]|[A-Za-z][.)]|[IVXLCDMivxlcdm]+[.)])")
# GFM 6.9 extended autolinks: "www." and "scheme://" link bare text in cmark-gfm and in
# pandoc's gfm reader, even after "<" is escaped (issue 16); an escaped "." or ":" breaks
# the match and renders as itself. ":name:" is an emoji in pandoc's gfm reader.
_AUTOLINK = re.compile(r"(?<![0-9A-Za-z])(www)\.|:(?=//|[0-9A-Za-z_+-]+:)", re.IGNORECASE)
# CommonMark 6.5 and 6.6: what raw HTML and autolinks look like; what is left of a "<"
# after these can start neither.
_TAG = re.compile(r"<(?:!--.*?-->|[A-Za-z/!?][^<>]*>)")
_INERT = re.compile(r"[\[\]`]")
_HTTP_PREFIX = re.compile(r"https?://", re.IGNORECASE)
# Characters that would end a link destination or change what it means (CommonMark 6.3).
_URL_UNSAFE = frozenset(' "<>()\\`')
# YAML 1.1, 5.1: printable characters may appear as they are; the rest need an escape.
_YAML_PRINTABLE = re.compile(
    "[\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]"
)


def md_text(text: str) -> str:
    """`text` as one line of literal Markdown text: whitespace collapsed, syntax escaped."""
    text = _REFERENCE.sub("&amp;", plain(text))
    text = _SPECIAL.sub(r"\\\g<0>", text)
    text = _AUTOLINK.sub(lambda m: f"{m[1]}\\." if m[1] else "\\:", text)
    return _LEADING_MARKER.sub(lambda m: m[0][:-1] + "\\" + m[0][-1], text)


def md_url(url: str) -> str:
    """An http(s) URL as a link destination; anything else raises ValueError."""
    url = url.strip()
    if not _HTTP_PREFIX.match(url) or not urlsplit(url).hostname:
        raise ValueError(f"not an http(s) URL: {url!r}")
    encoded = "".join(_percent_encoded(ch) for ch in url)
    return _REFERENCE.sub("&amp;", encoded)


def yaml_str(text: str) -> str:
    """`text` as a double-quoted YAML scalar on one line, for the front matter."""
    body = "".join(_yaml_char(ch) for ch in clean(text))
    return f'"{body}"'


def inert(text: str) -> str:
    """`text` with nothing pandoc would read as HTML, a link, an image or a raw span.

    Front matter values are plain strings to Hugo, Astro and Jekyll, but pandoc parses them
    as Markdown, so a template printing `$description$` would pass a `<script>` through
    (issue 16). Tags, comments and autolinks are dropped, brackets and backticks removed.
    """
    text = plain(text)
    while (untagged := _TAG.sub(" ", text)) != text:  # "<scr<b>ipt>" hides a second tag
        text = untagged
    return collapse(_INERT.sub("", text))


def plain(text: str) -> str:
    """What md_text(text) reads as once rendered: the text cleaned (curator.text.clean).

    Control characters go too: NUL becomes U+FFFD in CommonMark, the rest is invisible.
    """
    return clean(text)


def _percent_encoded(ch: str) -> str:
    if ch in _URL_UNSAFE or ch.isspace() or unicodedata.category(ch) == "Cc":
        return quote(ch, safe="")
    return ch


def _yaml_char(ch: str) -> str:
    if ch in '"\\':
        return "\\" + ch
    if _YAML_PRINTABLE.fullmatch(ch):
        return ch
    code = ord(ch)
    if code <= 0xFF:
        return f"\\x{code:02X}"
    return f"\\u{code:04X}" if code <= 0xFFFF else f"\\U{code:08X}"
