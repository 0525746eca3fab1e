"""The DOM reader: runs the DOM heuristics and returns what they found as one :class:`Found`."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import TypeVar

from selectolax.lexbor import LexborNode

from prodex.extract.found import Found
from prodex.extract.page import Page
from prodex.extract.process.text import clean_line
from prodex.extract.readers.dom.breadcrumbs import find_breadcrumbs
from prodex.extract.readers.dom.description import (
    SectionSearch,
    descriptions_text,
    find_cell_sections,
    find_description_nodes,
    find_rich_text_blocks,
    find_title_summary,
    section_search,
    title_notes,
)
from prodex.extract.readers.dom.gallery import find_gallery
from prodex.extract.readers.dom.highlights import (
    NEAR_LEVELS,
    find_highlight_sections,
    find_selling_points,
)
from prodex.extract.readers.dom.labels import (
    LabelledValues,
    find_availability,
    find_labelled_values,
    find_marked_brand,
    find_marked_sku,
    has_buy_button,
    page_text,
)
from prodex.extract.readers.dom.listing import in_other_tile, is_listing_grid
from prodex.extract.readers.dom.price import DomPrice, find_currency_meta, find_list_offer, find_price
from prodex.extract.readers.dom.rating import DomRating, find_rating
from prodex.extract.readers.dom.specifications import find_specifications
from prodex.extract.readers.dom.text_price import find_text_price
from prodex.extract.readers.dom.title import find_title
from prodex.extract.readers.dom.variants import find_variants
from prodex.extract.readers.dom.videos import find_videos
from prodex.extract.readers.dom.vocabulary import ancestor_ids

SOURCE = "dom"
TOPIC_CHARS = 1000
T = TypeVar("T")
log = logging.getLogger(__name__)


@dataclass
class DomHints:
    """What structured sources already know, to guide the DOM heuristics."""

    name: str | None = None
    description: str | None = None
    """The structured description (the DOM's bullet lists are checked against its words)."""
    currency: str | None = None
    main_images: list[str] = field(default_factory=list)
    need_sku: bool = True
    need_brand: bool = True
    need_availability: bool = True
    need_breadcrumbs: bool = True
    need_gallery: bool = True
    need_price: bool = True
    need_description: bool = True
    need_summary: bool = True
    """No structured source (meta tags and OpenGraph aside) gives a description: the text right
    under the title may be the product's only one."""
    structured_product: bool = False
    """A structured source (site module, platform, JSON-LD, microdata, app state) names a product."""
    any_price: bool = False
    """A source (other than plain meta tags) gives a price."""
    site_read: bool = False
    """A site module or the platform's JSON read the page: where it finds no price, there is none."""
    need_regular_price: bool = True
    """No structured source gives a list price: the price block is read for a crossed-out one."""
    need_variants: bool = True
    """No structured source names the options of its variants."""
    need_specifications: bool = True
    """No structured source lists specification rows."""
    need_rating: bool = True
    """No structured source gives a rating, or it gives one more precise than a page shows
    (4.7815): the rating summary beside the title is read."""


def _guarded(finder: Callable[[], T], default: T) -> T:
    """Run one heuristic; one that fails on a strange page loses only its own field."""
    try:
        return finder()
    except Exception:
        log.debug("DOM heuristic %s failed", getattr(finder, "__name__", finder), exc_info=True)
        return default


def _topic(title: str | None, hints: DomHints, descriptions: list[LexborNode]) -> str:
    """The product's own words so far: its title and the structured description's start, else
    the start of the description block the page shows."""
    text = hints.description or ""
    if not text and descriptions:
        text = descriptions[0].text(deep=True, separator=" ")
    return f"{title or hints.name or ''} {text[:TOPIC_CHARS]}"


@dataclass
class _Title:
    """The product's title as the DOM shows it: its text, element and the ids of its holders."""

    text: str = ""
    node: LexborNode | None = None
    holders: set[int] = field(default_factory=set)


def _read_title(page: Page, hints: DomHints, found: Found) -> _Title:
    """Find the title (and, from it, the page's product area)."""
    no_title: tuple[str, LexborNode | None] = ("", None)
    text, node = _guarded(lambda: find_title(page, hints.name), no_title)
    found.name = clean_line(text) or None
    holders = ancestor_ids([node])
    if node is not None:
        page.product_root = page.main_content(holders)
        found.title_notes = _guarded(lambda: title_notes(node), [])
    return _Title(text, node, holders)


def _read_price(page: Page, hints: DomHints, found: Found, title: _Title) -> DomPrice:
    """The shown price, its currency and old or list prices; returns the price element's finding."""
    currency = hints.currency or _guarded(lambda: find_currency_meta(page), None)
    shown = (
        _guarded(lambda: find_price(page, currency, title.node), DomPrice())
        if hints.need_price
        else DomPrice()
    )
    title_node = title.node
    if not hints.need_price and hints.need_regular_price and title_node is not None:
        # the structured price stands; the title's block is read for a list price (and for the
        # price beside it, should the structured price be the crossed-out one)
        listed = _guarded(lambda: find_list_offer(page, currency, title_node), DomPrice())
        found.list_prices = listed.regular
        found.price = listed.price
        found.old_prices = [*listed.old, *(p for p in listed.regular if p not in listed.old)]
    tile_price = shown.node
    if tile_price is not None and _guarded(partial(in_other_tile, tile_price, title.node), False):
        # The nearest marked price is in another product's tile (a related product, say): the
        # page marks none of its own, so its price may be written as plain text by the title.
        shown = DomPrice()
    else:
        tile_price = None
    shown = _price_as_text(page, hints, shown, title, currency)
    if hints.need_price or shown.price is not None:
        found.price, found.old_prices = shown.price, shown.old
    found.currency = shown.currency or currency
    found.list_prices = found.list_prices or shown.regular
    if not hints.structured_product:
        found.listing = _guarded(lambda: is_listing_grid(page, title.node, shown.node or tile_price), False)
    return shown


def _price_as_text(
    page: Page, hints: DomHints, shown: DomPrice, title: _Title, currency: str | None
) -> DomPrice:
    """Where no element marks the price and no source gives one, the price written as plain text
    by the title, with the struck-out or "was" prices the marked elements had beside it."""
    if shown.price is not None or hints.any_price or hints.site_read:
        return shown
    marked = shown
    shown = _guarded(lambda: find_text_price(page, title.node, currency), shown)
    shown.regular = shown.regular or marked.regular or _struck_in_block(page, shown, title)
    return shown


def _struck_in_block(page: Page, shown: DomPrice, title: _Title) -> list[str]:
    """The list prices of the title's block beside a price written as text (no element marks the
    page's prices; a style sheet may strike the old one through by a class)."""
    title_node = title.node
    if shown.price is None or title_node is None:
        return []
    return _guarded(lambda: find_list_offer(page, shown.currency, title_node), DomPrice()).regular


def _read_text(page: Page, hints: DomHints, found: Found, title: _Title) -> LexborNode | None:
    """The description (where structured data lacks one) and the selling points; returns the
    description's element."""
    no_nodes: list[LexborNode] = []
    no_search: SectionSearch = ([], [])
    searched = _guarded(lambda: section_search(page, thorough=hints.need_description), no_search)
    descriptions = _guarded(lambda: find_description_nodes(page, title.holders, searched), no_nodes)
    if not descriptions and hints.need_description:  # an old table layout's heading cell
        descriptions = _guarded(lambda: find_cell_sections(page, title.holders), no_nodes)
    if not descriptions and hints.need_description:  # the merchant's rich text block
        descriptions = _guarded(lambda: find_rich_text_blocks(page, title.holders), no_nodes)
    title_node = title.node
    if hints.need_summary and title_node is not None:
        # the few lines under the title come first, before a longer text in a tab below
        summary = _guarded(lambda: find_title_summary(page, title_node), None)
        if summary is not None and not ancestor_ids([summary]) & {int(n.mem_id) for n in descriptions}:
            within = int(summary.mem_id)  # the blocks inside the summary say nothing more
            descriptions = [summary, *(n for n in descriptions if within not in ancestor_ids([n]))]
    no_sections: tuple[list[LexborNode], list[LexborNode]] = ([], [])
    highlights, features = _guarded(lambda: find_highlight_sections(page, searched[1]), no_sections)
    # the blocks' lists are the product's points even where structured data gives its text
    near = ancestor_ids([title.node], NEAR_LEVELS) if title.node is not None else set()
    topic = _topic(found.name, hints, descriptions)
    found.selling_points = _guarded(
        lambda: find_selling_points(page, highlights, descriptions, topic, near, features), []
    )
    if not (descriptions and hints.need_description):
        return None
    found.description = _guarded(lambda: descriptions_text(descriptions), "") or None
    return descriptions[0]


def _read_media(
    page: Page, hints: DomHints, found: Found, title: _Title, blocks: list[LexborNode | None]
) -> None:
    """The gallery (stopping at the title's, price's and description's blocks) and the videos."""
    stops = title.holders | ancestor_ids(blocks) if title.node is not None else None
    if hints.need_gallery:
        found.images = _guarded(lambda: find_gallery(page, hints.main_images, stops, title.node), [])
    found.videos = _guarded(lambda: find_videos(page), [])


def _read_identity(page: Page, hints: DomHints, found: Found, labelled: LabelledValues) -> None:
    """SKU, MPN, GTIN and brand: labelled values first, marked elements where none is labelled."""
    found.sku, found.mpn, found.brand = labelled.sku, labelled.mpn, labelled.brand
    found.sku_labelled, found.brand_labelled = bool(found.sku), bool(found.brand)
    if hints.need_sku:
        found.gtin = labelled.gtin
        found.sku = found.sku or _guarded(lambda: find_marked_sku(page), None)
    if hints.need_brand and not found.brand:
        found.brand = _guarded(lambda: find_marked_brand(page), None)


def _read_offer(page: Page, hints: DomHints, found: Found, title: _Title, text: str) -> None:
    """The rating, the variants and the specification rows, each only where structured data lacks it."""
    if hints.need_rating:
        rating = _guarded(lambda: find_rating(page, title.node, found.name, text), DomRating())
        found.rating_value, found.rating_best, found.review_count = rating.value, rating.best, rating.count
    lowered = f"\n{text.lower()}\n" if hints.need_variants or hints.need_specifications else ""
    if hints.need_variants:
        found.variants = _guarded(lambda: find_variants(page, title.node, lowered), [])
    if hints.need_specifications:
        found.specifications = _guarded(lambda: find_specifications(page, lowered), [])


def _read_availability(page: Page, title: _Title, labelled: LabelledValues) -> str | None:
    """What the buy box says of stock; an enabled buy button outweighs a stock phrase."""
    availability = _guarded(lambda: find_availability(page, title.node), None) or labelled.availability
    if availability in (None, "OutOfStock") and _guarded(lambda: has_buy_button(page, title.node), False):
        return "InStock"
    return availability


def read(page: Page, hints: DomHints) -> Found:
    """What the DOM heuristics find on ``page``; costly searches run only for missing fields."""
    found = Found(source=SOURCE)
    title = _read_title(page, hints, found)
    shown = _read_price(page, hints, found, title)
    description = _read_text(page, hints, found, title)
    _read_media(page, hints, found, title, [shown.node, description])
    if hints.need_breadcrumbs:
        found.breadcrumbs = _guarded(lambda: find_breadcrumbs(page), [])
    text = _guarded(lambda: page_text(page), "")
    labelled = _guarded(lambda: find_labelled_values(text), LabelledValues())
    _read_identity(page, hints, found, labelled)
    _read_offer(page, hints, found, title, text)
    if hints.need_availability:
        found.availability = _read_availability(page, title, labelled)
    return found
