"""The variants in a page's embedded JSON, for pages whose structured data names no options.

Front-ends keep the variants they draw as a list of small objects (``"variants": [{"sku": ...,
"colour": "Sage Green"}, ...]``, ``[{"attributeName": "Size", "attributeValue": "38"}, ...]``).
The page's scripts are scanned for ``"variants": [`` (a page without one costs a single fast search),
each list is read, and an option is taken from each item: a key that names an axis ("color",
"colour", "size", "Farbe") with a short text value, or a name/value pair whose name does. A list
counts when one axis takes two values or more and the page's text shows every one of them (a list
the JSON keeps but the page never shows, another product's, is left out). A configurable product's
attributes in Magento's swatch and configurable scripts are read first: they are the product's own.
"""

from __future__ import annotations

import re
from typing import Any

from prodex.extract.found import Found
from prodex.extract.jsontools import load_json_at
from prodex.extract.model import Variant
from prodex.extract.page import Page
from prodex.extract.process.axes import OTHER, axis_of, settled_axis, shown_axis_of
from prodex.extract.process.text import clean_line

SOURCE = "app-state"
MAX_LISTS = 6
MAX_ITEMS = 100
MAX_VALUE = 40
MAX_LIST_CHARS = 400_000
_PAIRS = (("attributeName", "attributeValue"), ("optionName", "optionValue"), ("attribute", "value"))
_GENERIC_KEYS = frozenset(
    ("variant", "variantname", "variant_name", "name", "title", "type", "label", "value")
)
"""Keys that name a variant without saying its axis (the axis words would read "variant" as a style)."""
_HIT = re.compile(r'"variants"\s*:\s*(?=\[)')


def _short_text(value: Any) -> str | None:
    """A value that reads as an option's name: a short text (a number as text too)."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return None
    text = clean_line(str(value))
    return text if 0 < len(text) <= MAX_VALUE else None


def _item_options(item: dict[str, Any]) -> dict[str, str]:
    """The options one variant object names: its axis-named keys, and a name/value pair."""
    options: dict[str, str] = {}
    for key, value in item.items():
        named = isinstance(key, str) and len(key) <= 20 and key.lower() not in _GENERIC_KEYS
        axis = axis_of(key) if named else None
        text = _short_text(value) if axis is not None else None
        if axis is not None and text is not None:
            options.setdefault(axis, text)
    for name_key, value_key in _PAIRS:
        name, value = item.get(name_key), _short_text(item.get(value_key))
        if not isinstance(name, str) or value is None:
            continue
        axis = settled_axis(shown_axis_of(name), [value])
        if axis is not None:
            options.setdefault(axis, value)
    return options


def _variants_of(items: list[Any]) -> list[Variant]:
    """One variant per item that names an option, when some axis takes two values or more."""
    variants = [
        Variant(options=options)
        for item in items[:MAX_ITEMS]
        if isinstance(item, dict) and (options := _item_options(item))
    ]
    values: dict[str, set[str]] = {}
    for variant in variants:
        for axis, value in variant.options.items():
            values.setdefault(axis, set()).add(value)
    return variants if any(len(found) >= 2 for found in values.values()) else []


def _shown(variants: list[Variant], text: str) -> bool:
    """Whether the page's text shows every option the variants name."""
    folded = text.casefold()
    return all(value.casefold() in folded for variant in variants for value in variant.options.values())


def _lists(page: Page) -> list[list[Any]]:
    """The ``"variants": [...]`` lists of the page's source (the first few)."""
    source = page.script_source()
    first = source.find('"variants"')
    if first < 0:
        return []  # one fast literal search for the pages without such a list
    positions = [hit.end() for _, hit in zip(range(MAX_LISTS), _HIT.finditer(source, first), strict=False)]
    lists: list[list[Any]] = []
    for position in positions:
        value = load_json_at(source[position : position + MAX_LIST_CHARS], 0)
        if isinstance(value, list) and len(value) >= 2:
            lists.append(value)
    return lists


_CONFIG = re.compile(r'"(?:jsonConfig|spConfig)"\s*:\s*\{\s*"attributes"\s*:\s*(?=\{)')


def _configured_variants(page: Page) -> list[Variant]:
    """The options of a configurable product's attributes as Magento's swatch renderer and
    configurable script carry them (``"jsonConfig": {"attributes": {"93": {"code": "color",
    "label": "Farbe", "options": [{"label": "Schwarz"}, ...]}}}``), which the page draws with
    script: one variant per option of each attribute, named by its code or label."""
    source = page.script_source()
    first = source.find('Config"')
    if first < 0:
        return []  # one fast literal search for the pages without such a script
    # a match holds 'Config"' at most 5 characters after its start: the pattern is searched from there
    hit = _CONFIG.search(source, max(first - len('"json'), 0))
    if hit is None:
        return []
    attributes = load_json_at(source[hit.end() : hit.end() + MAX_LIST_CHARS], 0)
    variants: list[Variant] = []
    for attribute in attributes.values() if isinstance(attributes, dict) else ():
        axis, values = _attribute_options(attribute)
        if len(values) >= 2 and all(axis not in v.options for v in variants):
            variants += [Variant(options={axis: value}) for value in values]
    return variants


def _attribute_options(attribute: Any) -> tuple[str, list[str]]:
    """The axis a configurable attribute names (by its code, else its label, else ``other``) and
    its options' labels, each once."""
    if not isinstance(attribute, dict):
        return OTHER, []
    code, label = str(attribute.get("code") or ""), str(attribute.get("label") or "")
    options = attribute.get("options")
    items = options[:MAX_ITEMS] if isinstance(options, list) else []
    labels = [_short_text(item.get("label")) for item in items if isinstance(item, dict)]
    values = list(dict.fromkeys(text for text in labels if text))
    return axis_of(code) or settled_axis(shown_axis_of(label), values) or OTHER, values


def read_variants(page: Page) -> Found | None:
    """The variants of the first list in the page's JSON that names options the page shows
    (read after the page's scripts are removed: its text is what shows), or ``None``."""
    configured = _configured_variants(page)
    if configured:
        return Found(source=SOURCE, variants=configured)
    lists = _lists(page)
    if not lists:
        return None
    text = page.shown_text()
    for items in lists:
        variants = _variants_of(items)
        if variants and _shown(variants, text):
            return Found(source=SOURCE, variants=variants)
    return None
