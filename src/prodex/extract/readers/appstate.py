"""Embedded app state: ``__NEXT_DATA__``, ``window.__INITIAL_STATE__``-style assignments, and
Shopify's product JSON. The state is searched (bounded) for the dict that looks most like the
page's product; its keys are mapped by the names shops' front-ends commonly use."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote, urlsplit

from prodex.extract.found import Found
from prodex.extract.jsontools import as_list, load_json_at, walk_dicts
from prodex.extract.page import Page
from prodex.extract.process.availability import fold, normalise_availability
from prodex.extract.process.price import format_decimal, normalise_currency, parse_price
from prodex.extract.process.text import to_plain_text
from prodex.extract.readers.jsonld import fill_from_product
from prodex.extract.readers.schema import brand_of, identifier_of, image_urls, text_of, type_names

SOURCE = "app-state"
MAX_STATE_SCRIPTS = 12
MAX_CANDIDATES = 5_000
_STATE_SOURCE = (
    r"__(?:NEXT_DATA__[\"']?[^>]{0,200}(?=>)|NUXT_DATA__[\"']?[^>]{0,200}(?=>)|"
    r"[A-Z0-9_]*(?:STATE|DATA|PROPS|CONTEXT|STORE)[A-Z0-9_]*__\s*=\s*(?=[{\[]))"
)
_SHOPIFY_SOURCE = r"var meta\s*=\s*(?=\{)"
_STATE_TEXT = re.compile(_STATE_SOURCE)
_STATE_BYTES = re.compile(_STATE_SOURCE.encode())
_SHOPIFY_TEXT = re.compile(_SHOPIFY_SOURCE)
_SHOPIFY_BYTES = re.compile(_SHOPIFY_SOURCE.encode())
_NAME_KEYS = (
    "name",
    "title",
    "productName",
    "product_name",
    "productTitle",
    "product_title",
    "displayName",
    "itemName",
    "item_name",
)
_PRICE_KEYS = (
    "price",
    "salePrice",
    "sale_price",
    "currentPrice",
    "finalPrice",
    "sellingPrice",
    "priceValue",
    "offerPrice",
    "amount",
)
PRICES_APART = ("prices", "priceInfo")
"""Keys under which a state keeps a product's prices in an object of their own (``"prices":
{"currentPrice": ...}``): such a product counts only where the page names it (its title or URL),
as listings keep their tiles' prices the same way."""
_IMAGE_KEYS = ("images", "image", "media", "gallery", "pictures", "photos", "imageUrls", "featured_image")
_ID_KEYS = ("sku", "skuId", "productId", "product_id", "itemId", "articleNumber", "id")
_DESCRIPTION_KEYS = (
    "description",
    "body_html",
    "descriptionHtml",
    "longDescription",
    "long_description",
    "shortDescription",
    "short_description",
)
PAGE_MATCH_BONUS = 4
"""Added to a candidate whose id is in the page URL's path, and to one whose name is the page's
title: the page's own product beats the related products its state also carries (the query is
left out: ``?variant=123`` names a variant, which must not replace its product)."""
_CANDIDATE_ID_KEYS = (*_ID_KEYS, "sku_config", "slug", "handle")


def _state_documents(page: Page) -> list[Any]:
    """The app-state JSON values the page's source assigns or embeds (searched in the raw source
    with literal-prefixed patterns, so a page without any costs one fast scan)."""
    raw = page.raw
    binary = isinstance(raw, bytes)
    state = _STATE_BYTES if binary else _STATE_TEXT
    shopify = _SHOPIFY_BYTES if binary else _SHOPIFY_TEXT
    docs: list[Any] = []
    for pattern in (state, shopify):
        for match in pattern.finditer(raw):  # type: ignore[arg-type]
            start = match.end()
            if raw[start : start + 1] in (">", b">"):
                start += 1  # an embedded <script id="__NEXT_DATA__" ...> element: JSON after the tag
            value = load_json_at(raw, start)
            if value is not None:
                docs.append(value)
            if len(docs) >= MAX_STATE_SCRIPTS:
                return docs
    return docs


def _first_key(node: dict[str, Any], keys: tuple[str, ...]) -> Any:
    for key in keys:
        value = node.get(key)
        if value not in (None, "", [], {}):
            return value
    return None


