"""Fixtures of the media tests: a migrated database, the media service with a local store,
fetching only from the fixture shop on 127.0.0.1."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from fixtures.fetching import local_settings
from fixtures.media_store import local_media_service
from fixtures.shop_server import ShopServer
from prodex.fetch import Fetcher
from prodex.media.service import MediaService
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
        yield local_media_service(media_settings, fetcher, database)
