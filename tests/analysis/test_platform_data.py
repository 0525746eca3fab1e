"""Shop platforms end to end over real HTTP on 127.0.0.1: a fixture store serves Shopify and
WooCommerce product pages and their JSON endpoints; the page is fetched, the platform recognised,
its product JSON asked through the same fetcher, and the product extracted from both.

The JSON path is proven by what only the JSON has (every picture: the pages show two of four
and one of three; the selected variant's price, sku and barcode; the Store API's brand) and by the
recorded source; the page fallback by the page's own values when the endpoint answers 404, 500 or
an invalid body. Request counts show how many extra requests each case cost.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from fixtures.fetching import local_settings, make_settings
from fixtures.platform_store import (
    CHARCOAL,
    SHOP_NAME,
    SHOPIFY_TITLE,
    SHOPIFY_TITLE_DE,
    WOO_TITLE,
    PlatformStore,
    shopify_product_js,
    woo_product,
)
from prodex.analysis.analyzer import Analyzer
from prodex.analysis.platform_data import fetch_platform_data
from prodex.analysis.workers import ExtractionPool
from prodex.extract import Product, extract_product
from prodex.fetch import FetchedPage, Fetcher


@pytest.fixture(scope="module")
def store() -> Iterator[PlatformStore]:
    """The fixture platform store on 127.0.0.1 (port 0), shared by this module's tests."""
    with PlatformStore() as server:
        yield server


def _https(url: str) -> str:
    """A protocol-relative Shopify file URL as the extractor makes it absolute."""
    return "https:" + url if url.startswith("//") else url


async def _analyse(fetcher: Fetcher, url: str) -> tuple[FetchedPage, dict[str, object], Product]:
    page = await fetcher.fetch(url)
    data = await fetch_platform_data(fetcher, page)
    return page, data, extract_product(page.text, page.final_url, platform_data=data or None)


# A server error is retried by the fetcher: one request and its retries.
SERVER_ERROR_REQUESTS = 1 + local_settings().fetch_retries


async def test_shopify_product_json_gives_exact_title_all_pictures_and_variant_price(
    store: PlatformStore, local_fetcher: Fetcher
) -> None:
    js_before, json_before = store.hits("/products/aurora-mug.js"), store.hits("/products/aurora-mug.json")
    _, data, product = await _analyse(local_fetcher, store.url(f"/products/aurora-mug?variant={CHARCOAL}"))

    assert data["platform"] == "shopify"
    assert str(data["endpoint"]).endswith("/products/aurora-mug.js")
    expected = shopify_product_js(store.base_url, "aurora-mug")
    charcoal = next(v for v in expected["variants"] if v["id"] == CHARCOAL)
    assert product.name == SHOPIFY_TITLE
    assert product.source["name"] == "site:shopify"
    # the chosen variant's picture first, then every picture of the product, in full size
    assert [m.url for m in product.images] == [charcoal["featured_image"]["src"]] + [
        _https(u) for u in expected["images"] if not u.endswith(("charcoal.jpg?v=1700000000",))
    ]
    assert product.price == "26"  # the Charcoal variant (2600 cents); the page shows the first, 24
    assert product.currency == "EUR"  # from the page's Shopify.currency: the .js has none
    assert product.sku == "AUR-MUG-CHARCOAL"
    assert product.gtin == "4006381333955"
    assert product.brand == SHOP_NAME
    assert product.availability == "InStock"
    assert [v.url for v in product.videos] == [expected["media"][-1]["sources"][2]["url"]]  # the 1080p MP4
    assert "finished by hand in our studio" in (product.description or "")
    assert store.hits("/products/aurora-mug.js") == js_before + 1
    assert store.hits("/products/aurora-mug.json") == json_before  # one extra request sufficed


async def test_shopify_locale_prefix_asks_the_localised_json(
    store: PlatformStore, local_fetcher: Fetcher
) -> None:
    before = store.hits("/de/products/aurora-mug.js")
    _, data, product = await _analyse(local_fetcher, store.url("/de/products/aurora-mug"))

    assert str(data["endpoint"]).endswith("/de/products/aurora-mug.js")
    assert store.hits("/de/products/aurora-mug.js") == before + 1
    assert product.name == SHOPIFY_TITLE_DE
    assert "Steinzeugbecher" in (product.description or "")


async def test_shopify_collection_url_falls_back_to_the_json_endpoint(
    store: PlatformStore, local_fetcher: Fetcher
) -> None:
    """``.js`` refused (403): the ``.json`` answer (decimal prices, no stock flags) is used."""
    _, data, product = await _analyse(
        local_fetcher, store.url("/collections/mugs/products/aurora-mug-js-blocked")
    )

    assert str(data["endpoint"]).endswith("/products/aurora-mug-js-blocked.json")
    assert product.source["name"] == "site:shopify"
    assert len(product.images) == 4
    assert product.price == "24"
    assert product.sku == "AUR-MUG-SAND"  # no stock flags in .json: the first variant
    assert product.availability == "InStock"  # the page's JSON-LD fills what the JSON lacks
    assert product.source["availability"] == "json-ld"


