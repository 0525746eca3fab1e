"""Fixtures of the job-queue tests: a fresh migrated database per test (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from prodex.settings import Settings
from prodex.store.db import Database
from prodex.store.migrate import upgrade_database


@pytest.fixture
def queue_database(fresh_database_url: str) -> Iterator[Database]:
    """A brand-new migrated database of this test's own."""
    database = Database(fresh_database_url, pool_size=4)
    upgrade_database(database)
    yield database
    database.dispose()


@pytest.fixture
def queue_settings(fresh_database_url: str) -> Settings:
    """Settings pointing at the test's database, with a quick heartbeat."""
    return Settings(
        database_url=fresh_database_url,
        jobs_heartbeat_seconds=0.2,
        jobs_stalled_seconds=1.0,
        jobs_poll_seconds=0.05,
        shutdown_grace_seconds=2.0,
    )
