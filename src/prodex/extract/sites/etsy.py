"""Etsy listings (etsy.com, with or without a country path such as ``/uk/`` or ``/de/``).

Reads how Etsy builds every listing page: the buy box title ``h1[data-buy-box-listing-title]``,
the price region ``[data-buy-box-region="price"]`` (the sale price first, the original price
struck through), the image carousel whose pictures carry their full size in
``data-src-zoom-image`` (Etsy's sizes are ``il_75x75``, ``il_340x270``, ``il_794xN`` ...
``il_fullxfull``), carousel videos, and the description
``[data-product-details-description-text-content]``. The listing id is the sku. The JSON-LD
Product Etsy also prints (shop as brand, offers with the currency and availability, the category
path ``"A < B < C"`` that the merge splits into breadcrumbs) is read by the generic reader and
fills the rest, availability (a sold-out listing's offer says OutOfStock) included.
"""

from __future__ import annotations

import re

from selectolax.lexbor import LexborNode

from prodex.extract.found import Found
from prodex.extract.model import Media, MediaType
from prodex.extract.page import Page
from prodex.extract.process.price import currency_in_text, parse_price
from prodex.extract.process.text import clean_line, html_to_text
from prodex.extract.sites import Site

NAME = "etsy"
HOSTS = re.compile(r"(?:^|\.)etsy\.com$")
TITLE = "h1[data-buy-box-listing-title]"
PRICE_REGION = '[data-buy-box-region="price"]'
PICTURES = "img[data-src-zoom-image]"
VIDEOS = "[data-carousel-pane] video source[src], [data-carousel-pane] video[src]"
DESCRIPTION = "[data-product-details-description-text-content], [data-id='description-text']"
MAX_PICTURES = 30
_SIZE = re.compile(r"/il_(?:\d+x[\dN]+|fullxfull)\.")
_LISTING_ID = re.compile(r"/listing/(\d{6,14})(?:[/?#]|$)")


def full_size(url: str) -> str:
    """An Etsy picture URL in its full size (``il_794xN.123.jpg`` -> ``il_fullxfull.123.jpg``)."""
    return _SIZE.sub("/il_fullxfull.", url, count=1)


def _shown(node: LexborNode) -> str:
    return clean_line(node.text(deep=True, separator=" "))


def price(page: Page) -> tuple[str | None, str | None, list[str]]:
    """The price on show, the currency its text names, and the struck-through original prices."""
    region = page.tree.css_first(PRICE_REGION)
    if region is None:
        return None, None, []
    current: str | None = None
    currency: str | None = None
    old: list[str] = []
    for node in region.css("p"):
        text = _shown(node)
        if not text:
            continue
        classes = node.attributes.get("class") or ""
        if "strikethrough" in classes:
            value = parse_price(text, currency)
            if value:
                old.append(value)
        elif current is None:
            named = currency_in_text(text, page.tld)
            value = parse_price(text, named)
            if value:
                current, currency = value, named
    return current, currency, [o for o in old if o != current]


def gallery(page: Page) -> list[str]:
    """The listing's pictures, full size, in carousel order."""
    out: list[str] = []
    for img in page.tree.css(PICTURES)[:MAX_PICTURES]:
        url = page.absolute(img.attributes.get("data-src-zoom-image"))
        if url:
            url = full_size(url)
            if url not in out:
                out.append(url)
    return out


def videos(page: Page, name: str) -> list[Media]:
    """The listing's videos from the carousel."""
    out: list[Media] = []
    for node in page.tree.css(VIDEOS)[:5]:
        url = page.absolute(node.attributes.get("src"))
        if url and all(v.url != url for v in out):
            out.append(Media(type=MediaType.VIDEO, url=url, name=name))
    return out


def read(page: Page) -> Found | None:
    """What an Etsy listing page says about its item; ``None`` for other Etsy pages."""
    title = page.tree.css_first(TITLE)
    name = _shown(title) if title is not None else ""
    if not name:
        return None
    found = Found(source=f"site:{NAME}", name=name)
    found.price, found.currency, found.old_prices = price(page)
    match = _LISTING_ID.search(page.url)
    found.sku = match.group(1) if match else None
    description = page.tree.css_first(DESCRIPTION)
    if description is not None:
        found.description = html_to_text(description.html or "", serialized=True) or None
    found.images = gallery(page)
    found.videos = videos(page, name)
    return found


SITE = Site(name=NAME, hosts=HOSTS, read=read)
