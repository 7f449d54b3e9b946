"""Page bytes -> text: which encoding a page is written in, as browsers decide it.

Declarations are tried in the WHATWG order (a BOM, the HTTP charset, then <meta charset> or
http-equiv, then an XML declaration), each only if the bytes decode under it; then valid
UTF-8; then charset_normalizer's guess among the legacy encodings still common on the
web; then UTF-8 with replacement characters. Pure functions; imports nothing from curator.
"""

from __future__ import annotations

import codecs
import re

# The WHATWG prescan reads 1024 bytes (HTML, "prescan a byte stream"); real pages put
# <meta charset> behind long inline scripts often enough to look further.
PRESCAN_BYTES = 4096
UTF8 = "utf-8"
# Media types whose bodies are HTML, and the types under which HTML is served often
# enough (none, or mislabelled) that the bytes decide.
HTML_TYPES = ("text/html", "application/xhtml+xml")
SNIFFED_TYPES = ("", "text/plain")

# WHATWG Encoding, section 4.2 ("Names and labels"): labels Python's codecs do not know.
_EXTRA_LABELS: dict[str, str] = {
    "unicode-1-1-utf-8": "utf-8",
    "unicode11utf8": "utf-8",
    "unicode20utf8": "utf-8",
    "x-unicode20utf8": "utf-8",
    "iso-8859-8-i": "iso8859-8",
    "csiso88598i": "iso8859-8",
    "logical": "iso8859-8",
    "koi8": "koi8-r",
    "koi": "koi8-r",
    "koi8_r": "koi8-r",
    "cskoi8r": "koi8-r",
    "koi8-ru": "koi8-u",
    "x-mac-roman": "mac-roman",
    "csmacintosh": "mac-roman",
    "x-mac-cyrillic": "mac-cyrillic",
    "x-mac-ukrainian": "mac-cyrillic",
    "windows-874": "cp874",
    "dos-874": "cp874",
    "x-gbk": "gbk",
    "x-x-big5": "big5",
    "cn-big5": "big5",
    "x-euc-jp": "euc_jp",
    "windows-31j": "cp932",
    "x-sjis": "cp932",
    "windows-949": "cp949",
    "x-cp1250": "cp1250",
    "x-cp1251": "cp1251",
    "x-cp1252": "cp1252",
    "x-cp1253": "cp1253",
    "x-cp1254": "cp1254",
    "x-cp1255": "cp1255",
    "x-cp1256": "cp1256",
    "x-cp1257": "cp1257",
    "x-cp1258": "cp1258",
}
# Python codec -> the decoder WHATWG uses for it; a codec missing here is not a web
# encoding (utf-7, unicode_escape, EBCDIC) and its label is ignored. Browsers read
# iso-8859-1 and us-ascii as windows-1252, gb2312 and gbk as gb18030, Shift_JIS as
# windows-31j, EUC-KR as windows-949 and Big5 as Big5-HKSCS (Encoding, sections 4.2, 10-13).
_DECODERS: dict[str, str] = {
    "utf-8": "utf-8",
    "cp866": "cp866",
    **{f"iso8859-{n}": f"iso8859-{n}" for n in (2, 3, 4, 5, 6, 7, 8, 10, 13, 14, 15, 16)},
    "koi8-r": "koi8-r",
    "koi8-u": "koi8-u",
    "mac-roman": "mac-roman",
    "mac-cyrillic": "mac-cyrillic",
    "cp874": "cp874",
    "tis-620": "cp874",
    "iso8859-11": "cp874",
    **{f"cp125{n}": f"cp125{n}" for n in range(9)},
    "iso8859-1": "cp1252",
    "ascii": "cp1252",
    "iso8859-9": "cp1254",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "gb18030": "gb18030",
    "big5": "big5hkscs",
    "big5hkscs": "big5hkscs",
    "euc_jp": "euc_jp",
    "iso2022_jp": "iso2022_jp",
    "shift_jis": "cp932",
    "cp932": "cp932",
    "euc_kr": "cp949",
    "cp949": "cp949",
    "utf-16": "utf-16-le",
    "utf-16-le": "utf-16-le",
    "utf-16-be": "utf-16-be",
}
# Detection chooses among the legacy encodings still common on the web: the rarely used
# ISO-8859-3, -10, -14 and -16 score as well as ISO-8859-2 on Polish text and win ties.
_DETECTABLE = [
    *(f"cp125{n}" for n in range(9)),
    "cp874",
    *(f"iso8859-{n}" for n in (2, 4, 5, 6, 7, 8, 13)),
    "koi8-r",
    "koi8-u",
    "cp866",
    "cp932",
    "euc_jp",
    "iso2022_jp",
    "cp949",
    "big5hkscs",
    "gb18030",
]
# WHATWG Encoding, section 6 ("BOM sniff"): a byte order mark overrides every label.
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_HEADER_CHARSET = re.compile(r""";\s*charset\s*=\s*["']?([^"';\s]+)""", re.IGNORECASE)
_COMMENT = re.compile(rb"<!--.*?(?:-->|$)", re.DOTALL)
_META = re.compile(rb"<meta\b([^>]*)>", re.IGNORECASE)
_ATTRIBUTE = re.compile(rb"""([^\s=/>]+)\s*(?:=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?""")
_CONTENT_CHARSET = re.compile(rb"""charset\s*=\s*["']?([^"';\s]+)""", re.IGNORECASE)
# XML 1.0, section 4.3.3: an XHTML page may declare its encoding only here.
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([^"']+)["']""")


def decode_page(body: bytes, content_type: str) -> str:
    """The text of a page; `content_type` is the Content-Type header as sent ('' if absent).

    A leading BOM is dropped. Never raises: undecodable bytes become U+FFFD.
    """
    for encoding in declared_encodings(body, content_type):
        try:
            return body.decode(encoding).removeprefix("\ufeff")
        except UnicodeDecodeError:
            continue
    return _undeclared(body).removeprefix("\ufeff")


def declared_encodings(body: bytes, content_type: str) -> list[str]:
    """The decoders the page names, strongest first: BOM, HTTP charset, meta, XML."""
    head = _COMMENT.sub(b"", body[:PRESCAN_BYTES])
    header = _HEADER_CHARSET.search(content_type)
    meta = whatwg_decoder(_meta_charset(head))
    found = [
        next((encoding for bom, encoding in _BOMS if body.startswith(bom)), None),
        whatwg_decoder(header[1] if header else ""),
        # HTML, "prescan a byte stream": a meta read as ASCII cannot be in UTF-16.
        UTF8 if meta and meta.startswith("utf-16") else meta,
        whatwg_decoder(_ascii(_XML_ENCODING.match(head))),
    ]
    return [encoding for encoding in found if encoding]


def whatwg_decoder(label: str) -> str | None:
    """The Python codec browsers decode `label` with; None for a label that is no web
    encoding ('iso-8859-1' -> 'cp1252', 'Shift_JIS' -> 'cp932', 'utf-7' -> None)."""
    label = label.strip(" \t\n\f\r\"'/").lower()  # a bare value keeps the "/" of "/>"
    try:
        name = codecs.lookup(_EXTRA_LABELS.get(label, label)).name
    except LookupError:
        return None
    return _DECODERS.get(name)


def _meta_charset(head: bytes) -> str:
    """The charset of the first <meta charset> or <meta http-equiv=content-type> tag."""
    for tag in _META.finditer(head):
        attributes: dict[bytes, bytes] = {
            name.lower(): quoted or single or bare
            for name, quoted, single, bare in _ATTRIBUTE.findall(tag[1])
        }
        label = attributes.get(b"charset", b"").decode("ascii", "replace")
        if not label and attributes.get(b"http-equiv", b"").lower() == b"content-type":
            label = _ascii(_CONTENT_CHARSET.search(attributes.get(b"content", b"")))
        if label:
            return label
    return ""


def _ascii(match: re.Match[bytes] | None) -> str:
    """A label found in the bytes, as text ('' when there is none)."""
    return match[1].decode("ascii", "replace") if match else ""


def _undeclared(body: bytes) -> str:
    """Valid UTF-8 is UTF-8 (legacy text almost never validates by chance); otherwise
    charset_normalizer's best guess, or UTF-8 with replacement characters."""
    try:
        return body.decode(UTF8)
    except UnicodeDecodeError:
        pass
    # Imported here: most pages declare their encoding, and the import costs 30 ms.
    from charset_normalizer import from_bytes

    best = from_bytes(body, cp_isolation=_DETECTABLE).best()
    if best is None:
        return body.decode(UTF8, errors="replace")
    return body.decode(whatwg_decoder(best.encoding) or best.encoding, errors="replace")
