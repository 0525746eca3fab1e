"""Fixtures of the rendering tests: the single-page shop, a "public" network made of fakes, renderers.

The shop is reached as ``http://shop.example.com:<port>``: a fake resolver answers a public address
for that name (no DNS query is ever sent), and the loopback dialer, asked by the guarded network
backend to connect to that checked address, connects to 127.0.0.1 instead. So the guard runs with
its real public-only policy, and nothing leaves the machine. Python-side DNS and connections outside
127.0.0.0/8 and ::1 fail loudly (``keep_network_local``); Chromium itself never connects anywhere
(the renderer serves all its requests, and its own network stack points at a refusing sink).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import pytest

from fixtures.fetching import (
    PUBLIC_IP,
    PUBLIC_IP_2,
    FakeResolver,
    LoopbackDialer,
    keep_network_local,
    make_settings,
)
from fixtures.shop_server import ShopServer
from prodex.fetch.render import Renderer, check_render_support
from render.render_helpers import CDN_HOST, PRIVATE_HOST, PRIVATE_IP, SHOP_HOST, public_settings
from render.spa_shop import SpaShop


@pytest.fixture(autouse=True)
def _network_stays_local(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every rendering test runs with Python's DNS and outbound connections confined to this machine."""
    keep_network_local(monkeypatch)


@pytest.fixture
def browser_ready(require: Callable[[bool, str], None]) -> None:
    """Skip (locally) or fail (CI, PRODEX_TEST_REQUIRE_SERVICES=1) when Playwright or Chromium is missing."""
    support = check_render_support(make_settings())
    require(support.available, f"rendering unavailable: {support.reason}")


@pytest.fixture(scope="session")
def spa_shop() -> Iterator[SpaShop]:
    """The single-page shop, shared by the session (tests make their paths unique before counting)."""
    with SpaShop() as shop:
        yield shop


@pytest.fixture
def other_server() -> Iterator[ShopServer]:
    """Another local server that counts every request (it must receive none)."""
    with ShopServer(dataset_dir=None) as server:
        yield server


@pytest.fixture
def resolver() -> FakeResolver:
    """Names of the fake public network: the shop and a CDN (public answers), a host with a private one."""
    return FakeResolver({SHOP_HOST: [PUBLIC_IP], CDN_HOST: [PUBLIC_IP_2], PRIVATE_HOST: [PRIVATE_IP]})


@pytest.fixture
def dialer() -> LoopbackDialer:
    """Records the checked address of every connection and dials 127.0.0.1 instead."""
    return LoopbackDialer()


@pytest.fixture
async def make_renderer(
    browser_ready: None, resolver: FakeResolver, dialer: LoopbackDialer
) -> AsyncIterator[Callable[..., Renderer]]:
    """Build renderers on the fake public network (closed after the test): ``make_renderer(**settings)``."""
    made: list[Renderer] = []

    def make(**overrides: Any) -> Renderer:
        renderer = Renderer(public_settings(**overrides), resolver=resolver, transport=dialer)
        made.append(renderer)
        return renderer

    yield make
    for renderer in made:
        await renderer.aclose()
