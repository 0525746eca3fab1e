"""The proof of the offer in schema.org values (JSON-LD, microdata, app state in schema.org shape):
``aggregateRating``, ``additionalProperty`` rows, and the variants of a ProductGroup
(``hasVariant`` + ``variesBy``) or of an offers list whose offers name what they sell."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from prodex.extract.jsontools import as_list
from prodex.extract.model import Specification, Variant
from prodex.extract.process.axes import axis_of_property
from prodex.extract.readers.schema import (
    identifier_of,
    image_urls,
    lower_keys,
    read_offers,
    text_of,
)

MAX_VARIANTS = 200
MAX_SPECIFICATIONS = 60
DEFAULT_AXES = ("color", "size", "material", "pattern")
"""The schema.org Product properties that name a variant's option when ``variesBy`` is missing."""
_NUMBER = re.compile(r"^\d+(?:[.,]\d+)?$")


def rating_number(value: Any) -> str | None:
    """A rating as a decimal string with a full stop ("4,6" -> "4.6"), or ``None``."""
    if isinstance(value, bool) or value is None:
        return None
    text = str(value).strip()
    if not _NUMBER.match(text):
        return None
    text = text.replace(",", ".")
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    if number <= 0:
        return None
    return text


def count_number(value: Any) -> int | None:
    """A review count as an integer ("2,300" -> 2300), or ``None``."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return value if value > 0 else None
    if isinstance(value, float):
        return int(value) if value > 0 and value == int(value) else None
    digits = re.sub(r"[\s,.'’ ]", "", str(value).strip())
    return int(digits) if digits.isdigit() and 0 < len(digits) <= 9 and int(digits) > 0 else None


def rating_of(value: Any) -> tuple[str | None, str | None, int | None]:
    """``(ratingValue, bestRating, reviews)`` of an AggregateRating (the count of reviews, else
    of ratings)."""
    rating = next((r for r in as_list(value)[:3] if isinstance(r, dict)), None)
    if rating is None:
        return None, None, None
    keys = lower_keys(rating)
    average = rating_number(text_of(keys.get("ratingvalue")))
    best = rating_number(text_of(keys.get("bestrating")))
    count = count_number(text_of(keys.get("ratingcount"))) or count_number(text_of(keys.get("reviewcount")))
    return average, best, count


def specifications_of(value: Any) -> list[Specification]:
    """The ``additionalProperty`` PropertyValue rows (name and value), in order."""
    rows: list[Specification] = []
    for item in as_list(value)[:MAX_SPECIFICATIONS]:
        if not isinstance(item, dict):
            continue
        name = text_of(item.get("name") or item.get("propertyID"))
        shown = text_of(item.get("value"))
        if not shown and ("minValue" in item or "maxValue" in item):
            shown = "-".join(text_of(item.get(k)) for k in ("minValue", "maxValue") if item.get(k))
        unit = text_of(item.get("unitText") or item.get("unitCode"))
        if unit and shown and unit not in shown:
            shown = f"{shown} {unit}"
        if name and shown and len(name) <= 80:
            rows.append(Specification(name=name, value=shown[:500]))
    return rows


def _axes(group: dict[str, Any]) -> list[tuple[str, str]]:
    """``(property name, axis)`` of each dimension a ProductGroup varies by."""
    axes: list[tuple[str, str]] = []
    for value in as_list(group.get("variesBy"))[:6]:
        name = text_of(value)
        if name:
            prop = name.rstrip("/").rsplit("/", 1)[-1].rsplit(":", 1)[-1]
            axes.append((prop, axis_of_property(prop)))
    return axes or [(prop, prop) for prop in DEFAULT_AXES]


def _option(thing: dict[str, Any], prop: str) -> str:
    """The value of the varying property ``prop`` of one variant: the property itself (any case),
    else an ``additionalProperty`` row of that name."""
    keys = lower_keys(thing)
    value = text_of(keys.get(prop.lower()))
    if value:
        return value
    for row in as_list(thing.get("additionalProperty"))[:30]:
        if isinstance(row, dict) and text_of(row.get("name")).lower() == prop.lower():
            return text_of(row.get("value"))
    return ""


def _variant(thing: dict[str, Any], axes: list[tuple[str, str]], tld: str) -> Variant:
    options: dict[str, str] = {}
    for prop, axis in axes:
        value = _option(thing, prop)
        if value and axis not in options:
            options[axis] = value
    offers = read_offers(thing.get("offers"), tld) if thing.get("offers") else None
    images = image_urls(thing.get("image"))
    return Variant(
        sku=identifier_of(thing.get("sku")) or (offers.sku if offers else "") or None,
        name=text_of(thing.get("name")) or None,
        options=options,
        price=offers.price if offers else None,
        availability=offers.availability if offers else None,
        url=text_of(thing.get("url")) or (_offer_url(thing.get("offers"))) or None,
        image=images[0] if images else None,
    )


def _offer_url(value: Any) -> str:
    offer = next((o for o in as_list(value)[:3] if isinstance(o, dict)), None)
    return text_of(offer.get("url")) if offer is not None else ""


def variants_of(product: dict[str, Any], tld: str = "") -> list[Variant]:
    """The variants a ProductGroup lists (``hasVariant``, options from ``variesBy``), else the
    variants an offers list sells (offers whose ``itemOffered`` names a colour, size...).
    Variants without any option are kept only when every one has a name."""
    axes = _axes(product)
    things = [v for v in as_list(product.get("hasVariant"))[:MAX_VARIANTS] if isinstance(v, dict)]
    if things:
        return [_variant(thing, axes, tld) for thing in things]
    variants: list[Variant] = []
    offers = [o for o in as_list(product.get("offers"))[:MAX_VARIANTS] if isinstance(o, dict)]
    if len(offers) < 2:
        return []
    for offer in offers:
        item = offer.get("itemOffered")
        thing = item if isinstance(item, dict) else offer
        variant = _variant({**thing, "offers": offer}, axes, tld)
        if not variant.options:
            return []
        variants.append(variant)
    return variants
