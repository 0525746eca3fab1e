"""Bytes of an HTML document to text: the one decoder of prodex (fetch and extract both use it).

The order, as careful browsers do it, with one pragmatic step:

1. a byte-order mark (UTF-8, UTF-16 LE/BE) decides;
2. bytes that are valid UTF-8 are UTF-8, whatever is declared (text in a legacy charset is
   practically never valid UTF-8 by accident, while "ISO-8859-1" headers on UTF-8 pages are common);
3. the transport's charset (the Content-Type header), then the document's own (``<meta charset>``,
   ``http-equiv`` or the XML declaration in the first 4 KiB), each read as a WHATWG label
   (:func:`~prodex.extract.encodings.codec_for_label`: ``latin1`` is windows-1252). A declared
   charset that does not decode the bytes is skipped for the next: servers send "UTF-8" in their
   headers by default, whatever the page is. A document that declares UTF-8 itself is UTF-8, as in
   browsers: its few broken bytes become U+FFFD (the parser is then given the bytes as they are);
4. detection with charset-normalizer on a bounded sample;
5. the first declared charset (or UTF-8) with replacement characters.

Never raises: undecodable bytes become U+FFFD.
"""

from __future__ import annotations

import codecs
import re
from typing import NamedTuple

from charset_normalizer import from_bytes

from prodex.extract.encodings import codec_for_label

__all__ = ["DETECTION_SAMPLE_BYTES", "Decoded", "declared_charset", "decode_html", "html_for_parser"]

DETECTION_SAMPLE_BYTES = 200_000
PRESCAN_BYTES = 4096
_META_CHARSET = re.compile(
    rb"""<meta[^>]{0,400}?charset\s*=\s*["']?\s*([a-zA-Z0-9_:.+-]{1,40})""", re.IGNORECASE
)
_XML_ENCODING = re.compile(rb"""^<\?xml[^>]{0,200}?encoding\s*=\s*["']([a-zA-Z0-9_.:-]{1,40})["']""")
_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))
_C1_FALLBACK = "prodex-c1"


def _c1_controls(error: UnicodeError) -> tuple[str, int]:
    """The five bytes windows-1252 leaves undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D) are the C1
    controls of the same number in a browser; Python's cp1252 refuses them."""
    if not isinstance(error, UnicodeDecodeError):
        raise error
    return "".join(map(chr, error.object[error.start : error.end])), error.end


codecs.register_error(_C1_FALLBACK, _c1_controls)


class Decoded(NamedTuple):
    """A decoded document: its text and the Python codec that decoded it."""

    text: str
    encoding: str


def declared_charset(data: bytes) -> str | None:
    """The charset label the document declares in its first 4 KiB (XML declaration or
    ``<meta>``), as written; see :func:`~prodex.extract.encodings.codec_for_label`."""
    head = data[:PRESCAN_BYTES]
    match = _XML_ENCODING.match(head) or _META_CHARSET.search(head)
    return match.group(1).decode("ascii", "replace") if match else None


def _strict(data: bytes, codec: str | None) -> str | None:
    """``data`` decoded by ``codec`` when every byte is defined in it (windows-1252 as browsers
    define it), else ``None``."""
    if codec is None:
        return None
    try:
        return data.decode(codec, _C1_FALLBACK if codec == "cp1252" else "strict")
    except UnicodeDecodeError:
        return None


def _detected(data: bytes) -> str | None:
    """The codec charset-normalizer finds for a bounded sample of ``data``, as a browser names it."""
    try:
        best = from_bytes(data[:DETECTION_SAMPLE_BYTES]).best()
    except Exception:  # a detector failure only means "no detection"
        return None
    return codec_for_label(best.encoding) if best is not None else None


def decode_html(data: bytes, transport_charset: str | None = None) -> Decoded:
    """The text of an HTML document given as bytes, and the codec used (see the module's order).

    ``transport_charset`` is the charset label of the Content-Type header, when there is one.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return Decoded(data[len(bom) :].decode(encoding, "replace"), encoding)
    try:
        return Decoded(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    transport = codec_for_label(transport_charset)
    document = codec_for_label(declared_charset(data))
    if transport not in (None, "utf-8") and (text := _strict(data, transport)) is not None:
        return Decoded(text, transport)
    if document == "utf-8":  # the document's own word, as in browsers: broken bytes become U+FFFD
        return Decoded(data.decode("utf-8", "replace"), "utf-8")
    if document is not None and (text := _strict(data, document)) is not None:
        return Decoded(text, document)
    declared = transport or document
    fallback = _detected(data) or declared or "utf-8"
    return Decoded(data.decode(fallback, _C1_FALLBACK if fallback == "cp1252" else "replace"), fallback)


def html_for_parser(data: bytes) -> str | bytes:
    """The document ready for the parser: the bytes themselves when they are UTF-8 (the parser
    reads UTF-8 natively, so nothing is copied), else the text :func:`decode_html` gives."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :]
    if codec_for_label(declared_charset(data)) == "utf-8" or data.isascii():
        return data  # UTF-8 by declaration: not even validated (see decode_html)
    text = decode_html(data)
    return data if text.encoding == "utf-8" else text.text
