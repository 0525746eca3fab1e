"""The DOM reader: runs the DOM heuristics and returns what they found as one :class:`Found`."""

from __future__ import annotations

from dataclasses import dataclass, field

from prodex.extract.found import Found
from prodex.extract.page import Page
from prodex.extract.process.text import clean_line
from prodex.extract.readers.dom.breadcrumbs import find_breadcrumbs
from prodex.extract.readers.dom.description import (
    description_text,
    find_description_node,
    find_selling_points,
)
from prodex.extract.readers.dom.gallery import find_gallery
from prodex.extract.readers.dom.labels import (
    find_availability,
    find_brand,
    find_gtin,
    find_labelled_brand,
    find_labelled_sku,
    find_marked_sku,
    has_buy_button,
    page_text,
)
from prodex.extract.readers.dom.price import find_currency_meta, find_price
from prodex.extract.readers.dom.title import find_title
from prodex.extract.readers.dom.videos import find_videos

SOURCE = "dom"


@dataclass
class DomHints:
    """What structured sources already know, to guide the DOM heuristics."""

    name: str | None = None
    currency: str | None = None
    main_images: list[str] = field(default_factory=list)
    need_sku: bool = True
    need_brand: bool = True
    need_availability: bool = True
    need_breadcrumbs: bool = True


def read(page: Page, hints: DomHints) -> Found:
    """What the DOM heuristics find on ``page``; costly searches run only for missing fields."""
    found = Found(source=SOURCE)
    title, title_node = find_title(page, hints.name)
    found.name = clean_line(title) or None
    currency = hints.currency or find_currency_meta(page)
    shown = find_price(page, currency, title_node)
    found.price, found.currency, found.old_prices = shown.price, shown.currency or currency, shown.old
    description = find_description_node(page)
    if description is not None:
        found.description = description_text(description) or None
        found.selling_points = find_selling_points(description)
    found.images = find_gallery(page, hints.main_images)
    found.videos = find_videos(page)
    if hints.need_breadcrumbs:
        found.breadcrumbs = find_breadcrumbs(page)
    text = page_text(page)
    found.sku = find_labelled_sku(text)
    if found.sku:
        found.sku_labelled = True
    elif hints.need_sku:
        found.sku = find_marked_sku(page)
    if hints.need_sku:
        found.gtin = find_gtin(text)
    found.brand = find_labelled_brand(text)
    if found.brand:
        found.brand_labelled = True
    elif hints.need_brand:
        found.brand = find_brand(page, text)
    if hints.need_availability:
        found.availability = find_availability(page)
        if found.availability in (None, "OutOfStock") and has_buy_button(page):
            found.availability = "InStock"  # an enabled buy button outweighs a stock phrase
    return found
