"""What every field rule works with: the page, what each source found, the product built so far
and the record of where each field came from (:class:`Merging`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from prodex.extract.found import Found
from prodex.extract.model import Product
from prodex.extract.page import Page

#: Sources that read the product from structured data (trusted over what the page shows).
STRUCTURED = ("platform", "json-ld", "microdata", "rdfa", "app-state")
#: Trust orders of sources, most trusted first (``site`` = a site module or a shop platform's JSON).
DEFAULT_ORDER = ("site", "platform", "json-ld", "microdata", "app-state", "opengraph", "dom", "meta")
PRICE_ORDER = ("site", "platform", "json-ld", "microdata", "app-state", "opengraph", "dom")
NAME_ORDER = ("site", "platform", "json-ld", "microdata", "app-state", "dom", "opengraph", "meta")
DESCRIPTION_ORDER = NAME_ORDER
OFFER_ORDER = ("site", "platform", "json-ld", "microdata", "app-state", "dom")
"""Ratings, variants and specifications: structured data first, then what the page shows."""


KIND_ALIASES = {"rdfa": "microdata"}
"""Sources trusted as another kind: RDFa Lite marks a page's elements as microdata does."""


def kind_of(found: Found) -> str:
    """The kind of a source for trust orders (every site module and platform reader is ``site``)."""
    if found.source.startswith("site:"):
        return "site"
    return KIND_ALIASES.get(found.source, found.source)


def ordered(sources: Sequence[Found], order: Sequence[str]) -> list[Found]:
    """The sources sorted by the trust ``order`` (kinds not listed are left out)."""
    by_kind: dict[str, list[Found]] = {}
    for found in sources:
        by_kind.setdefault(kind_of(found), []).append(found)
    return [found for kind in order for found in by_kind.get(kind, ())]


def is_empty(value: object) -> bool:
    """Whether a found value says nothing (``None``, ``""`` or an empty list)."""
    return value is None or value == "" or value == []


@dataclass
class Merging:
    """One merge in progress: rules read the sources and write ``product`` and ``source``."""

    page: Page
    sources: Sequence[Found]
    product: Product
    source: dict[str, str] = field(default_factory=dict)
    _ranked: dict[tuple[str, ...], list[Found]] = field(default_factory=dict)

    def ranked(self, order: tuple[str, ...]) -> list[Found]:
        """The sources in trust ``order`` (sorted once per order)."""
        if order not in self._ranked:
            self._ranked[order] = ordered(self.sources, order)
        return self._ranked[order]

    def take(self, name: str, order: tuple[str, ...], get: Callable[[Found], object]) -> object:
        """The first non-empty ``get(found)`` in trust order; records its source under ``name``."""
        for found in self.ranked(order):
            value = get(found)
            if not is_empty(value):
                self.source[name] = found.source
                return value
        return None

    def of_kind(self, kind: str) -> Found | None:
        """The first source of ``kind`` (``dom``, ``json-ld``, ``site``...), if any."""
        return next((f for f in self.sources if kind_of(f) == kind), None)

    @property
    def dom(self) -> Found | None:
        """What the DOM heuristics found (what the page shows)."""
        return self.of_kind("dom")

    def set(self, name: str, value: object, origin: str | None) -> None:
        """Set a product field and, when it has a value, its source."""
        setattr(self.product, name, value)
        if origin and not is_empty(value):
            self.source[name] = origin
