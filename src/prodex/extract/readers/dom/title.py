"""The product title in the DOM: the page's main ``<h1>`` (not one in a header, cart or popup),
else the element the shop marks as the product's title or name."""

from __future__ import annotations

from selectolax.lexbor import LexborNode

from prodex.extract.page import Page
from prodex.extract.process.availability import fold
from prodex.extract.process.text import clean_line
from prodex.extract.readers.dom.vocabulary import OUTSIDE_PRODUCT, ancestors_match, is_hidden, visible_text

TITLE_SELECTORS = (
    '[itemprop="name"]:not(meta):not([itemscope])',
    '[class*="product-title" i], [class*="product_title" i], [class*="productTitle" i], '
    '[id*="productTitle" i], [class*="product-name" i], [class*="product_name" i], [class*="productName" i], '
    '[class*="product__title" i], '
    '[class*="product__name" i], [class*="pdp-title" i], [class*="pdp__title" i], [class*="item-title" i], '
    '[class*="itemTitle" i], [id*="itemTitle" i], [class*="product-heading" i]',
    "h2",
)
MAX_TITLE_CHARS = 400


def _title_text(node: LexborNode) -> str:
    text = clean_line(visible_text(node))
    return text if 2 <= len(text) <= MAX_TITLE_CHARS else ""


def _eligible(node: LexborNode, page: Page) -> bool:
    return not is_hidden(node) and not ancestors_match(node, OUTSIDE_PRODUCT, holders=page.h1_holders())


def h1_candidates(page: Page) -> list[tuple[LexborNode, str]]:
    """The page's ``<h1>`` elements outside headers, menus, carts and popups, with their text."""
    out: list[tuple[LexborNode, str]] = []
    for node in page.h1s():
        text = _title_text(node)
        if text and not is_hidden(node):  # (an h1's ancestors all hold an h1: none is a section)
            out.append((node, text))
    return out


def find_title(page: Page, hint: str | None = None) -> tuple[str, LexborNode | None]:
    """The product title and its element; ``hint`` (a structured name) picks among several h1s."""
    candidates = h1_candidates(page)
    if candidates:
        if hint and len(candidates) > 1:
            folded_hint = fold(hint)
            for node, text in candidates:
                folded = fold(text)
                if folded and (folded in folded_hint or folded_hint in folded):
                    return text, node
        return candidates[0][1], candidates[0][0]
    for selector in TITLE_SELECTORS:
        for node in page.tree.css(selector)[:20]:
            text = _title_text(node)
            if text and _eligible(node, page):
                return text, node
    return "", None
