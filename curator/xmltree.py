"""Untrusted XML bytes -> an lxml tree, with the parser every such document goes through.

Entities stay unresolved, no DTD is loaded and nothing is fetched, so a document can
neither read local files nor make requests (XXE), nor expand entities without limit;
huge_tree stays off, so libxml2's own limits on depth and text size hold. Imports nothing
from curator.
"""

from __future__ import annotations

from lxml import etree


def parse_xml(data: bytes) -> etree._Element:
    """The root element of `data`; raises etree.XMLSyntaxError for what is not XML."""
    # A new parser per call: lxml parsers must not be shared between threads.
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    return etree.fromstring(data, parser=parser)
