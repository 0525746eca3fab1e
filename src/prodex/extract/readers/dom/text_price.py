"""A price written as plain text next to the title, for pages that mark no price at all.

Older and smaller shops often print the price with no ``itemprop``, class or id that names it
(``<span style="font:bold 27px">294</span><span> 元</span>``). When neither structured data nor
marked elements give a price, the number nearest the title (and after it) that a currency sign,
code or word stands next to is taken, unless it is struck through (an old price), hidden, in
another section of the page, or next to words that make it a saving, a coupon, shipping or an
instalment. Site modules know their sites: a page a site module read is never searched this way.
"""

from __future__ import annotations

import re

from selectolax.lexbor import LexborNode

from prodex.extract.page import Page
from prodex.extract.process.availability import fold
from prodex.extract.process.patterns import is_spaced_script, trie_pattern
from prodex.extract.process.price import normalise_currency, parse_price
from prodex.extract.readers.dom.price import DomPrice, in_link
from prodex.extract.readers.dom.vocabulary import (
    OTHER_PRODUCTS,
    OUTSIDE_PRODUCT,
    TitleDistances,
    ancestors_match,
    is_hidden,
    is_struck,
    title_ancestors,
)
from prodex.extract.words import all_words

REGION_LEVELS = 8
"""How far up from the title the block searched for the price reaches."""
MAX_TEXT_NODES = 2_000
MAX_PRICE_TEXT = 30
"""A price stands alone: longer text around a number is a sentence, not a price."""
MAX_DISTANCE = 12
_CURRENCY = (
    r"[$€£¥₹₩₽₺₴₪₫฿₱₸₼₾]|元|円|원|zł|kč|лв|lei|грн|руб|د\.إ|ر\.س"
    r"|(?<![^\W\d_])(?:kr|ft|chf|eur|usd|gbp|pln|czk|huf|sek|nok|dkk|ron|bgn|try|brl|mxn|ars|clp|cop"
    r"|twd|hkd|cny|rmb|jpy|krw|inr|aud|cad|nzd|sgd|zar|rub|uah|aed|sar|idr|myr|thb|vnd|php|ils|tl|rp|rm)"
    r"(?![^\W\d_])"
)
_CURRENCY_ONLY = re.compile(rf"^(?:nt|us|hk|r|a|c|s|mx)?(?:{_CURRENCY})\.?$", re.IGNORECASE)
_MONEY = re.compile(
    rf"^(?:(?P<before>(?:nt|us|hk|r|a|c|s|mx)?(?:{_CURRENCY}))\s*)?"
    r"(?P<amount>\d{1,3}(?:[.,\s'’]\d{3})*(?:[.,]\d{1,2})?|\d+(?:[.,]\d{1,2})?)"
    rf"(?:\s*(?P<after>{_CURRENCY})\.?)?$",
    re.IGNORECASE,
)
_NOT_THE_PRICE_WORDS = all_words("price_note")
_NOT_THE_PRICE = re.compile(
    r"(?<![^\W\d_])(?:"
    + trie_pattern(w for w in _NOT_THE_PRICE_WORDS if is_spaced_script(w))
    + r")(?![^\W\d_])|"
    + trie_pattern(w for w in _NOT_THE_PRICE_WORDS if not is_spaced_script(w))
)
"""Words next to an amount that say it is a saving, a coupon, shipping or an instalment."""
_LOCAL_CURRENCY = {("元", "tw"): "TWD", ("元", "hk"): "HKD", ("元", "mo"): "MOP"}


def _same_block(text: LexborNode, other: LexborNode) -> bool:
    """Whether two text nodes are in one element or in sibling elements of one block (a label
    and its amount), not in separate rows."""
    element, other_element = text.parent, other.parent
    if element is None or other_element is None:
        return False
    if element.mem_id == other_element.mem_id:
        return True
    block, other_block = element.parent, other_element.parent
    return block is not None and other_block is not None and block.mem_id == other_block.mem_id


def _currency_code(marker: str, tld: str) -> str | None:
    key = marker.strip().lower().rstrip(".")
    return _LOCAL_CURRENCY.get((key, tld)) or normalise_currency(key, tld)


