"""Fixtures for the fetcher tests: a shop of the test's own, a loopback dialer, local-only network.

The shared ``shop_server`` fixture comes from the ``fixtures.shop_server`` plugin (tests/conftest.py).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from fixtures.fetching import LoopbackDialer, keep_network_local
from fixtures.shop_server import ShopServer


@pytest.fixture(autouse=True)
def _network_stays_local(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every fetch test runs with DNS and outbound connections confined to this machine."""
    keep_network_local(monkeypatch)


@pytest.fixture
def dialer() -> LoopbackDialer:
    """A fresh loopback dialer."""
    return LoopbackDialer()


@pytest.fixture
def own_shop() -> Iterator[ShopServer]:
    """A fixture shop of the test's own (for counts that other tests must not disturb)."""
    with ShopServer() as server:
        yield server
