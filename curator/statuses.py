"""The words `curator list --status` takes, and the Link column each one reads.

The enrichment states (pending, done, failed), the author's decisions (picked, skipped,
featured, pinned) and published. Pure data: the CLI lists the words, the store turns one into its
query. Imports only curator.values.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from curator.values import DONE, FAILED, FEATURE, PENDING, PICK, PIN, SKIP


@dataclass(frozen=True)
class StatusWord:
    column: str  # the Link column the word reads
    values: tuple[str, ...]  # the values that column may hold; none: any value at all


STATUS_WORDS: Mapping[str, StatusWord] = MappingProxyType(
    {
        PENDING: StatusWord("status", (PENDING,)),
        DONE: StatusWord("status", (DONE,)),
        FAILED: StatusWord("status", (FAILED,)),
        "picked": StatusWord("decision", (PICK, FEATURE, PIN)),  # featuring and pinning pick too
        "skipped": StatusWord("decision", (SKIP,)),
        "featured": StatusWord("decision", (FEATURE,)),
        "pinned": StatusWord("decision", (PIN,)),
        "published": StatusWord("issue_id", ()),
    }
)
STATUSES = tuple(STATUS_WORDS)
