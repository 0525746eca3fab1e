"""Media keys: a stored file is named by its content, ``<sha256>.<ext>`` (content-addressed:
one file per picture whichever products use it; unguessable without the picture itself)."""

from __future__ import annotations

import re

from prodex.extract.model import Media
from prodex.media.sniff import BY_EXTENSION

#: A media key, and so the last segment of a media URL (``/media/<key>``).
KEY_PATTERN = re.compile(r"[0-9a-f]{64}\.(?:" + "|".join(sorted(BY_EXTENSION)) + r")")
_EXTENSION_BY_MIME = {file_type.mime: ext for ext, file_type in BY_EXTENSION.items()}
#: Stored files never change under their key: cache them for a year.
CACHE_CONTROL = "public, max-age=31536000, immutable"


def media_key(sha256: str, ext: str) -> str:
    """The key of a file with this content hash and extension."""
    return f"{sha256}.{ext}"


def key_of(media: Media) -> str | None:
    """The key of a media item prodex stored (``None`` for a shop's URL kept as found)."""
    if not media.sha256 or not media.mime:
        return None
    ext = _EXTENSION_BY_MIME.get(media.mime)
    return media_key(media.sha256, ext) if ext else None


def with_stored_details(items: list[Media], current: list[Media]) -> list[Media]:
    """``items`` (a product's new media list), where an item is one of the product's stored
    copies (its URL among ``current``'s stored items) given back without its details (as a client
    echoes ``type``, ``url``, ``name``, ``description``): that stored item, with the given name and
    description. Other items are kept as they are."""
    stored = {item.url: item for item in current if key_of(item)}
    restored = []
    for item in items:
        known = stored.get(item.url)
        if known is None or key_of(item):
            restored.append(item)
        else:
            restored.append(known.model_copy(update={"name": item.name, "description": item.description}))
    return restored


def mime_of_key(key: str) -> str:
    """The MIME type a key's file is served with."""
    return BY_EXTENSION[key.rsplit(".", 1)[1]].mime
