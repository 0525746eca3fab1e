"""The price in the DOM: the current price shown next to the title and the buy button.

Candidates are elements the shop marks as a price (``itemprop=price``, ``data-price``, class or id
with "price"); old, list, unit, instalment and shipping prices are skipped by their markup
(``<del>``, ``<s>``, and the words shops use for them). The first valid price after the title wins.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import NamedTuple

from selectolax.lexbor import LexborNode

from prodex.extract.page import Page
from prodex.extract.process.patterns import trie_pattern
from prodex.extract.process.price import currency_in_text, normalise_currency, parse_price
from prodex.extract.process.text import clean_line, fold
from prodex.extract.readers.dom.subtree import holds
from prodex.extract.readers.dom.vocabulary import (
    CURRENT_PRICE,
    FAR,
    LIST_PRICE_MARKS,
    OLD_PRICE,
    OTHER_PRODUCTS,
    OUTSIDE_PRODUCT,
    STRUCK_TAGS,
    TEST_IDS,
    TitleDistances,
    ancestors_match,
    class_and_id,
    is_hidden,
    is_struck,
    test_id_selector,
    title_ancestors,
)
from prodex.extract.words import words

_TEST_ID_PRICES = test_id_selector("price")
"""Elements whose test id names a price (``data-test="product-price-current"``)."""
PRICE_SELECTOR = (
    '[itemprop="price"], [data-price], [class*="price" i], [id*="price" i], [class*="deal" i], '
    f'[class*="preis" i], s, del, strike, [class~="was" i], [class~="old" i], {_TEST_ID_PRICES}'
)
"""Price elements, and struck-out or "was" elements without a price class (``<s>€ 99,00</s>``,
``<span class="was">Was £29.99</span>``): those are read as old prices. Shops built with
component frameworks name their prices in test ids only (``data-testid="originalPrice"``)."""
_INNER_PRICE_SELECTOR = f'[itemprop="price"], [class*="price" i], {_TEST_ID_PRICES}'
"""Price elements inside a candidate that make it a wrapper of prices, not a price: marked by
class or by test id (``data-test="product-price-current"``); a struck-out amount inside is the
candidate's own value ("UVP <s>599,99 €</s>")."""
MAX_CANDIDATES = 120

PRICE_BLOCK_LEVELS = 3
LINKED_PENALTY = 3
"""Levels added to the distance of a price inside a link: a link's price is another offer's
("Open-box from $249.99", "2 new from $30") or another product's, the buy box's is not a link."""
SCOPE_LEVELS = 8
_HAS_DIGIT = re.compile(r"\d")
_WHOLE_UNITS = re.compile(r"(?:\d{1,3}(?:[.,\s'’]\d{3})*|\d+)[.,]?")
_CENTS = re.compile(r"[.,]?\d{2}")
_UNIT_PRICE = re.compile(
    r"(?:/|\bper\b|\bpro\b|\bje\b|\bpar\b|\bal\b|\bpor\b)\s*(?:\d+(?:[.,]\d+)?\s*)?"
    r"(?:ml|cl|dl|l|lt|ltr|kg|g|mg|m|cm|m²|m2|qm|lb|oz|st|stk|pcs?|pieces?|stück|unit|unité|ud|szt)\b",
    re.IGNORECASE,
)
"""A unit price ("5,25 € / 100 ml", "12,90 € pro kg"): the price of a quantity, not of the product."""
_PRICE_MARK = re.compile(
    r"[$€£¥₹₩₽₺₴₪₫฿₱＄￥.,:*-]{1,3}|[A-Z]{3}|[A-Z]{1,2}\$|kr|Kč|kč|zł|Ft|lei|TL|Rs\.?|руб\.?|грн|원|円|元|đ"
)
"""A piece beside the amount of a split price: a currency sign, code or word, or a separator."""
_MONEY_HINT = re.compile(
    r"[$€£¥₹₩₽₺₴₪₫฿₱₸₼₾₦৳₨원đ円元＄￥￡￦]|\b[A-Z]{3}\b"
    r"|\b(?:zł|kr|kč|lei|ft|r\$|元|円|rp|rm|tl|грн|руб|лв)(?![^\W\d_])"
    r"|د\.إ|ر\.س|ج\.م|جنيه|درهم|ريال|دينار|[.,]\d{2}\b|\d,[-–]",
    re.I,
)
"""A sign, code or word of money in a price's text (a currency word may touch its amount:
"Rp2.899.000"; Japanese and Chinese shops write the full-width signs "￥", "＄")."""


def in_link(node: LexborNode) -> bool:
    """Whether ``node`` is inside a link (``<a href>``) within four levels."""
    parent: LexborNode | None = node
    for _ in range(4):
        if parent is None:
            return False
        if parent.tag == "a" and "href" in parent.attrs:
            return True
        parent = parent.parent
    return False


