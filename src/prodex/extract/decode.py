"""Bytes to text the way a careful browser would: BOM, then valid UTF-8, then the declared
charset, then detection (charset-normalizer on a bounded sample)."""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

_META_CHARSET = re.compile(
    rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([a-zA-Z0-9._:-]{2,40})""", re.IGNORECASE
)
_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))
_TEXT_CODECS_ONLY = frozenset({"base64", "hex", "rot13", "zlib", "bz2", "quopri", "uu"})
DETECTION_SAMPLE_BYTES = 64 * 1024


def declared_charset(data: bytes) -> str | None:
    """The codec name a ``<meta charset>`` in the first 4 KiB declares, if Python knows it."""
    match = _META_CHARSET.search(data[:4096])
    if not match:
        return None
    label = match.group(1).decode("ascii", "ignore").lower()
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    if name in _TEXT_CODECS_ONLY or name.endswith("_codec"):
        return None
    return name


def html_for_parser(data: bytes) -> str | bytes:
    """The document ready for the parser: the bytes themselves when they are UTF-8 (the parser
    reads UTF-8 natively, so nothing is copied), else the text decoded by :func:`decode_html`."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :]
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return decode_html(data)
    declared = declared_charset(data)
    if declared in (None, "utf-8"):
        if declared == "utf-8" or data.isascii():
            return data
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            return decode_html(data)
        return data
    return decode_html(data)


def decode_html(data: bytes) -> str:
    """The text of an HTML document given as bytes; never raises, undecodable bytes become U+FFFD."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data[len(bom) :].decode(encoding, "replace")
    declared = declared_charset(data)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if declared and declared not in ("utf-8", "utf_8"):
        try:
            return data.decode(declared)
        except (UnicodeDecodeError, LookupError):
            pass
    try:
        best = from_bytes(data[:DETECTION_SAMPLE_BYTES]).best()
    except Exception:
        best = None
    if best is not None and best.encoding:
        try:
            return data.decode(best.encoding, "replace")
        except LookupError:
            pass
    return data.decode("utf-8", "replace")
