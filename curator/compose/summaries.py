"""Paper summaries: an arXiv abstract -> one or two readable sentences of plain text.

Owns the LaTeX-to-plain-text clean-up and the sentence splitter used by the composer.
Pure functions on strings; imports only curator.text (whitespace, shortening).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from curator.text import collapse, shorten

# Pandoc's tex_math_dollars rule: the opening $ has a non-space character right after it,
# the closing $ a non-space character right before it and no digit right after it, so
# prices ("$35,000 in total") stay as they are. A formula with a command in it ($\sim$5)
# may be followed by a digit.
_DISPLAY_MATH = re.compile(r"(?<!\\)\$\$(.+?)(?<!\\)\$\$")
_INLINE_MATH = re.compile(r"(?<![\\$])\$(?![\s$])((?:[^$\\]|\\.)*?[^\s\\$])\$(?!\d)")
# Possessive parts and openers that a formula may not contain keep every pattern linear:
# a lazy `.+?` tried from each of n unclosed openers reads the rest of the text n times.
_COMMAND_MATH = re.compile(
    r"(?<![\\$])\$(?![\s$])((?:[^$\\]|\\[^A-Za-z\n])*+\\[A-Za-z]+[^$]*+(?<!\s))\$"
)
_PAREN_MATH = re.compile(r"\\\(((?:(?!\\[()]).)+?)\\\)|\\\[((?:(?!\\[\[\]]).)+?)\\\]")
# A brace that opens a text command's argument, or any other brace.
_BRACE = re.compile(
    r"\\(?:emph|textbf|textit|texttt|textsc|textrm|textsf|textnormal|underline|text|"
    r"mathrm|mathbf|mathit|mathsf|mathtt|mathcal|mathbb|boldsymbol|operatorname)\s*\{|[{}]"
)
_SYMBOL = re.compile(r"\\([A-Za-z]+)")
_BRACED_SCRIPT = re.compile(r"([\^_])\{(\w+)\}")
_MATH_SPACING = re.compile(r"\\[,;:!]")
_ESCAPED = re.compile(r"\\([%&#_${}])")
_LINE_BREAK = re.compile(r"\\\\|\\newline\b|\\ ")
_TILDE = re.compile(r"(?<![/\\])~")  # LaTeX's non-breaking space; `/~user` paths keep theirs
_EN_DASH = re.compile(r"(?<=\d)--(?=\d)")

_SYMBOLS = {
    "sim": "~",
    "approx": "≈",
    "times": "×",
    "cdot": "·",
    "le": "≤",
    "leq": "≤",
    "ge": "≥",
    "geq": "≥",
    "neq": "≠",
    "pm": "±",
    "infty": "∞",
    "to": "→",
    "rightarrow": "→",
    "in": "∈",
    "ell": "ℓ",
    "alpha": "α",
    "beta": "β",
    "gamma": "γ",
    "delta": "δ",
    "epsilon": "ε",
    "varepsilon": "ε",
    "theta": "θ",
    "lambda": "λ",
    "mu": "μ",
    "pi": "π",
    "rho": "ρ",
    "sigma": "σ",
    "tau": "τ",
    "phi": "φ",
    "omega": "ω",
    "eta": "η",
    "kappa": "κ",
    "nu": "ν",
    "xi": "ξ",
    "zeta": "ζ",
    "chi": "χ",
    "psi": "ψ",
    "Gamma": "Γ",
    "Delta": "Δ",
    "Theta": "Θ",
    "Lambda": "Λ",
    "Pi": "Π",
    "Sigma": "Σ",
    "Phi": "Φ",
    "Psi": "Ψ",
    "Omega": "Ω",
    "dots": "…",
    "ldots": "…",
    "cdots": "…",
    "subset": "⊂",
    "subseteq": "⊆",
    "cup": "∪",
    "cap": "∩",
    "forall": "∀",
    "exists": "∃",
    "partial": "∂",
    "sum": "Σ",
    "prod": "Π",
    "mid": "|",
    **{name: name for name in "log exp sin cos tan max min arg lim det sup inf".split()},
    # Font commands without braces (\mathbf\theta) just go.
    **dict.fromkeys("mathrm mathbf mathit mathsf mathcal mathbb boldsymbol".split(), ""),
}

# A candidate sentence end: terminal punctuation, maybe closing quotes or brackets, then
# whitespace or the end of the text.
_CANDIDATE_END = re.compile(r"[.!?][.!?\"'”’)\]]*(?=\s|$)")
_FOLLOWER = re.compile(r"\s*(\S?)")
_OPENERS = "\"'“‘([«"
_ABBREVIATIONS = frozenset(
    "e.g. i.e. al. fig. figs. eq. eqs. vs. cf. dr. sec. secs. approx. resp. ref. refs. "
    "prof. mr. mrs. ms. st. tab. viz. ca. incl. w.r.t. a.k.a. ph.d.".split()
)
_INITIALS = re.compile(r"(?:[A-Z]\.)+")


# Asked of every paper's title several times whenever a draft is planned, and `curator
# serve` plans one for each request over the same week (issue 18, item 9).
@lru_cache(maxsize=4096)
def plain_text(text: str) -> str:
    """An abstract as one line of readable text: LaTeX markup removed, whitespace collapsed."""
    text = _TILDE.sub(" ", text)
    text = _DISPLAY_MATH.sub(lambda m: _math(m[1]), text)
    text = _PAREN_MATH.sub(lambda m: _math(m[1] or m[2]), text)
    text = _COMMAND_MATH.sub(lambda m: _math(m[1]), text)
    text = _INLINE_MATH.sub(lambda m: _math(m[1]), text)
    text = _strip_text_commands(text)
    text = _LINE_BREAK.sub(" ", _MATH_SPACING.sub(" ", text))
    text = _ESCAPED.sub(r"\1", text)
    text = text.replace("``", "“").replace("''", "”").replace("---", "—")
    text = _EN_DASH.sub("–", text)
    return collapse(text)


def first_sentences(text: str, limit: int = 300, sentences: int = 2) -> str:
    """The first `sentences` sentences of `text` that fit in `limit` characters, else fewer.

    When even the first sentence is too long, it is cut at a word boundary and ends in "…".
    The result is never longer than `limit`.
    """
    if limit < 1 or sentences < 1:
        raise ValueError("limit and sentences must be at least 1")
    plain = plain_text(text)
    ends = list(_sentence_ends(plain))
    if not ends or ends[-1] < len(plain):
        ends.append(len(plain))  # a trailing fragment without final punctuation counts too
    fitting = [end for end in ends[:sentences] if end <= limit]
    if fitting:
        return plain[: fitting[-1]]
    return shorten(plain, limit)


def _math(formula: str) -> str:
    """$O(n^{2})$ -> O(n^2): symbols by name, font commands dropped, the rest kept."""
    formula = _MATH_SPACING.sub(" ", formula)
    formula = _strip_text_commands(formula)
    formula = _SYMBOL.sub(lambda m: _SYMBOLS.get(m[1], m[0]), formula)
    return _BRACED_SCRIPT.sub(r"\1\2", formula)


def _strip_text_commands(text: str) -> str:
    """\\emph{x} -> x, nested commands too, in one pass over the braces.

    A command's argument is unwrapped when it holds no other brace once the commands
    inside it are unwrapped: `\\emph{\\textbf{x}}` -> `x`, `\\emph{{x}}` stays. Repeating
    a regex substitution until nothing changed did the same in time quadratic in the
    nesting depth (issue 12: 13.6 s for an 84 KB abstract).
    """
    pieces: list[str] = []
    open_braces: list[_Brace] = []
    end = 0
    for match in _BRACE.finditer(text):
        pieces.append(text[end : match.start()])
        end = match.end()
        if match[0] != "}":
            open_braces.append(_Brace(len(pieces), is_command=match[0] != "{"))
            pieces.append(match[0])
        elif open_braces and open_braces[-1].unwraps:
            pieces[open_braces.pop().opener] = ""
        else:
            if open_braces:
                open_braces.pop()
            if open_braces:
                open_braces[-1].holds_brace = True
            pieces.append("}")
    pieces.append(text[end:])
    return "".join(pieces)


@dataclass(slots=True)
class _Brace:
    opener: int  # its index in the pieces of the output
    is_command: bool
    holds_brace: bool = False  # a brace stays inside it

    @property
    def unwraps(self) -> bool:
        return self.is_command and not self.holds_brace


def _sentence_ends(text: str) -> Iterator[int]:
    """Offsets just past each sentence's final punctuation in plain_text() output."""
    for match in _CANDIDATE_END.finditer(text):
        found = _FOLLOWER.match(text, match.end())
        follower = found[1] if found else ""
        if follower and not (follower.isupper() or follower.isdigit() or follower in _OPENERS):
            continue
        if match[0].startswith(".") and _is_abbreviation(text, match.start()):
            continue
        yield match.end()


def _is_abbreviation(text: str, period: int) -> bool:
    """Does the word ending at `period` abbreviate ("e.g.", "et al.", "J.") rather than end?"""
    start = text.rfind(" ", 0, period) + 1  # plain text: words are split by single spaces
    word = text[start : period + 1].lstrip(_OPENERS)
    return word.lower() in _ABBREVIATIONS or _INITIALS.fullmatch(word) is not None
