"""Link identity: pure functions on URL strings, no I/O.

`key()` is the dedupe key of the queue: `arxiv:<id>` for a paper in any of its forms,
otherwise `canonical()`. Only http and https URLs are accepted (`check()`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote, unquote, urlsplit, urlunsplit

from curator.errors import InvalidURLError

MAX_URL_LENGTH = 4096
HTTP_SCHEMES = ("http", "https")

# New-style ids (0704.0001 onwards): YYMM.NNNN until 2014, YYMM.NNNNN since 2015.
# Old-style ids: archive[.SUBJECT]/YYMMNNN, e.g. hep-th/0101001, math.AG/0101001.
_NEW_ID = r"\d{2}(?:0[1-9]|1[0-2])\.\d{4,5}"
_OLD_ID = r"[a-z]+(?:-[a-z]+)?(?:\.[A-Z]{2})?/\d{2}(?:0[1-9]|1[0-2])\d{3}"
ARXIV_ID = re.compile(rf"(?P<id>{_NEW_ID}|{_OLD_ID})(?P<version>v\d+)?")
_ARXIV_PATH = re.compile(
    rf"^/(?:abs|pdf|html|format|ps|papers|paper)/(?P<id>{_NEW_ID}|{_OLD_ID})(?:v\d+)?"
    r"(?:\.pdf)?/?$"
)
_ARXIV_HOSTS = (
    "arxiv.org",
    "www.arxiv.org",
    "export.arxiv.org",
    "ar5iv.org",
    "ar5iv.labs.arxiv.org",
    "huggingface.co",
    "www.alphaxiv.org",
    "alphaxiv.org",
)
_TWITTER_HOSTS = ("twitter.com", "www.twitter.com", "mobile.twitter.com", "x.com", "www.x.com")
# RFC 3986 section 2.3: percent-encoded unreserved characters are equivalent to the characters.
_UNRESERVED_ESCAPE = re.compile(r"%(2[DdEe]|5[Ff]|7[Ee]|[46][1-9A-Fa-f]|[57][0-9Aa]|3[0-9])")


def check(text: str) -> str:
    """Return `text` stripped if it is an absolute http(s) URL with a host, else raise."""
    url = text.strip()
    if not url:
        raise InvalidURLError("empty URL")
    if len(url) > MAX_URL_LENGTH:
        raise InvalidURLError(f"URL longer than {MAX_URL_LENGTH} characters: {url[:60]}...")
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in url):
        raise InvalidURLError(f"URL contains whitespace or control characters: {url!r}")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError as err:
        raise InvalidURLError(f"not a valid URL ({err}): {url}") from None
    if parts.scheme.lower() not in HTTP_SCHEMES:
        raise InvalidURLError(f"not an http(s) URL: {url}")
    if not parts.hostname:
        raise InvalidURLError(f"URL has no host: {url}")
    return url


def parse(text: str) -> str:
    """A URL typed or listed by the author: an http(s) URL, or `arxiv:ID` for a paper."""
    entry = text.strip()
    if entry.lower().startswith("arxiv:"):
        paper = arxiv_id(entry)
        if paper is None:
            raise InvalidURLError(f"not an arXiv id: {entry}")
        return arxiv_abs_url(paper)
    return check(entry)


def is_http_url(text: str) -> bool:
    try:
        check(text)
    except InvalidURLError:
        return False
    return True


def host(url: str) -> str:
    """Lower-case host name without port or `www.`, e.g. for per-host limits and labels."""
    name = (urlsplit(url).hostname or "").lower().rstrip(".")
    return name.removeprefix("www.")


def arxiv_id(url: str) -> str | None:
    """The versionless arXiv id behind any arXiv-like URL (or `arxiv:ID`), else None."""
    text = url.strip()
    if text.lower().startswith("arxiv:"):
        match = ARXIV_ID.fullmatch(text[6:].strip())
        return match["id"] if match else None
    try:
        parts = urlsplit(text)
    except ValueError:
        return None
    hostname = (parts.hostname or "").lower()
    if parts.scheme.lower() not in HTTP_SCHEMES or hostname not in _ARXIV_HOSTS:
        return None
    path = unquote(parts.path)
    if hostname == "huggingface.co" and not path.startswith("/papers/"):
        return None
    match = _ARXIV_PATH.match(path)
    return match["id"] if match else None


def arxiv_abs_url(paper_id: str) -> str:
    return f"https://arxiv.org/abs/{paper_id}"


def _normalize(url: str, *, trailing_slash: bool) -> str:
    # courlan costs 0.1 s to import: only commands that take in new URLs need it.
    from courlan import normalize_url

    return str(normalize_url(url, trailing_slash=trailing_slash))


def clean(url: str) -> str:
    """The URL as shown to readers: tracking parameters removed, scheme and path kept."""
    url = check(url)
    paper = arxiv_id(url)
    if paper:
        return arxiv_abs_url(paper)
    parts = urlsplit(_normalize(url, trailing_slash=True))
    query, fragment = parts.query, parts.fragment
    if _is_twitter(parts.hostname):
        query, fragment = "", ""
    path = _remove_dot_segments(parts.path)
    return urlunsplit((parts.scheme, parts.netloc, path, query, fragment))


def canonical(url: str) -> str:
    """The comparable form of a URL (DESIGN.md, Identity).

    Lower-case scheme and host, no default port, no fragment (but `#!` routes), trackers
    removed, query sorted, no trailing slash, dot segments resolved, http equal to https,
    twitter.com equal to x.com.
    """
    url = check(url)
    paper = arxiv_id(url)
    if paper:
        return arxiv_abs_url(paper)
    parts = urlsplit(_normalize(url, trailing_slash=False))
    netloc = parts.netloc
    query = parts.query
    if _is_twitter(parts.hostname):
        netloc, query = "x.com", ""
    path = _remove_dot_segments(_UNRESERVED_ESCAPE.sub(_unescape, parts.path)).rstrip("/")
    fragment = parts.fragment if parts.fragment.startswith("!") else ""
    return urlunsplit(("https", netloc, path or "/", query, fragment))


@dataclass(frozen=True)
class Identity:
    """Everything the queue stores about where a link lives, computed once."""

    key: str
    url: str  # clean(), as shown
    canonical_url: str
    arxiv_id: str | None


def identify(url: str) -> Identity:
    """key(), clean() and canonical() together, each URL normalised once per form."""
    paper = arxiv_id(url)
    if paper:
        abs_url = arxiv_abs_url(paper)
        return Identity(f"arxiv:{paper}", abs_url, abs_url, paper)
    canonical_url = canonical(url)
    return Identity(canonical_url, clean(url), canonical_url, None)


def key(url: str) -> str:
    """The queue's dedupe key: `arxiv:<id>` for papers, else the canonical URL."""
    paper = arxiv_id(url)
    return f"arxiv:{paper}" if paper else canonical(url)


def is_tweet(url: str) -> bool:
    parts = urlsplit(url)
    return _is_twitter(parts.hostname) and "/status/" in parts.path


def _is_twitter(hostname: str | None) -> bool:
    return (hostname or "").lower() in _TWITTER_HOSTS


def _unescape(match: re.Match[str]) -> str:
    char = chr(int(match[1], 16))
    return char if char.isalnum() or char in "-._~" else quote(char)


def _remove_dot_segments(path: str) -> str:
    """RFC 3986 section 5.2.4, for the segments `.` and `..`."""
    if "." not in path:
        return path
    output: list[str] = []
    segments = path.split("/")
    for segment in segments:
        if segment == "..":
            if len(output) > 1:
                output.pop()
        elif segment != ".":
            output.append(segment)
    if segments[-1] in (".", ".."):
        output.append("")
    return "/".join(output)