MIN_PRODUCT_SCORE = 5
"""The score of a dict that looks like a product (a name, a price and a picture, say)."""


def _prices_apart(node: dict[str, Any]) -> bool:
    """Whether ``node`` keeps its prices in an object of their own (:data:`PRICES_APART`) that
    holds a price (not a list of price filters)."""
    return any(
        isinstance(held := node.get(key), dict) and _first_key(held, _PRICE_KEYS) is not None
        for key in PRICES_APART
    )


def _product_score(node: dict[str, Any], priced: bool = False) -> int:
    """How much ``node`` looks like a product (0: less than :data:`MIN_PRODUCT_SCORE`); ``priced``:
    it holds its prices in an object of their own (:data:`PRICES_APART`)."""
    if not isinstance(_first_key(node, _NAME_KEYS), str):
        return 0
    score = 0
    if priced or _first_key(node, _PRICE_KEYS) is not None or "offers" in node or "priceRange" in node:
        score += 3
    if _first_key(node, _IMAGE_KEYS) is not None:
        score += 2
    if _first_key(node, ("sku", "skuId", "gtin", "ean", "barcode", "mpn")) is not None:
        score += 2
    if _first_key(node, _DESCRIPTION_KEYS) is not None:
        score += 1
    if _first_key(node, ("brand", "vendor", "manufacturer", "brandName")) is not None:
        score += 1
    if "variants" in node or "hasVariant" in node:
        score += 1
    return score if score >= MIN_PRODUCT_SCORE else 0


def _price_of(value: Any, currency: str | None, cents: bool) -> str | None:
    if isinstance(value, dict):
        currency = normalise_currency(value.get("currency") or value.get("currencyCode")) or currency
        value = _first_key(value, ("value", "amount", "current", "price", "sale", "final", "raw"))
        if isinstance(value, dict):
            return _price_of(value, currency, cents)
    if cents and isinstance(value, int) and not isinstance(value, bool):
        from decimal import Decimal

        return format_decimal(Decimal(value) / 100)
    return parse_price(value, currency)


def _images_of(value: Any) -> list[str]:
    urls: list[str] = []
    for item in as_list(value)[:60]:
        if isinstance(item, dict):
            for key in ("src", "url", "large", "zoom", "full", "original", "href", "image"):
                candidate = item.get(key)
                if isinstance(candidate, str):
                    urls.append(candidate)
                    break
                if isinstance(candidate, dict):
                    urls.extend(_images_of(candidate))
                    break
        elif isinstance(item, str):
            urls.append(item)
    return urls


