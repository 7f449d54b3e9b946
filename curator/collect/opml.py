"""OPML in and out: the feed lists feed readers import and export (OPML 2.0, opml.org/spec2).

Reading goes through curator.xmltree (entities left unresolved, no network), so an OPML
file can neither read local files nor make requests. Pure functions; the CLI decides where files go.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence

from lxml import etree

from curator import urls
from curator.config import FeedSource, feed_name
from curator.errors import UsageError
from curator.text import collapse
from curator.xmltree import parse_xml

# Characters XML 1.0 cannot carry at all, not even escaped (XML 1.0 section 2.2).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def parse_opml(data: bytes) -> list[FeedSource]:
    """Every outline with an http(s) xmlUrl, nested ones included, in document order."""
    try:
        root = parse_xml(data)
    except etree.XMLSyntaxError as err:
        raise UsageError(f"not an OPML file: {err}") from None
    root_name = etree.QName(root).localname
    if root_name.lower() != "opml":
        raise UsageError(f"not an OPML file: the root element is <{root_name}>")
    feeds: list[FeedSource] = []
    for outline in root.iter("{*}outline"):
        # Exporters disagree on the case of attribute names (xmlUrl, xmlurl, XMLURL).
        attributes = {name.lower(): value for name, value in outline.attrib.items()}
        url = attributes.get("xmlurl", "").strip()
        if urls.is_http_url(url):
            name = attributes.get("text") or attributes.get("title") or ""
            feeds.append(FeedSource(url=url, name=collapse(name)))
    return feeds


def to_opml(feeds: Sequence[FeedSource], title: str = "curator feeds") -> str:
    """An OPML 2.0 document listing `feeds`, readable by parse_opml and feed readers."""
    root = ET.Element("opml", version="2.0")
    ET.SubElement(ET.SubElement(root, "head"), "title").text = _xml_text(title)
    body = ET.SubElement(root, "body")
    for feed in feeds:
        name = _xml_text(feed_name(feed))
        ET.SubElement(
            body, "outline", type="rss", text=name, title=name, xmlUrl=_xml_text(feed.url)
        )
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _xml_text(text: str) -> str:
    return _NOT_XML.sub("", text)