def _holds_elements(node: LexborNode) -> bool:
    """Whether an element has elements inside it (not only text)."""
    return any(child.is_element_node for child in node.iter())


MAX_INNER_VALUES = 8


def _candidate_value(
    node: LexborNode, holds_elements: bool, struck_classes: frozenset[str]
) -> tuple[str, bool]:
    """The element's price text, and whether it is a machine-readable amount (``content``,
    ``data-price``...) rather than text the shopper reads; an amount inside a struck-out part
    (``<del><span content="449.95">``) is the old price beside it, not this element's."""
    attrs = node.attributes
    for key in ("content", "data-price-amount", "data-price", "data-price-value", "value"):
        value = attrs.get(key)
        if value and _HAS_DIGIT.search(value):
            return value, key != "value"  # (an input's value is a form field, not a stated price)
    # a machine-readable amount inside the shown price (the element's own was read above)
    for inner in node.css("[content]")[:MAX_INNER_VALUES] if holds_elements else ():
        value = inner.attributes.get("content") or ""
        if _HAS_DIGIT.search(value) and len(value) < 20 and not is_struck(inner, struck_classes):
            return value, True
    return node.text(deep=True, separator=" "), False


def _without_struck(node: LexborNode, raw: str, struck_classes: frozenset[str]) -> str:
    """A price element's text (``raw``, its lines cleaned) without the struck-out amounts inside
    it (``<del>``, ``<s>``, or a class the page's style sheets strike through): "<del>$59.00</del>
    $39.00" is a price of $39.00 beside an old one (the struck element is a candidate of its own),
    and a block whose only amount is struck out ("<s>24,000</s>원") is no current price. A block
    marked as an old price keeps its struck amount as its value."""
    if not _holds_elements(node) or _marked_as_old(node):
        return raw
    parts: list[str] = []
    if not _unstruck_text(node, struck_classes, parts, MAX_STRUCK_DEPTH):
        return raw
    return clean_line(" ".join(parts))


MAX_STRUCK_DEPTH = 6


def _unstruck_text(node: LexborNode, struck_classes: frozenset[str], parts: list[str], depth: int) -> bool:
    """Collect into ``parts`` the texts of ``node`` that no struck element holds, in page order;
    ``True`` when one was left out."""
    left_out = False
    for child in node.iter(include_text=True):
        if not child.is_element_node:
            parts.append(child.text_content or "")
        elif child.tag in STRUCK_TAGS or (struck_classes and is_struck(child, struck_classes)):
            left_out = True
        elif depth > 0:
            left_out = _unstruck_text(child, struck_classes, parts, depth - 1) or left_out
        else:
            parts.append(child.text(deep=True, separator=" "))
    return left_out


_MARKED_NUMBER = re.compile(r"^([^\d\s]{1,3})\s*(\d[\d.,\s'’]*)$|^(\d[\d.,\s'’]*?)\s*([^\d\s]{1,3})$")


def _mark_apart(piece: str) -> list[str]:
    """A piece of a split price with its currency sign apart ("$3,450" -> "$", "3,450")."""
    match = _MARKED_NUMBER.match(piece)
    if match is None:
        return [piece]
    parts = [part for part in match.groups() if part]
    return parts if all(_PRICE_MARK.fullmatch(p) or _HAS_DIGIT.match(p) for p in parts) else [piece]


def _whole_apart(pieces: list[str]) -> list[str]:
    """The pieces with the currency sign of the first number set apart ("$3,450" "00" -> "$"
    "3,450" "00"); a later number keeps its sign (then it is no cents: "$129" "$99")."""
    first = next((at for at, piece in enumerate(pieces) if _HAS_DIGIT.search(piece)), None)
    if first is None:
        return pieces
    return pieces[:first] + _mark_apart(pieces[first]) + pieces[first + 1 :]


def _split_price(node: LexborNode) -> str | None:
    """A price written in separate elements for the whole units and the cents ("129" "€" "99",
    "$" "129" "00"), as one amount ("129.99 €"); ``None`` for anything else."""
    pieces = [piece.strip() for piece in node.text(deep=True, separator="\x00").split("\x00")]
    pieces = _whole_apart([piece for piece in pieces if piece])
    if not 2 <= len(pieces) <= 5:
        return None
    numbers = [piece for piece in pieces if _HAS_DIGIT.search(piece)]
    others = [piece for piece in pieces if not _HAS_DIGIT.search(piece)]
    if (
        len(numbers) != 2
        or not _WHOLE_UNITS.fullmatch(numbers[0])
        or not _CENTS.fullmatch(numbers[1])
        or pieces.index(numbers[1]) < pieces.index(numbers[0])
        or not all(_PRICE_MARK.fullmatch(piece) for piece in others)
    ):
        return None
    whole = "".join(char for char in numbers[0] if char.isdigit())
    return f"{whole}.{numbers[1].lstrip('.,')} {' '.join(others)}".strip()


