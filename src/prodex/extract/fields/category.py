"""``breadcrumbs`` and ``category``: the shop's own category path and its last meaningful level;
``google_category`` and ``google_category_id``: where the product sits in Google's product taxonomy."""

from __future__ import annotations

from prodex.extract.fields.context import DEFAULT_ORDER, Merging
from prodex.extract.found import Found
from prodex.extract.model import Product
from prodex.extract.process.availability import fold
from prodex.extract.process.category import category_path
from prodex.extract.process.classify import Evidence, classify, name_evidence
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


NAME_WEIGHT = 3.0
LAST_CRUMB_WEIGHT = 3.0
CRUMB_WEIGHT = 1.0
CATEGORY_WEIGHT = 2.0
DESCRIPTION_WEIGHT = 0.3
DESCRIPTION_CHARS = 300
POINTS_WEIGHT = 0.4
SPEC_WEIGHT = 0.5
MAX_SPEC_NAMES = 20
ISBN_WEIGHT = 8.0
"""An ISBN (a specification row, or a GTIN in the 978/979 "Bookland" range) makes the product a
book whatever its title is about ("The One Device: The Secret History of the iPhone")."""
_ISBN_PREFIXES = ("978", "979")
INFERRED = "inferred"
"""``source["google_category"]``: read from the words of the page (name, breadcrumbs, text)."""


def _is_own_crumb(folded_crumb: str, folded_name: str) -> bool:
    """Whether a breadcrumb is the product itself (its name, or a long part of it)."""
    return folded_crumb == folded_name or (len(folded_crumb) > LONG_CRUMB and folded_crumb in folded_name)


def _has_isbn(product: Product) -> bool:
    """Whether the product has an ISBN: a specification row named so, or a Bookland GTIN-13."""
    gtin = product.gtin or ""
    if len(gtin) == 13 and gtin.isdigit() and gtin.startswith(_ISBN_PREFIXES):
        return True
    return any(fold(spec.name).startswith("isbn") for spec in product.specifications)


def category_evidence(product: Product) -> list[Evidence]:
    """The texts a product's taxonomy category is read from, with their weights."""
    name = product.name or ""
    folded_name = fold(name)
    crumbs = [c for c in product.breadcrumbs if not _is_own_crumb(fold(c), folded_name)]
    evidence = name_evidence(name, NAME_WEIGHT)
    evidence += [Evidence(crumb, CRUMB_WEIGHT) for crumb in crumbs[:-1]]
    if crumbs:
        evidence.append(Evidence(crumbs[-1], LAST_CRUMB_WEIGHT))
    shop_category = product.category or ""
    if shop_category and shop_category not in crumbs and not _is_own_crumb(fold(shop_category), folded_name):
        evidence.append(Evidence(shop_category, CATEGORY_WEIGHT))
    if product.specifications:  # "ISBN", "Autor", "Screen size": the table names the kind of product
        names = " ; ".join(spec.name for spec in product.specifications[:MAX_SPEC_NAMES])
        evidence.append(Evidence(names, SPEC_WEIGHT))
    if _has_isbn(product):
        evidence.append(Evidence("isbn", ISBN_WEIGHT))
    description = (product.description or "")[:DESCRIPTION_CHARS]
    evidence.append(Evidence(description, DESCRIPTION_WEIGHT, supporting=True))
    evidence.append(Evidence(" ; ".join(product.selling_points[:3]), POINTS_WEIGHT, supporting=True))
    return evidence


def merge_google_category(merging: Merging) -> None:
    """The product's category in Google's product taxonomy (path and id)."""
    category = classify(category_evidence(merging.product), merging.product.language)
    if category is not None:
        merging.set("google_category", category.text, INFERRED)
        merging.set("google_category_id", category.id, INFERRED)
