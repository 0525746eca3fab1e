"""The merge, one rule per product field: each Product field from its most trustworthy source,
recorded in ``product.source``.

The fields and their formats are declared once, on :class:`prodex.extract.model.Product`; the
rule of each field (the trust order of its sources, its corrections and processor) lives in
the module of this package named after it. :data:`RULES` lists them in the order they run (a
rule may read fields set by an earlier one: media names pictures after the name, the audience
reads the category). A test checks that every Product field has exactly one rule.

To add a field: declare it on Product, read it in the readers (an attribute of
:class:`prodex.extract.found.Found`), add its rule here, a golden case and a migration.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from prodex.extract.fields.audience import merge_audience, merge_gender_and_age
from prodex.extract.fields.category import merge_category, merge_google_category
from prodex.extract.fields.context import Merging
from prodex.extract.fields.description import merge_description, merge_selling_points
from prodex.extract.fields.identity import merge_identity
from prodex.extract.fields.media import merge_media
from prodex.extract.fields.name import merge_name
from prodex.extract.fields.offer import merge_rating, merge_specifications, merge_variants
from prodex.extract.fields.page import merge_page_facts
from prodex.extract.fields.price import merge_price, merge_regular_price
from prodex.extract.found import Found
from prodex.extract.model import Product
from prodex.extract.page import Page

PAGE_KEY = "page"
LISTING = "listing"


@dataclass(frozen=True)
class FieldRule:
    """The rule that sets ``fields`` of the product (and their sources) from the found values."""

    fields: tuple[str, ...]
    apply: Callable[[Merging], None]


RULES: tuple[FieldRule, ...] = (
    FieldRule(("name",), merge_name),
    FieldRule(("description",), merge_description),
    FieldRule(("selling_points",), merge_selling_points),
    FieldRule(("media",), merge_media),
    FieldRule(("price", "currency"), merge_price),
    FieldRule(("regular_price", "discount_percent"), merge_regular_price),
    FieldRule(("brand", "sku", "gtin", "mpn", "availability"), merge_identity),
    FieldRule(("rating_value", "rating_best", "review_count"), merge_rating),
    FieldRule(("variants",), merge_variants),
    FieldRule(("specifications",), merge_specifications),
    FieldRule(("breadcrumbs", "category"), merge_category),
    FieldRule(("language", "canonical_url"), merge_page_facts),
    FieldRule(("google_category", "google_category_id"), merge_google_category),
    FieldRule(("gender", "age_group"), merge_gender_and_age),
    FieldRule(("target_audience",), merge_audience),
)
#: Fields no rule sets: the page's URL and the record of sources.
NOT_MERGED = ("url", "source")


def is_listing(sources: Sequence[Found]) -> bool:
    """Whether a source sees a list of products and no source describes the page's own product
    (a site module or platform JSON always does: their pages are product pages)."""
    return any(f.listing for f in sources) and not any(
        f.subject or f.source.startswith("site:") or f.source == "platform" for f in sources
    )


def merge(page: Page, sources: Sequence[Found]) -> Product:
    """One Product from what every source found, each field by its rule."""
    merging = Merging(page=page, sources=sources, product=Product(url=page.url))
    for rule in RULES:
        rule.apply(merging)
    if is_listing(sources):
        merging.source[PAGE_KEY] = LISTING  # the page lists products; none of them is its subject
    merging.product.source = merging.source
    return merging.product
