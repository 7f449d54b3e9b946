"""Link identity: pure functions on URL strings, no I/O.

`clean()` is the URL shown, fetched and stored; `key()` is the queue's dedupe key:
`arxiv:<id>` for a paper in any of its forms, otherwise `canonical()`. Only http and https
URLs with a host and no whitespace are accepted (`check()`). Both forms of a paper are its
abs link. Neither form ever decodes HTML entities: URLs from HTML or XML attributes were
decoded once by their parser, and `&sect=` or `&amp=` in a typed URL are parameter names.

Shown URL (`clean`), the URL as it arrived except for:
1. scheme and host lower-cased, the scheme's default port dropped;
2. path kept byte for byte (`//`, `@`, `~`, `:`, `.` segments, percent-escapes);
3. query edited as raw text split on `&`: empty pieces and `TRACKING_PARAMS` removed,
   every other piece kept in its order and its encoding;
4. fragment dropped, except a hash route (`#/...`, `#!...`), kept as it is;
5. twitter.com and x.com lose the whole query (share tokens such as `s` and `t`).

Dedupe key (`canonical`), the shown URL further normalised:
1. scheme https (http and https are one page), ports 80 and 443 dropped;
2. escapes of unreserved characters decoded, other escapes upper-cased, characters
   outside RFC 3986 escaped as UTF-8 (RFC 3986 section 6.2.2);
3. dot segments resolved (RFC 3986 section 5.2.4), trailing slashes dropped, `//` kept;
4. query pairs spelled as in 2, `%20` as `+`, then stably sorted by name (repeated names
   keep their order);
5. twitter.com and its mobile host are x.com.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import SplitResult, quote, unquote, urlsplit, urlunsplit

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
DEFAULT_PORTS = {"http": (80,), "https": (443,)}

# Query parameters that say how a reader arrived, never which page: campaign tags (Google
# Analytics utm_*, Matomo pk_*/mtm_*, Mailchimp mc_*, itm_*), ad-click ids and referrers.
# Deliberately absent: `source`, `session`, `uid`, `cid`, `*_ref` and others that select
# content on some sites (courlan drops them), and `id`, `page`, `q`, `v`, `si`.
TRACKING_PREFIXES = ("utm_", "mc_", "itm_", "pk_", "mtm_")
TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "twclid",
        "ttclid",
        "yclid",
        "igshid",
        "mkt_tok",
        "_ga",
        "_gl",
        "_hsenc",
        "_hsmi",
        "ref",
        "ref_src",
        "ref_url",
    }
)
# RFC 3986 sections 2.2-2.4 and 3.3-3.5: what each part may hold unescaped.
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
_PATH_SAFE = "!$&'()*+,;=:@/%"
_QUERY_SAFE = _PATH_SAFE + "?"
_FRAGMENT_SAFE = _QUERY_SAFE
_ESCAPE = re.compile(r"%([0-9A-Fa-f]{2})")
_STRAY_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")


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


def may_name_arxiv_host(text: str) -> bool:
    """Whether `text` holds an arXiv-like host name at all, or is `arxiv:ID`: a cheap test
    that spares `arxiv_id` the parsing of URLs that cannot be a paper's (a page has
    hundreds)."""
    lowered = text.lower()
    return lowered.lstrip().startswith("arxiv:") or any(host in lowered for host in _ARXIV_HOSTS)


def arxiv_abs_url(paper_id: str) -> str:
    return f"https://arxiv.org/abs/{paper_id}"


def clean(url: str) -> str:
    """The URL as shown to readers and fetched: the module docstring's shown-URL rules."""
    url = check(url)
    paper = arxiv_id(url)
    if paper:
        return arxiv_abs_url(paper)
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    netloc = _netloc(parts, DEFAULT_PORTS[scheme])
    query = "" if _is_twitter(parts.hostname) else "&".join(_kept_pairs(parts.query))
    return urlunsplit((scheme, netloc, parts.path, query, _route(parts.fragment)))


def canonical(url: str) -> str:
    """The comparable form of a URL: the module docstring's key rules (DESIGN.md, Identity)."""
    url = check(url)
    paper = arxiv_id(url)
    if paper:
        return arxiv_abs_url(paper)
    parts = urlsplit(url)
    netloc, pairs = _netloc(parts, (80, 443)), _kept_pairs(parts.query)
    if _is_twitter(parts.hostname):
        netloc, pairs = "x.com", []
    fragment = _key_escapes(_route(parts.fragment), _FRAGMENT_SAFE)
    return urlunsplit(("https", netloc, _key_path(parts.path), _key_query(pairs), fragment))


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


def _netloc(parts: SplitResult, default_ports: tuple[int, ...]) -> str:
    """User info as it is, host lower-cased, port unless one of `default_ports`."""
    userinfo, at, hostport = parts.netloc.rpartition("@")
    name = hostport if hostport.endswith("]") else hostport.rpartition(":")[0] or hostport
    port = parts.port
    suffix = f":{port}" if port is not None and port not in default_ports else ""
    return f"{userinfo}{at}{name.lower()}{suffix}"


def _kept_pairs(query: str) -> list[str]:
    """The raw `name=value` pieces of a query, trackers and empty pieces left out."""
    return [pair for pair in query.split("&") if pair and not _is_tracking(_name(pair))]


def _name(pair: str) -> str:
    return pair.partition("=")[0]


def _is_tracking(name: str) -> bool:
    name = unquote(name).lower()
    return name in TRACKING_PARAMS or name.startswith(TRACKING_PREFIXES)


def _route(fragment: str) -> str:
    """A hash route (`#/path`, `#!path`) names a page of a single-page app; others go."""
    return fragment if fragment.startswith(("/", "!")) else ""


def _key_path(path: str) -> str:
    path = _remove_dot_segments(_key_escapes(path, _PATH_SAFE)).rstrip("/")
    return path or "/"


def _key_query(pairs: list[str]) -> str:
    # A space is `+` in HTML form encoding (WHATWG URL, application/x-www-form-urlencoded).
    spelled = [_key_escapes(pair, _QUERY_SAFE).replace("%20", "+") for pair in pairs]
    return "&".join(sorted(spelled, key=_name))


def _key_escapes(text: str, safe: str) -> str:
    """RFC 3986 section 6.2.2: one spelling for each character, escaped or not."""
    text = _STRAY_PERCENT.sub("%25", quote(text, safe=safe))
    return _ESCAPE.sub(_normalize_escape, text)


def _normalize_escape(match: re.Match[str]) -> str:
    char = chr(int(match[1], 16))
    return char if char in _UNRESERVED else match[0].upper()


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


# Drafts ask it of every link each time they are planned: `curator serve` plans one for
# each request over the same week (issue 18, item 9).
@lru_cache(maxsize=4096)
def title_from_url(url: str) -> str:
    """'.../papers/Attention-Is-All-You-Need.pdf' -> 'Attention Is All You Need'.

    The last path segment that has a letter in it, percent-decoded, without its extension,
    `-` and `_` read as spaces; the host when there is no such segment.
    """
    for segment in reversed(urlsplit(url).path.split("/")):
        stem = unquote(segment)
        if "." in stem.strip("."):
            stem = stem.rsplit(".", 1)[0]
        words = re.sub(r"[-_+\s]+", " ", stem).strip()
        if any(ch.isalpha() for ch in words):
            return words
    return host(url) or url
