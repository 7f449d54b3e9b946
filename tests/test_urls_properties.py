"""Properties of shown URLs and keys over generated URLs (issue 11, item 4).

The generator mixes the shapes that were once rewritten: `//` and dot segments, `@`, `~`, `:`,
percent-escapes, parameter names that read as HTML entities, repeats, trackers, fragments.
"""

from __future__ import annotations

from urllib.parse import SplitResult, urlsplit

from hypothesis import given
from hypothesis import strategies as st

from curator import urls

# Names the suite expects to be dropped (any case), and names that must survive.
TRACKERS = ["utm_source", "UTM_Medium", "utm_campaign", "fbclid", "gclid", "mc_cid", "mc_eid"]
TRACKERS += ["itm_source", "ref", "ref_src", "msclkid"]
KEPT = ["id", "page", "q", "v", "si", "sect", "section", "reg", "region", "not", "copy", "amp"]
KEPT += ["lang", "times", "para", "cent", "deg", "source", "session", "uid", "cid", "A", "b"]

_PATH_TOKENS = ["a", "Z9", "-", ".", "_", "~", ":", "@", "!", "$", "'", "(", "*", "+", ",", ";"]
_PATH_TOKENS += ["=", "&", "%20", "%40", "%2F", "%7E", "%7e", "%C3%A9", "%25", "é", "%"]
_VALUE_TOKENS = ["x", "1", "%20", "+", "=", "%26", ";", "/", "?", ":", "@", "amp;", "%C2%A7"]
_VALUE_TOKENS += ["é", "~", "%3D"]
_HOSTS = ["example.com", "WWW.Example.org", "news.example.co.uk:8080", "127.0.0.1"]
_HOSTS += ["Example.com:443", "example.com:80", "[::1]:8080", "user@Example.com"]
_FRAGMENTS = ["", "top", "section-2", "/route/page", "!/item/7", "/a?b=c&utm_source=x", "!"]


def _joined(tokens: list[str]) -> st.SearchStrategy[str]:
    return st.lists(st.sampled_from(tokens), max_size=4).map("".join)


_segments = st.one_of(_joined(_PATH_TOKENS), st.sampled_from(["", ".", ".."]))
_pairs = st.tuples(
    st.sampled_from(TRACKERS + KEPT), st.one_of(st.none(), _joined(_VALUE_TOKENS))
).map(lambda pair: pair[0] if pair[1] is None else f"{pair[0]}={pair[1]}")


@st.composite
def http_urls(draw: st.DrawFn) -> str:
    scheme = draw(st.sampled_from(["http", "https", "HTTP", "Https"]))
    path = "/".join(draw(st.lists(_segments, max_size=6)))
    url = f"{scheme}://{draw(st.sampled_from(_HOSTS))}" + (f"/{path}" if path else "")
    query = draw(st.one_of(st.none(), st.lists(_pairs, max_size=6).map("&".join)))
    fragment = draw(st.sampled_from(_FRAGMENTS))
    return url + ("" if query is None else f"?{query}") + (f"#{fragment}" if fragment else "")


def _port(parts: SplitResult) -> int:
    return parts.port or {"http": 80, "https": 443}[parts.scheme.lower()]


def _kept_pairs(query: str) -> list[str]:
    lowered = {name.lower() for name in TRACKERS}
    return [pair for pair in query.split("&") if pair and pair.split("=")[0].lower() not in lowered]


@given(http_urls())
def test_the_shown_url_has_the_arrived_scheme_host_path_and_query(url: str) -> None:
    arrived, shown = urlsplit(url), urlsplit(urls.clean(url))
    assert shown.scheme == arrived.scheme.lower()
    assert (shown.hostname, _port(shown)) == (arrived.hostname, _port(arrived))
    assert shown.username == arrived.username
    assert shown.path == arrived.path
    assert shown.query == "&".join(_kept_pairs(arrived.query))


@given(http_urls())
def test_the_shown_url_keeps_a_hash_route_and_drops_other_fragments(url: str) -> None:
    fragment = urlsplit(url).fragment
    route = fragment if fragment[:1] in ("/", "!") else ""
    assert urlsplit(urls.clean(url)).fragment == route


@given(http_urls())
def test_clean_is_idempotent(url: str) -> None:
    once = urls.clean(url)
    assert urls.clean(once) == once


@given(http_urls())
def test_the_key_is_idempotent_and_the_same_for_the_shown_url(url: str) -> None:
    key = urls.canonical(url)
    assert urls.canonical(key) == key
    assert urls.canonical(urls.clean(url)) == key
    assert urls.key(urls.clean(url)) == urls.key(url)


@given(http_urls(), st.sampled_from(TRACKERS))
def test_a_tracker_anywhere_in_the_query_leaves_both_forms_unchanged(url: str, name: str) -> None:
    parts = urlsplit(url)
    tracked = parts._replace(query=f"{name}=1&{parts.query}" if parts.query else f"{name}=1")
    assert urls.clean(tracked.geturl()) == urls.clean(url)
    assert urls.canonical(tracked.geturl()) == urls.canonical(url)
