"""The review page's card cache (curator/web/cards.py) keeps a card's HTML by the fields
it names: a field the card shows but the key forgot would leave a stale card on the page.
Each column of Link is changed in turn; the cached card must be the card rendered afresh."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from curator import urls
from curator.models import Link
from curator.pipeline.review import Card
from curator.web.app import templates
from curator.web.cards import Cards
from tests.helpers import NOW

BASE = Link(
    id=7, key="https://example.com/a", url="https://example.com/a",
    canonical_url="https://example.com/a", title="A title", summary="A summary.",
    source="Example", status="failed", error="HTTP 404", first_seen=NOW, attempts=1,
    decision="pick", issue_id=None, user_title=None, user_summary=None, user_url=None,
)  # fmt: skip
COLUMNS = sorted(Link.__table__.columns.keys())  # type: ignore[attr-defined]


def other_value(name: str) -> Any:
    """A value of the column's type that differs from BASE's."""
    value = getattr(BASE, name)
    if name == "authors":
        return ["Someone Else"]
    if name == "signals":
        return {"hn_points": 12}
    if name in ("issue_id", "position", "attempts", "id"):
        return (value or 0) + 3
    if name in ("first_seen", "published", "enriched_at", "next_attempt_at", "claimed_until"):
        return NOW - timedelta(days=3)
    if name == "status":
        return "done"
    if name == "kind":
        return "paper"
    if name.endswith("url") or name in ("key", "image", "user_image", "code_url"):
        return "https://example.org/changed"
    return f"changed {name}"


def render(card: Card) -> str:
    return str(templates().get_template("card.html.j2").render(card=card, host=urls.host))


@pytest.mark.parametrize("name", COLUMNS)
def test_a_cached_card_is_the_fresh_card_whatever_field_changed(name: str) -> None:
    environment, cache = templates(), Cards()
    cache.html(environment, Card(BASE, "Other", 1, 2))
    changed = BASE.model_copy(update={name: other_value(name)})
    card = Card(changed, "Other", 1, 2)
    assert str(cache.html(environment, card)) == render(card)


def test_the_cards_show_the_fields_changed_above() -> None:
    """The test above cannot pass by accident: most changes show on the card."""
    shown = [
        name
        for name in COLUMNS
        if render(Card(BASE.model_copy(update={name: other_value(name)}), "Other", 1, 2))
        != render(Card(BASE, "Other", 1, 2))
    ]
    assert {"title", "url", "summary", "user_title", "decision", "status", "error"} <= set(shown)
