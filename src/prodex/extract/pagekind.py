"""Page kinds: is this a product page, a listing, or an empty shell? Pure, from the Product.

The URL flow uses it to refuse listings and JavaScript shells with a clear error instead of
storing an empty product.
"""

from __future__ import annotations

from enum import StrEnum

from prodex.extract.model import Product


class PageKind(StrEnum):
    """What a page is, as far as extraction can tell."""

    PRODUCT = "product"
    """A page about one product: a name and at least one commerce signal."""
    LISTING = "listing"
    """A category, search or listing page: many products, none of them the page's subject."""
    EMPTY = "empty"
    """No product found: an app shell that needs rendering, an error page, or not a shop page."""


def page_kind(product: Product) -> PageKind:
    """The kind of page ``product`` was extracted from.

    A listing is what the merge marked (``product.source["page"] == "listing"``: structured data
    lists several products and none is the page's own). A product page has a name and either a
    commerce signal (price, sku, gtin), or structured product data with a picture or an offer, or
    pictures and its own text in a product context (an unavailable product, a classified ad).
    Anything else is an empty page (an app shell, an error page, not a shop page).
    """
    if product.source.get("page") == PageKind.LISTING.value:
        return PageKind.LISTING
    if not product.name:
        return PageKind.EMPTY
    name_source = product.source.get("name", "")
    structured = any(
        origin.startswith(("site:", "platform", "json-ld", "microdata", "rdfa", "app-state"))
        for field, origin in product.source.items()
        if field in ("name", "price", "sku", "availability", "media")
    )
    commerce = bool(product.price or product.sku or product.gtin)
    if commerce and (name_source != "meta" or product.images):
        return PageKind.PRODUCT
    if structured and (product.images or product.availability):
        return PageKind.PRODUCT
    if _presents_one_product(product, structured):
        return PageKind.PRODUCT
    return PageKind.EMPTY


MIN_DESCRIPTION_CHARS = 40


def _presents_one_product(product: Product, structured: bool) -> bool:
    """A page that shows one product without price or code (sold out, pre-order, a classified
    ad): its name, pictures and its own text, in a product context (structured product data, a
    stock state, a breadcrumb trail, feature lines, variants or specifications)."""
    text = len(product.description or "") >= MIN_DESCRIPTION_CHARS or bool(product.selling_points)
    if not (product.images and text) or product.source.get("name") == "meta":
        return False
    context = structured or product.availability or product.breadcrumbs or product.variants
    return bool(
        context or product.specifications or product.source.get("selling_points") not in (None, "description")
    )


def is_product(product: Product) -> bool:
    """Whether ``product`` came from a product page (not a listing or an empty shell)."""
    return page_kind(product) is PageKind.PRODUCT
