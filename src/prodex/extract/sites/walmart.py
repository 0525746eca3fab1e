"""Walmart (walmart.com, walmart.ca): the product in the page's Next.js state.

Walmart renders its item pages with Next.js and embeds the data in ``script#__NEXT_DATA__``:
``props.pageProps.initialData.data.product`` holds ``usItemId``, ``name``, ``brand``,
``shortDescription`` (HTML), ``imageInfo.allImages[].url`` (pictures resized by ``odnHeight``/
``odnWidth``/``odnBg`` query parameters; without them the picture is full size),
``priceInfo.currentPrice`` (``price``, ``currencyUnit``) and ``priceInfo.wasPrice``,
``availabilityStatus`` (``IN_STOCK``, ``OUT_OF_STOCK``), ``upc``, ``model`` and ``category.path``;
``...data.idml`` holds the long description and the specifications.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from prodex.extract.found import Found
from prodex.extract.jsontools import as_list, walk_dicts
from prodex.extract.page import Page
from prodex.extract.process.availability import normalise_availability
from prodex.extract.process.price import normalise_currency, parse_price
from prodex.extract.process.text import clean_line, to_plain_text
from prodex.extract.readers.schema import brand_of, gtin_of, identifier_of
from prodex.extract.sites import Site
from prodex.extract.sites._embedded import dig, list_items, script_json

NAME = "walmart"
HOSTS = re.compile(r"(?:^|\.)walmart\.(?:com|ca)$")
STATE = "script#__NEXT_DATA__"
MAX_IMAGES = 40
_RESIZE_PARAMS = frozenset({"odnheight", "odnwidth", "odnbg", "odndynimage"})


def full_size(url: str) -> str:
    """A Walmart picture URL without its resize parameters (``odnHeight``, ``odnWidth``, ...)."""
    parts = urlsplit(url)
    kept = [
        (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k.lower() not in _RESIZE_PARAMS
    ]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(kept), ""))


def state_data(page: Page) -> dict[str, Any] | None:
    """``initialData.data`` of the page's Next.js state (the product and its ``idml``), if any."""
    state = script_json(page, STATE)
    data = dig(state, "props", "pageProps", "initialData", "data")
    if isinstance(data, dict) and isinstance(data.get("product"), dict):
        return data
    for node in walk_dicts(state, max_depth=8):
        if isinstance(node.get("product"), dict) and "usItemId" in node["product"]:
            return node
    return None


def _description(product: dict[str, Any], idml: dict[str, Any]) -> tuple[str | None, list[str]]:
    """The short description, then the long one when it says more; bullet lines as selling points."""
    short = product.get("shortDescription")
    long = idml.get("longDescription")
    short_text = to_plain_text(short) if isinstance(short, str) else ""
    long_text = to_plain_text(long) if isinstance(long, str) else ""
    text = short_text
    if long_text and short_text[:120] not in long_text:
        text = f"{short_text}\n\n{long_text}" if short_text else long_text
    elif long_text:
        text = long_text
    short_markup = short if isinstance(short, str) else ""
    points = list_items(short_markup) or list_items(long if isinstance(long, str) else "")
    return text or None, points


def read(page: Page) -> Found | None:
    """What a Walmart item page's state says about its product; ``None`` without one."""
    data = state_data(page)
    if data is None:
        return None
    product: dict[str, Any] = data["product"]
    idml = data.get("idml") if isinstance(data.get("idml"), dict) else {}
    found = Found(source=f"site:{NAME}")
    found.name = clean_line(product.get("name")) or None
    found.brand = brand_of(product.get("brand")) or None
    found.description, found.selling_points = _description(product, idml or {})
    _read_price(product, page, found)
    found.availability = normalise_availability(product.get("availabilityStatus"))
    found.sku = identifier_of(product.get("usItemId")) or None
    found.gtin = gtin_of({"upc": product.get("upc"), "gtin": product.get("gtin13")}) or None
    found.mpn = identifier_of(product.get("model")) or None
    path = as_list(dig(product, "category", "path"))
    found.breadcrumbs = [
        n for n in (clean_line(p.get("name")) for p in path[:12] if isinstance(p, dict)) if n
    ]
    found.images = _images(product, page)
    return found if found.name else None


def _read_price(product: dict[str, Any], page: Page, found: Found) -> None:
    """``priceInfo``'s current price and currency into ``found``, and its ``wasPrice`` as an old
    price when it is higher."""
    current = dig(product, "priceInfo", "currentPrice")
    if isinstance(current, dict):
        found.currency = normalise_currency(current.get("currencyUnit"), page.tld)
        found.price = parse_price(current.get("price"), found.currency) or parse_price(
            current.get("priceString"), found.currency
        )
    was = dig(product, "priceInfo", "wasPrice", "price")
    old = parse_price(was, found.currency)
    if old and found.price and Decimal(old) > Decimal(found.price):
        found.old_prices = [old]


def _images(product: dict[str, Any], page: Page) -> list[str]:
    """``imageInfo.allImages``' pictures at full size, each once."""
    images: list[str] = []
    for item in as_list(dig(product, "imageInfo", "allImages"))[:MAX_IMAGES]:
        url = page.absolute(item.get("url")) if isinstance(item, dict) else None
        if url and full_size(url) not in images:
            images.append(full_size(url))
    return images


SITE = Site(name=NAME, hosts=HOSTS, read=read)
