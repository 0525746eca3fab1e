"""Microdata and RDFa Lite: the page's main schema.org Product item (``itemscope``/``itemtype``/
``itemprop``, or RDFa Lite's ``typeof``/``property``, as Drupal writes it), read into the same dict
shape as JSON-LD so one mapping serves all three."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from selectolax.lexbor import LexborNode

from prodex.extract.found import Found
from prodex.extract.page import Page
from prodex.extract.process.text import html_to_text
from prodex.extract.readers.dom.vocabulary import (
    OUTSIDE_THIS_PRODUCT,
    ancestor_ids,
    ancestors_match,
    visible_text,
)
from prodex.extract.readers.jsonld import fill_from_product
from prodex.extract.readers.schema import PRODUCT_TYPES, STRONG_PRODUCT_TYPES, breadcrumb_names

SOURCE = "microdata"
RDFA_SOURCE = "rdfa"


@dataclass(frozen=True)
class Syntax:
    """The attributes an inline markup syntax marks items, their types and properties with."""

    scope: str
    type: str
    prop: str


MICRODATA = Syntax("itemscope", "itemtype", "itemprop")
RDFA = Syntax("typeof", "typeof", "property")
LISTING_MIN_PRODUCTS = 4
MAX_SCORED = 12
MAX_ITEMS = 400
MAX_PROPS = 600
MAX_DEPTH = 4
_URL_TAGS = {
    "a": "href",
    "link": "href",
    "area": "href",
    "img": "src",
    "audio": "src",
    "video": "src",
    "source": "src",
    "embed": "src",
    "iframe": "src",
    "track": "src",
    "object": "data",
}
_LAZY_SRC = ("data-zoom-image", "data-large", "data-src", "data-original", "data-lazy", "data-lazy-src")


def item_types(node: LexborNode, syntax: Syntax = MICRODATA) -> set[str]:
    """The lower-case schema.org type names in an element's ``itemtype`` (or ``typeof``:
    "Product", "schema:Product" or the type's URL)."""
    value = node.attrs.get(syntax.type) or ""
    return {part.rstrip("/").rsplit("/", 1)[-1].rsplit(":", 1)[-1].lower() for part in value.split() if part}


_TEXT_PROPS = frozenset({"name", "description", "brand", "sku", "mpn", "category"})
_BLOCKS = "p, li, br, div, tr, h2, h3, h4"


def prop_value(node: LexborNode, name: str = "") -> str:
    """The value of one ``itemprop`` element, by the microdata rules (content, URL attrs, text).

    Text properties (name, description, ...) misplaced on a link take the link's visible text.
    """
    attrs = node.attributes
    content = attrs.get("content")
    if content is not None:
        return content
    tag = node.tag or ""
    if name == "description" and tag != "meta" and node.css_first(_BLOCKS) is not None:
        return html_to_text(node.html or "", serialized=True)  # paragraphs and list items kept
    if name in _TEXT_PROPS and tag != "meta":
        return visible_text(node)
    if tag in _URL_TAGS:
        if tag == "img":
            for lazy in _LAZY_SRC:
                if attrs.get(lazy):
                    return attrs[lazy] or ""
        return attrs.get(_URL_TAGS[tag]) or ""
    if tag in ("data", "meter", "input"):
        return attrs.get("value") or ""
    if tag == "time":
        return attrs.get("datetime") or node.text(deep=True)
    return node.text(deep=True, separator=" ")


def _owner(node: LexborNode, stop: int, syntax: Syntax) -> int | None:
    """The ``mem_id`` of the nearest ancestor item of ``node`` (bounded walk)."""
    parent = node.parent
    steps = 0
    while parent is not None and steps < 60:
        if parent.is_element_node and syntax.scope in parent.attrs:
            return int(parent.mem_id)
        if parent.mem_id == stop:
            return None
        parent = parent.parent
        steps += 1
    return None


