"""``rating_value``, ``rating_best``, ``review_count``, ``variants`` and ``specifications``: the
proof of the offer, from structured data first, then what the page shows."""

from __future__ import annotations

from prodex.extract.fields.context import OFFER_ORDER, Merging
from prodex.extract.fields.price import as_decimal

DEFAULT_SCALE = "5"
MAX_VARIANTS = 200
MAX_SPECIFICATIONS = 60


def merge_rating(merging: Merging) -> None:
    """The average rating, its scale and the number of reviews, from one source when it can."""
    for found in merging.ranked(OFFER_ORDER):
        value = as_decimal(found.rating_value)
        if value is None or value <= 0:
            continue
        best = found.rating_best or (DEFAULT_SCALE if value <= 5 else None)
        if best is not None and (as_decimal(best) or 0) < value:
            continue
        merging.set("rating_value", found.rating_value, found.source)
        merging.set("rating_best", best, found.source)
        if found.review_count:
            merging.set("review_count", found.review_count, found.source)
        break
    if merging.product.review_count is None:
        count = merging.take("review_count", OFFER_ORDER, lambda f: f.review_count)
        merging.product.review_count = count if isinstance(count, int) else None


def merge_variants(merging: Merging) -> None:
    """The variants of the most trusted source that lists any."""
    variants = merging.take("variants", OFFER_ORDER, lambda f: f.variants)
    merging.product.variants = list(variants)[:MAX_VARIANTS] if isinstance(variants, list) else []


def merge_specifications(merging: Merging) -> None:
    """The specification rows of the most trusted source that lists any."""
    rows = merging.take("specifications", OFFER_ORDER, lambda f: f.specifications)
    merging.product.specifications = list(rows)[:MAX_SPECIFICATIONS] if isinstance(rows, list) else []
