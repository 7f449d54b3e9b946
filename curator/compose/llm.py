"""LLM summaries as text (issue 20): the prompt a link makes, the hash its cache is kept
under, and the checks and cut an answer goes through before it may stand in a draft.

Pure functions on strings; the pipeline calls the model. Imports curator.compose.summaries
(the sentence splitter the draft's extractive summaries use), curator.text and errors.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

from curator.compose.summaries import first_sentences
from curator.errors import CuratorError
from curator.text import collapse

# The model issue's register (DESIGN.md): what the work does and found, plainly.
DEFAULT_PROMPT = """\
Summarise this {kind} for a weekly newsletter of links, in at most {sentences} sentences \
of plain text. Say concretely what it does and what it found or argues. No hype, no \
Markdown, no preamble, and do not begin with "This paper" or "This article". Answer \
with the summary only.

Title: {title}
Source: {source}

{text}
"""
# An answer is cut to this many characters at most, at a sentence end where one fits.
SUMMARY_LIMIT = 600
# An answer this alike to the title (difflib's ratio, case and punctuation aside) only
# repeats it.
TITLE_RATIO = 0.9

_HEADING = re.compile(r"^ {0,3}#{1,6}(?:[ \t]|$)", re.MULTILINE)  # CommonMark 4.2 ATX
_REFUSAL = re.compile(
    r"^(?:i['’]?m sorry|sorry\b|i apologi[sz]e|i (?:cannot|can['’]?t|am unable|am not able)"
    r"|i['’]?m (?:unable|not able)|as an ai\b|unfortunately,? i\b"
    r"|i do(?: not|n['’]?t) have access)",
    re.IGNORECASE,
)
_LABEL = re.compile(r"^(?:summary|tl;?dr)\s*:\s*", re.IGNORECASE)
_EMPHASIS = re.compile(r"\*\*|__")
_QUOTES = "\"'“”‘’"
_WORDS = re.compile(r"[^\w\s]|_")


class RejectedAnswer(CuratorError):
    """The model's answer is not a summary; `reason` says why in a few words."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class SummaryInput:
    """What the prompt is made of: a paper's title and abstract, or a page's title and
    main text."""

    kind: str  # "paper" or "article", as the prompt says it
    title: str
    text: str
    source: str


def build_prompt(template: str, item: SummaryInput, sentences: int) -> str:
    """The prompt for one link; config checked the template's placeholders
    (PROMPT_FIELDS)."""
    return (template or DEFAULT_PROMPT).format(
        title=item.title, text=item.text, source=item.source, kind=item.kind, sentences=sentences
    )


def prompt_hash(template: str, sentences: int, max_chars: int, identity: Sequence[str]) -> str:
    """The cache key of one link's summary: the prompt's settings and what identifies its
    input (a paper's title and abstract; a page's title and URL, whose text is fetched
    only when a call is due)."""
    parts = [template or DEFAULT_PROMPT, str(sentences), str(max_chars), *identity]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:16]


def checked_summary(answer: str, title: str, sentences: int) -> str:
    """The answer as the draft may show it: one line, at most `sentences` sentences.

    Rejected (RejectedAnswer) when it is empty, a refusal, holds Markdown headings, or
    only repeats the title.
    """
    if _HEADING.search(answer):
        raise RejectedAnswer("Markdown headings")
    text = _LABEL.sub("", collapse(_EMPHASIS.sub("", answer)).strip(_QUOTES)).strip(_QUOTES)
    if not text:
        raise RejectedAnswer("empty")
    if _REFUSAL.match(text):
        raise RejectedAnswer("a refusal")
    if _is_title(text, title):
        raise RejectedAnswer("repeats the title")
    return first_sentences(text, SUMMARY_LIMIT, sentences)


def _is_title(text: str, title: str) -> bool:
    words, title_words = _plain(text), _plain(title)
    if not title_words:
        return False
    return SequenceMatcher(None, words, title_words).ratio() >= TITLE_RATIO


def _plain(text: str) -> str:
    return collapse(_WORDS.sub(" ", text.casefold()))
