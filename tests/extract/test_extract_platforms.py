"""Shop platforms, pure: recognising Shopify and WooCommerce from a page, the endpoints asked, and
reading their product JSON (prices in cents or minor units, the selected variant, bad shapes).

The pages and JSON come from the fixture platform store's builders (written the way the
platforms build them); the end-to-end path over HTTP is in tests/analysis/test_platform_data.py.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from fixtures.platform_store import CHARCOAL, shopify_page, shopify_product_js, woo_page, woo_product
from prodex.extract.page import Page
from prodex.extract.platforms import PlatformHint, platform_data
from prodex.extract.registry import detect_platform, has_product, read_platform_data

SHOP = "https://northwind.example"
WOO = "https://harbour.example"
BARE_PAGE = "<html><head><title>Mug</title></head><body><h1>Mug</h1></body></html>"


def _page(url: str) -> Page:
    return Page.parse(BARE_PAGE, url)


def _shopify(url: str, product: Any, endpoint: str = f"{SHOP}/products/aurora-mug.js") -> dict[str, Any]:
    hint = PlatformHint(name="shopify", endpoints=(endpoint,), currency="EUR", variant=None)
    data = platform_data(hint, endpoint, product)
    variant = url.partition("variant=")[2]
    data["variant"] = variant or None
    return data


@pytest.mark.parametrize(
    ("path", "endpoint"),
    [
        ("/products/aurora-mug", "/products/aurora-mug.js"),
        ("/products/aurora-mug/", "/products/aurora-mug.js"),
        ("/en-gb/products/aurora-mug?variant=44003", "/en-gb/products/aurora-mug.js"),
        ("/de/products/aurora-mug", "/de/products/aurora-mug.js"),
        ("/collections/mugs/products/aurora-mug", "/products/aurora-mug.js"),
        ("/fr-ca/collections/all/products/aurora-mug", "/fr-ca/products/aurora-mug.js"),
    ],
)
def test_shopify_product_urls_give_their_json_endpoints(path: str, endpoint: str) -> None:
    hint = detect_platform(shopify_page(SHOP, "aurora-mug"), SHOP + path)
    assert hint is not None
    assert hint.name == "shopify"
    assert hint.endpoints == (SHOP + endpoint, SHOP + endpoint.removesuffix(".js") + ".json")
    assert hint.currency == "EUR"


def test_shopify_variant_comes_from_the_url() -> None:
    hint = detect_platform(shopify_page(SHOP, "aurora-mug"), f"{SHOP}/products/aurora-mug?variant={CHARCOAL}")
    assert hint is not None and hint.variant == str(CHARCOAL)
    hint = detect_platform(shopify_page(SHOP, "aurora-mug"), f"{SHOP}/products/aurora-mug?variant=abc")
    assert hint is not None and hint.variant is None


def test_shopify_handle_from_the_canonical_link_when_the_url_has_none() -> None:
    hint = detect_platform(shopify_page(SHOP, "aurora-mug"), f"{SHOP}/pages/gift-guide")
    assert hint is not None
    assert hint.endpoints[0] == f"{SHOP}/products/aurora-mug.js"


def test_shopify_needs_its_markers_and_a_product() -> None:
    plain = "<html><head><link rel=canonical href='/products/mug'></head><body>Mug</body></html>"
    assert detect_platform(plain, f"{SHOP}/products/mug") is None  # no Shopify marker
    listing = shopify_page(SHOP, "aurora-mug").replace('rel="canonical" href="', 'rel="canonical" href="/x')
    assert detect_platform(listing, f"{SHOP}/collections/mugs") is None  # a Shopify page, no product


def test_woocommerce_single_product_page_gives_slug_and_id_endpoints() -> None:
    hint = detect_platform(woo_page(WOO, 123, "linen-shirt"), f"{WOO}/product/linen-shirt/")
    assert hint is not None
    assert hint.name == "woocommerce"
    assert hint.slug == "linen-shirt"
    assert hint.endpoints == (
        f"{WOO}/wp-json/wc/store/v1/products?slug=linen-shirt",
        f"{WOO}/wp-json/wc/store/v1/products/123",
    )


def test_woocommerce_api_root_without_pretty_permalinks() -> None:
    html = woo_page(WOO, 123, "linen-shirt").replace(
        f'href="{WOO}/wp-json/"', f'href="{WOO}/index.php?rest_route=/"'
    )
    hint = detect_platform(html, f"{WOO}/?product=linen-shirt")
    assert hint is not None
    assert hint.endpoints == (
        f"{WOO}/index.php?rest_route=/wc/store/v1/products&slug=linen-shirt",
        f"{WOO}/index.php?rest_route=/wc/store/v1/products/123",
    )


def test_woocommerce_api_root_on_another_host_is_not_followed() -> None:
    html = woo_page(WOO, 123, "linen-shirt").replace(
        f'href="{WOO}/wp-json/"', 'href="https://elsewhere.example/wp-json/"'
    )
    hint = detect_platform(html, f"{WOO}/product/linen-shirt/")
    assert hint is not None
    assert all(endpoint.startswith(f"{WOO}/wp-json/") for endpoint in hint.endpoints)


def test_woocommerce_needs_a_single_product_page() -> None:
    archive = woo_page(WOO, 123, "linen-shirt").replace(
        "single single-product postid-123", "archive post-type-archive"
    )
    assert detect_platform(archive, f"{WOO}/shop/") is None
    # a WordPress "product" post type of another shop plugin: no WooCommerce class or asset
    not_woo = (
        woo_page(WOO, 123, "linen-shirt").replace("woocommerce", "shopkit").replace("wc_add_to_cart", "x")
    )
    assert detect_platform(not_woo, f"{WOO}/product/linen-shirt/") is None


def test_shopify_js_prices_are_cents_and_the_url_selects_the_variant() -> None:
    url = f"{SHOP}/products/aurora-mug?variant={CHARCOAL}"
    found = read_platform_data(_shopify(url, shopify_product_js(SHOP, "aurora-mug")), _page(url))
    assert found is not None
    assert (found.price, found.sku, found.gtin, found.availability) == (
        "26",
        "AUR-MUG-CHARCOAL",
        "4006381333955",
        "InStock",
    )
    assert found.offer_prices == ["26", "24"]


def test_shopify_without_a_selection_takes_the_first_available_variant() -> None:
    url = f"{SHOP}/products/aurora-mug"
    found = read_platform_data(_shopify(url, shopify_product_js(SHOP, "aurora-mug")), _page(url))
    assert found is not None
    assert found.sku == "AUR-MUG-SEA-BLUE"  # Sand, the first, is sold out
    assert found.old_prices == []


def test_shopify_compare_at_price_is_an_old_price() -> None:
    product = shopify_product_js(SHOP, "aurora-mug")
    for variant in product["variants"]:
        variant["available"] = variant["title"] == "Sand"
    url = f"{SHOP}/products/aurora-mug"
    found = read_platform_data(_shopify(url, product), _page(url))
    assert found is not None
    assert (found.price, found.old_prices) == ("24", ["30"])


def test_shopify_json_endpoint_prices_are_decimal_strings() -> None:
    product = {
        "product": {
            "title": "Mug",
            "body_html": "<p>A mug.</p>",
            "vendor": "Acme",
            "variants": [{"id": 1, "price": "1299.00", "sku": "M1"}],
            "images": [{"src": "https://cdn.shopify.com/s/files/1/m.jpg"}],
        }
    }
    url = f"{SHOP}/products/mug"
    found = read_platform_data(_shopify(url, product, endpoint=f"{SHOP}/products/mug.json"), _page(url))
    assert found is not None
    assert (found.name, found.price, found.description, found.availability) == ("Mug", "1299", "A mug.", None)
    assert found.images == ["https://cdn.shopify.com/s/files/1/m.jpg"]


@pytest.mark.parametrize(
    "answer",
    [None, [], {}, {"title": "Mug"}, {"variants": []}, {"product": "x"}, {"title": 3, "variants": []}],
)
def test_shopify_answers_without_a_product_are_not_used(answer: Any) -> None:
    data = _shopify(f"{SHOP}/products/mug", answer)
    assert not has_product(data)
    assert read_platform_data(data, _page(f"{SHOP}/products/mug")) is None


def _woo(product: Any, slug: str | None = "linen-shirt") -> dict[str, Any]:
    hint = PlatformHint(name="woocommerce", endpoints=("x",), slug=slug)
    return platform_data(hint, f"{WOO}/wp-json/wc/store/v1/products?slug={slug}", product)


@pytest.mark.parametrize(
    ("minor_unit", "amount", "price"),
    [(2, "4200", "42"), (2, "4299", "42.99"), (0, "4980", "4980"), (3, "12500", "12.50")],
)
def test_woocommerce_prices_are_in_minor_units(minor_unit: int, amount: str, price: str) -> None:
    product = woo_product(WOO, 123, "linen-shirt")
    product["prices"].update({"price": amount, "regular_price": amount, "currency_minor_unit": minor_unit})
    found = read_platform_data(_woo([product]), _page(f"{WOO}/product/linen-shirt/"))
    assert found is not None and found.price == price


def test_woocommerce_list_answer_picks_the_page_slug() -> None:
    other = woo_product(WOO, 200, "linen-shirt-kids")
    other["name"] = "Kids Linen Shirt"
    answer = [other, woo_product(WOO, 123, "linen-shirt")]
    found = read_platform_data(_woo(answer), _page(f"{WOO}/product/linen-shirt/"))
    assert found is not None and found.name == "Linen Shirt"
    assert not has_product(_woo(answer, slug="something-else"))  # several products, none the page's


@pytest.mark.parametrize(
    ("flags", "availability"),
    [
        ({"is_in_stock": True}, "InStock"),
        ({"is_in_stock": False}, "OutOfStock"),
        ({"is_in_stock": True, "is_on_backorder": True}, "BackOrder"),
    ],
)
def test_woocommerce_stock_flags(flags: dict[str, bool], availability: str) -> None:
    product = woo_product(WOO, 123, "linen-shirt")
    product.update(flags)
    found = read_platform_data(_woo(product), _page(f"{WOO}/product/linen-shirt/"))
    assert found is not None and found.availability == availability


@pytest.mark.parametrize(
    "answer", [None, [], {"code": "rest_no_route", "message": "No route"}, [{"id": 1}], "x"]
)
def test_woocommerce_answers_without_a_product_are_not_used(answer: Any) -> None:
    assert not has_product(_woo(answer))
    assert read_platform_data(_woo(answer), _page(f"{WOO}/product/linen-shirt/")) is None


def test_unknown_platform_is_not_read() -> None:
    data = copy.deepcopy(_woo(woo_product(WOO, 123, "linen-shirt")))
    data["platform"] = "magento"
    assert not has_product(data)
    assert read_platform_data(data, _page(f"{WOO}/product/linen-shirt/")) is None
