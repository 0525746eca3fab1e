"""Fixtures of the service tests: a migrated database (SQLite and PostgreSQL) and settings."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from prodex.settings import Plan, Settings
from prodex.store.db import Database
from prodex.store.migrate import upgrade_database


@pytest.fixture(scope="session")
def database(database_url: str) -> Iterator[Database]:
    """The session's database, migrated (once per backend)."""
    db = Database(database_url, pool_size=10)
    upgrade_database(db)
    yield db
    db.dispose()


@pytest.fixture
def settings() -> Settings:
    """Settings with the default plans plus ``gold`` (one analysis at a time) and ``wide`` (four)."""
    plans = Settings().plans | {
        "gold": Plan(requests_per_minute=5, concurrent_analyses=1, credits_per_analysis=3),
        "wide": Plan(requests_per_minute=5, concurrent_analyses=4, credits_per_analysis=3),
    }
    return Settings(plans=plans)


@pytest.fixture
async def async_database(database: Database) -> AsyncIterator[Database]:
    """The session's database for a test that uses its asyncio pool (PostgreSQL): the pool is
    closed in the test's own event loop when the test ends, as the service closes it on shutdown.
    Left open, its tasks are cancelled with the test's loop, and psycopg_pool can lose such a
    cancellation (psycopg issue 1345): the loop's teardown then waits forever, as seen twice in
    full runs on a loaded machine."""
    yield database
    await database.aclose_async_pool()
