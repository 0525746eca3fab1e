"""WooCommerce: recognised from the page, read from the shop's public Store API.

WordPress marks a single product page with the body classes ``single-product`` and
``postid-<id>``, WooCommerce adds ``woocommerce``/``woocommerce-page`` and loads its plugin assets
(``wp-content/plugins/woocommerce/``), and WordPress announces its REST API root in the head
(``<link rel="https://api.w.org/" href="https://shop/wp-json/">``, or ``?rest_route=/`` without
pretty permalinks). The Store API answers ``wc/store/v1/products?slug=<slug>`` with a list and
``wc/store/v1/products/<id>`` with one product: ``prices`` in minor units (``price``,
``regular_price``, ``price_range``, ``currency_code``, ``currency_minor_unit``), ``images`` whose
``src`` is the full-size upload, ``is_in_stock``/``is_on_backorder``, ``sku``, ``brands`` and
``categories``, and HTML ``description``/``short_description``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlsplit

from prodex.extract.found import Found
from prodex.extract.jsontools import as_list
from prodex.extract.page import Page
from prodex.extract.platforms._hint import PlatformHint, origin_of, same_site
from prodex.extract.process.price import format_decimal, normalise_currency
from prodex.extract.process.text import clean_line, to_plain_text
from prodex.extract.readers.schema import brand_of, gtin_of, identifier_of
from prodex.extract.site import Platform
from prodex.extract.sites._embedded import list_items

NAME = "woocommerce"
SOURCE = f"site:{NAME}"
STORE_PRODUCTS = "wc/store/v1/products"
MAX_IMAGES = 60
MAX_MINOR_UNIT = 4
_BODY_CLASS = re.compile(r"""<body\b[^>]{0,2000}?\bclass\s*=\s*["']([^"']{0,4000})["']""", re.IGNORECASE)
_MARKERS = re.compile(
    r"wp-content/plugins/woocommerce/|woocommerce-product-gallery|wc_add_to_cart_params|woocommerce_params"
)
_API_ROOT = re.compile(
    r"""<link\b[^>]{0,200}?\brel\s*=\s*["']https://api\.w\.org/["'][^>]{0,200}?\bhref\s*=\s*["']([^"'<>\s]{1,500})["']"""
    r"""|<link\b[^>]{0,200}?\bhref\s*=\s*["']([^"'<>\s]{1,500})["'][^>]{0,200}?\brel\s*=\s*["']https://api\.w\.org/["']""",
    re.IGNORECASE,
)
_POST_ID = re.compile(r"(?:^|\s)postid-(\d{1,12})(?:\s|$)")
_SLUG = re.compile(r"^[^/?#&=]{1,200}$")


def _api_root(html: str, url: str, origin: str) -> str:
    """The REST API root the page announces (on the shop's own host), else ``<origin>/wp-json/``."""
    match = _API_ROOT.search(html, 0, min(len(html), 400_000))
    if match:
        root = (match.group(1) or match.group(2)).replace("&amp;", "&")
        if root.startswith(("http://", "https://")) and same_site(root, url):
            return root
    return f"{origin}/wp-json/"


def _endpoint(root: str, route: str) -> str:
    """``route`` (``wc/store/v1/...``, with an optional query) under a REST root, pretty or
    ``?rest_route=`` style."""
    path, _, query = route.partition("?")
    if "rest_route=" in root:
        base = root.split("?", 1)[0]
        return f"{base}?rest_route=/{path}" + (f"&{query}" if query else "")
    return root.rstrip("/") + "/" + route


def _slug(url: str) -> str | None:
    """The product slug a WordPress product URL names (the last path segment, or ``?product=``)."""
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    if "product" in query:
        candidate = query["product"][0]
    else:
        segments = [s for s in parts.path.split("/") if s]
        candidate = segments[-1] if segments else ""
    candidate = unquote(candidate).strip().lower()
    if not candidate or not _SLUG.match(candidate) or candidate.endswith((".php", ".html", ".htm")):
        return None
    return candidate


def detect(html: str, url: str) -> PlatformHint | None:
    """A WooCommerce hint for a single-product page of a WooCommerce shop; ``None`` otherwise."""
    match = _BODY_CLASS.search(html)
    if not match:
        return None
    classes = f" {match.group(1)} "
    if " single-product " not in classes:
        return None
    if " woocommerce " not in classes and " woocommerce-page " not in classes and not _MARKERS.search(html):
        return None
    origin = origin_of(url)
    if origin is None:
        return None
    root = _api_root(html, url, origin)
    slug = _slug(url)
    post = _POST_ID.search(classes)
    endpoints: list[str] = []
    if slug:
        endpoints.append(_endpoint(root, f"{STORE_PRODUCTS}?slug={quote(slug, safe='')}"))
    if post:
        endpoints.append(_endpoint(root, f"{STORE_PRODUCTS}/{post.group(1)}"))
    if not endpoints:
        return None
    return PlatformHint(name=NAME, endpoints=tuple(endpoints), slug=slug)


def product_of(data: Any, slug: str | None = None) -> dict[str, Any] | None:
    """The product in a Store API answer: the list item with the page's slug (or the only item),
    or the single product object."""
    if isinstance(data, list):
        items = [item for item in data[:100] if isinstance(item, dict)]
        match = next((item for item in items if slug and item.get("slug") == slug), None)
        data = match if match is not None else (items[0] if len(items) == 1 else None)
    if not isinstance(data, dict) or not isinstance(data.get("name"), str) or "id" not in data:
        return None
    return data


def _minor(amount: Any, minor_unit: int) -> str | None:
    """A Store API amount (a string of minor units, ``"4200"``) as a decimal string (``"42.00"``)."""
    text = str(amount).strip() if isinstance(amount, str | int) and not isinstance(amount, bool) else ""
    if not text.isdigit() or len(text) > 20:
        return None
    try:
        return format_decimal(Decimal(text).scaleb(-minor_unit))
    except InvalidOperation:
        return None


def _prices(found: Found, prices: Any) -> None:
    if not isinstance(prices, dict):
        return
    unit = prices.get("currency_minor_unit", 2)
    valid = isinstance(unit, int) and not isinstance(unit, bool) and 0 <= unit <= MAX_MINOR_UNIT
    minor = unit if valid else 2
    found.currency = normalise_currency(prices.get("currency_code"))
    found.price = _minor(prices.get("price"), minor)
    regular = _minor(prices.get("regular_price"), minor)
    if regular and found.price and Decimal(regular) > Decimal(found.price):
        found.old_prices = [regular]
    offered = [found.price]
    price_range = prices.get("price_range")
    if isinstance(price_range, dict):
        offered += [_minor(price_range.get(key), minor) for key in ("min_amount", "max_amount")]
    found.offer_prices = list(dict.fromkeys(p for p in offered if p))


def _availability(product: dict[str, Any]) -> str | None:
    if product.get("is_on_backorder") is True:
        return "BackOrder"
    in_stock = product.get("is_in_stock")
    if isinstance(in_stock, bool):
        return "InStock" if in_stock else "OutOfStock"
    return None


def _description(product: dict[str, Any]) -> str | None:
    """The long description, with the short one before it when it says something else."""
    long = product.get("description")
    long_text = to_plain_text(long) if isinstance(long, str) else ""
    short = product.get("short_description")
    short_text = to_plain_text(short) if isinstance(short, str) else ""
    if short_text and long_text and short_text[:120] not in long_text:
        return f"{short_text}\n\n{long_text}"
    return long_text or short_text or None


def read(data: Mapping[str, Any], page: Page) -> Found | None:
    """What a WooCommerce Store API answer (as packed by :func:`~prodex.extract.platforms.
    platform_data`) says about the product; ``None`` when it holds no product."""
    slug = data.get("slug")
    product = product_of(data.get("product"), slug if isinstance(slug, str) else None)
    if product is None:
        return None
    found = Found(source=SOURCE)
    found.name = clean_line(product.get("name")) or None
    found.description = _description(product)
    short = product.get("short_description")
    found.selling_points = list_items(short) if isinstance(short, str) else []
    _prices(found, product.get("prices"))
    found.sku = identifier_of(product.get("sku")) or None
    found.gtin = gtin_of({"gtin": product.get("global_unique_id")}) or None
    brands = [b for b in as_list(product.get("brands"))[:5] if isinstance(b, dict)]
    found.brand = (brand_of(brands[0].get("name")) or None) if brands else None
    categories = [c for c in as_list(product.get("categories"))[:10] if isinstance(c, dict)]
    found.category = (clean_line(categories[0].get("name")) or None) if categories else None
    found.availability = _availability(product)
    images: list[str] = []
    for image in as_list(product.get("images"))[:MAX_IMAGES]:
        src = page.absolute(image.get("src")) if isinstance(image, dict) else None
        if src and src not in images:
            images.append(src)
    found.images = images
    return found


PLATFORM = Platform(name=NAME, detect=detect, product_of=product_of, read=read)
