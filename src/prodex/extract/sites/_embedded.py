"""Helpers for site modules: JSON a page embeds in scripts, found in the raw source or by element.

Not a site module (the leading underscore keeps the registry from loading it as one).
"""

from __future__ import annotations

import re
from typing import Any

from prodex.extract.jsontools import load_json_at, loads_lenient
from prodex.extract.page import Page

MAX_SCRIPT_CHARS = 8 * 1024 * 1024


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
