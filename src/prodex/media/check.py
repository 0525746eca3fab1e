"""Fetch one media item through the fetcher into a staged file and check it from its bytes:
its type sniffed, a picture decoded within the pixel limit, a video's container and size."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from pathlib import Path

import anyio.to_thread

from prodex.errors import (
    BodyTooLarge,
    FetchError,
    UpstreamClientError,
    UpstreamServerError,
    UpstreamTimeout,
    URLRefused,
)
from prodex.extract.model import Media, MediaType
from prodex.fetch import Fetcher
from prodex.media.keys import media_key
from prodex.media.picture import PictureFacts, inspect_picture
from prodex.media.sniff import FileType, NotMedia, sniff
from prodex.media.staging import StagedFile
from prodex.settings import Settings
from prodex.store.records import DroppedMedia

log = logging.getLogger(__name__)

#: A media item that is not kept: the shop's URL, why (a short code) and a sentence.
Dropped = DroppedMedia


@dataclass(frozen=True, slots=True)
class Checked:
    """A media item fetched and checked: its place in the product's list, its staged file and
    what the bytes said."""

    index: int
    media: Media
    staged: StagedFile
    file_type: FileType
    sha256: str
    size: int
    picture: PictureFacts | None

    @property
    def key(self) -> str:
        """The key the file is stored under."""
        return media_key(self.sha256, self.file_type.ext)

    @property
    def area(self) -> int:
        """Pixels of a picture (0 for a video)."""
        return self.picture.width * self.picture.height if self.picture else 0


def fetch_failure(exc: FetchError) -> tuple[str, str]:
    """The drop reason and sentence of a failed download."""
    if isinstance(exc, URLRefused):
        return "refused", exc.msg
    if isinstance(exc, BodyTooLarge):
        return "too_large", exc.msg
    if isinstance(exc, UpstreamTimeout):
        return "timeout", exc.msg
    if isinstance(exc, UpstreamClientError | UpstreamServerError):
        return "http_error", exc.msg
    return "unreachable", exc.msg


class MediaChecker:
    """Fetches and checks media items; ``decode_slots`` bounds the pictures decoded at once
    (each decode holds the picture's pixels in memory)."""

    def __init__(self, settings: Settings, fetcher: Fetcher, staging: Path, decode_slots: int) -> None:
        self.settings = settings
        self.fetcher = fetcher
        self.staging = staging
        self._decode = asyncio.Semaphore(decode_slots)

    def _limit(self, media: Media) -> int:
        if media.type == MediaType.VIDEO:
            return self.settings.media_max_video_bytes
        return self.settings.media_max_image_bytes

    async def check(self, index: int, media: Media) -> Checked | Dropped:
        """Download and check the item at ``index``; a :class:`Dropped` for anything unusable."""
        staged = StagedFile(self.staging)
        try:
            return await self._check(index, media, staged)
        except FetchError as exc:
            staged.discard()
            reason, detail = fetch_failure(exc)
            return Dropped(media.url, reason, detail)
        except NotMedia as exc:
            staged.discard()
            return Dropped(media.url, exc.reason, exc.detail)
        except Exception:  # a bug or the disk: this item is lost, never the product
            staged.discard()
            log.exception("checking a media item failed unexpectedly")
            return Dropped(media.url, "error", "the file could not be checked (an error on the server)")
        except BaseException:
            staged.discard()
            raise

    async def _check(self, index: int, media: Media, staged: StagedFile) -> Checked:
        await self.fetcher.download(
            media.url,
            staged,
            max_bytes=self._limit(media),
            time_limit=self.settings.media_deadline_seconds,
        )
        await anyio.to_thread.run_sync(staged.close)
        file_type = sniff(staged.head)
        picture: PictureFacts | None = None
        if file_type.kind == "image":
            if staged.size > self.settings.media_max_image_bytes:
                raise NotMedia("too_large", "the picture is larger than the allowed size")
            async with self._decode:
                picture = await anyio.to_thread.run_sync(
                    inspect_picture, staged.path, self.settings.media_max_pixels
                )
        return Checked(
            index=index,
            media=media,
            staged=staged,
            file_type=file_type,
            sha256=staged.sha256,
            size=staged.size,
            picture=picture,
        )