def _wraps_a_price(node: LexborNode) -> bool:
    """Whether an element holds another price element with a number in it (not just a symbol; a
    ``<meta>`` only when the element shows no number itself)."""
    own = node.mem_id
    text: str | None = None  # the element's own text, read only when an inner element asks
    for inner in node.css(_INNER_PRICE_SELECTOR)[:20]:
        if inner.mem_id == own:
            continue
        if inner.tag == "meta":
            text = node.text(deep=True) if text is None else text
            if _HAS_DIGIT.search(text):
                continue  # an invisible copy of the amount the element shows
        if inner.attributes.get("content"):
            return True
        inner_text = inner.text(deep=True)
        if not _holds_amount(inner_text):
            continue
        text = node.text(deep=True) if text is None else text
        if not _currency_beside(text, inner_text):
            return True
    return False


MAX_CURRENCY_BESIDE = 24
"""The most characters a currency and tax note beside a bare number may take ("円(税込)")."""


def _currency_beside(text: str, inner_text: str) -> bool:
    """Whether an element's ``text`` is its inner price element's bare number (``inner_text``)
    and a currency beside it, and nothing more ("<td class=price><span class=M_price>12,800</span>
    円(税込)</td>"): then the element is the price, not a wrapper of one."""
    if _MONEY_HINT.search(inner_text):
        return False
    rest = text.replace(inner_text, "", 1).strip()
    return (
        0 < len(rest) <= MAX_CURRENCY_BESIDE
        and _HAS_DIGIT.search(rest) is None
        and currency_in_text(rest, "") is not None
    )


_DATE_RANGE = re.compile(r"\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4}")


def _holds_amount(text: str) -> bool:
    """Whether a text has a number that is not part of a date: a price element that only holds
    the dates of an offer ("(from 25/03/20 to 27/11/20)") is a note, not a price."""
    return _HAS_DIGIT.search(_DATE_RANGE.sub(" ", text)) is not None


_LIST_MARK = re.compile(
    trie_pattern(
        (
            *LIST_PRICE_MARKS,
            "mrp",
            "prev-",
            "full-price",
            "fullprice",
            "reference",
            "origin-price",
            "origin_price",
            "originprice",
        )
    )
)
"""Class/id words of a list ("was", crossed-out) price, as opposed to unit or instalment prices."""
_LIST_WORDS = re.compile(
    rf"(?<![^\W\d_])(?:{trie_pattern(words('price_label', 'list'))})(?![^\W\d_])", re.IGNORECASE
)
"""Words a shop writes before a list price ("UVP", "statt", "was", "RRP", "prix conseillé")."""
_ALTERNATIVE = re.compile(rf"(?:{trie_pattern(words('name_noise', 'or'))})\s+\S", re.IGNORECASE)
"""A price introduced by "or" ("ou R$ 142,41 no Pix", "or 4 payments of $12.49"): another way to
pay, an old price at most, never the price on show."""
_POINTS = re.compile(rf"(?:{trie_pattern(words('price_note', 'points'))})(?![a-z])", re.IGNORECASE)
"""Loyalty points ("40 points", "40ポイント還元"): an amount that is no money (searched in folded text,
as the words are folded)."""
_MEMBERS = re.compile(r"(?<![a-z])(?:club|member|loyal|fidel|bonus)")
"""Class words of a price for members only (a club card's, a loyalty programme's)."""
MAX_MEMBER_BOX_PRICES = 8


def _members_price(node: LexborNode) -> bool:
    """Whether a price element is marked as the price for members only ("club-price",
    "member-price"), itself or by a parent that holds no other amount (a shared price box marked
    "loyalty-info" marks none of its prices): a price the shopper pays only with a card."""
    if _MEMBERS.search(class_and_id(node)):
        return True
    parent = node.parent
    if parent is None or not _MEMBERS.search(class_and_id(parent)):
        return False
    return not any(
        inner.mem_id not in (node.mem_id, parent.mem_id)
        and _HAS_DIGIT.search(inner.text(deep=True))
        and not holds(node, inner, INNER_LEVELS)
        for inner in parent.css(_INNER_PRICE_SELECTOR)[:MAX_MEMBER_BOX_PRICES]
    )


