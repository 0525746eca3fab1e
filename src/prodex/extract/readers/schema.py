"""Helpers shared by the schema.org readers (JSON-LD, microdata, app state): turning schema.org
values (strings, lists, nested things) into the Product's fields."""

from __future__ import annotations

import re
from typing import Any

from prodex.extract.jsontools import as_list
from prodex.extract.process.availability import normalise_availability
from prodex.extract.process.price import normalise_currency, parse_price
from prodex.extract.process.text import clean_line

PRODUCT_TYPES = frozenset(
    t.lower()
    for t in (
        "Product",
        "ProductGroup",
        "IndividualProduct",
        "ProductModel",
        "SomeProducts",
        "Book",
        "Vehicle",
        "Car",
        "Motorcycle",
        "MotorizedBicycle",
        "BusOrCoach",
        "Drug",
        "DietarySupplement",
        "ProductCollection",
        "Event",
        "MusicAlbum",
        "MusicRecording",
        "Movie",
        "VideoGame",
        "SoftwareApplication",
        "MobileApplication",
        "Course",
        "Service",
        "Ticket",
        "TheaterEvent",
        "MusicEvent",
        "ScreeningEvent",
        "FoodProduct",
        "WearableProduct",
    )
)
STRONG_PRODUCT_TYPES = frozenset(
    t.lower()
    for t in (
        "Product",
        "ProductGroup",
        "IndividualProduct",
        "ProductModel",
        "SomeProducts",
        "Book",
        "Vehicle",
        "Car",
        "Motorcycle",
        "Drug",
        "DietarySupplement",
        "FoodProduct",
        "WearableProduct",
    )
)
GTIN_KEYS = ("gtin13", "gtin", "gtin14", "gtin12", "gtin8", "ean", "isbn", "upc")
_GTIN_DIGITS = re.compile(r"^\d{8}$|^\d{12,14}$")
_STRIKE_TYPES = ("strikethrough", "listprice", "msrp", "regular", "original", "was")


def type_names(node: dict[str, Any]) -> set[str]:
    """The lower-case schema.org type names of a node (``"http://schema.org/Product"`` -> ``"product"``)."""
    names: set[str] = set()
    for value in as_list(node.get("@type") or node.get("type")):
        if isinstance(value, str):
            names.add(value.rstrip("/").rsplit("/", 1)[-1].rsplit(":", 1)[-1].strip().lower())
    return names


def text_of(value: Any) -> str:
    """A schema.org text value as one clean line: strings, numbers, ``{name}``/``{@value}`` or lists."""
    for item in as_list(value)[:5]:
        if isinstance(item, str | int | float) and not isinstance(item, bool):
            line = clean_line(item)
            if line:
                return line
        elif isinstance(item, dict):
            for key in ("name", "@value", "value", "text", "title"):
                if key in item:
                    line = text_of(item[key])
                    if line:
                        return line
    return ""


_PLACEHOLDER = re.compile(r"^\$\w+$|\{\{|\}\}|^%\w+%$|^\[\w+\]$|^<%|^@\w+@$")


def is_placeholder(text: str) -> bool:
    """Whether a value is an unrendered template placeholder (``$metabrand``, ``{{ brand }}``)."""
    return bool(_PLACEHOLDER.search(text.strip()))


def brand_of(value: Any) -> str:
    """A brand or manufacturer value's name (string, Brand/Organization object or list)."""
    name = text_of(value)
    if not name or name.lower() in {"null", "none", "undefined", "n/a", "na", "-", "brand", "unbranded"}:
        return ""
    if is_placeholder(name):
        return ""
    if name.startswith(("http://", "https://")):
        return ""
    return name


def image_urls(value: Any) -> list[str]:
    """Raw image URLs from a schema.org image value (URL, ImageObject, list of either)."""
    urls: list[str] = []
    for item in as_list(value)[:80]:
        if isinstance(item, str):
            urls.append(item)
        elif isinstance(item, dict):
            for key in ("contentUrl", "url", "contentURL", "@id", "thumbnailUrl"):
                candidate = item.get(key)
                if isinstance(candidate, list):
                    candidate = next((c for c in candidate if isinstance(c, str)), None)
                if isinstance(candidate, str) and candidate:
                    urls.append(candidate)
                    break
    return urls


