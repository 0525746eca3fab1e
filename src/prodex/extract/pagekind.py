"""Page kinds: is this a product page, a listing, or an empty shell? Pure, from the Product.

The URL flow uses it to refuse listings and JavaScript shells with a clear error instead of
storing an empty product.
"""

from __future__ import annotations

from enum import StrEnum

from prodex.extract.model import Product

PRODUCT_SOURCES = frozenset({"json-ld", "microdata", "app-state", "opengraph", "dom"})


class PageKind(StrEnum):
    """What a page is, as far as extraction can tell."""

    PRODUCT = "product"
    """A page about one product: a name and at least one commerce signal."""
    LISTING = "listing"
    """A category, search or listing page: many products, none of them the page's subject."""
    EMPTY = "empty"
    """No product found: an app shell that needs rendering, an error page, or not a shop page."""


def page_kind(product: Product) -> PageKind:
    """The kind of page ``product`` was extracted from."""
    if product.source.get("page_kind") == PageKind.LISTING.value:
        return PageKind.LISTING
    if not product.name:
        return PageKind.EMPTY
    from_product_source = product.source.get("name", "") != "meta"
    commerce = bool(product.price or product.sku or product.gtin or product.availability and product.price)
    offers = bool(product.price or product.source.get("availability", "") not in ("", "dom"))
    pictures = bool(product.images)
    if commerce and (from_product_source or pictures):
        return PageKind.PRODUCT
    structured = product.source.get("name", "").startswith(("site:", "json-ld", "microdata", "app-state"))
    if structured and (offers or pictures):
        return PageKind.PRODUCT
    return PageKind.EMPTY


def is_product(product: Product) -> bool:
    """Whether ``product`` came from a product page (not a listing or an empty shell)."""
    return page_kind(product) is PageKind.PRODUCT
