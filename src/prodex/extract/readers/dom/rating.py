"""The rating summary the page shows beside its title: the average ("4.6 out of 5", "4,6 von 5
Sternen", "★ 4.8", an ``aria-label`` "Rated 4.8 out of 5", ``data-rating="4.7"``, a star bar 92%
wide) and the number of ratings or reviews ("(2,300 reviews)", "123 Bewertungen", "12 avis").

Only what is near the title counts: the customer reviews further down carry ratings of their own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from selectolax.lexbor import LexborAttributes, LexborNode

from prodex.extract.page import Page
from prodex.extract.process.patterns import trie_pattern
from prodex.extract.readers.dom.vocabulary import TitleDistances, title_ancestors
from prodex.extract.words import words

MAX_DISTANCE = 9
"""Levels between a rating element and the title (up to their shared ancestor and down)."""
MAX_CANDIDATES = 300
MAX_READ = 12
SCOPE_LEVELS = 3
TEXT_BEFORE_TITLE = 300
TEXT_AFTER_TITLE = 1500
RATING_SELECTOR = (
    "[data-rating], [data-score], [data-average-rating], [data-rating-value], [data-grade], "
    "[data-average], [aria-label], [title], [style*=width], [style*=--]"
)
_VALUE_ATTRS = (
    "data-rating",
    "data-score",
    "data-average-rating",
    "data-rating-value",
    "data-grade",
    "data-average",
)
_COUNT_ATTRS = (
    "data-number-of-reviews",
    "data-review-count",
    "data-reviews-count",
    "data-rating-count",
    "data-reviews",
    "data-count",
)
_STAR_WORDS = (
    rf"(?:{trie_pattern(words('rating', 'star'))}|(?:{trie_pattern(words('rating', 'star_stem'))})\w*)"
)
_OUT_OF = trie_pattern(words("rating", "out_of")).replace(re.escape(" "), r"\s+")
"""The words before a scale ("out of", "von"), a space in them matching any whitespace."""
_OF = rf"(?:{_OUT_OF}|/|／)"
_SCALE = re.compile(rf"{_OF}\s*(5|10)(?![\d.,])")
"""The scale of an average ("out of 5", "von 5", "/5"), searched first: it is rarer than a digit."""
_VALUE_BEFORE = re.compile(rf"(\d(?:[.,]\d{{1,2}})?|10)\s*{_STAR_WORDS}?\s*$")
"""The average just before its scale: "4.6 out of 5", "4,6 von 5 Sternen", "4.5/5", "8 of 10"
(searched within a slice: the character before it is checked apart, see :data:`_NUMBER_CHARS`)."""
_NUMBER_CHARS = frozenset("0123456789.,")
_STAR_MARK = re.compile(r"[★⭐]\s*(\d[.,]\d{1,2})(?!\d)")
_STAR_AFTER = re.compile(rf"(\d(?<![\d.,]\d)[.,]\d{{1,2}})\s*(?:[★⭐]|{_STAR_WORDS}\b)")
_RATED = re.compile(rf"(?:{trie_pattern(words('rating', 'rated'))})\s*[:：]?\s*(\d[.,]\d{{1,2}})(?![\d.,])")


def _hints(found: tuple[str, ...]) -> tuple[str, ...]:
    """The words none of the others is in: a text holds one of ``found`` only if it holds one of
    these (a fast substring test before a pattern's search)."""
    return tuple(word for word in found if not any(other != word and other in word for other in found))


_STAR_HINTS = _hints(words("rating", "star") + words("rating", "star_stem"))
_RATED_HINTS = _hints(words("rating", "rated"))
REVIEW_WORDS = words("review_count", "review")
_WORDS = trie_pattern(REVIEW_WORDS)
_NUMBER = r"(\d{1,3}(?:[.,  '’]\d{3})+|\d+)"
_WORD_AT = re.compile(rf"(?:{_WORDS})(?![^\W\d_])")
_NUMBER_BEFORE = re.compile(rf"(?<![\d.,]){_NUMBER}\s*\+?\s*$")
_NUMBER_AFTER = re.compile(rf"\s*[:(（]\s*{_NUMBER}\s*[)）]?")
_PAREN_COUNT = re.compile(
    rf"\d(?<![\d.,]\d)[.,]\d{{1,2}}\s*(?:{_STAR_WORDS}\s*)?(?:{_OF}\s*(?:5|10)\s*(?:{_STAR_WORDS}\s*)?)?"
    rf"[(（]\s*{_NUMBER}\s*[)）]"
)
"""A count in brackets after an average, with its stars and scale or without: "4.8 (2,300)",
"4.2 stelle su 5 (41)", "4,5 von 5 Sternen (23)"."""
_BEFORE_COUNT = re.compile(rf"(\d(?<![\d.,]\d)[.,]\d)\s*(?:[(（|·•]\s*)?{_NUMBER}\s*(?:{_WORDS})(?![^\W\d_])")
"""An average written just before the count: "4.8 (1,204 reviews)", "4,7 | 220 Bewertungen"."""
_WIDTH = re.compile(r"width\s*:\s*(\d{1,3}(?:\.\d+)?)%")
_STAR_CLASS = re.compile(r"(?:^|[\s_-])(?:stars?|ratings?|score)|rating")
_NUMERIC = re.compile(r"^\s*(\d{1,2}(?:[.,]\d{1,4})?)\s*$")
_RATING_VARIABLE = re.compile(r"--(?:[\w-]*-)?(?:rating|score|stars?)\s*:\s*(\d(?:[.,]\d{1,2})?)\b")


@dataclass
class DomRating:
    """The rating summary the page shows (any part may be missing)."""

    value: str | None = None
    best: str | None = None
    count: int | None = None


def _decimal(text: str) -> Decimal | None:
    try:
        return Decimal(text.replace(",", "."))
    except InvalidOperation:
        return None


def _rating(value: str, best: str = "5") -> tuple[str, str] | None:
    """``(value, best)`` when ``value`` is a plausible average on the scale ``best``."""
    number, scale = _decimal(value), _decimal(best)
    if number is None or scale is None or not 0 < number <= scale:
        return None
    return value.replace(",", "."), best


def rating_in_text(text: str) -> tuple[str, str] | None:
    """The first average in ``text`` with its scale ("4,6 von 5" -> ("4.6", "5")), else one beside
    a star or a rating word ("★ 4.8", "4.81 stars", "Rated 4.5") or just before a review count
    ("4.8 (1,204 reviews)"), on a scale of 5. Each pattern runs only when the text holds its
    marker (fast substring tests first)."""
    text = text.lower()  # the patterns are lower case (searched case-sensitively: faster)
    for scale in _SCALE.finditer(text):
        value = _VALUE_BEFORE.search(text, max(0, scale.start() - 24), scale.start())
        if value is not None and (value.start() == 0 or text[value.start() - 1] not in _NUMBER_CHARS):
            found = _rating(value.group(1), scale.group(1))
            if found is not None:
                return found
    marked: list[tuple[int, str]] = []  # (position, average) beside a star or a rating word
    for pattern, present in (
        (_STAR_MARK, "★" in text or "⭐" in text),
        (_STAR_AFTER, any(hint in text for hint in _STAR_HINTS) or "★" in text),
        (_RATED, any(hint in text for hint in _RATED_HINTS)),
    ):
        match = pattern.search(text) if present else None
        if match is not None:
            marked.append((match.start(), match.group(1)))
    if marked:
        return _rating(min(marked)[1])
    counted = _BEFORE_COUNT.search(text)
    if counted is not None:
        return _rating(counted.group(1))
    return None


def _count(digits: str) -> int | None:
    digits = re.sub(r"\D", "", digits)
    return int(digits) if digits and len(digits) <= 8 and int(digits) > 0 else None


def count_in_text(text: str) -> int | None:
    """The first count of reviews or ratings in ``text``: "(2,300 reviews)", "Reviews (47)",
    "4.8 (2,300)" -> 2300 (the review words are found first: one fast scan)."""
    text = text.lower()
    found: list[tuple[int, int]] = []
    for word in _WORD_AT.finditer(text):
        before = _NUMBER_BEFORE.search(text, max(0, word.start() - 20), word.start())
        after = None if before else _NUMBER_AFTER.match(text, word.end(), word.end() + 24)
        number = before or after
        count = _count(number.group(1)) if number is not None else None
        if count is not None:
            found.append((word.start(), count))
            break
    paren = _PAREN_COUNT.search(text) if "(" in text or "（" in text else None
    if paren is not None:
        count = _count(paren.group(1))
        if count is not None:
            found.append((paren.start(), count))
    return min(found)[1] if found else None


def _marker(node: LexborNode) -> str:
    """The classes of an element and of its parent (a star bar's class is often its parent's)."""
    parent = node.parent
    return (
        f"{node.attrs.get('class') or ''} {(parent.attrs.get('class') or '') if parent is not None else ''}"
    )


_DATA_RATINGS = (
    "data-rating",
    "data-score",
    "data-average-rating",
    "data-rating-value",
    "data-grade",
    "data-average",
)


def _data_rating(attrs: LexborAttributes) -> tuple[str, str] | None:
    """An average in a data attribute (``data-rating="4.5"``; above 5: on a scale of 10)."""
    for key in _DATA_RATINGS:
        match = _NUMERIC.match(attrs.get(key) or "")
        if match:
            number = _decimal(match.group(1))
            return _rating(match.group(1), "10" if number is not None and number > 5 else "5")
    return None


def _label_rating(attrs: LexborAttributes, starred: bool) -> tuple[str, str] | None:
    """An average in an ``aria-label`` or ``title`` ("4.6 out of 5"; a bare "4.6" on the stars)."""
    for key in ("aria-label", "title"):
        value = attrs.get(key)
        if value and any(ch.isdigit() for ch in value) and len(value) < 120:
            bare = _NUMERIC.match(value) if starred else None
            found = _rating(bare.group(1)) if bare is not None else rating_in_text(value)
            if found is not None:
                return found
    return None


def _style_rating(style: str) -> tuple[str, str] | None:
    """The average a star bar draws: a ``--rating: 4.6`` variable or a filled ``width: 92%``."""
    variable = _RATING_VARIABLE.search(style) if "--" in style else None
    if variable is not None:
        return _rating(variable.group(1))
    width = _WIDTH.search(style) if "width" in style else None
    if width is not None and 0 < Decimal(width.group(1)) <= 100:
        return _rating(str((Decimal(width.group(1)) / 20).quantize(Decimal("0.1"))))
    return None


def _attribute_rating(node: LexborNode) -> tuple[str, str] | None:
    """The average a rating element carries in its attributes, or ``None``."""
    attrs = node.attrs
    found = _data_rating(attrs)
    if found is not None:
        return found
    starred = _STAR_CLASS.search(_marker(node).lower()) is not None
    found = _label_rating(attrs, starred)
    style = attrs.get("style")
    if found is None and style and starred:
        found = _style_rating(style)
    return found


_BARE_COUNT = re.compile(rf"\s*[(（]\s*{_NUMBER}\s*[)）]\s*")
"""A count in brackets alone beside the stars ("★★★★½ (23)")."""


def _count_near(node: LexborNode) -> int | None:
    """A review count in the attributes or the short text around a rating element (a number in
    brackets that is all the text beside the stars counts too)."""
    current: LexborNode | None = node
    stars = node.text(deep=True, separator=" ")
    for _ in range(4):
        if current is None:
            return None
        attrs = current.attrs
        for key in _COUNT_ATTRS:
            value = attrs.get(key)
            if value and value.strip().isdigit() and int(value) > 0:
                return int(value)
        text = current.text(deep=True, separator=" ")
        if len(text) > 400:
            return None
        count = count_in_text(text)
        if count is None and current is not node:
            bare = _BARE_COUNT.fullmatch(text.replace(stars, "", 1)) if stars else None
            count = _count(bare.group(1)) if bare is not None else None
        if count is not None:
            return count
        current = current.parent
    return None


def _text_window(text: str, title: str | None) -> str:
    if not title:
        return text[:TEXT_AFTER_TITLE]
    start = text.find(title[:40])
    if start < 0:
        return text[:TEXT_AFTER_TITLE]
    return text[max(0, start - TEXT_BEFORE_TITLE) : start + len(title) + TEXT_AFTER_TITLE]


def _scope(title: LexborNode) -> LexborNode:
    """The title's block: its ancestor :data:`SCOPE_LEVELS` up (below ``<main>`` and the body),
    where a rating summary sits; searching it costs a fraction of a search of the page."""
    node = title
    for _ in range(SCOPE_LEVELS):
        parent = node.parent
        if parent is None or parent.tag in ("main", "body", "html") or parent.attrs.get("role") == "main":
            break
        node = parent
    return node


def find_rating(page: Page, title_node: LexborNode | None, title: str | None, text: str) -> DomRating:
    """The rating summary shown near the title: from rating elements (attributes, star bars),
    nearest the title first, else from the text around the title (``text``: the product area's
    text, one element per line)."""
    result = DomRating()
    first: tuple[str, str] | None = None
    if title_node is not None:
        distances = TitleDistances(title_ancestors(title_node))
        ranked: list[tuple[int, int, LexborNode]] = []
        for order, node in enumerate(_scope(title_node).css(RATING_SELECTOR)[:MAX_CANDIDATES]):
            distance = distances.of(node)
            if distance <= MAX_DISTANCE:
                ranked.append((distance, order, node))
        ranked.sort()  # (the orders differ: the elements are never compared)
        for _, _, node in ranked[:MAX_READ]:
            found = _attribute_rating(node)
            if found is None:
                continue
            count = _count_near(node)
            if count is not None:  # a summary counts its reviews; one customer's review does not
                (result.value, result.best), result.count = found, count
                break
            first = first or found
    window = _text_window(text, title) if text else ""
    if result.value is None and window:
        found = rating_in_text(window) or first
        if found is not None:
            result.value, result.best = found
    if result.count is None and window:
        result.count = count_in_text(window)
    return result
