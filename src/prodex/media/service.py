"""The media step of a create or update: fetch every item concurrently (per-host limits of the
fetcher), check, keep what a video can use, publish, and point the product at the stored copies.

A media item that cannot be used is dropped with its reason, never fatal: a product whose
pictures all fail is stored with no media and the answer says why each was dropped.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Awaitable, Callable, Collection, Mapping
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import TypeVar

import anyio
import anyio.to_thread

from prodex.extract.model import Media, MediaType
from prodex.fetch import Fetcher
from prodex.media.check import Checked, Dropped, MediaChecker
from prodex.media.keys import key_of
from prodex.media.library import MediaLibrary
from prodex.media.select import select_media
from prodex.media.staging import sweep_staging
from prodex.media.stores import staging_folder
from prodex.settings import Settings
from prodex.store.records import ProductRecord

log = logging.getLogger(__name__)
T = TypeVar("T")
#: After a cut-off save, how long to wait before settling its links (a group insert in flight
#: finishes well within this).
SETTLE_DELAY_SECONDS = 10.0
#: Links without a product older than this are a crash's leftovers (swept at start-up).
ORPHAN_LINK_AGE = timedelta(hours=1)


@dataclass
class PreparedMedia:
    """The product's new media list (stored copies, in order), what was dropped, and the checked
    files still to publish (their staged files are removed by :meth:`discard`)."""

    media: list[Media]
    dropped: list[Dropped]
    files: list[Checked]

    @property
    def keys(self) -> set[str]:
        """The keys of every stored file the media list points to."""
        return {key for key in map(key_of, self.media) if key}

    def discard(self) -> None:
        """Remove the staged files that were not published (idempotent)."""
        for item in self.files:
            item.staged.discard()


def stored_media(item: Checked, url: str) -> Media:
    """The product's media item for a stored file."""
    picture = item.picture
    return Media(
        type=MediaType.IMAGE if item.file_type.kind == "image" else MediaType.VIDEO,
        url=url,
        name=item.media.name,
        description=item.media.description,
        original_url=item.media.url,
        width=picture.width if picture else None,
        height=picture.height if picture else None,
        bytes=item.size,
        mime=item.file_type.mime,
        sha256=item.sha256,
    )