def read_item(root: LexborNode, depth: int = 0, syntax: Syntax = MICRODATA) -> dict[str, Any]:
    """One item as a dict: ``@type`` plus each property's values (nested items as dicts)."""
    item: dict[str, Any] = {"@type": sorted(item_types(root, syntax))}
    root_id = int(root.mem_id)
    for node in root.css(f"[{syntax.prop}]")[:MAX_PROPS]:
        if _owner(node, root_id, syntax) != root_id:
            continue
        attrs = node.attrs
        names = [name.rsplit(":", 1)[-1] for name in (attrs.get(syntax.prop) or "").split()]
        value: Any = None
        if syntax.scope in attrs and depth < MAX_DEPTH:
            value = read_item(node, depth + 1, syntax)
            if len(value) <= 1:  # an empty item: its own content (``<meta itemscope content>``)
                value = prop_value(node, names[0] if names else "") or value
        else:
            value = prop_value(node, names[0] if names else "")
        for name in names:
            item.setdefault(name, []).append(value)
    for key, values in list(item.items()):
        if key != "@type" and isinstance(values, list) and len(values) == 1 and key not in ("image",):
            item[key] = values[0]
    return item


def _candidate_score(node: LexborNode, title_holders: set[int], page: Page, syntax: Syntax) -> int:
    score = min(len(node.css(f"[{syntax.prop}]")), 60)
    if int(node.mem_id) in title_holders:
        score += 40
    if "mainentity" in (node.attributes.get(syntax.prop) or "").lower():
        score += 40
    if ancestors_match(node, OUTSIDE_THIS_PRODUCT, 10, page.h1_holders()):
        score -= 60
    return score


def choose_main(
    candidates: list[LexborNode], page: Page, syntax: Syntax = MICRODATA
) -> tuple[LexborNode, bool]:
    """The page's own product item and whether one is marked as such (it holds the page's
    ``<h1>`` or is the page's ``mainEntity``); else the richest of the first few items."""
    h1s = page.h1s()
    title_holders = ancestor_ids(h1s[:1])
    marked = [
        node
        for node in candidates
        if int(node.mem_id) in title_holders
        or "mainentity" in (node.attributes.get(syntax.prop) or "").lower()
    ]
    pool = marked or candidates[:MAX_SCORED]
    return max(pool, key=lambda node: _candidate_score(node, title_holders, page, syntax)), bool(marked)


def read(page: Page) -> Found | None:
    """The page's main microdata product, plus microdata breadcrumbs; where microdata gives no
    product (breadcrumbs at most), the same in RDFa Lite, with those breadcrumbs."""
    found = _read_syntax(page, page.landmarks.items, MICRODATA, SOURCE)
    if found is not None and (found.name or found.price):
        return found
    rdfa = _read_syntax(page, page.landmarks.rdfa_items, RDFA, RDFA_SOURCE)
    if rdfa is None:
        return found
    if found is not None:
        rdfa.breadcrumbs = rdfa.breadcrumbs or found.breadcrumbs
    return rdfa


def _read_syntax(page: Page, items: list[LexborNode], syntax: Syntax, source: str) -> Found | None:
    """The main product and breadcrumbs among one syntax's ``items``."""
    items = items[:MAX_ITEMS]
    if not items:
        return None
    found = Found(source=source)
    products: list[LexborNode] = []
    for node in items:
        types = item_types(node, syntax)
        relation = (node.attributes.get(syntax.prop) or "").lower()
        if types & PRODUCT_TYPES and not relation.startswith(
            ("isrelated", "issimilar", "isaccessory", "isconsumable")
        ):
            products.append(node)
        elif "breadcrumblist" in types and not found.breadcrumbs:
            found.breadcrumbs = breadcrumb_names(read_item(node, 0, syntax))
    strong = [node for node in products if item_types(node, syntax) & STRONG_PRODUCT_TYPES]
    candidates = strong or products
    if candidates:
        best, marked = choose_main(candidates, page, syntax)
        if len(candidates) >= LISTING_MIN_PRODUCTS and not marked and page.h1s():
            found.listing = True  # many products, none of them the page's own
        found.subject = marked or len(candidates) < LISTING_MIN_PRODUCTS
        fill_from_product(found, read_item(best, 0, syntax), page)
    return None if found.is_empty() and not found.breadcrumbs else found
