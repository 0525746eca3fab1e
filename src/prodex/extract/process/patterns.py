"""Fast patterns for vocabularies: a word list compiled as a trie-shaped regular expression.

Python's ``re`` tries every alternative of ``a|b|c`` at every position; the same words written as
a trie (``(?:a(?:b|c)|d)``) are rejected after one or two characters, which makes label searches
over a whole page's text several times faster.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_END = ""


def trie_pattern(words: Iterable[str]) -> str:
    """A regular expression (no groups that capture) matching exactly the given literal words."""
    trie: dict[str, dict] = {}  # type: ignore[type-arg]
    for word in words:
        if not word:
            continue
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[_END] = {}
    return _build(trie) or "(?!)"


def _build(node: dict[str, dict]) -> str:  # type: ignore[type-arg]
    branches = [re.escape(ch) + _build(child) for ch, child in sorted(node.items()) if ch != _END]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    if _END in node:
        return f"(?:{body})?"
    return body
