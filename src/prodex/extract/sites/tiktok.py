"""TikTok Shop product pages (``www.tiktok.com/shop/pdp/...``, ``shop.tiktok.com/view/product/<id>``).

TikTok Shop renders its product pages with ByteDance's Modern.js and embeds the loader data in
``script#__MODERN_ROUTER_DATA__`` (JSON): under ``loaderData`` the page's ``page_config`` holds a
``product_info`` object (in its ``global_data`` or in a ``components_map`` component) with
``product_id``, ``seller`` (``name``), ``skus`` (``stock``, ``price``) and ``product_base``:
``title``, ``images[].url_list``, ``price`` (``real_price``, ``original_price``, ``currency``),
``specifications[]`` (``name``/``value``) and ``desc_detail`` (a JSON string of text, list and
image blocks).
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from prodex.extract.found import Found
from prodex.extract.jsontools import as_list, loads_lenient, walk_dicts
from prodex.extract.page import Page
from prodex.extract.process.price import normalise_currency, parse_price
from prodex.extract.process.text import clean_line, to_plain_text
from prodex.extract.readers.schema import identifier_of
from prodex.extract.sites import Site
from prodex.extract.sites._embedded import attribute_lines, brand_in, dig, script_json

NAME = "tiktok"
HOSTS = re.compile(r"(?:^|\.)tiktok\.com$")
STATE = "script#__MODERN_ROUTER_DATA__"
MAX_IMAGES = 30
MAX_SKUS = 200
MAX_BLOCKS = 100
_PRODUCT_ID = re.compile(r"/(?:product|pdp/[^/?#]+|pdp)/(\d{10,25})(?:[/?#]|$)")


def product_info(page: Page) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """The page's ``product_info`` and its ``product_base``, found in the router data."""
    state = script_json(page, STATE)
    if state is None:
        return None
    for node in walk_dicts(state, max_depth=16):
        base = node.get("product_base")
        if isinstance(base, dict) and isinstance(base.get("title"), str):
            return node, base
    return None


def _amount(value: Any, currency: str | None) -> str | None:
    """A TikTok price value: text (``"$19.99"``) or an object with ``price_val``/``price_str``."""
    if isinstance(value, dict):
        value = value.get("price_val") or value.get("price_str") or value.get("sale_price_decimal")
    return parse_price(value, currency)


def description(value: Any) -> str | None:
    """The description from ``desc_detail``: a JSON list of blocks (text, bullet lists, images),
    or plain text/HTML."""
    if not isinstance(value, str) or not value.strip():
        return None
    blocks = loads_lenient(value) if value.lstrip().startswith("[") else []
    if not blocks or not isinstance(blocks[0], list):
        return to_plain_text(value) or None
    parts: list[str] = []
    for block in blocks[0][:MAX_BLOCKS]:
        if not isinstance(block, dict):
            continue
        if isinstance(block.get("text"), str):
            parts.append(to_plain_text(block["text"]))
        elif isinstance(block.get("content"), list):
            parts.extend(clean_line(item) for item in block["content"][:MAX_BLOCKS] if isinstance(item, str))
    text = "\n\n".join(part for part in parts if part)
    return text or None


def _availability(skus: list[dict[str, Any]]) -> str | None:
    stocks: list[int] = []
    for sku in skus:
        stock = sku.get("stock")
        if isinstance(stock, int) and not isinstance(stock, bool):
            stocks.append(stock)
        elif isinstance(stock, str) and stock.isdigit():
            stocks.append(int(stock))
    if not stocks:
        return None
    return "InStock" if any(s > 0 for s in stocks) else "OutOfStock"


def read(page: Page) -> Found | None:
    """What a TikTok Shop product page's router data says about its product; ``None`` without it."""
    found_info = product_info(page)
    if found_info is None:
        return None
    info, base = found_info
    found = Found(source=f"site:{NAME}")
    found.name = clean_line(base.get("title")) or None
    found.description = description(base.get("desc_detail") or base.get("description"))
    skus = [s for s in as_list(info.get("skus"))[:MAX_SKUS] if isinstance(s, dict)]
    _read_price(page, base, skus, found)
    found.availability = _availability(skus)
    match = _PRODUCT_ID.search(page.url)
    found.sku = identifier_of(info.get("product_id") or base.get("product_id")) or (
        match.group(1) if match else None
    )
    specifications = [s for s in as_list(base.get("specifications"))[:40] if isinstance(s, dict)]
    pairs = [(clean_line(s.get("name")), clean_line(s.get("value"))) for s in specifications]
    found.selling_points = attribute_lines(pairs)
    found.brand = brand_in(pairs)
    seller = clean_line(dig(info, "seller", "name"))
    found.site_names = [seller] if seller else []
    found.images = _images(page, base)
    return found if found.name else None


def _read_price(page: Page, base: dict[str, Any], skus: list[dict[str, Any]], found: Found) -> None:
    """``product_base.price``'s real price and currency, its original price as an old price when
    higher, and every sku's price among the offered prices."""
    price: dict[str, Any] = base["price"] if isinstance(base.get("price"), dict) else {}
    found.currency = normalise_currency(price.get("currency"), page.tld)
    found.price = _amount(price.get("real_price") or price.get("min_sku_price"), found.currency)
    original = _amount(price.get("original_price"), found.currency)
    try:
        if original and found.price and Decimal(original) > Decimal(found.price):
            found.old_prices = [original]
    except InvalidOperation:
        pass
    offered = [_amount(dig(s, "price", "real_price"), found.currency) for s in skus]
    found.offer_prices = list(dict.fromkeys(p for p in [found.price, *offered] if p))


def _images(page: Page, base: dict[str, Any]) -> list[str]:
    """The first URL of each of ``product_base.images``' ``url_list``, each once."""
    images: list[str] = []
    for image in as_list(base.get("images"))[:MAX_IMAGES]:
        urls = as_list(image.get("url_list")) if isinstance(image, dict) else [image]
        url = page.absolute(urls[0]) if urls else None
        if url and url not in images:
            images.append(url)
    return images


SITE = Site(name=NAME, hosts=HOSTS, read=read)
