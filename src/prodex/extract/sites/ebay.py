"""eBay item pages, all country sites (.com, .co.uk, .de, .fr, .it, .es, .ie, .at, .ch, .be, .nl,
.pl, .ca, .com.au, .com.hk, .com.sg, .com.my, .ph).

Reads how eBay builds every item page, in its current layout (``h1.x-item-title__mainTitle``,
``.x-price-primary``, the ``.ux-image-carousel`` with ``data-zoom-src`` pictures, the "About this
item" ``.ux-labels-values`` item specifics, ``.x-quantity__availability``) and in the older one
(``h1#itemTitle`` with its hidden "Details about" prefix, ``#prcIsum``/``#prcIsum_bidPrice`` with
a machine ``content`` price, the ``imgArr`` picture data, the ``#viTabs_0_is`` specifics table,
``#qtySubTxt``, ``.viSNotesCnt`` seller notes, the ``#msgPanel`` status line). The seller's own
description lives in a separate document (an iframe) that the page does not carry: the page's
meta description (eBay fills it from that description) and the seller notes stand in for it,
and the item specifics when there is neither. Pictures are eBay's full size (``s-l1600``), one
per picture id; the item number is the sku.
"""

from __future__ import annotations

import re

from selectolax.lexbor import LexborNode

from prodex.extract.found import Found
from prodex.extract.page import Page
from prodex.extract.process.availability import availability_from_phrase, fold
from prodex.extract.process.media import upgrade_image_url
from prodex.extract.process.price import currency_in_text, normalise_currency, parse_price
from prodex.extract.process.text import clean_line
from prodex.extract.readers.schema import gtin_of, identifier_of
from prodex.extract.sites import Site
from prodex.extract.sites._embedded import RawPattern, attribute_lines, brand_in, json_after, labelled

NAME = "ebay"
HOSTS = re.compile(
    r"(?:^|\.)ebay\.(?:com|co\.uk|de|fr|it|es|ie|at|ch|be|nl|pl|ca|com\.au|com\.hk|com\.sg|com\.my|ph)$"
)
TITLE_SELECTORS = ("h1.x-item-title__mainTitle", "h1#itemTitle", "#vi-lkhdr-itmTitl")
HIDDEN_SELECTOR = ".g-hdn, .clipped, .u-dspn"
PRICE_SELECTORS = (".x-price-primary", "#prcIsum", "#prcIsum_bidPrice", "#mm-saleDscPrc")
OLD_PRICE_SELECTORS = (
    ".x-price-section .ux-textspans--STRIKETHROUGH",
    ".x-additional-info .ux-textspans--STRIKETHROUGH",
    "#mm-saleOrgPrc",
    "#orgPrc",
)
SPECIFIC_PAIRS = (
    ".ux-layout-section--features .ux-labels-values, .ux-layout-section-evo--features .ux-labels-values, "
    ".x-about-this-item .ux-labels-values, #viTabs_0_is .ux-labels-values"
)
SPECIFIC_ROWS = "div.itemAttr tr"
CAROUSEL = ".ux-image-carousel-item img"
THUMBNAILS = ".ux-image-filmstrip-carousel-item img, #vi_main_img_fs li img, img#icImg"
QUANTITY = ".x-quantity__availability, .d-quantity__availability, #qtySubTxt"
STATUS = ".d-statusmessage, [data-testid='d-statusmessage'], #msgPanel .msgTextAlign"
ITEM_NUMBER = ".ux-layout-section__textual-display--itemId .ux-textspans--BOLD, #descItemNumber"
MAX_SPECIFICS = 40
MAX_PICTURES = 40
MIN_DESCRIPTION_CHARS = 80
QUOTES = "“”„‟‘’‚«»\"' "
_GTIN_LABELS = frozenset({"ean", "upc", "isbn", "gtin", "isbn-13", "isbn-10"})
_NOTES_LABELS = frozenset(
    (
        "seller notes",
        "anmerkungen des verkaufers",
        "notes du vendeur",
        "note del venditore",
        "notas del vendedor",
    )
)
_CONDITION_LABELS = frozenset(
    ("condition", "artikelzustand", "etat", "condizione", "estado", "stan", "staat")
)
_ITEM_ID = re.compile(r"/itm/(?:[^/?#]+/)?(\d{9,15})(?:[/?#]|$)")
_PICTURE_ID = re.compile(r"/images/g/([^/]+)/")
_IMAGE_DATA = RawPattern(r'"imgArr"\s*:\s*(?=\[)')
_GENERATED_META = (
    "| ebay",
    "ebay!",
    "at the best online prices at ebay",
    "find many great new & used options",
)


def _text(node: LexborNode | None) -> str:
    return clean_line(node.text(deep=True, separator=" ")) if node is not None else ""


def title(page: Page) -> str:
    """The item title without eBay's hidden prefixes ("Details about")."""
    for selector in TITLE_SELECTORS:
        node = page.tree.css_first(selector)
        if node is None:
            continue
        text = node.text(deep=True, separator=" ")
        for hidden in node.css(HIDDEN_SELECTOR):
            text = text.replace(hidden.text(deep=True, separator=" "), " ", 1)
        line = clean_line(text)
        if line:
            return line
    return ""


def price(page: Page) -> tuple[str | None, str | None]:
    """The price on show (a machine ``content`` value when the element has one) and its currency."""
    marked = page.tree.css_first("[itemprop=priceCurrency][content]")
    declared = normalise_currency(marked.attributes.get("content")) if marked is not None else None
    for selector in PRICE_SELECTORS:
        node = page.tree.css_first(selector)
        if node is None:
            continue
        shown = _text(node)
        currency = declared or (currency_in_text(shown, page.tld) if shown else None)
        value = parse_price(node.attributes.get("content") or shown, currency)
        if value:
            return value, currency
    return None, declared


