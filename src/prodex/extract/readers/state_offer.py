"""The list price in a page's embedded JSON, for pages whose structured data gives only the price.

Shops' front-ends keep the offer they show as a small object beside the markup: a current and an
original price side by side (``{"price": {"value": 41.3}, "originalPrice": {"value": 49.1}}``,
``{"finalPrice": ..., "mrp": ...}``, ``{"sellingPrice": ..., "originalPrice": ...}``), in app
state, a data layer or a JSON script. The page's scripts are scanned for the names of list prices
(a page without one costs a single fast search); the object around each is read, and its pair is
kept when its current price is the structured price (its list price is then this offer's) or
its list price is (the structured price is then the crossed-out one, its current price the one
to pay), and when the page's text shows the other price (run after the page's scripts are
removed: a list price the JSON keeps but the page never shows is no offer).
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from prodex.extract.found import Found
from prodex.extract.jsontools import load_json_at
from prodex.extract.page import Page
from prodex.extract.process.patterns import trie_pattern
from prodex.extract.process.price import format_decimal, parse_price

SOURCE = "app-state"
LIST_KEYS = (
    "originalPrice",
    "original_price",
    "listPrice",
    "list_price",
    "wasPrice",
    "was_price",
    "compareAtPrice",
    "compare_at_price",
    "oldPrice",
    "old_price",
    "regularPrice",
    "regular_price",
    "strikeThroughPrice",
    "strikethroughPrice",
    "strikePrice",
    "originPrice",
    "reg_retail",
    "product_list_price",
    "mrp",
    "rrp",
    "msrp",
    "ListPrice",
)
"""Names front-ends give the list price of an offer (the struck-out one; VTEX's ``ListPrice``)."""
CURRENT_KEYS = (
    "price",
    "salePrice",
    "sale_price",
    "sellingPrice",
    "selling_price",
    "currentPrice",
    "current_price",
    "finalPrice",
    "final_price",
    "discountedPrice",
    "specialPrice",
    "offerPrice",
    "current_retail",
    "product_price",
    "Price",
)
"""Names of the price to pay beside a list price."""
_VALUE_KEYS = ("value", "amount", "current", "raw", "price")
MAX_HITS = 12
MAX_OBJECT_REACH = 1_500
"""How far before a list-price key the start of its object is looked for."""
MAX_OBJECT_CHARS = 20_000
MAX_RATIO = 20
_FIRST = "".join(sorted({key[0] for key in LIST_KEYS}))
_HIT = re.compile(rf'"(?=[{_FIRST}])(?:{trie_pattern(LIST_KEYS)})"\s*:')
"""A list-price key (its first letter looked at before the words: one fast scan of the source)."""


def _object_start(source: str, position: int) -> int | None:
    """Where the innermost JSON object holding ``source[position]`` begins (braces counted back,
    within :data:`MAX_OBJECT_REACH`), or ``None``. The braces are found with ``rfind`` (one C
    search per brace, not a Python step per character)."""
    floor = max(position - MAX_OBJECT_REACH, 0)
    opened = source.rfind("{", floor, position)
    closed = source.rfind("}", floor, position)
    depth = 0
    while opened >= 0 or closed >= 0:
        if closed > opened:
            depth += 1
            closed = source.rfind("}", floor, closed)
        elif depth == 0:
            return opened
        else:
            depth -= 1
            opened = source.rfind("{", floor, opened)
    return None


def _amount(value: Any, currency: str | None) -> Decimal | None:
    """A price value as a number: a number, a price text, a one-item list or ``{"value": ...}``."""
    if isinstance(value, list) and len(value) == 1:
        value = value[0]
    if isinstance(value, dict):
        value = next((value[key] for key in _VALUE_KEYS if value.get(key) not in (None, "")), None)
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        text = str(value)
    elif isinstance(value, str):
        text = parse_price(value, currency) or ""
    else:
        return None
    try:
        number = Decimal(text)
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() and number > 0 else None


def _pair(offer: dict[str, Any], currency: str | None) -> tuple[Decimal, Decimal] | None:
    """``(current, list)`` prices of an offer object that has both, the list price higher."""
    current = next((offer[key] for key in CURRENT_KEYS if offer.get(key) not in (None, "")), None)
    listed = next((offer[key] for key in LIST_KEYS if offer.get(key) not in (None, "")), None)
    now, was = _amount(current, currency), _amount(listed, currency)
    if now is None or was is None or not now < was <= now * MAX_RATIO:
        return None
    return now, was


def _offer_pairs(page: Page, currency: str | None) -> list[tuple[Decimal, Decimal]]:
    """The ``(current, list)`` pairs of the offer objects around the list-price keys of the
    page's source, in source order."""
    source = page.script_source()
    positions = [hit.start() for _, hit in zip(range(MAX_HITS), _HIT.finditer(source), strict=False)]
    pairs: list[tuple[Decimal, Decimal]] = []
    seen: set[int] = set()
    for position in positions:
        start = _object_start(source, position)
        if start is None or start in seen:
            continue
        seen.add(start)
        # the object's own slice, not a copy of all the source before it
        offer = load_json_at(source[start : start + MAX_OBJECT_CHARS], 0)
        pair = _pair(offer, currency) if isinstance(offer, dict) else None
        if pair is not None:
            pairs.append(pair)
    return pairs


_SEPARATOR = r"[.,'’\s\u00a0\u202f]?"


def amount_pattern(amount: Decimal) -> re.Pattern[str]:
    """A pattern for ``amount`` as pages print it: any grouping of its whole units ("1,34,999",
    "2.199", "1 599"), its cents after a full stop or comma ("49,10"), none when it has none."""
    whole, _, cents = format(amount.quantize(Decimal("0.01")), "f").partition(".")
    digits = _SEPARATOR.join(whole)
    fraction = rf"[.,]{cents}" if cents != "00" else r"(?:[.,]00?|[.,]-)?"
    return re.compile(rf"(?<![\d.,]){digits}{fraction}(?![\d]|[.,]\d)")


def shown_on_page(page: Page, amount: str) -> bool:
    """Whether the page's text (scripts and styles removed) prints ``amount``: a list price kept
    in the page's JSON and never shown is not offered to the shopper."""
    return amount_pattern(Decimal(amount)).search(page.shown_text()) is not None


def read_list_price(page: Page, price: str, currency: str | None) -> Found | None:
    """The list price of the offer whose current price is ``price`` (the structured one), or, when
    ``price`` is an offer's list price, that offer's lower current price with ``price`` as its
    list price; ``None`` when the page's JSON has neither."""
    try:
        given = Decimal(price)
    except (InvalidOperation, ValueError):
        return None
    for now, was in _offer_pairs(page, currency):
        for scale in (Decimal(1), Decimal(100)):  # a price in cents (12800 for 128.00)
            listed = format_decimal(was / scale)
            if now == given * scale and listed is not None and shown_on_page(page, listed):
                return Found(source=SOURCE, regular_price=listed, currency=currency)
        current = format_decimal(now)
        if was == given and current is not None and shown_on_page(page, current):
            return Found(source=SOURCE, price=current, regular_price=price, currency=currency)
    return None