_LOWEST = trie_pattern(words("price_label", "lowest"))
_DAYS = trie_pattern(words("price_label", "days"))
_PER_MONTH = trie_pattern(words("price_label", "per_month"))
_NOT_LIST_WORDS = (
    rf"{_LOWEST}|30[ -]?(?:{_DAYS})|/\s*(?:{_PER_MONTH})\b|"
    r"x(?<=\bx)\s*\d|instal|raten|cuotas|parcela|rate(?<=\brate)\b|"
    r"per(?<=\bper)\s|pro(?<=\bpro)\s|/\s*(?:kg|g|l|ml|m|100|st|stk|pcs|unit)\b|grundpreis|unit"
)
"""Each of these begins with a character, not a word boundary (``x(?<=\bx)`` is ``\bx``, the
boundary checked behind): a search skips to the places they may match."""
_TIMES_AFTER = r"\d\s*x\b"
NOT_LIST_PRICE = re.compile(f"{_NOT_LIST_WORDS}|{_TIMES_AFTER}", re.IGNORECASE)
"""Reference prices that are not list prices: the lowest price of the last 30 days (EU Omnibus),
instalments, unit prices."""


def _lower_case_twin(pattern: re.Pattern[str]) -> re.Pattern[str]:
    """``pattern`` (case-insensitive, its letters all lower case) made case-sensitive: in a text
    lower-cased it finds what ``pattern`` finds in the text, and several times faster, when
    only ASCII letters have a case in the text (see :func:`_finds`)."""
    if any(char.isupper() for char in re.sub(r"\\.", "", pattern.pattern)):
        raise ValueError(f"upper-case letters in {pattern.pattern!r}")
    return re.compile(pattern.pattern, pattern.flags & ~re.IGNORECASE)


_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def _cased_in_ascii_only(text: str) -> bool:
    """Whether no character of ``text`` but ASCII letters has a case ("49,99 €" has not, "é"
    has): lower-casing then folds the text as a case-insensitive search compares it."""
    return text.isascii() or all(char.lower() == char == char.upper() for char in _NON_ASCII.findall(text))


def _finds(pattern: re.Pattern[str], twins: tuple[re.Pattern[str], ...], text: str) -> bool:
    """Whether case-insensitive ``pattern`` occurs in ``text``; a text with case in ASCII
    letters only is searched lower-cased by its case-sensitive ``twins`` (the alternatives of
    ``pattern`` among them, each searched the faster on its own)."""
    if _cased_in_ascii_only(text):
        lowered = text.lower()
        return any(twin.search(lowered) is not None for twin in twins)
    return pattern.search(text) is not None


_NOT_LIST_PRICE_TWINS = tuple(
    _lower_case_twin(re.compile(part, re.IGNORECASE)) for part in (_NOT_LIST_WORDS, _TIMES_AFTER)
)
_LIST_WORDS_TWINS = (_lower_case_twin(_LIST_WORDS),)


def _holds_another_price(block: LexborNode, node: LexborNode) -> bool:
    """Whether ``block`` holds a price element with a number beside ``node`` (not inside it, not
    one of its holders): a note in ``block`` may then be that price's."""
    if block.mem_id == node.mem_id:
        return False
    own = {int(n.mem_id) for n in node.traverse()}
    holders = title_ancestors(node, 4)
    for other in block.css(PRICE_SELECTOR)[:12]:
        key = int(other.mem_id)
        if key not in own and key not in holders and _HAS_DIGIT.search(other.text(deep=True)):
            return True
    return False


def _list_price_note(node: LexborNode) -> bool | None:
    """Whether the short text around an old price says it is a list price (True: "UVP", "was"),
    another reference price (False: "lowest price of the last 30 days", "/ kg"), or neither.
    A note in a block that holds another price too is left to that price (the lowest price of 30
    days printed under the current price says nothing of the struck one, the "was" before the
    struck one nothing of the saving beside it)."""
    current: LexborNode | None = node
    for _ in range(3):
        if current is None:
            return None
        text = current.text(deep=True, separator=" ")
        if len(text) > 200:
            return None
        if _finds(NOT_LIST_PRICE, _NOT_LIST_PRICE_TWINS, text) and not _holds_another_price(current, node):
            return False
        if _finds(_LIST_WORDS, _LIST_WORDS_TWINS, text):
            if not _holds_another_price(current, node):
                return True
            return _labelled_right_before(text, node) or None  # ("Før 449 kr." is the struck one's)
        current = current.parent
    return None


LABEL_REACH = 24
"""How far before a price its label is looked for in its block's text ("statt 64,99 €")."""


def _labelled_right_before(block_text: str, node: LexborNode) -> bool:
    """Whether a list word stands right before ``node``'s text in its block's text ("49,99 €
    statt 64,99 €": the word is the second price's, not the first's)."""
    own = node.text(deep=True, separator=" ").strip()
    at = block_text.find(own) if own else -1
    if at <= 0:
        return False
    before = block_text[max(0, at - LABEL_REACH) : at]
    return _finds(_LIST_WORDS, _LIST_WORDS_TWINS, before)


