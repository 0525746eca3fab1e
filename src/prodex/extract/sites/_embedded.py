"""Helpers for site and platform modules: JSON a page embeds in scripts (found in the raw source
or by element), paths into that JSON, and the bullet lines of an HTML fragment.

Not a site module (the leading underscore keeps the registry from loading it as one).
"""

from __future__ import annotations

import re
from typing import Any

from selectolax.lexbor import LexborHTMLParser

from prodex.extract.jsontools import load_json_at, loads_lenient
from prodex.extract.page import Page
from prodex.extract.process.availability import fold
from prodex.extract.process.text import clean_line
from prodex.extract.readers.schema import brand_of
from prodex.extract.words import words

MAX_SCRIPT_CHARS = 8 * 1024 * 1024
MAX_FRAGMENT_CHARS = 100_000
MAX_LIST_ITEMS = 20
MAX_LINE_CHARS = 500
BRAND_WORDS = frozenset(words("labels", "brand"))
"""Labels that name the brand ("Brand", "Marke", ...)."""
MAKER_WORDS = frozenset(words("labels", "maker")) - BRAND_WORDS
"""Labels that name the maker ("Manufacturer", "Make", "Hersteller", ...)."""
NO_VALUE = frozenset(
    (
        "does not apply",
        "not applicable",
        "nicht zutreffend",
        "n/a",
        "na",
        "-",
        "none",
        "no brand",
        "unbranded",
        "unbranded/generic",
        "generic",
    )
)
"""Values that say a labelled attribute has no value ("Does not apply", "No brand", ...)."""


class RawPattern:
    """A regular expression compiled for the page's raw source, whether it is text or bytes."""

    __slots__ = ("_bytes", "_text")

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self._text = re.compile(pattern, flags)
        self._bytes = re.compile(pattern.encode(), flags)

    def ends(self, page: Page, limit: int = 8) -> list[int]:
        """Where the first ``limit`` matches end in the page's raw source."""
        raw = page.raw
        matches = self._bytes.finditer(raw) if isinstance(raw, bytes) else self._text.finditer(raw)
        out: list[int] = []
        for match in matches:
            out.append(match.end())
            if len(out) >= limit:
                break
        return out


def json_after(page: Page, pattern: RawPattern, limit: int = 4) -> list[Any]:
    """The JSON values that start right where ``pattern`` matches in the raw source (the pattern
    ends just before the ``{`` or ``[``, e.g. ``window.runParams = {data:``), bounded."""
    values: list[Any] = []
    for end in pattern.ends(page, limit):
        value = load_json_at(page.raw, end)
        if value is not None:
            values.append(value)
    return values


def script_json(page: Page, selector: str) -> Any:
    """The JSON inside the first script element matching ``selector`` (e.g. ``script#__NEXT_DATA__``),
    or ``None``."""
    node = page.tree.css_first(selector)
    if node is None:
        return None
    text = node.text(deep=True)
    if not text or len(text) > MAX_SCRIPT_CHARS:
        return None
    documents = loads_lenient(text)
    return documents[0] if documents else None


def dig(value: Any, *path: str | int) -> Any:
    """``value[path[0]][path[1]]...`` through dicts and lists, or ``None`` where the path breaks."""
    for key in path:
        if isinstance(key, int) and isinstance(value, list) and -len(value) <= key < len(value):
            value = value[key]
        elif isinstance(key, str) and isinstance(value, dict):
            value = value.get(key)
        else:
            return None
    return value


def list_items(markup: str) -> list[str]:
    """The ``<li>`` lines of an HTML fragment (a description's bullet points), bounded."""
    if "<li" not in markup:
        return []
    tree = LexborHTMLParser(markup[:MAX_FRAGMENT_CHARS], is_fragment=True)
    lines = [clean_line(li.text(deep=True, separator=" ")) for li in tree.css("li")[:MAX_LIST_ITEMS]]
    return [line for line in lines if line and len(line) < MAX_LINE_CHARS]


def labelled(pairs: list[tuple[str, str]], labels: frozenset[str]) -> str:
    """The first value whose label (folded) is one of ``labels``, skipping "Does not apply" values."""
    for label, value in pairs:
        if fold(label) in labels and fold(value) not in NO_VALUE:
            return value
    return ""


def brand_in(pairs: list[tuple[str, str]]) -> str | None:
    """The brand among labelled values (item specifics, specifications): a "Brand" row, else a
    "Manufacturer"/"Make" row."""
    return brand_of(labelled(pairs, BRAND_WORDS) or labelled(pairs, MAKER_WORDS)) or None


def attribute_lines(pairs: list[tuple[str, str]]) -> list[str]:
    """``"Label: value"`` lines for labelled attributes that have a value."""
    return [f"{label}: {value}" for label, value in pairs if label and value and fold(value) not in NO_VALUE]
