"""A shop's catalogue as product page URLs: from a sitemap (a sitemap index, gzipped or not) or
from a Shopify or WooCommerce store's product JSON. Every request goes through the fetcher (same
URL guard, limits and retries as an analysis).

Sitemaps are read with a regular expression over ``<loc>`` elements, not an XML parser: no
entity expansion or external entity can be triggered, whatever the document holds. A gzipped
sitemap is inflated within :data:`MAX_SITEMAP_BYTES` (the sitemaps protocol's own limit). An index
is followed to its sitemaps (at most :data:`MAX_SITEMAPS` documents in all); when some of its
sitemaps are named for products (``sitemap_products_1.xml``), only those are read.

Which URLs are product pages: those matching ``url_pattern`` (a regular expression searched in
the URL) when one is given; otherwise those whose path has a product page's shape
(:data:`PRODUCT_PATH_HINTS`), and when none has, every URL but the obvious non-product pages
(:data:`NOT_PRODUCT_HINTS`): the analysis of each item then tells a product page from any other
page (``prodex.extract.pagekind``), and a page that is not one fails its item with the 40000 a
``POST /v2/product`` of it would answer (refunded).
"""

from __future__ import annotations

import html
import re
import zlib
from collections import deque
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote, urlsplit

import orjson

from prodex.errors import FetchError, InvalidParameter, UnusablePage
from prodex.extract.platforms._hint import origin_of
from prodex.fetch import Fetcher

MAX_SITEMAPS = 50
MAX_SITEMAP_BYTES = 50 * 1024 * 1024
SHOPIFY_PAGE_SIZE = 250
WOO_PAGE_SIZE = 100
_LOC = re.compile(rb"<(?:[A-Za-z][\w.-]*:)?loc\b[^>]*>\s*(?:<!\[CDATA\[)?\s*(.*?)\s*(?:\]\]>)?\s*</", re.S)
_INDEX = re.compile(rb"<(?:[A-Za-z][\w.-]*:)?sitemapindex\b")
PRODUCT_PATH_HINTS = re.compile(
    r"/products?/[^/]+/?$"  # Shopify /products/<handle>, WooCommerce /product/<slug>/
    r"|/(?:p|dp|gp/product|item|itm|ip|listing|artikel|produkt|produit|prodotto|producto)/[^/]+"
    r"|[-_/]p-?\d{3,}(?:\.html?)?$|/\d{5,}\.html?$|-\d{4,}\.html?$",
    re.IGNORECASE,
)
NOT_PRODUCT_HINTS = re.compile(
    r"^/?$|/(?:blogs?|news|pages?|collections|categor(?:y|ies)|tags?|search|cart|account|login|"
    r"checkout|policies|contact|about|faq|help)(?:/|$)",
    re.IGNORECASE,
)


def parse_sitemap(body: bytes) -> tuple[bool, list[str]]:
    """``(is_index, locations)`` of a sitemap document (already inflated)."""
    head = body[:4096]
    locations = [html.unescape(match.decode("utf-8", "replace")).strip() for match in _LOC.findall(body)]
    return bool(_INDEX.search(head)), [loc for loc in locations if loc]


def inflate(body: bytes) -> bytes:
    """``body`` inflated when it is gzipped, within :data:`MAX_SITEMAP_BYTES`."""
    if not body.startswith(b"\x1f\x8b"):
        return body
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        data = inflater.decompress(body, MAX_SITEMAP_BYTES)
    except zlib.error as error:
        raise UnusablePage("The sitemap is not valid gzip.") from error
    if inflater.unconsumed_tail:
        raise UnusablePage(f"The sitemap inflates to more than {MAX_SITEMAP_BYTES // 2**20} MiB.")
    return data


def pick_products(urls: Iterable[str], pattern: re.Pattern[str] | None) -> list[str]:
    """The product page URLs among a sitemap's URLs (see the module docstring)."""
    listed = list(urls)
    if pattern is not None:
        return [url for url in listed if pattern.search(url)]
    paths = [(url, urlsplit(url).path) for url in listed]
    hinted = [url for url, path in paths if PRODUCT_PATH_HINTS.search(path)]
    if hinted:
        return hinted
    return [url for url, path in paths if not NOT_PRODUCT_HINTS.search(path)]


