"""Turning a page's bytes into text: BOM, valid UTF-8, the declared charsets, then detection.

Order: a byte-order mark; UTF-8 when the bytes are valid UTF-8 (text in a single-byte or CJK
legacy charset is practically never valid UTF-8 by accident, while "ISO-8859-1" headers on UTF-8
pages are common); the Content-Type header's charset; the document's own ``<meta charset>``,
``http-equiv`` or XML declaration; detection with charset-normalizer; the first declared charset
(or UTF-8) with replacement characters as the last resort. A declared charset that does not decode
the bytes cleanly (a server that says EUC-JP and sends windows-1251) is skipped for the next
candidate. Labels are read the way browsers read them (WHATWG Encoding): ``latin1`` is windows-1252.
"""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

_META_CHARSET = re.compile(
    rb"""<meta[^>]+?charset\s*=\s*["']?\s*([a-zA-Z0-9_:.+-]+)""",
    re.IGNORECASE,
)
_XML_ENCODING = re.compile(rb"""^<\?xml[^>]+encoding\s*=\s*["']([a-zA-Z0-9_.:-]+)["']""")

# WHATWG Encoding label aliases where Python's codec of the same name decodes differently.
_WHATWG_ALIASES = {
    "ascii": "cp1252",
    "us-ascii": "cp1252",
    "iso-8859-1": "cp1252",
    "iso8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "l1": "cp1252",
    "iso-8859-9": "cp1254",
    "latin5": "cp1254",
    "iso-8859-11": "cp874",
    "tis-620": "cp874",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "euc-kr": "cp949",
    "ks_c_5601-1987": "cp949",
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "sjis": "cp932",
    "x-sjis": "cp932",
    "big5": "big5hkscs",
    "utf8": "utf-8",
    "unicode-1-1-utf-8": "utf-8",
    "x-user-defined": "cp1252",
}

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def normalize_charset(label: str | None) -> str | None:
    """The Python codec name for a charset label, or None when the label is unknown."""
    if not label:
        return None
    name = label.strip().strip("'\"").lower()
    name = _WHATWG_ALIASES.get(name, name)
    try:
        codec = codecs.lookup(name)
    except LookupError:
        return None
    if codec.name in ("utf-16", "utf-32", "utf-16-le", "utf-16-be"):
        return None  # only a BOM may select UTF-16 (WHATWG); a meta tag claiming it is wrong
    return codec.name


def declared_meta_charset(body: bytes) -> str | None:
    """The charset a document declares in its first 4 KiB (``<meta>`` or XML declaration), if any."""
    head = body[:4096]
    match = _XML_ENCODING.match(head) or _META_CHARSET.search(head)
    return match.group(1).decode("ascii", "replace") if match else None


def decode_body(body: bytes, header_charset: str | None) -> tuple[str, str]:
    """Decode ``body`` to text; return the text and the codec that was used."""
    for bom, encoding in _BOMS:
        if body.startswith(bom):
            return body[len(bom) :].decode(encoding, errors="replace"), encoding
    try:
        return body.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    candidates = [normalize_charset(header_charset), normalize_charset(declared_meta_charset(body))]
    for candidate in candidates:
        if candidate is None or candidate == "utf-8":
            continue
        try:
            return body.decode(candidate), candidate
        except UnicodeDecodeError:
            continue
    best = from_bytes(body[:200_000]).best()
    detected = normalize_charset(best.encoding) if best is not None else None
    fallback = detected or next((c for c in candidates if c), None) or "utf-8"
    return body.decode(fallback, errors="replace"), fallback