_SAVING_WORDS = trie_pattern(words("price_note", "saving"))
_SAVING = re.compile(rf"^\W*(?:{_SAVING_WORDS})(?![^\W\d_])", re.IGNORECASE)
"""A text that begins by naming a saving ("Spar 100,00 kr.", "You save", "Risparmi 20 €")."""
_SAVING_LABEL = re.compile(
    rf"^\W*(?:{_SAVING_WORDS})\s+(?:price|prijs|preis|prix|precio|prezzo|preco|cena|pris)", re.IGNORECASE
)
"""A saving word that labels the price ("Discount price: $39.99", "Korting prijs"), not a saving."""


def _is_list_price(node: LexborNode, struck: bool) -> bool:
    """Whether an old-price candidate is the product's list price (struck out, marked or labelled
    "was"/"UVP"/"RRP"), not a unit, instalment or lowest-in-30-days price, nor a saving."""
    if not struck and _SAVING.match(node.text(deep=True).strip()):
        return False
    note = _list_price_note(node)
    if note is not None:
        return note
    if struck:
        return True
    marker = _marker(node)
    parent = node.parent
    if parent is not None:
        marker = f"{marker} {class_and_id(parent)}"
    if _LIST_MARK.search(marker):
        return True
    block = _price_block_marker(node)  # <span class="old-price"><span ...><span class="price">
    return bool(block) and _marked_old(block) and bool(_LIST_MARK.search(block))


_TYPE_WORDS = re.compile(r"[bfgh]old")
"""Class words that hold "old" but say nothing of a price's age (``text-bold``, ``gold``, ``hold``)."""


_DISCOUNTED_PRICE = re.compile(r"discount(?:ed)?[-_]*price|price[-_]*discount(?:ed)?")


_BESIDE_MODIFIER = re.compile(r"(?:with|has)[-_]")
"""A class token that says what stands beside an element, not what it is (``with-list-price``:
the current price, with a list price beside it)."""


def _marked_old(marker: str) -> bool:
    """Whether class/id tokens mark an old, list or other non-current price; the first token that
    says either way decides ("original-price ... current-price" is the original price)."""
    for token in _TYPE_WORDS.sub(" ", marker).split():
        if _BESIDE_MODIFIER.match(token):
            continue
        if _DISCOUNTED_PRICE.search(token):
            return False  # "discount-price", "paragraphDiscountPrice": the price after the discount
        if OLD_PRICE.search(token):
            return not CURRENT_PRICE.search(token)
        if CURRENT_PRICE.search(token):
            return False
    return False


OLD_BLOCK_LEVELS = 3
_PRICE_BLOCK = re.compile(r"pri[cxj]|preis|prez|prec|cen[ay]")
"""A block's class or id naming a price (price, prix, Preis, prezzo, precio, preço, cena)."""


def _price_block_marker(node: LexborNode) -> str:
    """The class and id of the nearest of the few price blocks around a price element that marks
    an old or a current price (empty when none does)."""
    current = node.parent
    for _ in range(OLD_BLOCK_LEVELS):
        if current is None:
            return ""
        marker = class_and_id(current)
        if _PRICE_BLOCK.search(marker) and (OLD_PRICE.search(marker) or CURRENT_PRICE.search(marker)):
            return marker
        current = current.parent
    return ""


def _in_old_block(node: LexborNode) -> bool:
    """Whether one of the few price blocks around a price element marks an old price
    (``<span class="old-price"><span class="price">79,90 €</span></span>``); the nearest price
    block that marks either kind decides."""
    marker = _price_block_marker(node)
    return bool(marker) and _marked_old(marker)


@dataclass
class DomPrice:
    """The price the page shows next to its title, and the prices it marks as old or list prices."""

    price: str | None = None
    currency: str | None = None
    old: list[str] = field(default_factory=list)
    regular: list[str] = field(default_factory=list)
    """The old prices that are list prices (struck out, "was", "UVP"), nearest first."""
    node: LexborNode | None = None


class _Reading(NamedTuple):
    """What a candidate element says: its price and currency, whether it is an old price and a
    list price, and whether it is struck through."""

    price: str
    currency: str | None
    old: bool
    listed: bool
    struck: bool


