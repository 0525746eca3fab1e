"""Fixtures of the media tests: a migrated database, the media service with a local store,
fetching only from the fixture shop on 127.0.0.1."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from fixtures.fetching import local_settings
from fixtures.shop_server import ShopServer
from prodex.fetch import Fetcher
from prodex.media.library import MediaLibrary
from prodex.media.service import MediaService
from prodex.media.stores import LocalMediaStore
from prodex.settings import Settings
from prodex.store.db import Database
from prodex.store.migrate import upgrade_database


@pytest.fixture
def media_settings(tmp_path: Path, shop_server: ShopServer) -> Settings:
    """Settings with the local media store in ``tmp_path``, allowed to fetch from the shop."""
    return local_settings(data_dir=tmp_path, media_store="local", fetch_max_per_host=20)


@pytest.fixture
def database(media_settings: Settings) -> Iterator[Database]:
    """A migrated SQLite database in the test's folder."""
    database = Database(media_settings.effective_database_url)
    upgrade_database(database)
    yield database
    database.dispose()


@pytest.fixture
async def media_service(media_settings: Settings, database: Database) -> AsyncIterator[MediaService]:
    """The media service with a local store and a fetcher of its own."""
    async with Fetcher(media_settings) as fetcher:
        yield MediaService(
            media_settings, fetcher, MediaLibrary(database, LocalMediaStore(media_settings.media_dir))
        )


def published(settings: Settings) -> set[str]:
    """The keys of the files in the local store."""
    return {p.name for p in settings.media_dir.glob("*/*") if p.parent.name != ".staging"}


def staged(settings: Settings) -> list[Path]:
    """The files in the staging folder."""
    return list((settings.media_dir / ".staging").glob("*"))
