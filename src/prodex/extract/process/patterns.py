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


def is_spaced_script(word: str) -> bool:
    """Whether a word is written in a script that separates words with spaces (not CJK or Thai;
    Korean counts as unspaced too, its compounds being written as one word: folded Hangul is
    in jamo, which are listed as well)."""
    if word.isascii():
        return True
    return not any(
        "\u0e00" <= ch <= "\u0e7f"
        or "\u1100" <= ch <= "\u11ff"
        or "\u3040" <= ch <= "\u30ff"
        or "\u3130" <= ch <= "\u318f"
        or "\u3400" <= ch <= "\u9fff"
        or "\ua960" <= ch <= "\ua97f"
        or "\uac00" <= ch <= "\ud7ff"
        for ch in word
    )


_UNSPACED_RANGE = re.compile("[\u0e00-\U0010ffff]")
"""A character at or above the first script :func:`is_spaced_script` finds without spaces (Thai)."""


def may_hold_unspaced(text: str) -> bool:
    """Whether a text, or its :func:`prodex.extract.process.text.fold`, may hold a word of a script
    without spaces: every such word has a character at or above U+0E00, and no character below
    folds into one of those scripts (a test checks each); one fast scan spares the word search
    of the texts without."""
    return _UNSPACED_RANGE.search(text) is not None


def word_start_pattern(words: Iterable[str]) -> str:
    """A regular expression matching the given words (or word stems) where a word starts: not
    after a letter; words of scripts without spaces (CJK, Thai) match anywhere."""
    spaced = [w for w in words if w and is_spaced_script(w)]
    unspaced = [w for w in words if w and not is_spaced_script(w)]
    parts = []
    if spaced:
        parts.append(r"(?<![^\W\d_])" + trie_pattern(spaced))
    if unspaced:
        parts.append(trie_pattern(unspaced))
    return "|".join(parts) or "(?!)"


def by_first_character(words: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """Words grouped by their first character, longest first (for :func:`words_in`)."""
    groups: dict[str, list[str]] = {}
    for word in words:
        if word:
            groups.setdefault(word[0], []).append(word)
    return {ch: tuple(sorted(ws, key=len, reverse=True)) for ch, ws in groups.items()}


def words_in(text: str, grouped: dict[str, tuple[str, ...]]) -> list[str]:
    """The words of ``grouped`` that occur in ``text`` (scripts without spaces), longest first
    where they overlap: a word said only inside a longer one ("メンズ" in "ウィメンズ") is not
    said. Only the groups of characters the text has are tried."""
    found: list[str] = []
    for ch in set(text).intersection(grouped):
        found.extend(word for word in grouped[ch] if word in text)
    if len(found) < 2:
        return found
    return [word for word in found if not _only_inside(text, word, found)]


def _only_inside(text: str, word: str, found: list[str]) -> bool:
    """Whether every place ``text`` says ``word`` lies inside a longer word of ``found``."""
    longer = [other for other in found if len(other) > len(word) and word in other]
    if not longer:
        return False
    covered: set[int] = set()
    for other in longer:
        start = text.find(other)
        while start >= 0:
            covered.update(range(start, start + len(other)))
            start = text.find(other, start + 1)
    start = text.find(word)
    while start >= 0:
        if not covered.issuperset(range(start, start + len(word))):
            return False
        start = text.find(word, start + 1)
    return True
