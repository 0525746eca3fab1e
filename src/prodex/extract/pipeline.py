"""The extraction pipeline: decode, parse once, run the site module and every reader, merge."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from prodex.extract.charset import html_for_parser
from prodex.extract.fields import merge
from prodex.extract.found import Found
from prodex.extract.model import Product
from prodex.extract.page import Page
from prodex.extract.readers import (
    appstate,
    jsonld,
    meta,
    microdata,
    state_offer,
    state_variants,
    target_group,
)
from prodex.extract.readers.dom import reader as dom
from prodex.extract.registry import platform_named, read_platform_data, site_for

log = logging.getLogger(__name__)
MAX_INPUT_BYTES = 12 * 1024 * 1024
PLATFORM_SOURCE = "platform"
GALLERY_ENOUGH = 3
DESCRIPTION_ENOUGH = 400


def _safely(reader: Callable[[Page], Found | None], page: Page) -> Found | None:
    """Run one reader; a reader that fails loses only its own findings."""
    try:
        return reader(page)
    except Exception:
        log.debug("reader %s failed on %s", getattr(reader, "__module__", reader), page.url, exc_info=True)
        return None


def _complete(found: Found) -> bool:
    """Whether a source already gives the product's name, price and pictures."""
    return bool(found.name and found.price and found.images)


def _known_values(hints: dom.DomHints, sources: list[Found]) -> None:
    """The name, currency, description and main pictures the sources give (meta tags aside)."""
    for found in sources:
        if found.source == "meta":
            continue
        hints.name = hints.name or found.name
        hints.currency = hints.currency or found.currency
        hints.description = hints.description or found.description
        if found.images and (not hints.main_images or found.source in ("json-ld", "microdata", "rdfa")):
            hints.main_images = (found.images[:2] + hints.main_images)[:4]


def _identity_needs(hints: dom.DomHints, structured: list[Found]) -> None:
    """Which identity fields no structured source gives."""
    hints.need_sku = not any(f.sku for f in structured)
    hints.need_brand = not any(f.brand for f in structured)
    hints.need_availability = not any(f.availability for f in structured)
    hints.need_breadcrumbs = not any(f.breadcrumbs for f in structured)


def _sure_price(found: Found) -> bool:
    """Whether a source's price is the one on show: one JSON-LD offer, not the lowest of several."""
    return (
        found.source == "json-ld"
        and bool(found.price)
        and len(set(found.offer_prices)) == 1
        and (not found.price_is_lowest)
    )


def _shown_rating(found: Found) -> bool:
    """Whether a source gives a rating as a page shows it (one decimal at most) and its count."""
    return bool(found.rating_value and len(found.rating_value.partition(".")[2]) <= 1 and found.review_count)


def _offer_needs(hints: dom.DomHints, sources: list[Found], trusted: list[Found]) -> None:
    """Which offer fields no trusted source gives (the DOM's own findings aside)."""
    others = [f for f in sources if f.source != "dom"]
    hints.need_price = not any(_sure_price(f) for f in trusted)
    hints.need_regular_price = not any(f.regular_price or f.old_prices for f in trusted)
    hints.need_variants = not any(any(v.options for v in f.variants) for f in others)
    hints.need_specifications = not any(f.specifications for f in others)
    hints.need_rating = not any(_shown_rating(f) for f in trusted)


def _content_needs(hints: dom.DomHints, trusted: list[Found]) -> None:
    """Whether the gallery and the description need the DOM's search."""
    hints.need_gallery = not any(len(f.images) >= GALLERY_ENOUGH for f in trusted)
    hints.need_description = not any(
        f.description and len(f.description) >= DESCRIPTION_ENOUGH for f in trusted
    )
    hints.need_summary = not any(f.description for f in trusted)


def _hints(sources: list[Found]) -> dom.DomHints:
    """What the structured sources already give, so the DOM reader searches only for the rest."""
    hints = dom.DomHints()
    _known_values(hints, sources)
    structured = [f for f in sources if f.source != "meta"]
    trusted = [f for f in structured if f.source != "opengraph"]
    hints.structured_product = any(f.name for f in trusted)
    hints.any_price = any(f.price for f in structured)
    hints.site_read = any(f.source.startswith("site:") or f.source == PLATFORM_SOURCE for f in sources)
    _identity_needs(hints, structured)
    _offer_needs(hints, sources, trusted)
    _content_needs(hints, trusted)
    return hints


def _state_list_price(page: Page, hints: dom.DomHints, sources: list[Found]) -> Found | None:
    """The list price the page's embedded JSON gives beside the structured price, when no
    structured source gives one (see :mod:`prodex.extract.readers.state_offer`)."""
    if not hints.need_regular_price:
        return None
    given = next((f for f in sources if f.price and f.source not in ("meta", "opengraph")), None)
    if given is None or given.price is None:
        return None
    found = _safely(lambda p: state_offer.read_list_price(p, str(given.price), given.currency), page)
    if found is not None:
        hints.need_regular_price = False
    return found


def _state_variants(page: Page, hints: dom.DomHints) -> Found | None:
    """The variants the page's embedded JSON lists, when no structured source names options
    (see :mod:`prodex.extract.readers.state_variants`); the page's selectors are still read (the
    merge prefers them when they show the same axes and more)."""
    if not hints.need_variants:
        return None
    return _safely(state_variants.read_variants, page)


def run(html: str | bytes, url: str, platform_data: Mapping[str, Any] | None = None) -> Product:
    """Extract the product of one page (see :func:`prodex.extract.extract_product`)."""
    text: str | bytes
    if isinstance(html, bytes | bytearray | memoryview):
        text = html_for_parser(bytes(html[:MAX_INPUT_BYTES]))
    else:
        text = html if isinstance(html, str) else ""
    page = Page.parse(text, url if isinstance(url, str) else "")
    sources: list[Found] = []
    site = site_for(page.host)
    readers: list[Callable[[Page], Found | None]] = []
    if site is not None:
        readers.append(site.read)
    if platform_data and platform_named(platform_data.get("platform")) is not None:
        packed = dict(platform_data)  # a recognised platform's JSON: read first, trusted like a site module
        readers.insert(0, lambda p: read_platform_data(packed, p))
    elif platform_data:
        data = dict(platform_data)
        readers.append(lambda p: appstate.read_documents(p, [data], PLATFORM_SOURCE))
    readers += [jsonld.read, microdata.read, appstate.read, target_group.read]
    readers += [meta.read_opengraph, meta.read_meta]
    for reader in readers:
        if reader is appstate.read and any(_complete(f) for f in sources):
            continue  # embedded app state is searched only when the markup lacks the product
        found = _safely(reader, page)
        if found is not None:
            sources.append(found)
    hints = _hints(sources)
    page.strip_hidden_markup()  # the DOM heuristics read what shows
    for late in (_state_list_price(page, hints, sources), _state_variants(page, hints)):
        if late is not None:
            sources.append(late)
    found = _safely(lambda p: dom.read(p, hints), page)
    if found is not None:
        sources.append(found)
    return merge(page, sources)
