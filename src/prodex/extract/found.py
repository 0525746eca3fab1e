"""What one source (a reader or a site module) found on a page, before the merge."""

from __future__ import annotations

from dataclasses import dataclass, field

from prodex.extract.model import Media, Specification, Variant


@dataclass
class Found:
    """Field values from one source; empty values mean "this source says nothing"."""

    source: str
    name: str | None = None
    description: str | None = None
    selling_points: list[str] = field(default_factory=list)
    images: list[str] = field(default_factory=list)
    videos: list[Media] = field(default_factory=list)
    price: str | None = None
    offer_prices: list[str] = field(default_factory=list)
    """Every price the source offers (variants, sellers), the main one first."""
    price_is_lowest: bool = False
    """The price is the lowest of several offers (an AggregateOffer's ``lowPrice``), not
    necessarily the one on show: the page's own price at or above it may be the offer it sells."""
    old_prices: list[str] = field(default_factory=list)
    """Prices the page shows as old, list or crossed-out prices."""
    regular_price: str | None = None
    """The list price the source gives for this offer (schema.org ``ListPrice``, a compare-at price)."""
    list_prices: list[str] = field(default_factory=list)
    """Further list prices the page shows beside a price (struck out, "was", "UVP"), nearest first:
    the first above the merged price is the regular price when ``regular_price`` is not."""
    currency: str | None = None
    brand: str | None = None
    sku: str | None = None
    gtin: str | None = None
    mpn: str | None = None
    availability: str | None = None
    category: str | None = None
    breadcrumbs: list[str] = field(default_factory=list)
    audience: str = ""
    gender: str | None = None
    """``female``, ``male`` or ``unisex`` when the source states it (schema.org suggestedGender)."""
    age_group: str | None = None
    """``newborn``, ``infant``, ``toddler``, ``kids`` or ``adult`` when the source states it."""
    title_notes: list[str] = field(default_factory=list)
    """The short lines right after the title (a subtitle, a meta line: "Rounded square acetate
    sunglasses · Unisex"), where shops write who the product is for."""
    rating_value: str | None = None
    rating_best: str | None = None
    review_count: int | None = None
    variants: list[Variant] = field(default_factory=list)
    specifications: list[Specification] = field(default_factory=list)
    canonical_url: str | None = None
    site_names: list[str] = field(default_factory=list)
    sku_labelled: bool = False
    """The sku is a code the page shows with a label ("Product code: ..."): it beats markup."""
    brand_labelled: bool = False
    """The brand is one the page shows with a label ("Brand: X"): it beats markup."""
    listing: bool = False
    """This source sees a list of products and none of them is the page's own subject."""
    subject: bool = False
    """This source describes the page's own product (not one product of a list): a listing
    another source sees is then the page's related or recommended products."""

    def is_empty(self) -> bool:
        """Whether this source found nothing about the product."""
        return not any(
            (
                self.name,
                self.description,
                self.selling_points,
                self.images,
                self.videos,
                self.price,
                self.brand,
                self.sku,
                self.gtin,
                self.mpn,
                self.availability,
            )
        )
