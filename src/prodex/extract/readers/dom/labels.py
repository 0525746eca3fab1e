"""Labelled values in the DOM: "SKU: 123", "Art.-Nr. 123", "Item model number", "Brand: X",
"EAN: ..." in many languages, read from the product's text and from elements the shop marks."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from selectolax.lexbor import LexborNode

from prodex.extract.page import Page, each_once
from prodex.extract.process.availability import availability_from_phrase
from prodex.extract.process.patterns import trie_pattern
from prodex.extract.process.text import clean_line
from prodex.extract.readers.dom.subtree import element_children, first_match
from prodex.extract.readers.dom.vocabulary import (
    OTHER_PRODUCTS,
    OUTSIDE_PRODUCT,
    OUTSIDE_THIS_PRODUCT,
    TitleDistances,
    ancestors_match,
    is_hidden,
    test_id_selector,
    title_ancestors,
)
from prodex.extract.readers.schema import is_placeholder
from prodex.extract.words import words

SKU_LABELS = words("labels", "sku")
MPN_LABELS = words("labels", "mpn")
"""Labels of the manufacturer's model or part number (``mpn``), not the shop's article number."""
_SKU_LABEL = trie_pattern(SKU_LABELS)
MPN_LINE = re.compile(
    rf"^[ \t]*(?:{trie_pattern(MPN_LABELS)})(?![^\W\d_])[ \t]*[:#№：]?[ \t]*([^\n]*)$",
    re.IGNORECASE | re.MULTILINE,
)
# Run over the page text with one text node per line: a label starts a line, its value follows
# on the same line or on the next one.
SKU_LINE = re.compile(
    rf"^[ \t]*[〈《(\[]?(?:{_SKU_LABEL})(?![^\W\d_])[ \t]*[:#№：]?[ \t]*([^\n]*)$",
    re.IGNORECASE | re.MULTILINE,
)
_SKU_INLINE = re.compile(
    rf"(?:^|[\s(|])(?:{_SKU_LABEL})(?![^\W\d_])\s*[:#№.]?\s*([A-Za-z0-9][A-Za-z0-9._/-]{{1,38}}[A-Za-z0-9])",
    re.I,
)
_CODE = re.compile(r"^[\w][\w./ -]{1,38}[\w]$|^\w{2,40}$", re.UNICODE)
BRAND_LABELS = words("labels", "brand") + words("labels", "maker")
"""Labels of the brand, then of the maker (words/<language>.toml, ``[labels]``)."""
_BRAND_LABEL = trie_pattern(BRAND_LABELS)
# "Brand: X" (value on the same line or the next), or a line that is only the label followed by
# a line with the value (spec tables).
BRAND_PATTERN = re.compile(
    rf"^[ \t]*(?:{_BRAND_LABEL})(?![^\W\d_])[ \t]*(?:[:：][ \t]*\n?|\n)[ \t]*(\w[^\n]{{1,59}})$",
    re.IGNORECASE | re.MULTILINE,
)
BRAND_SELECTOR = '[itemprop="brand"], a[href*="manufacturer" i], a[href*="/brand" i], [class*="brand" i]'
"""Elements that may name the brand; those found only by class are kept when the class says
``product-brand``, ``brand-name``, ``__brand`` or ``--brand`` (see :data:`BRAND_CLASSES`): one
class search with a Python check is several times cheaper than one search per word."""
BRAND_CLASSES = ("product-brand", "brand-name", "__brand", "--brand")
GTIN_LABELS = words("labels", "gtin")
GTIN_PATTERN = re.compile(
    rf"^[ \t]*(?:{trie_pattern(GTIN_LABELS)})"
    r"[ \t]*[:#]?[ \t]*\n?"
    r"[ \t]*(\d[\d -]{6,16}\d)[ \t]*$",
    re.IGNORECASE | re.MULTILINE,
)
AVAILABILITY_LABELS = words("labels", "availability")
AVAILABILITY_PATTERN = re.compile(
    rf"^[ \t]*(?:{trie_pattern(AVAILABILITY_LABELS)})(?![^\W\d_])"
    r"[ \t]*(?:[:：][ \t]*\n?|\n)[ \t]*([^\n]{2,80})$",
    re.IGNORECASE | re.MULTILINE,
)
# Where a line starts with any of the labels above: one scan of the page text finds the few lines
# the precise patterns then read. The pattern begins with a literal newline, which the regular
# expression engine finds fast, instead of trying a line start at every position.
_LABEL_WORDS = trie_pattern(
    tuple(
        label.lower() for label in SKU_LABELS + MPN_LABELS + BRAND_LABELS + GTIN_LABELS + AVAILABILITY_LABELS
    )
)
_LABEL_LINE = re.compile(rf"\n[ \t]*[〈《(\[]?(?:{_LABEL_WORDS})")
_ANY_CASE_LABEL_LINE = re.compile(_LABEL_LINE.pattern, re.IGNORECASE)
SKU_SELECTOR = (
    '[itemprop="sku"], [class*="sku" i]:not([class*="skus" i]), [id*="sku" i], [class*="product-code" i]'
)
AVAILABILITY_SELECTOR = (
    '[itemprop="availability"], [class*="availab" i], [class*="stock" i], [class*="dispon" i], '
    '[class*="soldout" i], [class*="sold-out" i], [class~="oos"], [class$="-oos"], '
    f"{test_id_selector('availab', ('data-testid',))}"  # (the commonest test id: each costs a pass)
)
BUY_SELECTOR = 'button, input[type=submit], [role=button], a[class*="cart" i], a[class*="basket" i]'
MAX_TITLE_DISTANCE = 12
_BUY_WORDS = re.compile(
    trie_pattern(
        (
            "add-to-cart",
            "addtocart",
            "add_to_cart",
            "add-to-bag",
            "addtobag",
            "add-to-basket",
            "addtobasket",
            "buy-button",
            "buybutton",
            "btn-buy",
            "buy-now",
            "buynow",
            "product-form__submit",
        )
    ),
    re.IGNORECASE,
)
_BUY_PHRASE = re.compile(trie_pattern(words("labels", "buy")), re.IGNORECASE)
_LETTERS = re.compile(r"[^\W\d_]", re.UNICODE)


def page_text(page: Page) -> str:
    """The text of the part of the page that holds the product (:attr:`Page.product_root`, else
    the body) with one element per line (for labelled values)."""
    body = page.product_root or page.tree.body
    if body is None:
        return ""
    return body.text(deep=True, separator="\n", strip=True, skip_empty=True)[:400_000]


def _code_value(raw: str) -> str | None:
    value = raw.strip(" \t:#.,;|〉》)]>")
    if not value or len(value) > 40 or len(value.split()) > 4 or not _CODE.match(value):
        return None
    if not any(ch.isdigit() for ch in value) and not (value.isupper() and len(value) >= 4):
        return None
    return value


@dataclass
class LabelledValues:
    """The values a page labels in its text: the first valid product code, the first "Brand:"
    line's value, the first labelled EAN/GTIN of valid length, the first "Availability:" line
    that reads as a stock phrase."""

    sku: str | None = None
    mpn: str | None = None
    """The first labelled manufacturer model or part number ("Model number: ...", "MPN")."""
    brand: str | None = None
    gtin: str | None = None
    availability: str | None = None
    """From the first "Availability: ..." line whose value is a stock phrase."""


def _sku_at(lines: str, match: re.Match[str]) -> str | None:
    value = match.group(1).strip()
    if not value:
        value = lines[match.end() + 1 : match.end() + 80].split("\n", 1)[0]
    return _code_value(value)


def _gtin_value(raw: str) -> str | None:
    digits = re.sub(r"[\s-]", "", raw)
    return digits if len(digits) in (8, 12, 13, 14) else None


def find_labelled_values(text: str) -> LabelledValues:
    """The SKU, brand, GTIN and availability the page labels in its text (one element per line,
    see :func:`page_text`), read in one scan for the lines that start with a label."""
    found = LabelledValues()
    lines = "\n" + text
    lowered = lines.lower()
    # the label search runs case-sensitively on the lower-cased text (several times faster) when
    # lower-casing keeps every position; the patterns then read the values from the text itself
    starts = (
        _LABEL_LINE.finditer(lowered) if len(lowered) == len(lines) else _ANY_CASE_LABEL_LINE.finditer(lines)
    )
    brand_read = gtin_read = False
    availability_read = False
    for start in starts:
        position = start.start() + 1
        if found.sku is None:
            match = SKU_LINE.match(lines, position)
            if match:
                found.sku = _sku_at(lines, match)
        if found.mpn is None:
            match = MPN_LINE.match(lines, position)
            if match:
                found.mpn = _sku_at(lines, match)
        if not brand_read:
            match = BRAND_PATTERN.match(lines, position)
            if match:
                brand_read, found.brand = True, _brand_value(match.group(1))
        if not gtin_read:
            match = GTIN_PATTERN.match(lines, position)
            if match:
                gtin_read, found.gtin = True, _gtin_value(match.group(1))
        if not availability_read:
            match = AVAILABILITY_PATTERN.match(lines, position)
            if match:
                found.availability = availability_from_phrase(match.group(1))
                availability_read = found.availability is not None
        if found.sku is not None and found.mpn is not None and brand_read and gtin_read and availability_read:
            break
    return found


def find_marked_sku(page: Page) -> str | None:
    """A product code in an element the shop marks (``itemprop=sku``, class "sku")."""
    for node in page.search_root().css(SKU_SELECTOR)[:20]:
        if node.tag in ("input", "select", "option", "form", "script") or ancestors_match(
            node, OUTSIDE_THIS_PRODUCT, 6, page.h1_holders()
        ):
            continue
        value = node.attributes.get("content") or node.text(deep=True, separator=" ")
        value = clean_line(value)
        match = _SKU_INLINE.search(value)
        code = _code_value(match.group(1) if match else value)
        if code:
            return code
    return None


_TRAILING_ALIAS = re.compile(r"\s*[(（]([^()（）]{1,40})[)）]$")


def _latin(text: str) -> bool:
    return all(ord(char) < 0x250 for char in text if char.isalpha())


def _without_alias(value: str) -> str:
    """A brand without the same name in another script after it ("象印マホービン（ZOJIRUSHI）" ->
    "象印マホービン"); a note in the same script may be part of the name ("3S. x Tertio (Nos Unis)")."""
    match = _TRAILING_ALIAS.search(value)
    if match is None or match.start() == 0:
        return value
    head = value[: match.start()]
    return head if _latin(head) != _latin(match.group(1)) else value


def _brand_value(value: str) -> str | None:
    value = _without_alias(clean_line(value))
    if not value or not _LETTERS.search(value) or len(value.split()) > 6 or len(value) > 60:
        return None
    return None if is_placeholder(value) else value


def _brand_elements(page: Page) -> list[LexborNode]:
    """The elements :data:`BRAND_SELECTOR` finds, each once, in page order, class matches narrowed
    to :data:`BRAND_CLASSES`."""
    out: list[LexborNode] = []
    for node in each_once(page.search_root().css(BRAND_SELECTOR)):
        attrs = node.attributes
        href = (attrs.get("href") or "").lower() if node.tag == "a" else ""
        classes = (attrs.get("class") or "").lower()
        if (
            attrs.get("itemprop") == "brand"
            or "manufacturer" in href
            or "/brand" in href
            or any(word in classes for word in BRAND_CLASSES)
        ):
            out.append(node)
    return out


def _is_item_name(node: LexborNode) -> bool:
    return node.attributes.get("itemprop") == "name"


def _is_image_with_alt(node: LexborNode) -> bool:
    return node.tag == "img" and "alt" in node.attributes


def find_marked_brand(page: Page) -> str | None:
    """A brand the page marks (``itemprop=brand``, brand links and classes near the product)."""
    for node in _brand_elements(page)[:20]:
        if ancestors_match(node, (OUTSIDE_PRODUCT, OTHER_PRODUCTS), 10, page.h1_holders()):
            continue
        attrs = node.attributes
        value = attrs.get("content") or attrs.get("title") if node.tag == "meta" else None
        if value is None:
            inner = first_match(node, _is_item_name, '[itemprop="name"]')
            value = (inner or node).text(deep=True, separator=" ")
        if not value:
            image = first_match(node, _is_image_with_alt, "img[alt]")
            value = image.attributes.get("alt") or "" if image is not None else ""
        brand = _brand_value(value)
        if brand:
            return brand
    return None


def _nearest_first(nodes: list[LexborNode], title: LexborNode | None) -> list[LexborNode]:
    """``nodes`` nearest the title first (page order without a title), far-away ones left out."""
    if title is None:
        return nodes
    distances = TitleDistances(title_ancestors(title))
    ranked = [(distances.of(node), order, node) for order, node in enumerate(nodes)]
    return [
        node for distance, _, node in sorted(ranked, key=lambda r: r[:2]) if distance <= MAX_TITLE_DISTANCE
    ]


_STOCK_LISTS = frozenset(("table", "tbody", "ul", "ol", "dl"))
MIN_STOCK_ROWS = 3


def _per_row_stock(node: LexborNode) -> bool:
    """Whether a stock element is a table or list of rows, each a store's or an option's stock
    ("Rīga 12 gab.", "Rēzekne Nav pieejams"), not the product's (a list of one or two status
    lines, "In stock" and "Ships in 24h", is the product's)."""
    return node.tag in _STOCK_LISTS and len(node.css("li, tr")[:MIN_STOCK_ROWS]) >= MIN_STOCK_ROWS


