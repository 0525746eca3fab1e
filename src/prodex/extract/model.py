"""The typed result of extraction: :class:`Product` and its :class:`Media`.

Every field is optional but ``url``; each field's format is fixed here so that every reader,
site module and processor produces the same shape.
"""

from __future__ import annotations

from enum import IntEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class MediaType(IntEnum):
    """JoggAI media types."""

    IMAGE = 1
    VIDEO = 2


class Media(BaseModel):
    """One picture or video of the product; ``url`` is absolute http(s)."""

    model_config = ConfigDict(frozen=True)

    type: MediaType
    url: str
    name: str = ""
    description: str = ""


class Product(BaseModel):
    """A product as extracted from one page.

    Formats:
    - ``price``: the price a shopper pays now (the sale price when there is one) as a decimal
      string with a full stop and no currency or thousands separators, e.g. ``"1234.50"``.
    - ``currency``: ISO 4217 code, e.g. ``"EUR"``.
    - ``availability``: a schema.org ItemAvailability name without the URL prefix: ``InStock``,
      ``OutOfStock``, ``PreOrder``, ``BackOrder``, ``LimitedAvailability``, ``Discontinued``,
      ``SoldOut``, ``InStoreOnly``, ``OnlineOnly``.
    - ``description``: plain text, paragraphs separated by a blank line.
    - ``selling_points``: short lines (feature bullets, key claims).
    - ``media``: ordered; the first image is the main image.
    - ``language``: a BCP 47 tag as the page declares it, e.g. ``"de-DE"``.
    - ``target_audience``: a short phrase supported by the page, or ``""`` when nothing supports one.
    - ``source``: for every field that has a value, where it came from: ``json-ld``,
      ``microdata``, ``opengraph``, ``meta``, ``app-state``, ``platform``, ``site:<name>``, ``dom``
      (``language``: ``html``; ``target_audience`` guessed from words: ``text``). One extra key,
      ``source["page"] == "listing"``, marks a page that lists products (see ``prodex.extract.page_kind``).
    """

    model_config = ConfigDict(validate_assignment=False)

    url: str
    name: str | None = None
    description: str | None = None
    selling_points: list[str] = Field(default_factory=list)
    target_audience: str = ""
    media: list[Media] = Field(default_factory=list)
    price: str | None = None
    currency: str | None = None
    brand: str | None = None
    sku: str | None = None
    gtin: str | None = None
    mpn: str | None = None
    availability: str | None = None
    category: str | None = None
    breadcrumbs: list[str] = Field(default_factory=list)
    language: str | None = None
    canonical_url: str | None = None
    source: dict[str, str] = Field(default_factory=dict)

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
