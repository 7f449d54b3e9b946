"""Start tags read as browsers read them, for the collectors' small HTML parsers.

html.parser decodes a character reference in an attribute value as it would in text, so
`href="/?a=1&section=2"` came back as `/?a=1§ion=2` (`&sect` is a legacy entity). HTML5
leaves a reference without its `;` as written when an alphanumeric or `=` follows it
(WHATWG HTML, "named character reference state"): query strings survive.
"""

from __future__ import annotations

import re
from html import unescape
from html.entities import html5
from html.parser import HTMLParser

# html.parser's own patterns (tagfind_tolerant, attrfind_tolerant), so that a start tag
# splits into the same names and values as there.
_TAG_NAME = re.compile(r"<[a-zA-Z][^\t\n\r\f />\x00]*(?:\s|/(?!>))*")
_ATTRIBUTE = re.compile(
    r"((?<=['\"\s/])[^\s/>][^\s/=>]*)(\s*=+\s*"
    r"('[^']*'|\"[^\"]*\"|(?!['\"])[^>\s]*))?(?:\s|/(?!>))*"
)
_BARE_REFERENCE = re.compile(r"&([A-Za-z][A-Za-z0-9]*+)(?!;)")

Attributes = list[tuple[str, str | None]]


class TagParser(HTMLParser):
    """An HTMLParser whose `start` gets a tag's attributes decoded as HTML5 does."""

    def handle_starttag(self, tag: str, attrs: Attributes) -> None:
        self.start(tag, _attributes(self.get_starttag_text() or ""))

    def start(self, tag: str, attrs: Attributes) -> None:
        """A start tag, `attrs` as handle_starttag's with their values read as HTML5 does."""


def _attributes(start_tag: str) -> Attributes:
    """(name, value) of each attribute of `<tag ...>`, as html.parser splits them."""
    found: Attributes = []
    head = _TAG_NAME.match(start_tag)
    at = head.end() if head else len(start_tag)
    while match := _ATTRIBUTE.match(start_tag, at):
        name, rest, value = match.group(1, 2, 3)
        if rest and value[:1] in ("'", '"') and value[:1] == value[-1:]:
            value = value[1:-1]
        found.append((name.lower(), _attribute_value(value) if rest else None))
        at = match.end()
    return found


def _attribute_value(raw: str) -> str:
    """`raw` with its character references decoded as in an HTML5 attribute value."""
    return unescape(_BARE_REFERENCE.sub(_as_written, raw))


def _as_written(reference: re.Match[str]) -> str:
    """A reference without `;` is decoded only when it is a whole legacy entity not
    followed by `=`; otherwise its `&` is escaped, so that unescape leaves it."""
    following = reference.string[reference.end() : reference.end() + 1]
    if reference[1] in html5 and following != "=":
        return reference[0]
    return f"&amp;{reference[1]}"
