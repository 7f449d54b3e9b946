"""The week region's cards: each candidate's HTML is kept while everything it shows stays
the same, so a page over 2,000 candidates renders again only the cards that changed
(issue 18, item 9)."""

from __future__ import annotations

from operator import attrgetter
from typing import Any

from jinja2 import Environment
from markupsafe import Markup

from curator import urls
from curator.merging import AUTHOR_FIELDS
from curator.pipeline.review import Card, Group

# Every field of a link card.html.j2 shows, its version included (the author's fields).
SHOWN = attrgetter(
    "id", "url", "title", "source", "kind", "status", "error", "summary", *AUTHOR_FIELDS
)
# Cards of versions no longer shown pile up while the author works; a week holds far fewer.
LIMIT = 10_000


class Cards:
    """Rendered cards by what they show."""

    def __init__(self) -> None:
        self._html: dict[tuple[Any, ...], Markup] = {}

    def group(self, templates: Environment, group: Group) -> Markup:
        """The group's cards, one after the other."""
        return Markup("\n").join(self.html(templates, card) for card in group.cards)

    def html(self, templates: Environment, card: Card) -> Markup:
        key = (card.place, card.sources, SHOWN(card.link))
        found = self._html.get(key)
        if found is None:
            if len(self._html) >= LIMIT:
                self._html.clear()
            found = Markup(templates.get_template("card.html.j2").render(card=card, host=urls.host))
            self._html[key] = found
        return found
