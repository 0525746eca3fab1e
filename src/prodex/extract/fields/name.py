"""``name``: the title as the shop shows it (the visible title when it is the structured name or a
part of it), without the shop's name."""

from __future__ import annotations

from prodex.extract.fields.context import NAME_ORDER, STRUCTURED, Merging
from prodex.extract.process.availability import fold
from prodex.extract.process.names import strip_name_noise, strip_site_name

VISIBLE_SHARE = 0.3
"""The visible title replaces the structured name when it is at least this share of it."""


def merge_name(merging: Merging) -> None:
    """The product's name from its most trusted source, as the page shows it."""
    raw = merging.take("name", NAME_ORDER, lambda f: f.name)
    dom = merging.dom
    if raw and dom is not None and dom.name and merging.source.get("name") in STRUCTURED:
        visible, named = fold(dom.name), fold(str(raw))
        if visible and (visible in named or named in visible) and len(visible) >= VISIBLE_SHARE * len(named):
            raw, merging.source["name"] = dom.name, "dom"
    site_names = [n for f in merging.sources for n in f.site_names]
    name = strip_name_noise(strip_site_name(str(raw), merging.page.host, site_names)) if raw else ""
    merging.product.name = name or None
    if not name:
        merging.source.pop("name", None)