def gtin_of(node: dict[str, Any]) -> str:
    """A GTIN/EAN/ISBN value when it has a valid length (8, 12, 13 or 14 digits)."""
    for key in GTIN_KEYS:
        value = text_of(node.get(key))
        digits = re.sub(r"[\s-]", "", value)
        if _GTIN_DIGITS.match(digits):
            return digits
    product_id = text_of(node.get("productID") or node.get("productId"))
    if product_id:
        digits = re.sub(r"^(?:isbn|ean|gtin|upc)\d*:\s*", "", product_id.lower())
        digits = re.sub(r"[\s-]", "", digits)
        if _GTIN_DIGITS.match(digits):
            return digits
    return ""


def identifier_of(value: Any) -> str:
    """A sku/mpn value as text (numbers too), or ``""`` for empty or placeholder values."""
    text = text_of(value)
    if not text or len(text) > 80 or text.lower() in {"null", "none", "undefined", "n/a", "na", "-", "0"}:
        return ""
    if is_placeholder(text):
        return ""
    return text


class OfferFacts:
    """Price, currency and availability read from schema.org offers."""

    __slots__ = ("availability", "currency", "price", "price_is_lowest", "prices", "regular_price", "sku")

    def __init__(self) -> None:
        self.price: str | None = None
        self.price_is_lowest = False
        """The price is an AggregateOffer's ``lowPrice``: the lowest of several offers."""
        self.prices: list[str] = []
        self.currency: str | None = None
        self.availability: str | None = None
        self.sku: str = ""
        self.regular_price: str | None = None
        """The list price (``ListPrice``, ``StrikethroughPrice``) the first priced offer states."""


def _price_from_specification(spec: Any, currency: str | None) -> tuple[str | None, str | None]:
    """The selling price in a priceSpecification (skipping strikethrough / list prices)."""
    best: tuple[str | None, str | None] = (None, currency)
    for item in as_list(spec)[:20]:
        if not isinstance(item, dict):
            continue
        kind = text_of(item.get("priceType")).lower()
        if any(word in kind for word in _STRIKE_TYPES):
            continue
        item_currency = normalise_currency(item.get("priceCurrency")) or currency
        price = parse_price(item.get("price") if "price" in item else item.get("minPrice"), item_currency)
        if price is not None:
            return price, item_currency
    return best


def list_price_of(spec: Any, currency: str | None) -> str | None:
    """The list (strikethrough, MSRP) price a priceSpecification states, if any."""
    for item in as_list(spec)[:20]:
        if not isinstance(item, dict):
            continue
        kind = text_of(item.get("priceType")).lower()
        if any(word in kind for word in _STRIKE_TYPES):
            item_currency = normalise_currency(item.get("priceCurrency")) or currency
            price = parse_price(item.get("price"), item_currency)
            if price is not None and price.strip("0.") != "":
                return price
    return None


def lower_keys(node: dict[str, Any]) -> dict[str, Any]:
    """``node`` with lower-case keys (shops misspell the case of schema.org property names)."""
    return {key.lower() if isinstance(key, str) else key: value for key, value in node.items()}


def amount_of(value: Any, currency: str | None) -> str | None:
    """A price amount from a number, a text, or an object holding one (``{"value": 12.5}``)."""
    for _ in range(4):
        if not isinstance(value, dict):
            break
        inner = lower_keys(value)
        value = next(
            (
                inner[k]
                for k in ("value", "amount", "decimalprice", "price", "sales", "current")
                if k in inner
            ),
            None,
        )
    if isinstance(value, list):
        value = value[0] if value else None
    if value in (None, ""):
        return None
    return parse_price(value, currency)


