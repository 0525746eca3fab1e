"""``breadcrumbs`` and ``category``: the shop's own category path and its last meaningful level."""

from __future__ import annotations

from prodex.extract.fields.context import DEFAULT_ORDER, Merging
from prodex.extract.found import Found
from prodex.extract.process.availability import fold
from prodex.extract.process.category import category_path
from prodex.extract.process.text import clean_line
from prodex.extract.readers.dom.breadcrumbs import without_home

CRUMB_ORDER = ("site", "platform", "json-ld", "microdata", "dom")
LONG_CRUMB = 20
"""A crumb longer than this that the name contains is the product's own crumb, not a category."""


def _category_levels(found: Found) -> list[str]:
    """The levels of a category the source gives as one path ("A > B > C"), when it is one."""
    levels = category_path(found.category)
    return levels if len(levels) > 1 else []


def last_category(breadcrumbs: list[str], name: str, explicit: str | None) -> str | None:
    """The last breadcrumb that is not the product itself, else the explicit category's last level."""
    folded_name = fold(name)
    for crumb in reversed(breadcrumbs):
        folded = fold(crumb)
        if (
            folded
            and folded != folded_name
            and not (folded_name and folded in folded_name and len(folded) > LONG_CRUMB)
        ):
            return crumb
    levels = category_path(explicit)
    return levels[-1] if levels else None


def merge_category(merging: Merging) -> None:
    """The breadcrumb trail (or a category written as a path) and the shop's category."""
    crumbs = merging.take("breadcrumbs", CRUMB_ORDER, lambda f: f.breadcrumbs)
    if not crumbs:  # no breadcrumb trail: a category written as a path gives its levels
        crumbs = merging.take("breadcrumbs", DEFAULT_ORDER, _category_levels)
    trail = without_home([clean_line(c) for c in crumbs]) if isinstance(crumbs, list) else []
    merging.product.breadcrumbs = trail
    explicit = next((f for f in merging.ranked(DEFAULT_ORDER) if f.category), None)
    category = last_category(trail, merging.product.name or "", explicit.category if explicit else None)
    if category:
        origin = merging.source.get("breadcrumbs") or (explicit.source if explicit else "")
        merging.set("category", category, origin)
