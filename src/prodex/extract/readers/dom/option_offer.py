"""What a variant selector's option says besides its name: the price written after it, whether it
is sold out, and the page it links to ("60 ml 2 199 Kč", ``<a href="/p/…" class="item--na">``).

The option's name is its text without those notes (:func:`option_name`); the variant reader
(:mod:`prodex.extract.readers.dom.variants`) fills a variant's ``price``, ``availability`` and
``url`` with :func:`option_offer`.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from selectolax.lexbor import LexborNode

from prodex.extract.page import Page
from prodex.extract.process.patterns import trie_pattern
from prodex.extract.process.price import currency_in_text, parse_price
from prodex.extract.process.text import clean_line
from prodex.extract.readers.dom.vocabulary import is_hidden
from prodex.extract.words import words

_SOLD_OUT_WORDS = trie_pattern(words("variant_selector", "sold_out"))
_NOTE = re.compile(rf"\s*[-–(\[·|]\s*(?:{_SOLD_OUT_WORDS}|\+).*$", re.I)
"""A note after an option's name: sold out, or an extra charge ("M - sold out", "XL (+2 €)",
"6 (15+ kg) · vyprodáno")."""
_SOLD_OUT_END = re.compile(rf"\s+(?:{_SOLD_OUT_WORDS})\s*$", re.I)
"""A sold-out note at the end of an option's text, after its price ("30-lb bag $78.99 Out of Stock")."""
_SOLD_OUT = re.compile(_SOLD_OUT_WORDS, re.I)
MAX_PRICE_WORDS = 4
_PRICE_SEPARATORS = " -–—|·/:("
_GROUPED_DIGITS = re.compile(r"\d+(?:[.,'’]\d+)*[.,]?-?")
_LEADING_GROUP = re.compile(r"\d{1,3}")
_THREE_DIGITS = re.compile(r"\d{3}(?!\d)")
_DIGIT = re.compile(r"\d")
_UNAVAILABLE_CLASS = re.compile(
    r"unavailable|disabled|sold-?_?out|out-?_?of-?_?stock|no-?stock|(?:^|\s)(?:is-)?na(?:\s|$)|--na\b|__na\b"
)
"""Class names of an option that cannot be bought ("is-disabled", "item--na", "soldout")."""


class OptionOffer(NamedTuple):
    """What an option element says of its variant's offer."""

    price: str | None = None
    availability: str | None = None
    url: str | None = None


def _amount_word(word: str) -> bool:
    """Whether a word can be part of a written price: digits and separators, or a currency."""
    return (
        word.strip(".,'’").isdigit() or bool(_GROUPED_DIGITS.fullmatch(word)) or bool(currency_in_text(word))
    )


def _price_of(tail: list[str]) -> str | None:
    """The amount of words that read as a price in a currency ("2 199 Kč", "$15.00"), or ``None``."""
    joined = " ".join(tail)
    currency = currency_in_text(joined)
    return parse_price(joined, currency) if currency else None


def _price_start(words_of: list[str], start: int) -> int:
    """Where the prices that end an option's text begin, the last one beginning at
    ``words_of[start]``: a group of up to three digits before a group of exactly three belongs to
    it ("2 199 Kč"), and a whole price before it comes first ("$21.99 $5.50/lb", the price and its
    unit price); any other number before it is the name's ("Set of 2 $15.00")."""
    while start > 1:
        before, at = words_of[start - 1], words_of[start]
        if not (
            (_LEADING_GROUP.fullmatch(before) and _THREE_DIGITS.match(at))
            or (_DIGIT.search(before) and _price_of([before]) is not None)
        ):
            break
        start -= 1
    return start