def _amount_text(node: LexborNode, page: Page, itemprop: bool) -> tuple[str, bool, bool] | None:
    """``(text, is machine-readable, is struck out)`` of a candidate that shows an amount of money
    (its struck parts and shares left out), or ``None``: no amount, or a saving."""
    text = _candidate_text(node, itemprop, page.struck_classes())
    if text is None:
        return None
    raw, machine = text
    struck = node.tag in STRUCK_TAGS or is_struck(node, page.struck_classes())
    shown = not (machine or struck or itemprop)
    if shown:
        raw = _without_struck(node, raw, page.struck_classes())
    raw = _without_percentages(raw)
    if not _reads_as_price(raw, itemprop or machine) and not _labelled_struck_amount(raw, node, struck):
        return None
    if shown and _SAVING.match(raw.strip()) and not _SAVING_LABEL.match(raw.strip()):
        return None  # "Ahorra $550.000", "Save up to $30": the saving, no price
    if shown and _POINTS.search(fold(raw)) and currency_in_text(raw, "") is None:
        return None  # "40ポイント還元": loyalty points, no money
    return raw, machine, struck


def _read_candidate(node: LexborNode, page: Page, currency: str | None) -> _Reading | None:
    """The reading of one candidate element, or ``None`` when it is not a price."""
    if node.tag == "h1" or is_hidden(node):
        return None
    itemprop = node.attrs.get("itemprop") == "price"
    amount = _amount_text(node, page, itemprop)
    if amount is None:
        return None
    raw, machine, struck = amount
    old = struck or _marked_or_unit_price(node, raw, itemprop)
    found_currency = currency_in_text(raw, page.tld) or currency
    price = parse_price(raw, found_currency)
    if price is None or price.strip("0.") == "":
        return None
    if ancestors_match(node, (OTHER_PRODUCTS, OUTSIDE_PRODUCT), 8, page.h1_holders()):
        return None
    if not machine and (_ALTERNATIVE.match(raw) or _members_price(node)):
        # "or R$ 142,41 with Pix", a club card's price: another way to pay, never the price on show
        return _Reading(price, found_currency, True, False, struck)
    # a unit price is never a list price, whatever its class says ("price-unit-reference")
    listed = old and not _UNIT_PRICE.search(raw) and _is_list_price(node, struck)
    return _Reading(price, found_currency, old, listed, struck)


def _marked_or_unit_price(node: LexborNode, raw: str, itemprop: bool) -> bool:
    """Whether a price that is not struck out is an old one all the same: marked or labelled so
    (``class="was"``, in an old-price block), or a unit price ("5,25 € / 100 ml")."""
    return (not itemprop and _marked_as_old(node)) or bool(_UNIT_PRICE.search(raw)) or _unit_follows(node)


def _marked_as_old(node: LexborNode) -> bool:
    """Whether an element is marked as an old price or sits in an old-price block."""
    return _marked_old(_marker(node)) or _in_old_block(node)


MAX_UNIT_NOTE_CHARS = 24


def _unit_follows(node: LexborNode) -> bool:
    """Whether the element right after a price says it is per quantity (``<span>9,99 €</span>
    <span>/lt</span>``): a unit price written in two elements."""
    after = node.next
    while after is not None and not after.is_element_node and not (after.text_content or "").strip():
        after = after.next
    if after is None:
        return False
    text = after.text(deep=True) if after.is_element_node else (after.text_content or "")
    return len(text) <= MAX_UNIT_NOTE_CHARS and _UNIT_PRICE.match(text.strip()) is not None


def _marker(node: LexborNode) -> str:
    """An element's class, id and test ids (``data-testid="originalPrice"``), lower-cased."""
    marker = class_and_id(node)
    attrs = node.attrs
    tests = [attrs.get(name) or "" for name in TEST_IDS if name in attrs]
    return f"{marker} {' '.join(tests).lower()}" if any(tests) else marker


def _candidate_text(
    node: LexborNode, itemprop: bool, struck_classes: frozenset[str]
) -> tuple[str, bool] | None:
    """``(text, is machine-readable)`` of a candidate: a price split over child elements, else its
    value (a machine-readable attribute, or its text); ``None`` for a wrapper of another price
    element (that one is a candidate of its own)."""
    holds_elements = _holds_elements(node)
    split = _split_price(node) if holds_elements else None
    if split is not None:
        return split, False
    if not itemprop and holds_elements and _wraps_a_price(node):
        return None
    value, machine = _candidate_value(node, holds_elements, struck_classes)
    if machine and len(_DECIMAL_AMOUNT.findall(value)) > 1:
        return None  # a machine-readable value holding several prices is a copy of a price box
    return clean_line(value), machine


_DECIMAL_AMOUNT = re.compile(r"\d[.,]\d{2}(?!\d)")
_PERCENTAGE = re.compile(r"(?<![\d.,])[-–]?\d++(?:[.,]\d++)?\s?%")


def _without_percentages(raw: str) -> str:
    """A price text without its shares ("(15,39% gespart)", "-20 %"): a share is no amount."""
    return _PERCENTAGE.sub(" ", raw) if "%" in raw and len(raw) <= MAX_PRICE_TEXT_CHARS else raw


