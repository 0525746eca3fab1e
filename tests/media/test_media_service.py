"""The media step on its own: concurrency, failures that must leave nothing behind."""

from __future__ import annotations

import asyncio
import os
import threading
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from fixtures import media_files
from fixtures.media_store import local_media_service, published, staged
from fixtures.shop_server import ShopServer
from prodex.extract.model import Media, MediaType, Product
from prodex.fetch import Fetcher
from prodex.media.keys import KEY_PATTERN
from prodex.media.library import MediaLibrary
from prodex.media.service import MediaService
from prodex.media.staging import STAGING_SUFFIX, sweep_staging
from prodex.media.stores import LocalMediaStore
from prodex.service.accounts import Accounts
from prodex.service.clock import utcnow
from prodex.service.products import Products, new_product_id
from prodex.settings import Settings
from prodex.store.db import Database
from prodex.store.media import lock_keys, unused_keys
from prodex.store.migrate import upgrade_database
from prodex.store.records import ProductRecord
from prodex.store.tables import media_links


def _pictures(shop: ShopServer, count: int, delay: float = 0.0) -> list[Media]:
    prefix = uuid.uuid4().hex[:8]
    query = f"?delay={delay}" if delay else ""
    return [
        Media(
            type=MediaType.IMAGE,
            url=shop.serve(
                f"svc-{prefix}/{seed}.jpg", media_files.jpeg(100 + seed), content_type="image/jpeg"
            )
            + query,
        )
        for seed in range(count)
    ]


async def test_downloads_run_concurrently(media_service: MediaService, shop_server: ShopServer) -> None:
    media = _pictures(shop_server, 10, delay=0.3)
    started = time.perf_counter()
    prepared = await media_service.prepare(media, "http://prodex.test")
    elapsed = time.perf_counter() - started
    try:
        assert len(prepared.media) == 10 and not prepared.dropped
        assert elapsed < 1.5, f"10 pictures at 0.3 s each took {elapsed:.2f} s: not concurrent"
        assert [m.original_url for m in prepared.media] == [m.url for m in media]
    finally:
        prepared.discard()


async def test_a_failed_save_stores_no_media(
    media_service: MediaService, media_settings: Settings, shop_server: ShopServer
) -> None:
    prepared = await media_service.prepare(_pictures(shop_server, 3), "http://prodex.test")
    assert len(prepared.files) == 3

    async def failing_save() -> ProductRecord:
        raise RuntimeError("the database went away")

    with pytest.raises(RuntimeError):
        await media_service.store_product(new_product_id(), prepared, failing_save)
    assert published(media_settings) == set()
    assert staged(media_settings) == []
    with media_service.library.database.read() as conn:
        assert conn.execute(select(media_links)).all() == []


async def test_a_download_cut_off_leaves_no_file(
    media_service: MediaService, media_settings: Settings, shop_server: ShopServer
) -> None:
    stalling = Media(type=MediaType.IMAGE, url=shop_server.url(f"/stall?after=30&t={uuid.uuid4().hex}"))
    task = asyncio.ensure_future(media_service.prepare([stalling], "http://prodex.test"))
    for _ in range(100):  # until the download has begun writing its staging file
        await asyncio.sleep(0.02)
        if staged(media_settings):
            break
    assert staged(media_settings), "the download never started"
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert staged(media_settings) == [] and published(media_settings) == set()


async def test_items_past_the_deadline_are_dropped_not_fatal(
    media_settings: Settings, database: Database, shop_server: ShopServer
) -> None:
    settings = media_settings.model_copy(update={"media_deadline_seconds": 0.5})
    quick = _pictures(shop_server, 1)
    slow = Media(type=MediaType.IMAGE, url=shop_server.url(f"/stall?after=30&t={uuid.uuid4().hex}"))
    async with Fetcher(settings) as fetcher:
        prepared = await local_media_service(settings, fetcher, database).prepare(
            [slow, *quick], "http://prodex.test"
        )
    prepared.discard()
    assert [m.original_url for m in prepared.media] == [quick[0].url]
    assert [(d.original_url, d.reason) for d in prepared.dropped] == [(slow.url, "timeout")]
    assert staged(settings) == []


