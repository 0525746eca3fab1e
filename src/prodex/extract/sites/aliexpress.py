"""AliExpress item pages (aliexpress.com and its language subdomains, aliexpress.us).

AliExpress embeds the item in ``window.runParams = {data: {...}}``. Older pages group it in
modules (``titleModule.subject``, ``imageModule.imagePathList``, ``priceModule`` with
``minActivityAmount``/``minAmount``, ``skuModule.skuPriceList``, ``specsModule.props``,
``storeModule.storeName``, ``actionModule``/``quantityModule`` ``totalAvailQuantity``,
``commonModule.productId``, ``crossLinkModule.breadCrumbPathList``), newer ones in components
(``productInfoComponent.subject``, ``imageComponent.imagePathList``, ``priceComponent`` with
``discountPrice.minActivityAmount`` and ``origPrice.minAmount``, ``productPropComponent.props``,
``sellerComponent.storeName``, ``inventoryComponent.totalAvailQuantity``,
``currencyComponent.currencyCode``); some pages keep the gallery in ``window._d_c_.DCData``.
Pictures come without the ``_640x640.jpg``-style size suffix (full size). The seller's description
is a separate document the page does not carry: the item's properties stand in for it (the page's
meta description is a generic "Cheap ..., Buy Quality Directly from China Suppliers" line).
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from prodex.extract.found import Found
from prodex.extract.jsontools import as_list
from prodex.extract.page import Page
from prodex.extract.process.media import upgrade_image_url
from prodex.extract.process.price import normalise_currency, parse_price
from prodex.extract.process.text import clean_line
from prodex.extract.readers.schema import identifier_of
from prodex.extract.sites import Site
from prodex.extract.sites._embedded import RawPattern, attribute_lines, brand_in, dig, json_after

NAME = "aliexpress"
HOSTS = re.compile(r"(?:^|\.)aliexpress\.(?:com|us)$")
MAX_IMAGES = 30
MAX_PROPS = 40
MAX_SKUS = 200
_RUN_PARAMS = RawPattern(r"""runParams\s*=\s*\{\s*["']?data["']?\s*:\s*(?=\{)""")
_GALLERY_DATA = RawPattern(r"_d_c_\.DCData\s*=\s*(?=\{)")
_SIZE_SUFFIX = re.compile(r"(\.(?:jpe?g|png|webp))_\d+x\d+[^/]*$", re.IGNORECASE)
_ITEM_ID = re.compile(r"/item/(\d{6,20})\.html")


def full_size(url: str) -> str:
    """An AliExpress picture URL without its size suffix (``a.jpg_640x640.jpg`` -> ``a.jpg``)."""
    upgraded = upgrade_image_url(url)
    path, sep, query = upgraded.partition("?")
    return _SIZE_SUFFIX.sub(r"\1", path) + sep + query


def run_data(page: Page) -> dict[str, Any] | None:
    """The ``data`` of the page's ``window.runParams``, if any."""
    for value in json_after(page, _RUN_PARAMS, limit=2):
        if isinstance(value, dict):
            return value
    return None


def _first(data: dict[str, Any], *paths: tuple[str, ...]) -> Any:
    for path in paths:
        value = dig(data, *path)
        if value not in (None, "", [], {}):
            return value
    return None


def _amount(value: Any, currency: str | None) -> tuple[str | None, str | None]:
    """A price object (``{"value": 12.5, "currency": "USD"}``) or value as (price, currency)."""
    if isinstance(value, dict):
        currency = normalise_currency(value.get("currency")) or currency
        value = value.get("value") if value.get("value") is not None else value.get("formatedAmount")
    return parse_price(value, currency), currency


def _sku_prices(data: dict[str, Any], currency: str | None) -> list[str]:
    skus = _first(data, ("skuModule", "skuPriceList"), ("priceComponent", "skuPriceList"))
    prices: list[str] = []
    for sku in as_list(skus)[:MAX_SKUS]:
        value = dig(sku, "skuVal", "skuActivityAmount") or dig(sku, "skuVal", "skuAmount")
        price, _ = _amount(value, currency)
        if price and price not in prices:
            prices.append(price)
    return prices


def _availability(data: dict[str, Any]) -> str | None:
    quantity = _first(
        data,
        ("inventoryComponent", "totalAvailQuantity"),
        ("quantityModule", "totalAvailQuantity"),
        ("actionModule", "totalAvailQuantity"),
    )
    if isinstance(quantity, bool) or not isinstance(quantity, int | str) or not str(quantity).isdigit():
        return None
    return "InStock" if int(quantity) > 0 else "OutOfStock"


def _images(page: Page, data: dict[str, Any]) -> list[str]:
    paths = _first(data, ("imageModule", "imagePathList"), ("imageComponent", "imagePathList"))
    if not paths:
        gallery = next((v for v in json_after(page, _GALLERY_DATA, limit=1) if isinstance(v, dict)), {})
        paths = gallery.get("imagePathList")
    out: list[str] = []
    for raw in as_list(paths)[:MAX_IMAGES]:
        url = page.absolute(raw)
        if url and full_size(url) not in out:
            out.append(full_size(url))
    return out


def read(page: Page) -> Found | None:
    """What an AliExpress item page's run data says about the item; ``None`` without it."""
    data = run_data(page)
    if data is None:
        return None
    found = Found(source=f"site:{NAME}")
    found.name = (
        clean_line(_first(data, ("titleModule", "subject"), ("productInfoComponent", "subject"))) or None
    )
    _read_price(page, data, found)
    found.availability = _availability(data)
    match = _ITEM_ID.search(page.url)
    product_id = _first(data, ("commonModule", "productId"), ("productInfoComponent", "id"))
    found.sku = identifier_of(product_id) or (match.group(1) if match else None)
    pairs = _properties(data)
    found.selling_points = attribute_lines(pairs)
    found.description = "\n".join(found.selling_points) or None  # the seller's text is a separate document
    found.brand = brand_in(pairs)
    store = clean_line(_first(data, ("sellerComponent", "storeName"), ("storeModule", "storeName")))
    found.site_names = [store] if store else []
    crumbs = as_list(dig(data, "crossLinkModule", "breadCrumbPathList"))[:12]
    found.breadcrumbs = [n for n in (clean_line(c.get("name")) for c in crumbs if isinstance(c, dict)) if n]
    found.images = _images(page, data)
    return found if found.name or found.images else None


def _read_price(page: Page, data: dict[str, Any], found: Found) -> None:
    """The sale price (else the original one) with its currency, the original price as an old
    price when it is higher, and every variant's price among the offered prices."""
    currency = normalise_currency(
        _first(data, ("currencyComponent", "currencyCode"), ("webEnv", "currency")), page.tld
    )
    sale = _first(
        data, ("priceComponent", "discountPrice", "minActivityAmount"), ("priceModule", "minActivityAmount")
    )
    original = _first(data, ("priceComponent", "origPrice", "minAmount"), ("priceModule", "minAmount"))
    sale_price, sale_currency = _amount(sale, currency)
    original_price, original_currency = _amount(original, currency)
    found.price = sale_price or original_price
    found.currency = (sale_currency if sale_price else original_currency) or currency
    try:
        if sale_price and original_price and Decimal(original_price) > Decimal(sale_price):
            found.old_prices = [original_price]
    except InvalidOperation:
        pass
    found.offer_prices = list(
        dict.fromkeys(p for p in [found.price, *_sku_prices(data, found.currency)] if p)
    )


def _properties(data: dict[str, Any]) -> list[tuple[str, str]]:
    """The item's ``(attribute name, value)`` properties, in the page's order."""
    props = _first(data, ("productPropComponent", "props"), ("specsModule", "props"))
    return [
        (clean_line(p.get("attrName")), clean_line(p.get("attrValue")))
        for p in as_list(props)[:MAX_PROPS]
        if isinstance(p, dict)
    ]


SITE = Site(name=NAME, hosts=HOSTS, read=read)
