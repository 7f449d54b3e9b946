"""The draft check's same-story rule: which items look like one story, in near-linear time.

Two items are one story when they are on the same page or their titles are 85% alike
(difflib); candidates come from an index of rare words rather than from all pairs (issue
12, item 9). Pure functions on titles and URLs: imports only curator.urls.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Hashable, Iterator, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from urllib.parse import urlsplit

from curator.text import collapse
from curator.urls import host

SAME_STORY_RATIO = 0.85


def same_story_groups(titles: Sequence[str], urls: Sequence[str]) -> list[list[int]]:
    """Positions of the items on the same page (scheme, `www.` and a trailing slash aside)
    or with nearly the same title, grouped; a group is closed under the rule (A like B and
    B like C: one group). Positions ascend, and groups follow their first position.

    Titles are compared only with the candidates `_candidates` finds, never all pairs:
    2,000 picks took 33.8 s that way, with 200,150 warnings for similar titles.
    """
    words = [_Title.of(title) for title in titles]
    groups = _Groups(len(words))
    groups.join_equal([_page(url) for url in urls])
    groups.join_equal([title.text or None for title in words])  # an empty one matches none
    for i, candidates in _candidates(words):
        for j in candidates:
            if groups.together(i, j):
                continue
            first, second = min(i, j), max(i, j)  # in draft order: difflib is not symmetric
            if _similar_titles(words[first], words[second]):
                groups.join(i, j)
    return groups.groups()


@dataclass(frozen=True)
class _Title:
    """A title as the same-story check compares it: case-folded words, no punctuation."""

    text: str
    words: frozenset[str]
    count: int  # words, repeats included

    @classmethod
    def of(cls, title: str) -> _Title:
        text = collapse(re.sub(r"[^\w\s]|_", " ", title.casefold()))
        return cls(text, frozenset(text.split()), len(text.split()))


def _similar_titles(a: _Title, b: _Title) -> bool:
    """Titles at least 85% alike by difflib's ratio.

    Titles that alike share at least half the shorter one's words; testing that first
    spares difflib's quadratic ratio() on the other pairs. The two quick ratios are upper
    bounds of ratio(), cheaper in turn, so they change no verdict either.
    """
    if 2 * len(a.words & b.words) < min(a.count, b.count):
        return False
    matcher = SequenceMatcher(None, a.text, b.text)
    return all(
        ratio() >= SAME_STORY_RATIO
        for ratio in (matcher.real_quick_ratio, matcher.quick_ratio, matcher.ratio)
    )


def _candidates(titles: Sequence[_Title]) -> Iterator[tuple[int, list[int]]]:
    """Each non-empty title with the titles no longer than it that share at least half
    the shorter one's words, as `_similar_titles` requires; likeliest first.

    Sharing t = ceil(n / 2) distinct words (n the shorter title's word count) means, with
    each title's words ordered rarest first, sharing one of the shorter title's first
    (distinct words - t + 1): prefix filtering (Chaudhuri, Ganti and Kaushik, "A Primitive
    Operator for Similarity Joins", ICDE 2006). So each title is indexed under those rare
    words only and looked up by all its words; common words ("the", "AI") add few pairs.
    """
    frequency = Counter(word for title in titles for word in title.words)
    index: dict[str, list[int]] = {}
    for i in sorted((i for i, t in enumerate(titles) if t.count), key=lambda i: titles[i].count):
        found = {j for word in titles[i].words for j in index.get(word, ())}
        shared = {j: len(titles[i].words & titles[j].words) for j in found}
        # Most words in common first: once i joins a group, the caller skips its others.
        passing = [j for j in found if 2 * shared[j] >= titles[j].count]  # j is no longer
        yield i, sorted(passing, key=lambda j: -shared[j])
        needed = (titles[i].count + 1) // 2
        rarest = sorted(titles[i].words, key=lambda word: (frequency[word], word))
        for word in rarest[: len(titles[i].words) - needed + 1]:
            index.setdefault(word, []).append(i)


class _Groups:
    """Union-find over item positions; groups() lists those with two or more members."""

    def __init__(self, size: int) -> None:
        self._parent = list(range(size))

    def find(self, i: int) -> int:
        while self._parent[i] != i:
            self._parent[i] = self._parent[self._parent[i]]  # path halving
            i = self._parent[i]
        return i

    def join(self, i: int, j: int) -> None:
        first, second = sorted((self.find(i), self.find(j)))
        self._parent[second] = first

    def join_equal(self, keys: Sequence[Hashable | None]) -> None:
        """Join the items whose keys are equal and not None."""
        first: dict[Hashable, int] = {}
        for i, key in enumerate(keys):
            if key is not None:
                self.join(i, first.setdefault(key, i))

    def together(self, i: int, j: int) -> bool:
        return self.find(i) == self.find(j)

    def groups(self) -> list[list[int]]:
        members: dict[int, list[int]] = {}
        for i in range(len(self._parent)):
            members.setdefault(self.find(i), []).append(i)
        return [group for group in members.values() if len(group) > 1]


def _page(url: str) -> tuple[str, str, str]:
    parts = urlsplit(url)
    return host(url), parts.path.rstrip("/"), parts.query
