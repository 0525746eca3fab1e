"""Imports end to end over real HTTP, on SQLite and PostgreSQL, against fixture shops on 127.0.0.1:
URL lists (duplicates, refused URLs, shop errors), credits charged per started item and refunded
per failed or cancelled one, retry of the failed items only, cancel, a 429 that slows the host,
sitemaps (index, gzip, product hints) and Shopify/WooCommerce stores."""

from __future__ import annotations

import gzip
import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from api_helpers import LiveApi, assert_envelope, make_settings, serve_in_thread

from fixtures.fetching import keep_network_local
from fixtures.platform_store import PlatformStore
from fixtures.shop_server import ShopServer
from prodex.api.app import create_app
from prodex.service.credits import Credits
from prodex.settings import Plan

PLANS = {
    "test": Plan(requests_per_minute=1_000_000, concurrent_analyses=4, credits_per_analysis=2),
    "single": Plan(requests_per_minute=1_000_000, concurrent_analyses=1, credits_per_analysis=1),
    "wide": Plan(requests_per_minute=1_000_000, concurrent_analyses=100, credits_per_analysis=1),
}


@pytest.fixture(scope="module")
def monkeymodule() -> Iterator[pytest.MonkeyPatch]:
    with pytest.MonkeyPatch.context() as patch:
        yield patch


@pytest.fixture(scope="module")
def slow_shop() -> Iterator[ShopServer]:
    """A shop whose every answer takes 0.3 s."""
    with ShopServer(page_delay=0.3) as server:
        yield server


@pytest.fixture(scope="module")
def store() -> Iterator[PlatformStore]:
    with PlatformStore() as server:
        yield server


@pytest.fixture(scope="module")
def imports_live(
    live: LiveApi,
    tmp_path_factory: pytest.TempPathFactory,
    monkeymodule: pytest.MonkeyPatch,
    slow_shop: ShopServer,
    store: PlatformStore,
) -> Iterator[LiveApi]:
    """A server with a job worker, allowed to fetch from the fixture shops (127.0.0.1 only; they
    start first, so that the allowed hosts list their ports)."""
    keep_network_local(monkeymodule)
    settings = make_settings(
        live.database.url.render_as_string(hide_password=False),
        tmp_path_factory.mktemp("import-data"),
        plans=PLANS,
        fetch_allow_private=True,
        fetch_retry_backoff=0.01,
        analysis_deadline_seconds=20,
        render="off",
        jobs_worker=True,
        jobs_poll_seconds=0.05,
        jobs_heartbeat_seconds=0.5,
        import_host_concurrency=4,
        import_host_interval_seconds=0,
    )
    app = create_app(settings)
    with serve_in_thread(app) as base_url:
        yield LiveApi(base_url=base_url, app=app, settings=settings, database=live.database)


def wait_for(
    client: httpx.Client, job_id: str, statuses: tuple[str, ...] = ("done",), seconds: float = 30
) -> Any:
    deadline = time.monotonic() + seconds
    while True:
        data = assert_envelope(client.get(f"/v2/products/import/{job_id}?page_size=1000"), 200, 0)
        if data["status"] in statuses and not data["counts"]["running"]:
            return data
        assert time.monotonic() < deadline, data
        time.sleep(0.05)


def balance(live: LiveApi, account_id: int) -> int:
    return Credits(live.database).balance(account_id)