def split_price(text: str) -> tuple[str, str | None]:
    """``(name, price)`` of an option's text whose last words (:data:`MAX_PRICE_WORDS` at most)
    read as an amount in a currency ("60 ml 2 199 Kč" -> ``("60 ml", "2199")``): the shortest such
    tail, widened only by its own thousands and the prices before it (see :func:`_price_start`).
    An option that is only a price, or has none, is its own name."""
    if not _DIGIT.search(text):
        return text, None  # no amount (most options: "Red", "XL")
    words_of = text.split()
    first = max(1, len(words_of) - MAX_PRICE_WORDS)
    for end_start in range(len(words_of) - 1, first - 1, -1):
        price = _price_of(words_of[end_start:]) if all(map(_amount_word, words_of[end_start:])) else None
        if price is None:
            continue
        start = _price_start(words_of, end_start)
        if start != end_start:
            price = _price_of(words_of[start:])
        name = " ".join(words_of[:start]).rstrip(_PRICE_SEPARATORS)
        return (name, price) if name and price else (text, None)
    return text, None


def without_price(text: str) -> str:
    """An option's name without the price written after it ("1000 ml – 549 kr" -> "1000 ml")."""
    return split_price(text)[0]


def _without_notes(text: str) -> str:
    """An option's text without a sold-out or extra-charge note after its name (its price stays)."""
    return _SOLD_OUT_END.sub("", _NOTE.sub("", text))


def option_name(text: str) -> str:
    """An option's text without the notes after its name: "sold out", an extra charge, its price."""
    return without_price(_without_notes(clean_line(text)))


_HIDDEN_PARTS = '[class*="hidden" i], [class*="sr-only" i], [class*="screen-reader" i], [hidden]'
MAX_HIDDEN_PARTS = 5


def shown_text(node: LexborNode, whole_if_hidden: bool = True) -> str:
    """An option element's text without its parts for screen readers only (a theme may put
    "Variant sold out or unavailable" in every size's label and show it to no one); all of it when
    nothing else is written (a colour swatch named for screen readers only) when
    ``whole_if_hidden``, else ``""``."""
    text = clean_line(node.text(deep=True, separator=" "))
    if not text or next(node.iter(), None) is None:
        return text  # (no element inside it: nothing hidden)
    shown = text
    for part in node.css(_HIDDEN_PARTS)[:MAX_HIDDEN_PARTS]:
        if part.mem_id != node.mem_id and is_hidden(part):
            shown = shown.replace(clean_line(part.text(deep=True, separator=" ")), " ", 1)
    return clean_line(shown) or (text if whole_if_hidden else "")


def _is_unavailable(node: LexborNode, text: str) -> bool:
    """Whether an option says it cannot be bought: disabled, a class or title that says so, or a
    sold-out note in its text."""
    attrs = node.attributes
    if "disabled" in attrs or attrs.get("aria-disabled") == "true":
        return True
    classes = (attrs.get("class") or "").lower()
    if classes and _UNAVAILABLE_CLASS.search(classes):
        return True
    return bool(_SOLD_OUT.search(attrs.get("title") or "") or _SOLD_OUT.search(text))


def _link_of(node: LexborNode) -> str | None:
    """The ``href`` of an option that is a link, or holds one."""
    if node.tag == "a":
        return node.attributes.get("href")
    if next(node.iter(), None) is None:
        return None
    link = node.css_first("a[href]")
    return link.attributes.get("href") if link is not None else None


def option_offer(page: Page, node: LexborNode | None, control: LexborNode | None = None) -> OptionOffer:
    """The price written after an option's name, ``OutOfStock`` when it (or its form ``control``,
    the radio a label shows) is marked sold out (else unknown), and the page it links to (the
    variant's own page)."""
    if node is None:
        return OptionOffer()
    text = shown_text(node)
    price = split_price(_without_notes(text))[1] if text else None
    unavailable = _is_unavailable(node, text) or (control is not None and _is_unavailable(control, ""))
    availability = "OutOfStock" if unavailable else None
    href = _link_of(node)
    return OptionOffer(price, availability, page.absolute(href) if href else None)