OPTION_LEVELS = 3
"""How far up from a stock element an option's item is looked for (see :func:`_option_stock`)."""
MAX_OPTION_ITEMS = 60


_OPTION_CONTROL = "a[href], button, input, label, [data-value], [role=radio], [role=option]"
"""What an option's item holds to be chosen (a list of status lines, "Free delivery", holds none;
a list of facts holds a link or two at most: most items must hold one)."""


def _option_stock(node: LexborNode) -> bool:
    """Whether a stock element is one option's ("22cm 품절", a sold-out size's class): it is, or
    lies within :data:`OPTION_LEVELS` levels of, an ``<option>`` or an item among
    :data:`MIN_STOCK_ROWS` or more items of its list, two thirds of which hold a control to choose
    them (a list of the product's facts or status lines is the product's)."""
    item: LexborNode | None = node
    for _ in range(OPTION_LEVELS + 1):
        if item is None or item.tag == "option":
            return item is not None
        if item.tag == "li":
            parent = item.parent
            siblings = element_children(parent, MAX_OPTION_ITEMS) if parent is not None else []
            options = [child for child in siblings if child.tag == "li"]
            chosen = sum(1 for child in options if child.css_first(_OPTION_CONTROL) is not None)
            return len(options) >= MIN_STOCK_ROWS and 3 * chosen >= 2 * len(options)
        item = item.parent
    return False


