"""The typed result of extraction: :class:`Product`, its :class:`Media`, :class:`Variant` and
:class:`Specification`.

:class:`Product` is the one declaration of the product's fields: each field's type, default and
format (its ``description``) are written here once. The stored record and its table columns
(:mod:`prodex.store.tables`), the API's ``ProductInfo`` (:mod:`prodex.api.schemas`) and the
merge (:mod:`prodex.extract.fields`, one rule per field: trust order of sources and processor)
follow from it; a test checks that every field has its rule, its column and its API field.
Every field is optional but ``url``.
"""

from __future__ import annotations

from enum import IntEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, SerializerFunctionWrapHandler, model_serializer


class MediaType(IntEnum):
    """JoggAI media types."""

    IMAGE = 1
    VIDEO = 2


class Media(BaseModel):
    """One picture or video of the product; ``url`` is absolute http(s).

    Once prodex has stored a checked copy (see :mod:`prodex.media`), ``url`` is that copy and the
    details below are set; extraction leaves them empty, and details that are not known are left
    out when the item is written as JSON (stored or answered: a URL kept as found has exactly the
    contract's four keys).
    """

    model_config = ConfigDict(frozen=True)

    type: MediaType
    url: str
    name: str = ""
    description: str = ""
    original_url: str | None = Field(default=None, description="The shop's URL of a stored copy.")
    width: int | None = Field(default=None, description="Pixels, as decoded (videos: not known).")
    height: int | None = Field(default=None, description="Pixels, as decoded (videos: not known).")
    bytes: int | None = Field(default=None, description="Size of the stored file.")
    mime: str | None = Field(default=None, description='The type sniffed from the bytes ("image/jpeg").')
    sha256: str | None = Field(default=None, description="SHA-256 of the stored file, hex.")

    @model_serializer(mode="wrap")
    def _known_details_only(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        data: dict[str, Any] = handler(self)
        for name in MEDIA_DETAILS:
            if data.get(name, 0) is None:
                del data[name]
        return data


#: The details of a stored media item (absent from its JSON when not known).
MEDIA_DETAILS = ("original_url", "width", "height", "bytes", "mime", "sha256")


class Variant(BaseModel):
    """One variant the page offers (a colour, a size, a pack...)."""

    model_config = ConfigDict(frozen=True)

    sku: str | None = None
    name: str | None = None
    options: dict[str, str] = Field(
        default_factory=dict,
        description="Axis (English: color, size, style, material, capacity, flavor, pattern, length, "
        "width, quantity, model, other) to the value as the page writes it.",
    )
    price: str | None = None
    availability: str | None = None
    url: str | None = None
    image: str | None = None


class Specification(BaseModel):
    """One row of the product's specification table, as the page writes it."""

    model_config = ConfigDict(frozen=True)

    name: str
    value: str


AUDIENCE_SOURCE_TEXT = "text"
"""``source["target_audience"]`` when the page states the audience (schema.org, "for men", a department)."""
AUDIENCE_SOURCE_INFERRED = "inferred"
"""``source["target_audience"]`` when the audience is inferred from the category, gender and age group."""


class Product(BaseModel):
    """A product as extracted from one page (the fields' formats are their descriptions).

    ``source``: for every field that has a value, where it came from: ``json-ld``, ``microdata``,
    ``opengraph``, ``meta``, ``app-state``, ``platform``, ``site:<name>``, ``dom``, ``manual``
    (``language``: ``html``; ``target_audience``: ``text`` or ``inferred``; ``selling_points``:
    ``description`` when taken from the description's leading sentences; derived fields:
    ``derived``). One extra key, ``source["page"] == "listing"``, marks a page that lists
    products (see ``prodex.extract.page_kind``).
    """

    model_config = ConfigDict(validate_assignment=False)

    url: str = Field(description="The page's URL; empty for products entered by hand.")
    name: str | None = Field(
        default=None, description="The title as the shop shows it, without shop names, codes or UI text."
    )
    description: str | None = Field(
        default=None, description="The product's own text, plain, paragraphs separated by a blank line."
    )
    selling_points: list[str] = Field(
        default_factory=list,
        description="3 to 10 short lines: the feature bullets, highlights and key claims of this product.",
    )
    target_audience: str = Field(
        default="",
        description='A short English phrase for a video brief ("Women who hike"), stated or inferred.',
    )
    media: list[Media] = Field(
        default_factory=list, description="Ordered; the first image is the main image."
    )
    price: str | None = Field(
        default=None,
        description='The price a shopper pays now, a decimal string with a full stop, e.g. "1234.50".',
    )
    regular_price: str | None = Field(
        default=None,
        description='The original (list, struck-out, "was") price shown beside a lower price, same format.',
    )
    discount_percent: int | None = Field(
        default=None, description="Whole percent off the regular price, derived from both prices."
    )
    currency: str | None = Field(default=None, description='ISO 4217 code, e.g. "EUR".')
    brand: str | None = None
    sku: str | None = Field(default=None, description="The shop's own article number.")
    gtin: str | None = Field(default=None, description="GTIN / EAN / UPC.")
    mpn: str | None = Field(default=None, description="Manufacturer part or model number.")
    availability: str | None = Field(
        default=None,
        description="A schema.org ItemAvailability name: InStock, OutOfStock, PreOrder, BackOrder, "
        "LimitedAvailability, Discontinued, SoldOut, InStoreOnly, OnlineOnly.",
    )
    rating_value: str | None = Field(
        default=None,
        description='The average rating as shown, a decimal string on the page\'s scale ("4.6").',
    )
    rating_best: str | None = Field(default=None, description='The best value of that scale ("5").')
    review_count: int | None = Field(
        default=None, description="How many ratings or reviews the summary counts."
    )
    variants: list[Variant] = Field(default_factory=list, description="The variants the page offers.")
    specifications: list[Specification] = Field(
        default_factory=list, description="The specification table's rows in page order."
    )
    category: str | None = Field(default=None, description="The shop's own category (breadcrumb's last).")
    breadcrumbs: list[str] = Field(default_factory=list, description="The shop's category path.")
    google_category: str | None = Field(
        default=None,
        description='A path of Google\'s product taxonomy, levels joined by " > ", as deep as the '
        'evidence supports (e.g. "Home & Garden > Kitchen & Dining").',
    )
    google_category_id: int | None = Field(default=None, description="The id of that taxonomy category.")
    gender: str | None = Field(
        default=None,
        description="female, male or unisex (product-feed meaning); null where none applies.",
    )
    age_group: str | None = Field(
        default=None,
        description="newborn, infant, toddler, kids or adult (as in product feeds); null where none applies.",
    )
    language: str | None = Field(
        default=None, description='BCP 47 tag as the page declares it, e.g. "de-DE".'
    )
    canonical_url: str | None = None
    source: dict[str, str] = Field(default_factory=dict, description="Where each field came from.")

    def to_dict(self) -> dict[str, Any]:
        """The product as JSON-ready data."""
        return self.model_dump(mode="json")

    @property
    def images(self) -> list[Media]:
        """The pictures, main image first."""
        return [m for m in self.media if m.type == MediaType.IMAGE]

    @property
    def videos(self) -> list[Media]:
        """The videos."""
        return [m for m in self.media if m.type == MediaType.VIDEO]