MAX_BARE_LIST_PRICE = 16


def shows_money(text: str) -> bool:
    """Whether a text holds an amount of money: a digit and a currency sign, code or word."""
    return _HAS_DIGIT.search(text) is not None and _MONEY_HINT.search(text) is not None


def _labelled_struck_amount(raw: str, node: LexborNode, struck: bool) -> bool:
    """A struck-out number with no currency beside it that its label calls a list price
    ("原價：<strike>1,390</strike>", "RRP <s>49.90</s>")."""
    return struck and len(raw) <= MAX_BARE_LIST_PRICE and _list_price_note(node) is True


MAX_PRICE_TEXT_CHARS = 60


def _reads_as_price(raw: str, trusted: bool) -> bool:
    """A short text with a digit, and a money sign or word unless the element is ``trusted`` (an
    ``itemprop=price`` or a machine-readable value)."""
    if not raw or len(raw) > MAX_PRICE_TEXT_CHARS or not _HAS_DIGIT.search(raw):
        return False
    return trusted or _MONEY_HINT.search(raw) is not None


def find_price(
    page: Page, currency: str | None, title: LexborNode | None = None, near_only: bool = False
) -> DomPrice:
    """The current price shown closest to the product title (document order without a title);
    a price marked as old or as a list price only when no current price is as near.

    Candidates are read nearest first, and reading stops past the title's price block.
    ``near_only``: only the title's price block is searched (for its list price).
    """
    if title is not None:
        scope = _price_scope(title)
        if scope is not None:
            near = _find_price_in(page, currency, title, scope)
            if near.price is not None or near_only:
                return near
    return DomPrice() if near_only else _find_price_in(page, currency, title, None)


def find_list_offer(page: Page, currency: str | None, title: LexborNode, levels: int = 5) -> DomPrice:
    """The prices in the title's block, ``levels`` up from the title, a cheap search for when
    structured data gives the current price: its list prices (struck out, "was", "UVP"), and the
    current and old prices beside them (a structured price that is one of those old prices is the
    crossed-out one)."""
    block = title
    for _ in range(levels):
        parent = block.parent
        if parent is None or parent.tag in ("main", "body", "html") or parent.attrs.get("role") == "main":
            break
        block = parent
    return _find_price_in(page, currency, title, block)


def _ancestors_below_body(node: LexborNode, levels: int) -> list[LexborNode]:
    """The first ``levels`` ancestors of ``node`` below the body, nearest first."""
    found: list[LexborNode] = []
    parent = node.parent
    while parent is not None and len(found) < levels and parent.tag not in ("html", "body"):
        found.append(parent)
        parent = parent.parent
    return found


def _price_scope(title: LexborNode) -> LexborNode | None:
    """The title's nearest ancestor that holds a price element, a few levels wider (the title's
    price block and its surroundings): searching it is much cheaper than the whole page.

    ``None`` when there is none within :data:`SCOPE_LEVELS` or the widening reaches the body;
    only the levels that leave room for the widening are searched."""
    widen = PRICE_BLOCK_LEVELS + 2
    ancestors = _ancestors_below_body(title, SCOPE_LEVELS + widen)
    for level in range(min(SCOPE_LEVELS, len(ancestors) - widen)):
        if ancestors[level].css_first(PRICE_SELECTOR) is not None:
            return ancestors[level + widen]
    return None


MAX_STRUCK_RULES = 20


def _candidate_selector(page: Page) -> str:
    """:data:`PRICE_SELECTOR` and the classes the page's style sheets strike through (an old
    price marked by a class alone: ``.prod-price .mrp{text-decoration:line-through}``), for the
    search of the title's price block (a page's style sheets strike many things through)."""
    struck = sorted(page.struck_classes())[:MAX_STRUCK_RULES]
    if not struck:
        return PRICE_SELECTOR
    return ", ".join([PRICE_SELECTOR, *("." + rule.replace(" ", " .") for rule in struck)])


def _ranked_candidates(
    page: Page, title: LexborNode | None, scope: LexborNode | None
) -> list[tuple[int, int, LexborNode]]:
    """``(distance, order, element)`` of the price elements in ``scope`` (the search root without
    one), nearest the title first: a meta price ranks 5 levels further, a price in a link
    :data:`LINKED_PENALTY` further; the far ones (99) are left out."""
    ancestors = title_ancestors(title)
    ranked: list[tuple[int, int, LexborNode]] = []
    root = scope if scope is not None else page.search_root()
    distances = TitleDistances(ancestors)
    selector = _candidate_selector(page) if scope is not None else PRICE_SELECTOR
    for order, node in enumerate(root.css(selector)[:MAX_CANDIDATES]):
        distance = distances.of(node) if ancestors else 0
        if distance >= FAR:
            continue  # (a penalty only adds to it)
        if node.tag == "meta":
            distance += 5  # a price the shopper sees beats an invisible one as near
        elif in_link(node):
            distance += LINKED_PENALTY
        if distance < FAR:
            ranked.append((distance, order, node))
    ranked.sort()  # (the orders differ: the elements are never compared)
    return ranked


