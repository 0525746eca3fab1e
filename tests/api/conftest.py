"""Fixtures of the API tests: the real app served over HTTP, once per database backend."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from api_helpers import LiveApi, make_settings, serve_in_thread

from fixtures.shop_server import ShopServer
from prodex.api.app import create_app
from prodex.store.db import Database
from prodex.store.migrate import upgrade_database


@pytest.fixture(scope="session")
def live(
    database_url: str, tmp_path_factory: pytest.TempPathFactory, shop_server: ShopServer
) -> Iterator[LiveApi]:
    """The API served over real HTTP, on SQLite and on PostgreSQL (allowed to fetch from the
    session's fixture shop, whose port its settings list)."""
    settings = make_settings(database_url, tmp_path_factory.mktemp("data"))
    database = Database(database_url, pool_size=4)
    upgrade_database(database)
    app = create_app(settings)
    with serve_in_thread(app) as base_url:
        yield LiveApi(base_url=base_url, app=app, settings=settings, database=database)
    database.dispose()