_OfferedPrice = tuple[str, str | None, bool]
"""(price, currency, is an AggregateOffer's ``lowPrice``)."""


def read_offers(value: Any, tld: str = "") -> OfferFacts:
    """Offer facts from an ``offers`` value: Offer, AggregateOffer, nested offers or a list.

    The price is the first offer's (an AggregateOffer gives its ``lowPrice``, and its ``highPrice``
    joins the offered prices), every offered price is kept for the merge; the product is in stock
    when any offer is.
    """
    facts = OfferFacts()
    availabilities: list[str] = []
    prices: list[_OfferedPrice] = []
    queue: list[Any] = list(as_list(value))[:200]
    seen = 0
    while queue and seen < 400:
        raw_offer = queue.pop(0)
        seen += 1
        if not isinstance(raw_offer, dict):
            continue
        offer = lower_keys(raw_offer)
        currency = normalise_currency(text_of(offer.get("pricecurrency")), tld) or facts.currency
        price, currency, lowest = _price_of_offer(offer, currency)
        if price is not None and not prices and "pricespecification" in offer:
            facts.regular_price = list_price_of(offer.get("pricespecification"), currency)
        if price is not None and price.strip("0.") != "":  # a zero price is a placeholder, not a price
            prices.extend(_offered_prices(offer, price, currency, lowest))
        if facts.currency is None and currency:
            facts.currency = currency
        availability = normalise_availability(text_of(offer.get("availability")))
        if availability:
            availabilities.append(availability)
        if not facts.sku:
            facts.sku = identifier_of(offer.get("sku"))
        nested = offer.get("offers")
        if nested is not None:
            queue.extend(as_list(nested)[:200])
    _settle_offers(facts, prices, availabilities)
    return facts


def _price_of_offer(offer: dict[str, Any], currency: str | None) -> tuple[str | None, str | None, bool]:
    """(price, currency, is a ``lowPrice``) of one offer (lower-case keys): its ``price``, else
    its ``lowPrice``, else the selling price of its ``priceSpecification`` (with that currency)."""
    price = amount_of(offer.get("price"), currency)
    lowest = False
    if price is None:
        price = amount_of(offer.get("lowprice"), currency)
        lowest = price is not None
    if price is None and "pricespecification" in offer:
        price, currency = _price_from_specification(offer.get("pricespecification"), currency)
    return price, currency, lowest


def _offered_prices(
    offer: dict[str, Any], price: str, currency: str | None, lowest: bool
) -> list[_OfferedPrice]:
    """The offer's price, and an AggregateOffer's ``highPrice`` when it differs."""
    offered: list[_OfferedPrice] = [(price, currency, lowest)]
    high = amount_of(offer.get("highprice"), currency) if lowest else None
    if high is not None and high != price:
        offered.append((high, currency, False))
    return offered


def _settle_offers(facts: OfferFacts, prices: list[_OfferedPrice], availabilities: list[str]) -> None:
    """The first offered price (and the prices in its currency), and in stock when any offer is."""
    if prices:
        facts.price, facts.currency, facts.price_is_lowest = prices[0]
        facts.prices = [price for price, currency, _ in prices if currency == facts.currency][:50]
    if availabilities:
        facts.availability = "InStock" if "InStock" in availabilities else availabilities[0]


def breadcrumb_names(node: dict[str, Any]) -> list[str]:
    """The crumb names of a BreadcrumbList, in position order."""
    items: list[tuple[float, int, str]] = []
    for index, element in enumerate(as_list(node.get("itemListElement"))[:30]):
        if not isinstance(element, dict):
            continue
        item = element.get("item")
        name = text_of(element.get("name"))
        if not name and isinstance(item, dict):
            name = text_of(item.get("name"))
        if not name:
            continue
        position = element.get("position")
        try:
            order = float(position) if position is not None and not isinstance(position, bool) else index
        except (TypeError, ValueError):
            order = index
        items.append((order, index, name))
    return [name for _, _, name in sorted(items)]
