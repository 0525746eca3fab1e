"""What a file is, from its first bytes: never from its extension or its Content-Type alone."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from prodex.fetch.content import looks_like_html

#: How many leading bytes :func:`sniff` needs.
SNIFF_BYTES = 2048

MediaKind = Literal["image", "video"]


@dataclass(frozen=True, slots=True)
class FileType:
    """A media type prodex keeps: image or video, its MIME type and the file extension it is stored under."""

    kind: MediaKind
    mime: str
    ext: str


JPEG = FileType("image", "image/jpeg", "jpg")
PNG = FileType("image", "image/png", "png")
GIF = FileType("image", "image/gif", "gif")
WEBP = FileType("image", "image/webp", "webp")
AVIF = FileType("image", "image/avif", "avif")
MP4 = FileType("video", "video/mp4", "mp4")
MOV = FileType("video", "video/quicktime", "mov")
WEBM = FileType("video", "video/webm", "webm")

#: Every type prodex stores, by extension (what /media/<id>.<ext> serves).
BY_EXTENSION: dict[str, FileType] = {t.ext: t for t in (JPEG, PNG, GIF, WEBP, AVIF, MP4, MOV, WEBM)}

_AVIF_BRANDS = (b"avif", b"avis")
_QUICKTIME_BRANDS = (b"qt  ",)


class NotMedia(Exception):
    """The bytes are not a picture or video prodex keeps; ``reason`` is a drop reason."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


def _iso_media(head: bytes) -> FileType | None:
    """An ISO base media file (``ftyp`` box first): AVIF picture, QuickTime or MP4 video."""
    if head[4:8] != b"ftyp":
        return None
    brand = head[8:12]
    if brand in _AVIF_BRANDS:
        return AVIF
    if brand in _QUICKTIME_BRANDS:
        return MOV
    return MP4


def _matroska(head: bytes) -> FileType | None:
    """WebM (a Matroska file whose DocType is ``webm``); other Matroska files are refused."""
    if not head.startswith(b"\x1a\x45\xdf\xa3"):
        return None
    if b"webm" in head[:64]:
        return WEBM
    raise NotMedia("unsupported_type", "a Matroska video that is not WebM")


def sniff(head: bytes) -> FileType:
    """The type of a file from its first :data:`SNIFF_BYTES` bytes; raise :class:`NotMedia`.

    Reasons: ``not_media`` (HTML, text, unknown bytes), ``unsupported_type`` (SVG, other
    containers), ``empty``.
    """
    if not head:
        raise NotMedia("empty", "the file is empty")
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith((b"GIF87a", b"GIF89a")):
        return GIF
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return WEBP
    found = _iso_media(head) or _matroska(head)
    if found is not None:
        return found
    if looks_like_html(head):
        raise NotMedia("not_media", "an HTML page, not a picture or video")
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if stripped.startswith((b"<svg", b"<?xml")):
        raise NotMedia("unsupported_type", "an SVG or XML document (vector pictures are not kept)")
    raise NotMedia("not_media", "the bytes are not a picture or video prodex knows")