def test_a_url_list_is_imported_once_per_url_with_exact_credits(
    imports_live: LiveApi, shop_server: ShopServer
) -> None:
    account_id, key = imports_live.account(credits=20)
    tag = uuid.uuid4().hex[:8]
    good = [shop_server.url(f"/product/imp-{tag}-{n}") for n in range(3)]
    missing = shop_server.url(f"/status/404?t={tag}")
    refused = "http://shop.invalid/product/1"
    urls = [good[0], good[1], good[0], missing, refused, good[2]]
    with imports_live.client(key) as client:
        created = assert_envelope(client.post("/v2/products/import", json={"urls": urls}), 200, 0)
        assert created["status"] in ("queued", "running")
        assert created["total"] == 5  # the repeated URL is imported once
        data = wait_for(client, created["job_id"])
        counts = {"queued": 0, "running": 0, "done": 3, "failed": 2, "cancelled": 0}
        assert data["counts"] == counts, data["items"]
        items = data["items"]
        assert [item["url"] for item in items] == [good[0], good[1], missing, refused, good[2]]
        for item in (items[0], items[1], items[4]):
            assert item["status"] == "done" and item["error"] is None
            product = assert_envelope(client.get(f"/v2/product/{item['product_id']}"), 200, 0)
            assert product["url"] == item["url"]
        assert items[2]["status"] == "failed" and items[2]["error"]["code"] == 40000
        assert "404" in items[2]["error"]["msg"]
        assert items[3]["error"]["code"] == 40000 and items[3]["product_id"] is None
        listed = assert_envelope(client.get("/v2/products/imports"), 200, 0)
        assert [job["job_id"] for job in listed["imports"]] == [created["job_id"]]
        only_failed = assert_envelope(
            client.get(f"/v2/products/import/{created['job_id']}?status=failed"), 200, 0
        )
        assert [item["url"] for item in only_failed["items"]] == [missing, refused]
    # four items started (2 credits each), the 404 one was refunded, the refused one never started
    assert balance(imports_live, account_id) == 20 - 3 * 2
    assert Credits(imports_live.database).ledger_total(account_id) == 20 - 3 * 2


def test_a_shop_never_sees_more_analyses_at_once_than_the_host_limit(
    imports_live: LiveApi, slow_shop: ShopServer
) -> None:
    account_id, key = imports_live.account(credits=100, plan="wide")
    urls = [slow_shop.url(f"/product/imp-polite-{uuid.uuid4().hex[:8]}") for _ in range(16)]
    slow_shop.peak_in_flight = 0
    with imports_live.client(key) as client:
        created = assert_envelope(client.post("/v2/products/import", json={"urls": urls}), 200, 0)
        data = wait_for(client, created["job_id"])
    assert data["counts"]["done"] == 16
    assert 2 <= slow_shop.peak_in_flight <= imports_live.settings.import_host_concurrency == 4
    assert balance(imports_live, account_id) == 100 - 16


def test_items_beyond_the_credits_fail_with_18020(imports_live: LiveApi, shop_server: ShopServer) -> None:
    account_id, key = imports_live.account(credits=3)
    urls = [shop_server.url(f"/product/imp-credit-{uuid.uuid4().hex[:8]}") for _ in range(3)]
    with imports_live.client(key) as client:
        created = assert_envelope(client.post("/v2/products/import", json={"urls": urls}), 200, 0)
        data = wait_for(client, created["job_id"])
    assert data["counts"]["done"] == 1 and data["counts"]["failed"] == 2
    assert {item["error"]["code"] for item in data["items"] if item["error"]} == {18020}
    assert balance(imports_live, account_id) == 1


def test_cancel_stops_what_has_not_started_and_refunds_it(
    imports_live: LiveApi, slow_shop: ShopServer
) -> None:
    account_id, key = imports_live.account(credits=50, plan="single")
    urls = [slow_shop.url(f"/product/imp-cancel-{uuid.uuid4().hex[:8]}") for _ in range(12)]
    with imports_live.client(key) as client:
        created = assert_envelope(client.post("/v2/products/import", json={"urls": urls}), 200, 0)
        job_id = created["job_id"]
        deadline = time.monotonic() + 20
        while assert_envelope(client.get(f"/v2/products/import/{job_id}"), 200, 0)["counts"]["done"] < 1:
            assert time.monotonic() < deadline
            time.sleep(0.05)
        cancelled = assert_envelope(client.delete(f"/v2/products/import/{job_id}"), 200, 0)
        assert cancelled["status"] == "cancelled"
        data = wait_for(client, job_id, ("cancelled",))
    counts = data["counts"]
    assert counts["queued"] == 0 and counts["failed"] == 0
    assert counts["cancelled"] >= 6 and counts["done"] + counts["cancelled"] == 12
    assert balance(imports_live, account_id) == 50 - counts["done"]
    time.sleep(0.5)  # the queue jobs of cancelled items run and do nothing
    assert balance(imports_live, account_id) == 50 - counts["done"]


