"""``brand``, ``sku``, ``gtin``, ``mpn`` and ``availability``: plain values from the most trusted
source, except that a brand or SKU the page shows with a label ("Brand: X", "Art.-Nr. 123")
beats markup (a site module's still wins). A labelled model or part number ("Model number",
"Herstellernummer") is the mpn, and the sku only when nothing gives an article number."""

from __future__ import annotations

from operator import attrgetter

from prodex.extract.fields.context import PRICE_ORDER, Merging, kind_of
from prodex.extract.process.text import clean_line

PLAIN_FIELDS = ("brand", "sku", "gtin", "mpn", "availability")


def _labelled(merging: Merging, name: str) -> None:
    """Take a labelled brand or SKU when no site module gives one."""
    flag = f"{name}_labelled"
    labelled = next((f for f in merging.sources if getattr(f, flag) and getattr(f, name)), None)
    if labelled is None or any(kind_of(f) == "site" and getattr(f, name) for f in merging.sources):
        return
    merging.set(name, getattr(labelled, name), labelled.source)


def merge_identity(merging: Merging) -> None:
    """The brand, SKU, GTIN, MPN and availability."""
    _labelled(merging, "sku")
    _labelled(merging, "brand")
    for name in PLAIN_FIELDS:
        if name in merging.source:
            continue
        value = merging.take(name, PRICE_ORDER, attrgetter(name))
        setattr(merging.product, name, clean_line(value) if value else None)
    if merging.product.sku is None and merging.product.mpn and merging.source.get("mpn") == "dom":
        # no article number anywhere: the model number the page labels is the code it shows
        merging.set("sku", merging.product.mpn, "dom")
