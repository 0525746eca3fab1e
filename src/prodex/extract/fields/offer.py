"""``rating_value``, ``rating_best``, ``review_count``, ``variants`` and ``specifications``: the
proof of the offer, from structured data first, then what the page shows."""

from __future__ import annotations

from decimal import Decimal

from prodex.extract.fields.context import OFFER_ORDER, Merging
from prodex.extract.fields.price import as_decimal
from prodex.extract.model import Variant

DEFAULT_SCALE = "5"
MAX_VARIANTS = 200
MAX_SPECIFICATIONS = 60
ROUNDING = Decimal("0.051")
"""A shown average within this of the structured one is the same average, rounded."""


def _as_shown(merging: Merging, value: str, origin: str) -> tuple[str, str]:
    """A structured average as the page shows it: markup often gives more digits (4.7815) than
    the summary beside the title (4.8)."""
    dom = merging.dom
    if dom is None or origin == "dom" or not dom.rating_value or dom.rating_value == value:
        return value, origin
    given, shown = as_decimal(value), as_decimal(dom.rating_value)
    if given is not None and shown is not None and abs(given - shown) < ROUNDING:
        return dom.rating_value, "dom"
    return value, origin


def merge_rating(merging: Merging) -> None:
    """The average rating, its scale and the number of reviews, from one source when it can."""
    for found in merging.ranked(OFFER_ORDER):
        value = as_decimal(found.rating_value)
        if value is None or value <= 0:
            continue
        best = found.rating_best or (DEFAULT_SCALE if value <= 5 else None)
        if best is not None and (as_decimal(best) or 0) < value:
            continue
        shown, origin = _as_shown(merging, str(found.rating_value), found.source)
        merging.set("rating_value", shown, origin)
        merging.set("rating_best", best, found.source)
        if found.review_count:
            merging.set("review_count", found.review_count, found.source)
        break
    if merging.product.review_count is None:
        count = merging.take("review_count", OFFER_ORDER, lambda f: f.review_count)
        merging.product.review_count = count if isinstance(count, int) else None


def _axes(variants: list[Variant]) -> list[str]:
    """The axes variants name, in the order they first appear."""
    return list(dict.fromkeys(axis for variant in variants for axis in variant.options))


def _shown_selectors(merging: Merging) -> bool:
    """Whether the page's selectors (the DOM's variants) show every axis the embedded JSON's
    variants name and more, the axis shown first first: a variant list in app state often holds
    one axis (the sizes of the colour on show) while the page offers its colours too."""
    dom = merging.dom
    state = next((f for f in merging.sources if f.source == "app-state" and f.variants), None)
    if dom is None or state is None or not dom.variants:
        return False
    shown, kept = _axes(dom.variants), _axes(state.variants)
    return len(shown) > len(kept) and set(kept) <= set(shown)


def merge_variants(merging: Merging) -> None:
    """The variants of the most trusted source that names their options (colour, size...), else
    of the most trusted source that lists any; the page's selectors over the embedded JSON's
    variants when they show more axes."""
    if _shown_selectors(merging) and merging.dom is not None:
        merging.set("variants", list(merging.dom.variants)[:MAX_VARIANTS], "dom")
        return
    variants = merging.take(
        "variants", OFFER_ORDER, lambda f: f.variants if any(v.options for v in f.variants) else None
    )
    if variants is None:
        variants = merging.take("variants", OFFER_ORDER, lambda f: f.variants)
    merging.product.variants = list(variants)[:MAX_VARIANTS] if isinstance(variants, list) else []


def merge_specifications(merging: Merging) -> None:
    """The specification rows of the most trusted source that lists any."""
    rows = merging.take("specifications", OFFER_ORDER, lambda f: f.specifications)
    merging.product.specifications = list(rows)[:MAX_SPECIFICATIONS] if isinstance(rows, list) else []
