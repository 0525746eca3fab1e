"""Category paths: a category given as one string ("A > B > C", "A < B", "A › B", "A » B",
"A / B") split into its levels, the way breadcrumbs list them."""

from __future__ import annotations

import re

from prodex.extract.process.text import clean_line

MAX_LEVELS = 12
MAX_LEVEL_CHARS = 120
_ARROWS = re.compile(r"\s*(?:[<>›‹»«→|]|&gt;|&lt;|&raquo;|&rsaquo;)\s*")
"""Separators that only ever separate levels (written with or without spaces)."""
_SPACED_SLASH = re.compile(r"\s+[/\\]\s+")
"""A slash separates levels only with spaces around it ("Tops/T-Shirts" is one category)."""


def category_path(value: object) -> list[str]:
    """The levels of a category path, broadest first (``"Home > Kitchen > Kettles"`` ->
    ``["Home", "Kitchen", "Kettles"]``); one level for a plain category, ``[]`` for nothing."""
    text = value if isinstance(value, str) else ""
    if not text.strip():
        return []
    parts = _ARROWS.split(text[: MAX_LEVELS * MAX_LEVEL_CHARS])
    if len(parts) == 1:
        parts = _SPACED_SLASH.split(parts[0])
    levels = [clean_line(part) for part in parts]
    return [level for level in levels if level and len(level) <= MAX_LEVEL_CHARS][:MAX_LEVELS]
