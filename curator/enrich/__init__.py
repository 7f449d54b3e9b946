"""The enrich stage: a queued link's fetched bytes -> its Metadata.

Contract: takes what was fetched (a page's body and type, a PDF's URL) and the author's
`[sources]` labels, returns a Metadata value (title, summary, site name, date, label);
an arXiv Paper gives its own (Paper.metadata). Never fetches, never touches the store,
the pipeline or the CLI. `pages` turns a body into Metadata, `metadata` reads a page's own
declarations, `labels` chooses the label shown after each link ("(The Verge)"), `titles`
the headline, `maintext` the main text an LLM summary is made from, `extracting` runs
extraction in worker processes that a pathological page cannot hang or exhaust.

The entry points are imported from here; each loads its module on first use, so that
commands that never enrich never pay for trafilatura.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from curator import lazy

if TYPE_CHECKING:
    from curator.enrich.extracting import Extractors
    from curator.enrich.labels import link_label
    from curator.enrich.pages import (
        Explained,
        document_metadata,
        explain_document,
        explain_page,
        explain_tweet,
        extract_page,
        tweet_metadata,
    )

_HOMES = {
    "Extractors": "extracting",
    "link_label": "labels",
    "Explained": "pages",
    "document_metadata": "pages",
    "explain_document": "pages",
    "explain_page": "pages",
    "explain_tweet": "pages",
    "extract_page": "pages",
    "tweet_metadata": "pages",
}
__all__ = [
    "Explained",
    "Extractors",
    "document_metadata",
    "explain_document",
    "explain_page",
    "explain_tweet",
    "extract_page",
    "link_label",
    "tweet_metadata",
]

__getattr__ = lazy.attributes(__name__, _HOMES)
