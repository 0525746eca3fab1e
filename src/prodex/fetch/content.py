"""Content types: what a response says it is, what its bytes look like, and what prodex accepts."""

from __future__ import annotations

import re
from email.message import Message
from typing import Literal

from prodex.errors import NotHTML

Accept = Literal["html", "json", "xml"]

ACCEPT_HEADERS: dict[Accept, str] = {
    "html": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "json": "application/json,text/javascript;q=0.9,*/*;q=0.5",
    "xml": "application/xml,text/xml;q=0.9,application/gzip;q=0.8,*/*;q=0.5",
}

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
JSON_TYPES = frozenset({"application/json", "text/json", "application/ld+json"})
SCRIPT_TYPES = frozenset({"application/javascript", "text/javascript", "application/x-javascript"})
XML_TYPES = frozenset({"application/xml", "text/xml"})
#: A gzipped file (a ``sitemap.xml.gz``), sent as itself rather than with a Content-Encoding.
GZIP_TYPES = frozenset({"application/gzip", "application/x-gzip", "application/x-gunzip"})
GZIP_MAGIC = b"\x1f\x8b"
# Types a misconfigured server uses for anything: decide from the bytes.
SNIFFED_TYPES = frozenset(
    {"", "text/plain", "application/octet-stream", "unknown/unknown", "application/unknown", "*/*"}
)

_HTML_START = re.compile(
    rb"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*"
    rb"<(?:!doctype\s+html|html|head|body|title|meta|script|link|style|div|p|h1|table|iframe|br|a|b|font)[\s/>]",
    re.IGNORECASE | re.DOTALL,
)


def parse_content_type(header: str | None) -> tuple[str, str | None]:
    """The media type (lower case, no parameters) and the charset parameter of a Content-Type header."""
    if not header:
        return "", None
    message = Message()
    message["content-type"] = header
    media_type = message.get_content_type() if "/" in header.split(";", 1)[0] else ""
    charset = message.get_param("charset")
    if isinstance(charset, tuple):  # RFC 2231 form
        charset = charset[2]
    return media_type.lower(), (str(charset).strip().strip("'\"").lower() or None) if charset else None


def looks_like_html(body: bytes) -> bool:
    """Whether the start of ``body`` looks like an HTML document (after a BOM, space and comments)."""
    head = body[:2048].removeprefix(b"\xef\xbb\xbf")
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        head = head[2:].replace(b"\x00", b"")
    return _HTML_START.match(head) is not None


def looks_like_json(body: bytes) -> bool:
    """Whether ``body`` starts (after a BOM and space) like a JSON object or array."""
    head = body[:64].removeprefix(b"\xef\xbb\xbf").lstrip()
    return head[:1] in (b"{", b"[")


def looks_like_xml(body: bytes) -> bool:
    """Whether ``body`` starts (after a BOM and space) like an XML document, or is gzipped."""
    if body.startswith(GZIP_MAGIC):
        return True
    return body[:64].removeprefix(b"\xef\xbb\xbf").lstrip().startswith(b"<")


def is_declared_unacceptable(media_type: str, accept: Accept) -> bool:
    """Whether the declared type alone rules the response out (no need to read the body)."""
    acceptable = HTML_TYPES | XML_TYPES | SNIFFED_TYPES
    if accept == "json":
        acceptable = acceptable | JSON_TYPES | SCRIPT_TYPES
    if accept == "xml":
        return media_type not in acceptable | GZIP_TYPES and not media_type.endswith("+xml")
    return media_type not in acceptable and not media_type.endswith("+json")


def check_content(media_type: str, body: bytes, accept: Accept) -> str:
    """The effective media type of a response for ``accept``; raise NotHTML when it is unacceptable.

    HTML and XHTML are always accepted; JSON (declared, or script types whose body is JSON) when
    ``accept == "json"``. XML and the catch-all types are accepted when the bytes look like HTML
    (or JSON).
    """
    if (
        accept == "xml"
        and (media_type in XML_TYPES | GZIP_TYPES | SNIFFED_TYPES or media_type.endswith("+xml"))
        and looks_like_xml(body)
    ):
        return "application/xml"
    if media_type in HTML_TYPES:
        return media_type
    if accept == "json" and (media_type in JSON_TYPES or media_type.endswith("+json")):
        return "application/json"
    if accept == "json" and media_type in SCRIPT_TYPES | SNIFFED_TYPES and looks_like_json(body):
        return "application/json"
    if media_type in XML_TYPES | SNIFFED_TYPES and looks_like_html(body):
        return "text/html"
    wanted = {"json": "an HTML page or JSON", "xml": "an XML document (a sitemap)"}.get(
        accept, "an HTML page"
    )
    shown = f" ({media_type[:60]})" if media_type else ""
    raise NotHTML(f"The URL does not point to {wanted}: the shop sent another kind of content{shown}.")
