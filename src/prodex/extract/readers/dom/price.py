"""The price in the DOM: the current price shown next to the title and the buy button.

Candidates are elements the shop marks as a price (``itemprop=price``, ``data-price``, class or id
with "price"); old, list, unit, instalment and shipping prices are skipped by their markup
(``<del>``, ``<s>``, and the words shops use for them). The first valid price after the title wins.
"""

from __future__ import annotations

import re

from selectolax.lexbor import LexborNode

from prodex.extract.page import Page
from prodex.extract.process.price import currency_in_text, normalise_currency, parse_price
from prodex.extract.process.text import clean_line
from prodex.extract.readers.dom.vocabulary import (
    CURRENT_PRICE,
    OLD_PRICE,
    OTHER_PRODUCTS,
    OUTSIDE_PRODUCT,
    ancestors_match,
    class_and_id,
    is_hidden,
)

PRICE_SELECTOR = (
    'h1, [itemprop="price"], [data-price], [data-price-amount], [class*="price" i], [id*="price" i], '
    '[class*="preis" i], [class*="prix" i], [class*="precio" i], [class*="prezzo" i], [class*="preco" i], '
    '[class*="cena" i], [class*="hind" i]:not([class*="behind" i])'
)
MAX_CANDIDATES = 120
_HAS_DIGIT = re.compile(r"\d")
_MONEY_HINT = re.compile(
    r"[$€£¥₹₩₽₺₴₪₫฿₱]|\b[A-Z]{3}\b|\b(?:zł|kr|kč|lei|ft|r\$|元|円)(?!\w)|[.,]\d{2}\b|\d,[-–]", re.I
)


def _struck(node: LexborNode) -> bool:
    parent: LexborNode | None = node
    for _ in range(4):
        if parent is None:
            return False
        if parent.tag in ("del", "s", "strike"):
            return True
        parent = parent.parent
    return False


def _candidate_value(node: LexborNode) -> str:
    attrs = node.attributes
    for key in ("content", "data-price-amount", "data-price", "data-price-value", "value"):
        value = attrs.get(key)
        if value and _HAS_DIGIT.search(value):
            return value
    inner = node.css_first("[content]")  # a machine-readable amount inside the shown price
    if inner is not None:
        value = inner.attributes.get("content") or ""
        if _HAS_DIGIT.search(value) and len(value) < 20:
            return value
    return node.text(deep=True, separator=" ")


def find_price(page: Page, currency: str | None) -> tuple[str | None, str | None]:
    """The current price and its currency (ISO) shown on the page, as far as the DOM says."""
    nodes = page.tree.css(PRICE_SELECTOR)[:MAX_CANDIDATES]
    seen_title = not any(node.tag == "h1" for node in nodes)
    fallback: tuple[str | None, str | None] = (None, None)
    demoted: tuple[str | None, str | None] = (None, None)
    for node in nodes:
        if node.tag == "h1":
            seen_title = True
            continue
        marker = class_and_id(node)
        if node.tag in ("del", "s", "strike") or _struck(node) or is_hidden(node):
            continue
        itemprop = node.attributes.get("itemprop") == "price"
        old = bool(marker and OLD_PRICE.search(marker) and not CURRENT_PRICE.search(marker) and not itemprop)
        if node.css_first('[itemprop="price"], [class*="price" i]') is not None and not itemprop:
            continue  # a wrapper: its inner price element is a candidate of its own
        raw = clean_line(_candidate_value(node))
        if not raw or len(raw) > 60 or not _HAS_DIGIT.search(raw):
            continue
        if not itemprop and not _MONEY_HINT.search(raw) and "data-price" not in node.attributes:
            continue
        found_currency = currency_in_text(raw, page.tld) or currency
        price = parse_price(raw, found_currency)
        if price is None or price.strip("0.") == "":
            continue
        if ancestors_match(node, OTHER_PRODUCTS, levels=8) or ancestors_match(
            node, OUTSIDE_PRODUCT, levels=8
        ):
            continue
        if old:
            # a price marked as old or as a list price: the price only when nothing else is shown
            if demoted[0] is None and seen_title:
                demoted = (price, found_currency)
            continue
        if seen_title:
            return price, found_currency
        if fallback[0] is None:
            fallback = (price, found_currency)
    return fallback if fallback[0] is not None else demoted


def find_currency_meta(page: Page) -> str | None:
    """The currency the page states in ``itemprop=priceCurrency`` or a ``data-currency`` attribute."""
    node = page.tree.css_first('[itemprop="priceCurrency"], [data-currency]')
    if node is None:
        return None
    attrs = node.attributes
    return normalise_currency(attrs.get("content") or attrs.get("data-currency") or node.text(), page.tld)
