"""Fixtures for the URL-analysis tests: local-only network, a fetcher confined to 127.0.0.1, a pool."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from fixtures.fetching import keep_network_local, local_settings
from prodex.analysis.workers import ExtractionPool
from prodex.fetch import Fetcher


@pytest.fixture(autouse=True)
def _network_stays_local(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every analysis test runs with DNS and outbound connections confined to this machine."""
    keep_network_local(monkeypatch)


@pytest.fixture(scope="module")
def thread_pool() -> Iterator[ExtractionPool]:
    """An extraction pool of two threads (cheap to start; the process pool has its own tests)."""
    pool = ExtractionPool(workers=2, kind="thread")
    yield pool
    pool.close()


@pytest.fixture
async def local_fetcher() -> AsyncIterator[Fetcher]:
    """A fetcher allowed to reach the fixture shop on 127.0.0.1 only."""
    async with Fetcher(local_settings()) as fetcher:
        yield fetcher
