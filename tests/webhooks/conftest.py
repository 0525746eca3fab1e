"""Fixtures of the webhook tests: a migrated database (SQLite and PostgreSQL), local network only."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from fixtures.fetching import keep_network_local
from prodex.store.db import Database
from prodex.store.migrate import upgrade_database


@pytest.fixture(scope="session")
def database(database_url: str) -> Iterator[Database]:
    """The session's database, migrated (once per backend)."""
    db = Database(database_url, pool_size=4)
    upgrade_database(db)
    yield db
    db.dispose()


@pytest.fixture
def queue_database(fresh_database_url: str) -> Iterator[Database]:
    """A brand-new migrated database of the test's own: its job queue serves that test only."""
    db = Database(fresh_database_url, pool_size=4)
    upgrade_database(db)
    yield db
    db.dispose()


@pytest.fixture(autouse=True)
def _network_stays_local(monkeypatch: pytest.MonkeyPatch) -> None:
    """DNS and outbound connections are confined to this machine in every webhook test: an
    attempt to reach anything else fails the test loudly instead of sending a packet."""
    keep_network_local(monkeypatch)