def test_a_crash_leaves_only_staging_files_which_are_never_served_and_are_swept(
    media_settings: Settings,
) -> None:
    folder = media_settings.media_dir / ".staging"
    folder.mkdir(parents=True)
    leftover = folder / f"{'ab' * 16}{STAGING_SUFFIX}"
    leftover.write_bytes(b"\xff\xd8\xff half a picture")
    fresh = folder / f"{'cd' * 16}{STAGING_SUFFIX}"
    fresh.write_bytes(b"being written right now")
    assert not KEY_PATTERN.fullmatch(leftover.name)
    hour_ago = time.time() - 3601
    os.utime(leftover, (hour_ago, hour_ago))
    assert sweep_staging(folder) == 1
    assert not leftover.exists() and fresh.exists()


@pytest.mark.parametrize("stored", [True, False])
async def test_a_cut_off_save_is_settled_against_what_was_stored(
    media_service: MediaService,
    media_settings: Settings,
    database: Database,
    shop_server: ShopServer,
    monkeypatch: pytest.MonkeyPatch,
    stored: bool,
) -> None:
    monkeypatch.setattr("prodex.media.service.SETTLE_DELAY_SECONDS", 0.0)
    products = Products(database)
    account_id = Accounts(database, media_settings).create(name="cut", plan="free", credits=0)[0].id
    prepared = await media_service.prepare(_pictures(shop_server, 2), "http://prodex.test")
    product_id = new_product_id()
    product = Product(url="", name="Cut off", media=prepared.media)

    async def cut_off_save() -> ProductRecord:
        if stored:  # the write went through although the caller was cancelled
            await products.astore(account_id, product, product_id)
        raise asyncio.CancelledError

    with pytest.raises(asyncio.CancelledError):
        await media_service.store_product(product_id, prepared, cut_off_save)
    await media_service.aclose()
    keys = {m.url.rsplit("/", 1)[1] for m in prepared.media}
    assert published(media_settings) == (keys if stored else set())
    with database.read() as conn:
        linked = set(conn.execute(select(media_links.c.media_key)).scalars())
    assert linked == (keys if stored else set())


def test_links_left_by_a_crash_are_swept_with_their_files(
    media_settings: Settings, database: Database, tmp_path: Path
) -> None:
    store = LocalMediaStore(media_settings.media_dir)
    library = MediaLibrary(database, store)
    key = "ab" * 32 + ".jpg"
    staged_file = tmp_path / "x.part"
    staged_file.write_bytes(b"\xff\xd8\xff")
    store.put(staged_file, key, "image/jpeg")
    with database.write() as conn:
        conn.execute(
            media_links.insert(),
            [{"product_id": "never-stored", "media_key": key, "created_at": utcnow() - timedelta(hours=2)}],
        )
    assert library.sweep(timedelta(hours=1)) == [key]
    assert not store.exists(key)


async def test_an_unexpected_error_drops_the_item_not_the_product(
    media_service: MediaService,
    media_settings: Settings,
    shop_server: ShopServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def failing(*_args: object) -> None:
        raise RuntimeError("a bug in a decoder")

    monkeypatch.setattr("prodex.media.check.inspect_picture", failing)
    media = _pictures(shop_server, 1)
    prepared = await media_service.prepare(media, "http://prodex.test")
    assert prepared.media == []
    assert [(d.original_url, d.reason) for d in prepared.dropped] == [(media[0].url, "error")]
    assert staged(media_settings) == []


def test_a_link_waits_for_a_deletion_of_its_file(fresh_database_url: str, tmp_path: Path) -> None:
    """A product that links a file while another product's release is deleting it waits until
    the deletion is over (then links it and publishes it again): a linked file is never deleted
    under its product. SQLite and PostgreSQL."""
    database = Database(fresh_database_url)
    upgrade_database(database)
    try:
        library = MediaLibrary(database, LocalMediaStore(tmp_path / "media"))
        key = "cd" * 32 + ".jpg"
        linked = threading.Event()
        with database.write() as conn:  # a release's check and deletion hold the key's lock
            lock_keys(conn, [key])
            worker = threading.Thread(target=lambda: (library.link("B", [key]), linked.set()))
            worker.start()
            assert not linked.wait(0.5), "the link did not wait for the deletion"
        worker.join(10)
        assert linked.is_set()
        with database.read() as conn:
            assert unused_keys(conn, [key]) == []
    finally:
        database.dispose()
