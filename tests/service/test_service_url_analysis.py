"""Creating a product from a URL: charge, analyse, store; refund exactly and store nothing on failure.

Runs on SQLite and PostgreSQL (the ``database`` fixture) against the fixture shop on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest

from fixtures.fetching import keep_network_local, local_settings, make_settings
from fixtures.pages import PRODUCT_NAME, PRODUCT_PRICE
from fixtures.shop_server import ShopServer
from prodex.analysis.analyzer import Analyzer
from prodex.analysis.workers import ExtractionPool
from prodex.errors import (
    ConcurrencyLimited,
    InsufficientCredit,
    UpstreamClientError,
    UpstreamTimeout,
    URLRefused,
)
from prodex.fetch import Fetcher
from prodex.service.accounts import Accounts
from prodex.service.analysis import UrlAnalysisService
from prodex.service.credits import Credits
from prodex.service.keys import Principal
from prodex.service.products import ManualFields, Products
from prodex.service.slots import AnalysisSlots
from prodex.settings import Plan, Settings
from prodex.store.db import Database

GOLD = Plan(requests_per_minute=100, concurrent_analyses=1, credits_per_analysis=3)


@pytest.fixture(autouse=True)
def _network_stays_local(monkeypatch: pytest.MonkeyPatch) -> None:
    keep_network_local(monkeypatch)


@dataclass
class Flow:
    """A URL-analysis service wired to real parts, and the account it acts for."""

    service: UrlAnalysisService
    credits: Credits
    products: Products
    principal: Principal


async def _flow(database: Database, settings: Settings, credits_granted: int) -> AsyncIterator[Flow]:
    accounts = Accounts(database, settings)
    account, issued = accounts.create(name="url-flow", plan="gold", credits=credits_granted)
    principal = Principal(account_id=account.id, account_name=account.name, plan="gold", key_id=issued.key.id)
    pool = ExtractionPool(workers=1, kind="thread")
    credits, products = Credits(database), Products(database)
    async with Fetcher(settings) as fetcher:
        service = UrlAnalysisService(
            settings, Analyzer(fetcher, pool), database, credits, products, AnalysisSlots()
        )
        yield Flow(service, credits, products, principal)
    pool.close()


def _settings(**overrides: object) -> Settings:
    base = make_settings()
    return local_settings(plans=base.plans | {"gold": GOLD}, **overrides)


@pytest.fixture
async def flow(database: Database) -> AsyncIterator[Flow]:
    """Gold plan (3 credits per analysis, 1 at a time), 10 credits, fetching confined to 127.0.0.1."""
    async for item in _flow(database, _settings(analysis_deadline_seconds=5), 10):
        yield item


def _total(flow: Flow) -> int:
    return flow.products.page(flow.principal.account_id, page=1, page_size=1)[1]


async def test_success_charges_the_plan_and_manual_fields_win(flow: Flow, shop_server: ShopServer) -> None:
    url = shop_server.url("/product/url-flow-ok")
    record = await flow.service(
        principal=flow.principal, url=url, manual=ManualFields(target_audience="Tea lovers")
    )
    assert flow.credits.balance(flow.principal.account_id) == 10 - GOLD.credits_per_analysis
    stored = flow.products.get(flow.principal.account_id, record.id)
    assert stored.product.name == f"{PRODUCT_NAME} (url-flow-ok)"
    assert stored.product.price == PRODUCT_PRICE
    assert stored.product.target_audience == "Tea lovers"
    assert stored.product.source["target_audience"] == "manual"
    assert stored.product.source["name"] != "manual"


async def test_failure_after_charge_refunds_exactly_and_stores_nothing(
    flow: Flow, shop_server: ShopServer
) -> None:
    before = _total(flow)
    with pytest.raises(UpstreamClientError):
        await flow.service(
            principal=flow.principal, url=shop_server.url("/status/404"), manual=ManualFields()
        )
    assert flow.credits.balance(flow.principal.account_id) == 10
    assert _total(flow) == before


async def test_insufficient_credit_fetches_nothing(database: Database, shop_server: ShopServer) -> None:
    async for flow in _flow(database, _settings(), 2):
        with pytest.raises(InsufficientCredit):
            await flow.service(
                principal=flow.principal, url=shop_server.url("/product/url-flow-poor"), manual=ManualFields()
            )
        assert shop_server.hits("/product/url-flow-poor") == 0
        assert flow.credits.balance(flow.principal.account_id) == 2


async def test_refused_url_is_not_charged(database: Database, shop_server: ShopServer) -> None:
    async for flow in _flow(database, Settings(_env_file=None, plans=_settings().plans), 10):  # type: ignore[call-arg]
        with pytest.raises(URLRefused):
            await flow.service(
                principal=flow.principal,
                url=shop_server.url("/product/url-flow-refused"),
                manual=ManualFields(),
            )
        assert shop_server.hits("/product/url-flow-refused") == 0
        assert flow.credits.balance(flow.principal.account_id) == 10


async def test_one_analysis_more_than_the_plan_allows_is_refused(flow: Flow, shop_server: ShopServer) -> None:
    slow = asyncio.create_task(
        flow.service(
            principal=flow.principal,
            url=shop_server.url("/product/url-flow-slow?delay=0.5"),
            manual=ManualFields(),
        )
    )
    await asyncio.sleep(0.1)
    with pytest.raises(ConcurrencyLimited):
        await flow.service(
            principal=flow.principal, url=shop_server.url("/product/url-flow-second"), manual=ManualFields()
        )
    await slow
    assert shop_server.hits("/product/url-flow-second") == 0
    assert flow.credits.balance(flow.principal.account_id) == 10 - GOLD.credits_per_analysis


async def test_deadline_refunds(database: Database, shop_server: ShopServer) -> None:
    async for flow in _flow(database, _settings(analysis_deadline_seconds=0.3), 10):
        with pytest.raises(UpstreamTimeout, match=r"0\.3 s"):
            await flow.service(
                principal=flow.principal, url=shop_server.url("/stall?after=5"), manual=ManualFields()
            )
        assert flow.credits.balance(flow.principal.account_id) == 10


async def test_client_going_away_refunds(flow: Flow, shop_server: ShopServer) -> None:
    task = asyncio.create_task(
        flow.service(
            principal=flow.principal, url=shop_server.url("/stall?after=5&t=cancel"), manual=ManualFields()
        )
    )
    await asyncio.sleep(0.2)
    assert flow.credits.balance(flow.principal.account_id) == 10 - GOLD.credits_per_analysis
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert flow.credits.balance(flow.principal.account_id) == 10