def old_prices(page: Page, currency: str | None) -> list[str]:
    """Crossed-out list or original prices next to the price."""
    out: list[str] = []
    for selector in OLD_PRICE_SELECTORS:
        for node in page.tree.css(selector)[:3]:
            value = parse_price(_text(node), currency)
            if value and value not in out:
                out.append(value)
    return out


def _label(text: str) -> str:
    return clean_line(text).rstrip(" :：").strip()


def _value(label: str, text: str) -> str:
    value = clean_line(text).strip(QUOTES)
    if fold(label) in _CONDITION_LABELS:
        value = value.split(":", 1)[0].strip()  # "New with tags: A brand-new, unused..." -> "New with tags"
    return value


def item_specifics(page: Page) -> list[tuple[str, str]]:
    """The item specifics as (label, value) pairs, in page order."""
    pairs: list[tuple[str, str]] = []
    for node in page.tree.css(SPECIFIC_PAIRS)[:MAX_SPECIFICS]:
        label = _label(_text(node.css_first(".ux-labels-values__labels")))
        value_node = node.css_first(".ux-labels-values__values")
        first_span = value_node.css_first(".ux-textspans") if value_node is not None else None
        value = _value(label, _text(first_span) if fold(label) in _CONDITION_LABELS else _text(value_node))
        if label and value and (label, value) not in pairs:
            pairs.append((label, value))
    if pairs:
        return pairs
    for row in page.tree.css(SPECIFIC_ROWS)[:MAX_SPECIFICS]:
        cells = row.css("th, td")
        for index in range(0, len(cells) - 1, 2):
            label = _label(_text(cells[index]))
            value = _value(label, _text(cells[index + 1]))
            if label and value and (label, value) not in pairs and len(pairs) < MAX_SPECIFICS:
                pairs.append((label, value))
    return pairs


def _picture_urls(page: Page) -> list[str]:
    urls: list[str] = []
    for img in page.tree.css(CAROUSEL)[:MAX_PICTURES]:
        attrs = img.attributes
        url = attrs.get("data-zoom-src") or attrs.get("data-src") or attrs.get("src")
        if url:
            urls.append(url)
    if urls:
        return urls
    for data in json_after(page, _IMAGE_DATA, limit=1):
        for item in data[:MAX_PICTURES] if isinstance(data, list) else []:
            if isinstance(item, dict):
                url = item.get("maxImageUrl") or item.get("displayImgUrl") or item.get("thumbImgUrl")
                if isinstance(url, str):
                    urls.append(url)
    if urls:
        return urls
    return [url for img in page.tree.css(THUMBNAILS)[:MAX_PICTURES] if (url := img.attributes.get("src"))]


def gallery(page: Page) -> list[str]:
    """The listing's pictures in eBay's full size, one per picture id, in gallery order."""
    seen: set[str] = set()
    out: list[str] = []
    for raw in _picture_urls(page):
        url = page.absolute(raw)
        if url is None or not url.split("/", 3)[2].endswith("ebayimg.com"):
            continue  # placeholders, spinners and icons live elsewhere
        match = _PICTURE_ID.search(url)
        key = match.group(1) if match else url
        if key not in seen:
            seen.add(key)
            out.append(upgrade_image_url(url))
    return out


def _seller_text(page: Page, pairs: list[tuple[str, str]]) -> list[str]:
    """The seller's words the page carries: seller notes and the meta description eBay fills
    from the seller's description (not its generated "title | categories | eBay" text)."""
    parts: list[str] = []
    notes = _text(page.tree.css_first(".viSNotesCnt")).strip(QUOTES) or labelled(pairs, _NOTES_LABELS)
    if notes:
        parts.append(notes)
    meta = clean_line(page.meta_first("description", "og:description"))
    folded = fold(meta)
    generated = any(marker in folded for marker in _GENERATED_META)
    if meta and not generated and not (notes and fold(notes) in folded):
        parts.append(meta)
    return parts


def read(page: Page) -> Found | None:
    """What an eBay item page says about its item; ``None`` for other eBay pages (search, stores)."""
    name = title(page)
    if not name:
        return None
    found = Found(source=f"site:{NAME}", name=name)
    found.price, found.currency = price(page)
    found.old_prices = [p for p in old_prices(page, found.currency) if p != found.price]
    match = _ITEM_ID.search(page.url)
    found.sku = match.group(1) if match else identifier_of(_text(page.tree.css_first(ITEM_NUMBER))) or None
    pairs = item_specifics(page)
    found.brand = brand_in(pairs)
    found.mpn = identifier_of(labelled(pairs, frozenset({"mpn", "herstellernummer"}))) or None
    found.gtin = gtin_of({"gtin": labelled(pairs, _GTIN_LABELS)}) or None
    found.selling_points = attribute_lines([(k, v) for k, v in pairs if fold(k) not in _NOTES_LABELS])
    parts = _seller_text(page, pairs)
    if sum(len(p) for p in parts) < MIN_DESCRIPTION_CHARS and found.selling_points:
        parts.append("\n".join(found.selling_points))
    found.description = "\n\n".join(parts) or None
    ended = availability_from_phrase(_text(page.tree.css_first(STATUS))) == "OutOfStock"
    quantity = availability_from_phrase(_text(page.tree.css_first(QUANTITY)))
    found.availability = "OutOfStock" if ended else quantity
    found.images = gallery(page)
    return found


SITE = Site(name=NAME, hosts=HOSTS, read=read)
