"""The same-story rule's blocking gives the verdicts of comparing every pair."""

from __future__ import annotations

import itertools
import re
from difflib import SequenceMatcher
from urllib.parse import urlsplit

from hypothesis import given, settings
from hypothesis import strategies as st

from curator import urls
from curator.compose.stories import same_story_groups


def all_pairs_groups(titles: list[str], pages: list[str]) -> list[list[int]]:
    """The rule as the draft check applied it before blocking, to every pair: the oracle."""

    def page(url: str) -> tuple[str, str, str]:
        parts = urlsplit(url)
        return urls.host(url), parts.path.rstrip("/"), parts.query

    def words(title: str) -> str:
        return " ".join(re.sub(r"[^\w\s]|_", " ", title.casefold()).split())

    def same(i: int, j: int) -> bool:
        a, b = words(titles[i]), words(titles[j])
        if page(pages[i]) == page(pages[j]) or (a and a == b):
            return True
        if not a or not b:
            return False
        if 2 * len(set(a.split()) & set(b.split())) < min(len(a.split()), len(b.split())):
            return False
        return SequenceMatcher(None, a, b).ratio() >= 0.85

    parent = list(range(len(titles)))

    def find(i: int) -> int:
        return i if parent[i] == i else find(parent[i])

    for i, j in itertools.combinations(range(len(titles)), 2):
        if same(i, j):
            parent[max(find(i), find(j))] = min(find(i), find(j))
    groups: dict[int, list[int]] = {}
    for i in range(len(titles)):
        groups.setdefault(find(i), []).append(i)
    return [group for group in groups.values() if len(group) > 1]


WORDS = st.sampled_from(["open", "AI", "model", "the", "new", "GPT-5", "chip", "a", "AI's"])
PAGES = st.integers(0, 30).map(lambda n: f"https://example.com/{n}")


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.lists(WORDS, max_size=7).map(" ".join), PAGES), max_size=25))
def test_blocking_groups_exactly_as_comparing_every_pair(items: list[tuple[str, str]]) -> None:
    titles, pages = [title for title, _ in items], [page for _, page in items]
    assert same_story_groups(titles, pages) == all_pairs_groups(titles, pages)


def test_same_words_in_another_case_or_punctuation_are_one_story() -> None:
    titles = ["GPT-5 is out!", "gpt 5 is OUT", "Something else"]
    pages = ["https://a.example/1", "https://b.example/2", "https://c.example/3"]
    assert same_story_groups(titles, pages) == [[0, 1]]


def test_repeated_words_alone_still_match_the_same_title() -> None:
    # Too few distinct words for the shared-word test: equal titles are matched by key.
    titles = ["AI AI AI AI", "AI AI AI AI", "AI"]
    pages = ["https://a.example/1", "https://b.example/2", "https://c.example/3"]
    assert same_story_groups(titles, pages) == [[0, 1]]