async def sitemap_products(
    fetcher: Fetcher, sitemap_url: str, pattern: re.Pattern[str] | None, limit: int
) -> list[str]:
    """Up to ``limit`` product page URLs listed by the sitemap (or index) at ``sitemap_url``."""
    waiting: deque[str] = deque([sitemap_url])
    seen: set[str] = {sitemap_url}
    found: list[str] = []
    read = 0
    while waiting and read < MAX_SITEMAPS and len(found) < limit:
        url = waiting.popleft()
        page = await fetcher.fetch(url, accept="xml")
        read += 1
        is_index, locations = parse_sitemap(inflate(page.body))
        if is_index:
            product_maps = [loc for loc in locations if "product" in loc.lower()]
            for loc in product_maps or locations:
                if loc not in seen:
                    seen.add(loc)
                    waiting.append(loc)
            continue
        found.extend(pick_products(locations, pattern))
    return found[:limit]


def _json(body: bytes) -> Any:
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError:
        return None


async def store_products(fetcher: Fetcher, store_url: str, limit: int) -> tuple[str, list[str]]:
    """``(platform, product page URLs)`` of a Shopify or WooCommerce store, up to ``limit``.

    Shopify lists its products at ``/products.json`` (handles, 250 a page); WooCommerce at its
    Store API ``/wp-json/wc/store/v1/products`` (permalinks, 100 a page). Raises
    :class:`InvalidParameter` when the store answers neither.
    """
    origin = origin_of(store_url)
    if origin is None:
        raise InvalidParameter("store_url: an http(s) address of a store is required.", field="store_url")
    urls = await _shopify(fetcher, origin, limit)
    if urls is not None:
        return "shopify", urls
    urls = await _woocommerce(fetcher, origin, limit)
    if urls is not None:
        return "woocommerce", urls
    raise InvalidParameter(
        "store_url: the store answers neither Shopify's /products.json nor WooCommerce's Store API "
        "(/wp-json/wc/store/v1/products); import its sitemap_url instead.",
        field="store_url",
    )


async def _pages(fetcher: Fetcher, url_of_page: str, limit: int, page_size: int) -> list[Any] | None:
    """The JSON answers of a paginated listing until an empty page (``None``: not such a listing)."""
    answers: list[Any] = []
    for number in range(1, limit // page_size + 2):
        try:
            page = await fetcher.fetch(url_of_page.format(page=number), accept="json")
        except FetchError:
            if number == 1:
                return None
            break
        data = _json(page.body) if page.content_type == "application/json" else None
        if data is None:
            return None if number == 1 else answers
        answers.append(data)
        if not data or (isinstance(data, dict) and not data.get("products")):
            break
    return answers


async def _shopify(fetcher: Fetcher, origin: str, limit: int) -> list[str] | None:
    listing = f"{origin}/products.json?limit={SHOPIFY_PAGE_SIZE}&page={{page}}"
    answers = await _pages(fetcher, listing, limit, SHOPIFY_PAGE_SIZE)
    if not answers or not isinstance(answers[0], dict) or not isinstance(answers[0].get("products"), list):
        return None
    urls = [
        f"{origin}/products/{quote(str(product['handle']), safe='')}"
        for answer in answers
        if isinstance(answer, dict)
        for product in answer.get("products") or []
        if isinstance(product, dict) and product.get("handle")
    ]
    return urls[:limit]


async def _woocommerce(fetcher: Fetcher, origin: str, limit: int) -> list[str] | None:
    listing = f"{origin}/wp-json/wc/store/v1/products?per_page={WOO_PAGE_SIZE}&page={{page}}"
    answers = await _pages(fetcher, listing, limit, WOO_PAGE_SIZE)
    if not answers or not isinstance(answers[0], list):
        return None
    urls = [
        str(product["permalink"])
        for answer in answers
        if isinstance(answer, list)
        for product in answer
        if isinstance(product, dict) and isinstance(product.get("permalink"), str)
    ]
    return urls[:limit]
