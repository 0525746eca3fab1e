"""The product title in the DOM: the page's main ``<h1>`` (not one in a header, cart or popup),
else the element the shop marks as the product's title or name, else the element that shows the
name the page's structured data or OpenGraph give, else the first ``<h2>``."""

from __future__ import annotations

from urllib.parse import urlsplit

from selectolax.lexbor import LexborNode

from prodex.extract.page import Page, host_of
from prodex.extract.process.availability import fold
from prodex.extract.process.names import strip_site_name
from prodex.extract.process.text import clean_line
from prodex.extract.readers.dom.vocabulary import OUTSIDE_PRODUCT, ancestors_match, is_hidden, visible_text

TITLE_SELECTORS = (
    '[itemprop="name"]:not(meta):not([itemscope])',
    '[class*="product-title" i], [class*="product_title" i], [class*="productTitle" i], '
    '[id*="productTitle" i], [class*="product-name" i], [class*="product_name" i], [class*="productName" i], '
    '[class*="product__title" i], '
    '[class*="product__name" i], [class*="pdp-title" i], [class*="pdp__title" i], [class*="item-title" i], '
    '[class*="itemTitle" i], [id*="itemTitle" i], [class*="product-heading" i], [class*="item-name" i], '
    '[class*="item_name" i], [class*="itemName" i]',
)
LAST_RESORT_SELECTOR = "h2"
NAME_PROBE_CHARS = 40
"""How much of a structured name is looked for in the page's text to find the element showing it."""
MAX_TITLE_CHARS = 400


def _title_text(node: LexborNode) -> str:
    text = clean_line(visible_text(node))
    return text if 2 <= len(text) <= MAX_TITLE_CHARS else ""


def _eligible(node: LexborNode, page: Page) -> bool:
    return not is_hidden(node) and not ancestors_match(node, OUTSIDE_PRODUCT, holders=page.h1_holders())


def _is_home_link(node: LexborNode, page: Page) -> bool:
    """Whether an ``<h1>`` is only a link to the shop's home page (its logo or name)."""
    links = node.css("a[href]")
    if len(links) != 1 or clean_line(links[0].text(deep=True)) != clean_line(node.text(deep=True)):
        return False
    target = page.absolute(links[0].attrs.get("href"))
    return target is not None and urlsplit(target).path in ("", "/") and host_of(target) == page.host


def h1_candidates(page: Page) -> list[tuple[LexborNode, str]]:
    """The page's ``<h1>`` elements outside headers, menus, carts and popups, with their text; an
    h1 that only links to the home page is the shop's logo."""
    out: list[tuple[LexborNode, str]] = []
    for node in page.h1s():
        text = _title_text(node)
        if text and not is_hidden(node) and not _is_home_link(node, page):
            out.append((node, text))  # (an h1's ancestors all hold an h1: none is a section)
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
    if hint:
        shown = _element_showing(page, hint)
        if shown is not None:
            return shown
    for node in page.tree.css(LAST_RESORT_SELECTOR)[:20]:
        text = _title_text(node)
        if text and _eligible(node, page):
            return text, node
    return "", None


def _element_showing(page: Page, name: str) -> tuple[str, LexborNode] | None:
    """The visible element whose text begins like ``name`` (a structured or OpenGraph name, the
    shop's name taken off), for pages that neither use an ``<h1>`` nor mark their title."""
    probe = strip_site_name(name, page.host)[:NAME_PROBE_CHARS].strip()
    if len(probe) < 4 or '"' in probe or "\\" in probe:
        return None
    folded_probe = fold(probe)
    for node in page.tree.css(f'body :lexbor-contains("{probe}" i)')[:20]:
        if node.tag in ("title", "option", "a", "button", "label", "textarea"):
            continue
        text = _title_text(node)
        if text and fold(text).startswith(folded_probe) and _eligible(node, page):
            return text, node
    return None