def test_retry_runs_the_failed_items_only(imports_live: LiveApi, shop_server: ShopServer) -> None:
    account_id, key = imports_live.account(credits=10)
    tag = uuid.uuid4().hex[:8]
    fine = shop_server.url(f"/product/imp-retry-{tag}")
    flaky = shop_server.url(f"/flaky/imp-retry-{tag}?failures=3&status=500")
    with imports_live.client(key) as client:
        created = assert_envelope(client.post("/v2/products/import", json={"urls": [fine, flaky]}), 200, 0)
        first = wait_for(client, created["job_id"])
        assert [item["status"] for item in first["items"]] == ["done", "failed"]
        assert first["items"][1]["error"]["code"] == 50000
        assert balance(imports_live, account_id) == 10 - 2
        retried = assert_envelope(client.post(f"/v2/products/import/{created['job_id']}/retry"), 200, 0)
        assert retried["counts"]["queued"] + retried["counts"]["running"] + retried["counts"]["done"] == 2
        second = wait_for(client, created["job_id"])
    assert [item["status"] for item in second["items"]] == ["done", "done"]
    assert second["items"][0]["product_id"] == first["items"][0]["product_id"]  # not analysed again
    assert balance(imports_live, account_id) == 10 - 4


def test_a_429_slows_the_host_and_the_item_runs_again_charged_once(
    imports_live: LiveApi, shop_server: ShopServer
) -> None:
    account_id, key = imports_live.account(credits=10)
    tag = uuid.uuid4().hex[:8]
    url = shop_server.url(f"/flaky/imp-429-{tag}?failures=3&status=429")
    with imports_live.client(key) as client:
        created = assert_envelope(client.post("/v2/products/import", json={"urls": [url]}), 200, 0)
        data = wait_for(client, created["job_id"])
    assert data["items"][0]["status"] == "done"
    assert shop_server.hits(f"/flaky/imp-429-{tag}?failures=3&status=429") == 4
    assert balance(imports_live, account_id) == 10 - 2


def test_a_sitemap_index_with_a_gzipped_sitemap_imports_its_product_pages(
    imports_live: LiveApi, shop_server: ShopServer
) -> None:
    _, key = imports_live.account(credits=20)
    tag = uuid.uuid4().hex[:8]
    products = [shop_server.url(f"/product/imp-map-{tag}-{n}") for n in range(3)]
    pages = [
        shop_server.url("/"),
        shop_server.url(f"/pages/about-{tag}"),
        shop_server.url("/collections/all"),
    ]
    urlset = "".join(f"<url><loc>{u}</loc></url>" for u in [*products, *pages])
    xml = (
        f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urlset}</urlset>'
    )
    child = shop_server.serve(
        f"map-{tag}/products.xml.gz", gzip.compress(xml.encode()), content_type="application/gzip"
    )
    index = shop_server.serve(
        f"map-{tag}/index.xml",
        f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><sitemap><loc>{child}</loc></sitemap></sitemapindex>',
        content_type="application/xml",
    )
    with imports_live.client(key) as client:
        created = assert_envelope(client.post("/v2/products/import", json={"sitemap_url": index}), 200, 0)
        assert created["total"] == 0 and created["source"]["kind"] == "sitemap"
        data = wait_for(client, created["job_id"])
        assert [item["url"] for item in data["items"]] == products
        assert data["counts"]["done"] == 3
        pattern = {"sitemap_url": index, "url_pattern": f"imp-map-{tag}-[02]$"}
        created = assert_envelope(client.post("/v2/products/import", json=pattern), 200, 0)
        data = wait_for(client, created["job_id"])
        assert [item["url"] for item in data["items"]] == [products[0], products[2]]