@pytest.mark.parametrize(
    ("handle", "js_requests", "json_requests"),
    [
        ("aurora-mug-missing", 1, 1),  # 404: the other endpoint is tried, it is missing too
        ("aurora-mug-error", SERVER_ERROR_REQUESTS, 0),  # 500 (retried): the shop is not asked again
        ("aurora-mug-garbled", 1, 1),  # 200 with an invalid body: the other endpoint is tried
    ],
)
async def test_shopify_page_is_the_fallback(
    store: PlatformStore, local_fetcher: Fetcher, handle: str, js_requests: int, json_requests: int
) -> None:
    js_before, json_before = store.hits(f"/products/{handle}.js"), store.hits(f"/products/{handle}.json")
    _, data, product = await _analyse(local_fetcher, store.url(f"/products/{handle}"))

    assert data == {}
    assert product.name == SHOPIFY_TITLE  # the page's title
    assert product.source["name"] != "site:shopify"
    assert len(product.images) == 2  # only what the page shows
    assert product.price == "24"
    assert store.hits(f"/products/{handle}.js") - js_before == js_requests
    assert store.hits(f"/products/{handle}.json") - json_before == json_requests


async def test_woocommerce_store_api_gives_every_picture_price_and_brand(
    store: PlatformStore, local_fetcher: Fetcher
) -> None:
    slug_before = store.hits("/wp-json/wc/store/v1/products?slug=linen-shirt")
    id_before = store.hits("/wp-json/wc/store/v1/products/123")
    _, data, product = await _analyse(local_fetcher, store.url("/product/linen-shirt/"))

    assert data["platform"] == "woocommerce"
    assert str(data["endpoint"]).endswith("/wp-json/wc/store/v1/products?slug=linen-shirt")
    expected = woo_product(store.base_url, 123, "linen-shirt")
    assert product.name == WOO_TITLE
    assert product.source["name"] == "site:woocommerce"
    assert [m.url for m in product.images] == [
        image["src"] for image in expected["images"]
    ]  # not the 600x600
    assert product.price == "42"  # 4200 in minor units, currency_minor_unit 2
    assert product.currency == "GBP"
    assert product.brand == "Harbour & Loom"
    assert product.sku == "HL-LS-01"
    assert product.availability == "InStock"
    assert product.selling_points == [
        "100% European flax linen",
        "Relaxed fit with a mother-of-pearl button placket",
    ]
    assert store.hits("/wp-json/wc/store/v1/products?slug=linen-shirt") == slug_before + 1
    assert store.hits("/wp-json/wc/store/v1/products/123") == id_before


async def test_woocommerce_unknown_slug_falls_back_to_the_product_id(
    store: PlatformStore, local_fetcher: Fetcher
) -> None:
    _, data, product = await _analyse(local_fetcher, store.url("/product/linen-shirt-renamed/"))

    assert str(data["endpoint"]).endswith("/wp-json/wc/store/v1/products/127")  # the body's postid-127
    assert product.source["name"] == "site:woocommerce"
    assert len(product.images) == 3


@pytest.mark.parametrize(
    ("slug", "product_id", "slug_requests", "id_requests"),
    [
        ("linen-shirt-missing", 124, 1, 1),  # the slug finds nothing, the id answers 404
        ("linen-shirt-error", 125, SERVER_ERROR_REQUESTS, 0),  # 500 (retried): not asked again
        ("linen-shirt-garbled", 126, 1, 1),  # invalid JSON twice
    ],
)
async def test_woocommerce_page_is_the_fallback(
    store: PlatformStore,
    local_fetcher: Fetcher,
    slug: str,
    product_id: int,
    slug_requests: int,
    id_requests: int,
) -> None:
    slug_target, id_target = (
        f"/wp-json/wc/store/v1/products?slug={slug}",
        f"/wp-json/wc/store/v1/products/{product_id}",
    )
    slug_before, id_before = store.hits(slug_target), store.hits(id_target)
    _, data, product = await _analyse(local_fetcher, store.url(f"/product/{slug}/"))

    assert data == {}
    assert product.name == WOO_TITLE
    assert product.source["name"] != "site:woocommerce"
    assert [m.url for m in product.images] == [
        f"{store.base_url}/wp-content/uploads/2024/03/linen-shirt-sage.jpg"
    ]
    assert product.price == "42"
    assert product.brand is None  # only the Store API names the brand
    assert store.hits(slug_target) - slug_before == slug_requests
    assert store.hits(id_target) - id_before == id_requests


async def test_page_of_no_platform_costs_no_extra_request(
    store: PlatformStore, local_fetcher: Fetcher
) -> None:
    page = await local_fetcher.fetch(store.url("/plain/product"))
    before = store.total_hits

    assert await fetch_platform_data(local_fetcher, page) == {}
    assert store.total_hits == before


async def test_json_requests_pass_the_same_url_guard(store: PlatformStore, local_fetcher: Fetcher) -> None:
    """A fetcher whose guard refuses loopback addresses (the default policy) asks nothing."""
    page = await local_fetcher.fetch(store.url("/products/aurora-mug"))
    before = store.hits("/products/aurora-mug.js") + store.hits("/products/aurora-mug.json")
    async with Fetcher(make_settings()) as guarded:
        assert await fetch_platform_data(guarded, page) == {}
    assert store.hits("/products/aurora-mug.js") + store.hits("/products/aurora-mug.json") == before


async def test_analyzer_uses_the_platform_data_step(
    store: PlatformStore, local_fetcher: Fetcher, thread_pool: ExtractionPool
) -> None:
    analyzer = Analyzer(local_fetcher, thread_pool, platform_data=fetch_platform_data)
    analysis = await analyzer.analyze(store.url("/product/linen-shirt/"))

    assert analysis.product.source["name"] == "site:woocommerce"
    assert len(analysis.product.images) == 3