def _region(title: LexborNode) -> LexborNode | None:
    node: LexborNode | None = title
    region = None
    for _ in range(REGION_LEVELS):
        node = node.parent if node is not None else None
        if node is None or node.tag in ("html", "body"):
            break
        region = node
    return region


def _texts_after(region: LexborNode, title: LexborNode) -> list[tuple[LexborNode, str]]:
    """The non-blank text nodes of ``region`` that come after the title, with their text."""
    texts: list[tuple[LexborNode, str]] = []
    in_title = {int(node.mem_id) for node in title.traverse(include_text=True)}
    seen_title = passed_title = False
    for count, node in enumerate(region.traverse(include_text=True)):
        if count >= MAX_TEXT_NODES:
            break
        if int(node.mem_id) in in_title:
            seen_title = True
            continue
        passed_title = passed_title or seen_title
        if not passed_title or node.tag != "-text":
            continue
        text = (node.text_content or "").strip()
        if text:
            texts.append((node, text))
    return texts


_RANGE_SEPARATOR = re.compile(r"\s*[-–—~]\s*")


def _range_low(text: str) -> re.Match[str] | None:
    """The lower amount of a price range ("$12.90 - $18.90": variants at several prices, none
    chosen yet), matched as :data:`_MONEY` matches one price."""
    parts = _RANGE_SEPARATOR.split(text, maxsplit=1)
    if len(parts) != 2 or _MONEY.match(parts[1]) is None:
        return None
    return _MONEY.match(parts[0])


def _money_with_marker(texts: list[tuple[LexborNode, str]], index: int) -> tuple[re.Match[str], str] | None:
    """The amount the text at ``index`` prints (a price, or a range's lower end) and its currency
    marker (its own, or a currency-only text beside it in the same block), unless its neighbours
    say it is not the price."""
    node, text = texts[index]
    if len(text) > MAX_PRICE_TEXT:
        return None
    match = _MONEY.match(text) or _range_low(text)
    if match is None:
        return None
    neighbours = [
        texts[i][1] for i in (index - 1, index + 1) if 0 <= i < len(texts) and _same_block(node, texts[i][0])
    ]
    marker = match.group("before") or match.group("after")
    if marker is None:  # the currency may stand in the text right before or after
        marker = next((text for text in neighbours if _CURRENCY_ONLY.match(text)), None)
    if marker is None or _NOT_THE_PRICE.search(fold(" ".join(neighbours))):
        return None
    return match, marker


def _shown_offer_element(element: LexborNode | None, struck_classes: frozenset[str]) -> bool:
    """The element shows a current offer: not struck out, not hidden, not in a link (a price in a
    link is another offer's or another product's)."""
    return element is not None and not (
        is_struck(element, struck_classes) or is_hidden(element) or in_link(element)
    )


def find_text_price(page: Page, title: LexborNode | None, currency: str | None = None) -> DomPrice:
    """The price printed as plain text nearest the title (see the module docstring), or an empty
    :class:`DomPrice`."""
    if title is None:
        return DomPrice()
    region = _region(title)
    if region is None:
        return DomPrice()
    texts = _texts_after(region, title)
    distances = TitleDistances(title_ancestors(title))
    best: tuple[int, int, str, str | None, LexborNode] | None = None
    for index, (node, _) in enumerate(texts):
        money = _money_with_marker(texts, index)
        if money is None:
            continue
        element = node.parent
        if element is None or not _shown_offer_element(element, page.struck_classes()):
            continue
        distance = distances.of(element)
        if distance > MAX_DISTANCE or (best is not None and (distance, index) >= best[:2]):
            continue
        if ancestors_match(element, (OTHER_PRODUCTS, OUTSIDE_PRODUCT), 8, page.h1_holders()):
            continue
        match, marker = money
        found_currency = _currency_code(marker, page.tld) or currency
        price = parse_price(match.group("amount"), found_currency)
        if price is None or price.strip("0.") == "":
            continue
        best = (distance, index, price, found_currency, element)
    if best is None:
        return DomPrice()
    return DomPrice(price=best[2], currency=best[3], node=best[4])
