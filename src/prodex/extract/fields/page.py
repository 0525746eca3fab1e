"""``language`` and ``canonical_url``: what the page says of itself."""

from __future__ import annotations

from prodex.extract.fields.context import Merging

CANONICAL_ORDER = ("meta", "opengraph", "json-ld", "microdata")


def merge_page_facts(merging: Merging) -> None:
    """The page's declared language and its canonical URL."""
    merging.set("language", merging.page.language(), "html")
    canonical = merging.take("canonical_url", CANONICAL_ORDER, lambda f: f.canonical_url)
    merging.product.canonical_url = str(canonical) if canonical else None
