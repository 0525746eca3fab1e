"""``target_audience``: who the product is for, as the page states it (schema.org audience, a
department, "for women"), else inferred from its category, gender and age group."""

from __future__ import annotations

from prodex.extract.fields.context import STRUCTURED, Merging
from prodex.extract.model import AUDIENCE_SOURCE_TEXT
from prodex.extract.process.audience import audience_from_text

AUDIENCE_ORDER = (*STRUCTURED, "opengraph")


def merge_audience(merging: Merging) -> None:
    """The target audience the sources state, else one read from the category and the name."""
    product = merging.product
    stated = merging.take("target_audience", AUDIENCE_ORDER, lambda f: f.audience)
    if stated:
        product.target_audience = str(stated)
        return
    guess = audience_from_text(product.category or "", " ".join(product.breadcrumbs), product.name or "")
    if guess:
        merging.set("target_audience", guess, AUDIENCE_SOURCE_TEXT)