class MediaService:
    """Fetches, checks, selects and stores the media of products (see the module docstring)."""

    def __init__(self, settings: Settings, fetcher: Fetcher, library: MediaLibrary) -> None:
        self.settings = settings
        self.library = library
        staging = staging_folder(settings)
        staging.mkdir(parents=True, exist_ok=True)
        sweep_staging(staging)
        self.checker = MediaChecker(settings, fetcher, staging, decode_slots=max(2, os.cpu_count() or 2))
        self._settling: dict[asyncio.Task[None], tuple[str, Collection[str]]] = {}

    def sweep(self) -> list[str]:
        """Remove what a crash left: links without a product (older than an hour) and their files
        (synchronous: call it from a worker thread, e.g. at start-up)."""
        return self.library.sweep(ORPHAN_LINK_AGE)

    async def prepare(
        self, media: list[Media], base_url: str, known: Mapping[str, Media] | None = None
    ) -> PreparedMedia:
        """Fetch and check ``media`` (items whose URL is in ``known``, copies prodex stored
        already, are kept as they are); the new media list, pointing at where the kept files will
        be published under ``base_url``."""
        known = known or {}
        limit = self.settings.media_max_items
        dropped = [Dropped(m.url, "too_many", f"more than {limit} media items") for m in media[limit:]]
        kept_known: list[tuple[int, Media]] = []
        first_of_url: dict[str, int] = {}
        fetch: list[tuple[int, Media]] = []
        for index, item in enumerate(media[:limit]):
            if item.url in known:
                kept_known.append((index, known[item.url]))
            elif item.url in first_of_url:
                dropped.append(Dropped(item.url, "duplicate", "listed twice"))
            else:
                first_of_url[item.url] = index
                fetch.append((index, item))
        results = await self._check_all(fetch)
        selection = select_media(results, self.settings.media_min_side, self.settings.media_similar_distance)
        for result in results:  # staged files of dropped items (duplicates, smaller copies)
            if isinstance(result, Checked) and all(result.staged is not k.staged for k in selection.kept):
                result.staged.discard()
        placed = [
            (item.index, stored_media(item, self.library.store.public_url(item.key, base_url)))
            for item in selection.kept
        ]
        ordered = [m for _index, m in sorted([*kept_known, *placed], key=lambda pair: pair[0])]
        return PreparedMedia(media=ordered, dropped=[*selection.dropped, *dropped], files=selection.kept)

    async def _check_all(self, items: list[tuple[int, Media]]) -> list[Checked | Dropped]:
        """Check every item at once (the fetcher bounds each host); the unfinished ones are
        dropped when the media deadline passes."""
        tasks = [asyncio.ensure_future(self.checker.check(index, item)) for index, item in items]
        if not tasks:
            return []
        try:
            await asyncio.wait(tasks, timeout=self.settings.media_deadline_seconds)
        except BaseException:
            for task in tasks:
                task.cancel()
            done = await asyncio.gather(*tasks, return_exceptions=True)
            for result in done:  # files of items that finished before the cut
                if isinstance(result, Checked):
                    result.staged.discard()
            raise
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        results: list[Checked | Dropped] = []
        for (_index, item), task in zip(items, tasks, strict=True):
            if task.cancelled():
                deadline = self.settings.media_deadline_seconds
                results.append(Dropped(item.url, "timeout", f"not fetched within {deadline:g} s"))
                continue
            error = task.exception()
            if error is not None:
                raise error
            results.append(task.result())
        return results

    async def store_product(
        self,
        product_id: str,
        prepared: PreparedMedia,
        save: Callable[[], Awaitable[ProductRecord]],
    ) -> ProductRecord:
        """Link the product to its files, publish them and ``save`` the product; on any failure
        undo the links and delete the files nobody else uses. Releases the product's other
        files (media an update replaced). The record carries ``media_dropped``."""
        record = await self.store_with(product_id, prepared, save)
        return replace(record, media_dropped=tuple(prepared.dropped))

    async def store_with(
        self, product_id: str, prepared: PreparedMedia, save: Callable[[], Awaitable[T]]
    ) -> T:
        """:meth:`store_product` for any ``save`` (an import item stores its product and marks
        itself done in one transaction): what ``save`` returns."""
        keys = prepared.keys
        try:
            new_links = await self.library.database.run(self.library.link, product_id, keys)
            try:
                await anyio.to_thread.run_sync(self.library.publish, prepared.files)
                saved = await save()
            except asyncio.CancelledError:
                # the save may still commit (a group insert, a thread): settle once it is done
                self._settle_later(product_id, new_links)
                raise
            except BaseException:
                with anyio.CancelScope(shield=True):
                    await anyio.to_thread.run_sync(self.library.settle, product_id, new_links)
                raise
        finally:
            prepared.discard()
        await anyio.to_thread.run_sync(self.library.release, product_id, keys)
        return saved

    def _settle_later(self, product_id: str, keys: Collection[str]) -> None:
        """Settle the links of a cut-off save after :data:`SETTLE_DELAY_SECONDS`."""
        if not keys:
            return

        async def settle() -> None:
            await asyncio.sleep(SETTLE_DELAY_SECONDS)
            try:
                await anyio.to_thread.run_sync(self.library.settle, product_id, keys)
            except Exception:
                log.exception("settling the media links of product %s failed", product_id)

        task = asyncio.get_running_loop().create_task(settle(), name=f"prodex-media-settle-{product_id}")
        self._settling[task] = (product_id, keys)
        task.add_done_callback(lambda done: self._settling.pop(done, None))

    async def aclose(self) -> None:
        """Settle the cut-off saves still waiting, at once (at shut-down, before the database closes)."""
        waiting = dict(self._settling)
        for task in waiting:
            task.cancel()
        await asyncio.gather(*waiting, return_exceptions=True)
        for product_id, keys in waiting.values():
            try:
                await anyio.to_thread.run_sync(self.library.settle, product_id, keys)
            except Exception:
                log.exception("settling the media links of product %s failed", product_id)
