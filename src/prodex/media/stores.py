"""Media stores: where published media files live. :class:`LocalMediaStore` (a folder under the
data folder, the default) and :class:`~prodex.media.s3.S3MediaStore` (S3-compatible object storage)
share the :class:`MediaStore` interface; :func:`open_media_store` picks one from the settings.

Every method is synchronous (file system or HTTP calls): call them from a worker thread.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Protocol

from prodex.settings import Settings

STAGING_FOLDER = ".staging"


class MediaStore(Protocol):
    """Where published media files live, by key (``<sha256>.<ext>``)."""

    def put(self, staged: Path, key: str, mime: str) -> None:
        """Publish the staged file under ``key`` (whole, at once; nothing when already there).
        The staged file is consumed (moved or removed)."""

    def delete(self, keys: Iterable[str]) -> None:
        """Remove the files of ``keys`` (missing ones are ignored)."""

    def exists(self, key: str) -> bool:
        """Whether a file is published under ``key``."""

    def public_url(self, key: str, base_url: str) -> str:
        """The URL clients fetch the file at (``base_url``: prodex's public address)."""


def prodex_media_url(base_url: str, key: str) -> str:
    """``<base_url>/media/<key>``: a file served by prodex itself."""
    return f"{base_url.rstrip('/')}/media/{key}"


class LocalMediaStore:
    """Files in a folder: ``<root>/<first two hex digits>/<key>``, published by an atomic rename
    from ``<root>/.staging`` (same file system), so a file is either whole or absent."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.staging = root / STAGING_FOLDER
        self.staging.mkdir(parents=True, exist_ok=True)

    def path_of(self, key: str) -> Path:
        """Where the file of ``key`` is (whether or not it exists)."""
        return self.root / key[:2] / key

    def put(self, staged: Path, key: str, mime: str) -> None:
        """Rename the staged file into place (or drop it when the same content is there)."""
        final = self.path_of(key)
        if final.exists():
            staged.unlink(missing_ok=True)
            return
        final.parent.mkdir(parents=True, exist_ok=True)
        os.replace(staged, final)

    def delete(self, keys: Iterable[str]) -> None:
        """Remove the files (and their folder once empty)."""
        for key in keys:
            path = self.path_of(key)
            path.unlink(missing_ok=True)
            with contextlib.suppress(OSError):  # not empty, or already gone
                path.parent.rmdir()

    def exists(self, key: str) -> bool:
        """Whether the file is there."""
        return self.path_of(key).is_file()

    def public_url(self, key: str, base_url: str) -> str:
        """Served by prodex at ``/media/<key>``."""
        return prodex_media_url(base_url, key)


def staging_folder(settings: Settings) -> Path:
    """Where downloads are written before they are published (the local store's own staging
    folder; with S3 a folder of the same name under the data folder)."""
    return settings.media_dir / STAGING_FOLDER


def open_media_store(settings: Settings) -> MediaStore | None:
    """The media store the settings ask for; ``None`` when ``PRODEX_MEDIA_STORE=off``."""
    if settings.media_store == "off":
        return None
    if settings.media_store.startswith("s3://"):
        from prodex.media.s3 import S3MediaStore  # boto3 is imported only when S3 is used

        staging_folder(settings).mkdir(parents=True, exist_ok=True)
        return S3MediaStore(settings)
    return LocalMediaStore(settings.media_dir)