def test_a_shopify_store_is_imported_through_its_product_json(
    imports_live: LiveApi, store: PlatformStore
) -> None:
    _, key = imports_live.account(credits=20)
    with imports_live.client(key) as client:
        created = assert_envelope(
            client.post("/v2/products/import", json={"store_url": store.url("/")}), 200, 0
        )
        data = wait_for(client, created["job_id"])
    assert [item["url"] for item in data["items"]] == [store.url("/products/aurora-mug")]
    assert data["counts"]["done"] == 1


def test_a_site_that_is_no_store_ends_the_import_with_the_reason(
    imports_live: LiveApi, shop_server: ShopServer
) -> None:
    _, key = imports_live.account(credits=20)
    with imports_live.client(key) as client:
        body = {"store_url": shop_server.url(f"/product/not-a-store-{uuid.uuid4().hex[:6]}")}
        created = assert_envelope(client.post("/v2/products/import", json=body), 200, 0)
        data = wait_for(client, created["job_id"])
    assert data["total"] == 0 and data["error"]["code"] == 40000
    assert "Shopify" in data["error"]["msg"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "body"),
        ({"urls": []}, "urls"),
        ({"urls": ["http://a.example/1"], "sitemap_url": "http://a.example/s.xml"}, "body"),
        ({"sitemap_url": "http://a.example/s.xml", "url_pattern": "("}, "url_pattern"),
        ({"store_url": "ftp://a.example/"}, "store_url"),
    ],
)
def test_bad_import_requests_answer_40000(imports_live: LiveApi, body: dict[str, Any], field: str) -> None:
    _, key = imports_live.account()
    with imports_live.client(key) as client:
        data = assert_envelope(client.post("/v2/products/import", json=body), 400, 40000)
    assert data["field"].startswith(field) or field == "body"


def test_another_accounts_import_is_not_found(imports_live: LiveApi, shop_server: ShopServer) -> None:
    _, key = imports_live.account(credits=5)
    _, other = imports_live.account(credits=5)
    with imports_live.client(key) as client:
        url = shop_server.url(f"/product/imp-own-{uuid.uuid4().hex[:8]}")
        job_id = assert_envelope(client.post("/v2/products/import", json={"urls": [url]}), 200, 0)["job_id"]
    with imports_live.client(other) as client:
        assert_envelope(client.get(f"/v2/products/import/{job_id}"), 404, 10104)
        assert_envelope(client.delete(f"/v2/products/import/{job_id}"), 404, 10104)
        assert_envelope(client.post(f"/v2/products/import/{job_id}/retry"), 404, 10104)


def test_events_tell_each_item_and_the_end_of_the_import_once(
    imports_live: LiveApi, shop_server: ShopServer
) -> None:
    from prodex.jobs import ImportCompleted, ImportItemFinished

    seen: list[object] = []

    async def listen(event: object) -> None:
        seen.append(event)

    events = imports_live.app.state.background.events
    events.subscribe(ImportCompleted, listen)
    events.subscribe(ImportItemFinished, listen)
    account_id, key = imports_live.account(credits=5)
    tag = uuid.uuid4().hex[:8]
    urls = [shop_server.url(f"/product/imp-events-{tag}"), shop_server.url(f"/status/410?events={tag}")]
    with imports_live.client(key) as client:
        job_id = assert_envelope(client.post("/v2/products/import", json={"urls": urls}), 200, 0)["job_id"]
        wait_for(client, job_id)
    deadline = time.monotonic() + 5
    while not any(isinstance(e, ImportCompleted) and e.job_id == job_id for e in seen):
        assert time.monotonic() < deadline
        time.sleep(0.02)
    mine = [e for e in seen if getattr(e, "job_id", None) == job_id]
    items = [e for e in mine if isinstance(e, ImportItemFinished)]
    assert sorted((e.url, e.product_id is not None, e.error_code) for e in items) == sorted(
        [(urls[0], True, None), (urls[1], False, 40000)]
    )
    completed = [e for e in mine if isinstance(e, ImportCompleted)]
    assert completed == [
        ImportCompleted(account_id, job_id, "done", total=2, succeeded=1, failed=1, cancelled=0)
    ]