def _find_price_in(
    page: Page, currency: str | None, title: LexborNode | None, scope: LexborNode | None
) -> DomPrice:
    """The current price nearest the title in ``scope``, the old and list prices beside it; an old
    price stands in for a missing current one."""
    result = DomPrice()
    closest: int | None = None
    current: int | None = None
    labelled: list[str] = []
    best_old: tuple[str, str | None] | None = None
    wrappers: set[int] = set()  # the candidates that wrap price elements of their own
    for distance, _, node in _ranked_candidates(page, title, scope):
        if closest is not None and distance > closest + PRICE_BLOCK_LEVELS:
            break  # past the title's price block
        if result.node is not None and holds(result.node, node, INNER_LEVELS):
            _note_inner_old_price(result, node, page, currency)
            continue
        beyond = _beyond_current(distance, current, node, wrappers)
        if beyond is not None:
            if beyond:
                break
            continue
        read = _read_candidate(node, page, currency)
        if read is None:
            _note_wrapper(node, distance, current, wrappers)
            continue
        price, found_currency, old, listed, struck = read
        if closest is None and not struck:
            closest = distance
        if old:
            _note_old_price(result, price, listed, before_current=current is None)
            if not struck:  # a struck-out price is never the one to pay
                best_old = best_old or (price, found_currency)
            continue
        if current is None:
            result.price, result.currency, result.node = price, found_currency, node
            current = distance
        elif price not in labelled and _list_price_note(node):
            labelled.append(price)  # a price labelled "UVP", "statt", "was" beside the current one
    return _completed(result, labelled, best_old)


def _completed(result: DomPrice, labelled: list[str], best_old: tuple[str, str | None] | None) -> DomPrice:
    """The search's finding with the prices labelled as list prices beside the current one, and
    the nearest old price (not struck out) standing in for a missing current price."""
    result.regular += [price for price in labelled if price not in result.regular]
    if result.price is None and best_old is not None:
        result.price, result.currency = best_old
    return result


INNER_LEVELS = 6
"""How deep inside the current price's element its list price is looked for."""


def _note_inner_old_price(result: DomPrice, node: LexborNode, page: Page, currency: str | None) -> None:
    """A list price inside the current price's element (``<div class="price"><del>449,95
    kr.</del><span class="sales">349,95 kr.</span></div>``: the current price was read from the
    part that is not struck out)."""
    read = _read_candidate(node, page, currency)
    if read is not None and read.old and read.listed and read.price not in result.regular:
        result.regular.append(read.price)


def _note_wrapper(node: LexborNode, distance: int, current: int | None, wrappers: set[int]) -> None:
    """Add to ``wrappers`` a candidate beside the current price that is no price itself but wraps
    price elements ("<span>Norm. <span class=value>74,90 €</span></span>")."""
    if current is not None and distance <= current + 1 and _wraps_a_price(node):
        wrappers.add(int(node.mem_id))


def _beyond_current(distance: int, current: int | None, node: LexborNode, wrappers: set[int]) -> bool | None:
    """Whether a candidate lies past the current price's own block, where its list price sits
    beside it or right inside a wrapper beside it ("<span>Norm. <span class=value>74,90
    €</span></span>", ``wrappers``: their ids): ``True`` when every later one does too, ``False``
    when only this one does, ``None`` when it lies within."""
    if current is None or distance <= current + 1:
        return None
    if distance > current + 2:
        return True
    parent = node.parent
    return None if parent is not None and int(parent.mem_id) in wrappers else False


def _note_old_price(result: DomPrice, price: str, listed: bool, before_current: bool) -> None:
    """An old price into ``result.old`` (only before a current price is found) and, a list price,
    into ``result.regular``; each once."""
    if price not in result.old and before_current:
        result.old.append(price)
    if listed and price not in result.regular:
        result.regular.append(price)


def find_currency_meta(page: Page) -> str | None:
    """The currency the page states in ``itemprop=priceCurrency`` or a ``data-currency`` attribute."""
    node = page.tree.css_first('[itemprop="priceCurrency"], [data-currency]')
    if node is None:
        return None
    attrs = node.attributes
    return normalise_currency(attrs.get("content") or attrs.get("data-currency") or node.text(), page.tld)