def find_availability(page: Page, title: LexborNode | None = None) -> str | None:
    """Availability from the elements a shop marks for stock state, nearest the title first (a
    store's or an option's stock left out)."""
    for node in _nearest_first(page.search_root().css(AVAILABILITY_SELECTOR)[:30], title):
        if is_hidden(node) or _per_row_stock(node) or _option_stock(node):
            continue
        if ancestors_match(node, OUTSIDE_THIS_PRODUCT, 8, page.h1_holders()):
            continue
        attrs = node.attributes
        value = attrs.get("content") or attrs.get("href") or ""
        text = f"{value} {node.text(deep=True, separator=' ')[:300]}"
        found = availability_from_phrase(text.replace("/", " ").replace("_", " "))
        if found is None:
            classes = (attrs.get("class") or "").lower()
            if "out-of-stock" in classes or "outofstock" in classes or "sold-out" in classes:
                found = "OutOfStock"
        if found:
            return found
    return None


def buy_buttons(page: Page, title: LexborNode | None = None) -> Iterator[LexborNode]:
    """The enabled add-to-cart or buy buttons for the page's product (named so by their class, id
    or name, or labelled with a buy phrase in the page's language; near the title), nearest first."""
    for node in _nearest_first(page.search_root().css(BUY_SELECTOR)[:80], title):
        if ancestors_match(node, OUTSIDE_THIS_PRODUCT, 8, page.h1_holders()):
            continue
        attrs = node.attributes
        if "disabled" in attrs or attrs.get("aria-disabled") == "true":
            continue
        marker = f"{attrs.get('class') or ''} {attrs.get('id') or ''} {attrs.get('name') or ''}"
        if _BUY_WORDS.search(marker) or attrs.get("name") == "add":
            yield node
            continue
        label = node.text(deep=True)[:60] if node.tag != "input" else attrs.get("value") or ""
        if label and availability_from_phrase(label) == "InStock" and _BUY_PHRASE.search(label):
            yield node


def has_buy_button(page: Page, title: LexborNode | None = None) -> bool:
    """Whether the page shows an enabled add-to-cart or buy button for its product (see
    :func:`buy_buttons`)."""
    return next(buy_buttons(page, title), None) is not None
