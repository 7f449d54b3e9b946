"""Text hygiene for every title, summary and label that reaches the queue or the draft.

clean() repairs mojibake (UTF-8 read as windows-1252 or Mac Roman) with ftfy, removes
invisible format characters (bidi controls, zero-width spaces, Unicode category Cf) except
the joiners emoji and scripts need, drops control characters and collapses whitespace.
The one home, too, of whitespace collapsing, shortening with an ellipsis and accent
folding. Pure functions on strings; imports nothing from curator.
"""

from __future__ import annotations

import re
import unicodedata

ELLIPSIS = "…"
ZWNJ = "\u200c"
ZWJ = "\u200d"
# Unicode 14 category Cf, less the prepended concatenation marks (U+0600-0605, U+06DD,
# U+070F, U+0890-0891, U+08E2, U+110BD, U+110CD), which are visible signs that carry the
# digits after them (Unicode 15, section 9.2). tests/test_text.py keeps this in step with
# the interpreter's Unicode database.
_FORMAT = (
    "\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff"
    "\ufff9-\ufffb\U00013430-\U00013438\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
    "\U000e0001\U000e0020-\U000e007f"
)
# C0 and C1 controls that are not whitespace (whitespace is collapsed instead).
_CONTROL = "\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f"
# An emoji tag sequence (UTS #51): a black flag, tag letters, a cancel tag, as in the
# flags of England, Scotland and Wales. Its tags are kept; any other tag goes.
_TAG_SEQUENCE = "\U0001f3f4[\U000e0020-\U000e007e]+\U000e007f"
_INVISIBLE = re.compile(f"({_TAG_SEQUENCE})|[{_FORMAT}{_CONTROL}]")
# What a cut text must not end in before its ellipsis: "a, b…", never "a, b,…" or "a —…".
_CUT_PUNCTUATION = " ,;:.-–—"
# Looking left from a joiner, these belong to the emoji before it (UTS #51): the emoji
# presentation selector and the five skin tone modifiers.
_EMOJI_SUFFIXES = "\ufe0f\U0001f3fb\U0001f3fc\U0001f3fd\U0001f3fe\U0001f3ff"


def clean(text: str) -> str:
    """`text` repaired, without invisible characters, on one line with single spaces."""
    return collapse(visible(repair(text)))


def clean_optional(text: str | None) -> str | None:
    """clean() for an optional value: None for None and for text with nothing visible."""
    if text is None:
        return None
    return clean(text) or None


def repair(text: str) -> str:
    """Mojibake undone ("itâ€™s", "it‚Äôs" -> "it’s"); correct text is returned as it is.

    Only ftfy's encoding fixes run (no HTML unescaping, quote uncurling, width or ligature
    changes, normalization), so nothing but the mis-decoding is touched.
    """
    if text.isascii():  # mojibake needs a non-ASCII character
        return text
    import ftfy  # 60 ms of import that `curator list` and `--version` must not pay

    return ftfy.fix_encoding(text)


def visible(text: str) -> str:
    """`text` without format and control characters, keeping the joiners that matter."""
    return _INVISIBLE.sub(_kept, text)


def _kept(match: re.Match[str]) -> str:
    found = match[0]
    if match[1] or (found in (ZWJ, ZWNJ) and _joins(match.string, match.start())):
        return found
    return ""


def _joins(text: str, at: int) -> bool:
    """Whether the joiner at `at` shapes what is around it.

    A ZWJ between two emoji makes one emoji of them (UTS #51, "emoji zwj sequence": a
    person and a laptop are a technologist). Both joiners shape letters in Arabic, Persian
    and the Indic scripts (Unicode 15, section 23.2): between letters or marks, or right
    after a virama.
    """
    after = text[at + 1 : at + 2]
    if text[at] == ZWJ and _is_emoji(after):
        emoji = text[:at].rstrip(_EMOJI_SUFFIXES)[-1:]
        if _is_emoji(emoji):
            return True
    before = _category(text[at - 1 : at])
    return before == "Mn" or (before[:1] in ("L", "M") and _category(after)[:1] in ("L", "M"))


def _is_emoji(ch: str) -> bool:
    return _category(ch) == "So"


def _category(ch: str) -> str:
    return unicodedata.category(ch) if ch else ""


def collapse(text: str | None) -> str:
    """Runs of whitespace, newlines included, as one space; none at either end."""
    return " ".join((text or "").split())


def shorten(text: str, limit: int) -> str:
    """`text` if it fits in `limit` characters, else cut to fit with an ellipsis.

    The cut keeps a word that ends at the limit and otherwise backs up to the last space,
    unless that would drop more than half the limit (an unbroken word or a long URL is cut
    inside instead); the punctuation the ellipsis replaces goes. Never longer than `limit`.
    """
    if limit < 1:
        raise ValueError("limit must be at least 1")
    if len(text) <= limit:
        return text
    head = text[: limit - 1]
    space = head.rfind(" ")
    if text[limit - 1] != " " and space > limit // 2:
        head = head[:space]
    return (head.rstrip(_CUT_PUNCTUATION) or text[: limit - 1].rstrip()) + ELLIPSIS


def composed(text: str) -> str:
    """`text` in Unicode NFC, so that "é" is one code point however it was spelt."""
    return unicodedata.normalize("NFC", text)


def fold_accents(text: str) -> str:
    """`text` in ASCII, accents folded ("José Núñez" -> "Jose Nunez") and what has no ASCII
    form dropped, for comparing names and words across spellings."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