def _first_offer(product: dict[str, Any], variants: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The first offer the product, or else its first variant, carries (``offers: [{price...}]``:
    marketplaces nest the seller's price and stock there)."""
    for holder in (product, *variants[:1]):
        for offer in as_list(holder.get("offers"))[:5]:
            if isinstance(offer, dict) and _first_key(offer, _PRICE_KEYS) is not None:
                return offer
    return None


class _PageMatcher:
    """Tells the page's own product from other products in its state: by the URL and the title."""

    def __init__(self, page: Page) -> None:
        self._path = unquote(urlsplit(page.url).path).lower()
        titles = [page.meta_first("og:title") or ""]
        title = page.tree.css_first("title")
        titles.append(title.text() if title is not None else "")
        self._titles = [fold(t) for t in titles if t.strip()]

    def bonus(self, node: dict[str, Any]) -> int:
        """:data:`PAGE_MATCH_BONUS` for an id in the page URL's path, and again for the page's title."""
        bonus = 0
        for key in _CANDIDATE_ID_KEYS:
            value = node.get(key)
            if isinstance(value, str | int) and not isinstance(value, bool):
                text = str(value).lower()
                if len(text) >= 4 and text in self._path:
                    bonus += PAGE_MATCH_BONUS
                    break
        name = _first_key(node, _NAME_KEYS)
        if isinstance(name, str) and len(name) >= 4:
            folded = fold(name)
            if any(folded in title or (len(title) >= 8 and title in folded) for title in self._titles):
                bonus += PAGE_MATCH_BONUS
        return bonus


def read(page: Page) -> Found | None:
    """The product found in the page's embedded app state, if any."""
    return read_documents(page, _state_documents(page), SOURCE)


def read_documents(page: Page, docs: list[Any], source: str) -> Found | None:
    """The product found in app-state JSON documents (also the shop platform's product JSON)."""
    if not docs:
        return None
    best = _best_product(page, docs)
    if best is None:
        return None
    found = Found(source=source)
    if type_names(best) & {"product", "productgroup"}:
        fill_from_product(found, best, page)
        return found
    found.name = text_of(_first_key(best, _NAME_KEYS)) or None
    description = _first_key(best, _DESCRIPTION_KEYS)
    found.description = to_plain_text(description) if isinstance(description, str) else None
    found.brand = brand_of(_first_key(best, ("brand", "vendor", "manufacturer", "brandName"))) or None
    variants = [v for v in as_list(best.get("variants"))[:100] if isinstance(v, dict)]
    offer = _first_offer(best, variants)
    _read_price(page, best, variants, offer, found)
    images = image_urls(best.get("image")) if isinstance(best.get("image"), dict) else []
    images += _images_of(_first_key(best, _IMAGE_KEYS))
    found.images = [u for u in (page.absolute(x) for x in images) if u]
    sku = _first_key(best, ("sku", "skuId", "articleNumber"))
    if sku is None and variants:
        sku = variants[0].get("sku")
    found.sku = identifier_of(sku) or None
    found.availability = _availability_of(best, offer)
    return found


LISTED_PRODUCTS = 6
"""A state holding this many products, none of which the page names (by its title or URL), is
a listing's (search results, a category): its first tile is not the page's product."""


def _best_product(page: Page, docs: list[Any]) -> dict[str, Any] | None:
    """The dict of ``docs`` that looks most like the page's product (at most
    :data:`MAX_CANDIDATES` looked at; the first of equal scores wins), or ``None`` (also for a
    listing's state, see :data:`LISTED_PRODUCTS`)."""
    best: dict[str, Any] | None = None
    best_score = 0
    seen = 0
    products = 0
    named = False  # a product the page names by its title or URL
    matcher = _PageMatcher(page)
    for doc in docs:
        for node in walk_dicts(doc, max_depth=24):
            seen += 1
            if seen > MAX_CANDIDATES:
                break
            bonus = 0
            score = _product_score(node)
            if score:
                products += 1
                bonus = matcher.bonus(node)
                score += bonus
            elif _prices_apart(node) and (bonus := matcher.bonus(node)):
                priced = _product_score(node, priced=True)
                score = priced + bonus if priced else 0
            named = named or (score > 0 and bonus > 0)
            if score > best_score:
                best, best_score = node, score
    if not named and products >= LISTED_PRODUCTS:
        return None
    return best


def _read_price(
    page: Page,
    best: dict[str, Any],
    variants: list[dict[str, Any]],
    offer: dict[str, Any] | None,
    found: Found,
) -> None:
    """The currency and price into ``found``: the product's own, else its first variant's, else its
    first offer's (Shopify's product JSON, with ``handle`` and ``variants``, counts in cents)."""
    currency_keys = ("currency", "currencyCode", "priceCurrency")
    currency = normalise_currency(_first_key(best, currency_keys), page.tld)
    if currency is None and offer is not None:
        currency = normalise_currency(_first_key(offer, currency_keys), page.tld)
    found.currency = currency
    price_value = _first_key(best, _PRICE_KEYS)
    if price_value is None and variants:
        price_value = _first_key(variants[0], _PRICE_KEYS)
    if price_value is None and offer is not None:
        price_value = _first_key(offer, _PRICE_KEYS)
    shopify = "handle" in best and "variants" in best
    found.price = _price_of(price_value, currency, cents=shopify)
    if found.currency is None and isinstance(price_value, dict):
        found.currency = normalise_currency(
            price_value.get("currency") or price_value.get("currencyCode"), page.tld
        )


def _availability_of(best: dict[str, Any], offer: dict[str, Any] | None) -> str | None:
    """The product's stock state, else its first offer's, normalised (``None`` when neither says)."""
    stock_keys = ("availability", "available", "inStock", "in_stock", "stockStatus", "is_available")
    available = _first_key(best, stock_keys)
    if available is None and offer is not None:
        available = _first_key(offer, stock_keys)
    return normalise_availability(available) if available is not None else None
