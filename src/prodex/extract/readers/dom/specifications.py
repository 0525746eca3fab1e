"""The product's specification table as the page shows it: two-column ``<table>`` rows, ``<dl>``
term/definition pairs, and the rows of a block headed "Specifications / Technische Daten /
Caractéristiques / Specifiche / Especificaciones / Характеристики..." (``<li>`` or ``<div>``
rows of a name and a value, or "Name: value" lines), in page order.

Tables of the shop (shipping costs, payment, returns), size charts (more than two columns) and
tables of other products are left out.
"""

from __future__ import annotations

import re

from selectolax.lexbor import LexborHTMLParser, LexborNode

from prodex.extract.model import Specification
from prodex.extract.page import Page
from prodex.extract.process.patterns import trie_pattern
from prodex.extract.process.text import clean_line
from prodex.extract.readers.dom.subtree import (
    ELEMENT_ID,
    LAYOUT_TAGS,
    element_children,
    first_match,
    following_elements,
    is_link,
    of_one_kind,
)
from prodex.extract.readers.dom.vocabulary import (
    OUTSIDE_PRODUCT,
    ancestors_match,
    class_and_id,
)
from prodex.extract.words import words

MAX_ROWS = 60
MAX_BLOCKS = 40
MAX_NAME = 60
MAX_VALUE = 300
MIN_ROWS = 2
EARLY_ROWS = 4
MAX_LISTS = 60
MIN_LIST_ROWS = 3
LIST_VALUE_WORDS = 6
"""A list whose values are longer than this (more than a third of them) lists features."""
HEADING_SELECTOR = "h2, h3, h4, h5, summary, button, [role=tab], a[href^='#']"
SPEC_HEADINGS = words("specification", "heading")
"""Headings of a specification block, in lower case."""
_HEADING = re.compile(rf"^\s*(?:{trie_pattern(SPEC_HEADINGS)})\s*(?:\(\d+\))?\s*[:：]?\s*$")
_HEADING_LINE = re.compile(
    rf"\n[ \t]*(?:{trie_pattern(SPEC_HEADINGS)})[ \t]*(?:\(\d+\))?[ \t]*[:：]?[ \t]*\n"
)
POLICY_WORDS = re.compile(trie_pattern(words("specification", "policy")))
"""Words of the shop's policy tables (a delivery-cost table is not a specification)."""
_NAME_VALUE = re.compile(r"^([^:：\n]{1,60}?)\s*[:：]\s*(\S[^\n]{0,299})$")


def _text(node: LexborNode) -> str:
    return node.text(deep=True, separator=" ")


def _cells(row: LexborNode) -> list[LexborNode]:
    return [child for child in row.iter() if child.tag in ("th", "td")]


def _row(name: str, value: str) -> Specification | None:
    name = clean_line(name).strip(" :：\u200e\u200f")
    if not name or len(name) > MAX_NAME or not any(ch.isalpha() for ch in name):
        return None  # (the value is cleaned only for a name that may stand)
    value = clean_line(value)
    if not value or len(value) > MAX_VALUE:
        return None
    return Specification(name=name, value=value)


def _own_row(tr: LexborNode, table_id: int) -> bool:
    """Whether a row belongs to ``table`` itself, not to a table nested in one of its cells."""
    parent = tr.parent
    if parent is not None and parent.tag in ("tbody", "thead", "tfoot"):
        parent = parent.parent
    return parent is not None and int(parent.mem_id) == table_id


def _table_rows(table: LexborNode) -> list[Specification]:
    """The name/value rows of a two-column table (or of "Name: | value | Name: | value" rows);
    nothing for a size chart, a comparison or a layout table (one that holds tables)."""
    rows: list[Specification] = []
    total = 0
    table_id = int(table.mem_id)
    for tr in table.css("tr")[: MAX_ROWS * 2]:
        if not _own_row(tr, table_id):
            return []  # a layout table: its inner tables are read on their own
        cells = _cells(tr)
        if not cells:
            continue
        total += 1
        if len(cells) not in (1, 2, 4):
            return []  # a size chart or a comparison: not name/value rows
        name = _text(cells[0])
        if len(name) > 2 * MAX_NAME:
            if total >= EARLY_ROWS and not rows:
                return []
            continue
        texts = [name, *(_text(cell) for cell in cells[1:])]
        if len(cells) == 4 and texts[0].strip().endswith(":") and texts[2].strip().endswith(":"):
            pairs = [(texts[0], texts[1]), (texts[2], texts[3])]  # "Name: | value | Name: | value"
        elif len(cells) == 4:
            return []
        else:
            pairs = [(texts[0], texts[1])] if len(cells) == 2 else []
        for pair_name, value in pairs:
            spec = _row(pair_name, value)
            if spec is not None:
                rows.append(spec)
        if total >= EARLY_ROWS and not rows:
            return []  # a few rows and none is a name and a value: not a spec table
    return rows if len(rows) >= MIN_ROWS and len(rows) * 2 >= total else []


def _is_term(node: LexborNode) -> bool:
    return node.tag == "dt"


def _is_definition(node: LexborNode) -> bool:
    return node.tag == "dd"


def _dl_rows(dl: LexborNode) -> list[Specification]:
    rows: list[Specification] = []
    name: str | None = None
    for child in dl.iter():
        tag = child.tag
        if tag == "div":  # <dl><div><dt/><dd/></div></dl>
            inner_terms = first_match(child, _is_term, "dt")
            inner_value = first_match(child, _is_definition, "dd")
            if inner_terms is not None and inner_value is not None:
                spec = _row(
                    inner_terms.text(deep=True, separator=" "), inner_value.text(deep=True, separator=" ")
                )
                if spec is not None:
                    rows.append(spec)
            continue
        if tag == "dt":
            name = child.text(deep=True, separator=" ")
        elif tag == "dd" and name is not None:
            spec = _row(name, child.text(deep=True, separator=" "))
            if spec is not None:
                rows.append(spec)
            name = None
    return rows if len(rows) >= MIN_ROWS else []


MIN_VALUE_ROWS = 3


def lists_values(block: LexborNode) -> bool:
    """Whether a ``<dl>`` or ``<table>`` lists named values (specification rows, "Titre : ..."):
    :data:`MIN_VALUE_ROWS` rows or more, most values a few words (a feature's title over its
    sentence is no value)."""
    rows = _dl_rows(block) if block.tag == "dl" else _table_rows(block)
    wordy = sum(len(row.value.split()) > LIST_VALUE_WORDS for row in rows)
    return len(rows) >= MIN_VALUE_ROWS and wordy * 3 <= len(rows)


def _item_row(item: LexborNode) -> Specification | None:
    """The row one item reads as: a name element and a value element (elements without text
    between them, a dotted leader, left out), or "Name: value"."""
    children = [
        child
        for child in item.iter()
        if child.is_element_node and child.tag != "br" and child.text(deep=True).strip()
    ]
    text = clean_line(item.text(deep=True, separator=" "))
    if not text or len(text) > MAX_NAME + MAX_VALUE:
        return None
    spec: Specification | None = None
    if len(children) == 2 and not any(
        child.tag in ("li", "ul", "div", "table") for child in children[0].iter()
    ):
        spec = _row(children[0].text(deep=True, separator=" "), children[1].text(deep=True, separator=" "))
    if spec is None and len(children) <= 2:
        match = _NAME_VALUE.match(text)
        if match:
            spec = _row(match.group(1), match.group(2))
    return spec


def _line_rows(block: LexborNode) -> list[Specification]:
    """Rows of a block without a table: ``<li>``/``<div>``/``<p>`` items that hold a name element
    and a value element, or read "Name: value"."""
    rows: list[Specification] = []
    for item in block.css("li, div, p, tr")[: MAX_ROWS * 4]:
        spec = _item_row(item)
        if spec is not None and all(spec.name != row.name for row in rows):
            rows.append(spec)
    return rows if len(rows) >= MIN_ROWS else []


def _linked_names(items: list[LexborNode]) -> bool:
    """Whether the first items begin with a link (menus, tiles of other products: not attributes)."""
    linked = 0
    for item in items[:MIN_LIST_ROWS]:
        first = next((child for child in item.iter() if child.is_element_node), None)
        linked += first is not None and (
            first.tag == "a" or first_match(first, is_link, "a[href]") is not None
        )
    return linked * 2 > MIN_LIST_ROWS


def list_rows(block: LexborNode) -> list[Specification]:
    """The rows of an attribute list: a ``<ul>`` whose items are nearly all a name and a short
    value ("Material: Cotton", "<b>Publisher:</b> <a>Almedina</a>"); a list of features written
    "Feature: a sentence about it" is a list of selling points, not of specifications."""
    items = [child for child in block.iter() if child.tag == "li"][:MAX_ROWS]
    if len(items) < MIN_LIST_ROWS or _linked_names(items):
        return []
    rows: list[Specification] = []
    misses = 0
    for item in items:  # read until a third of the items has failed
        spec = _item_row(item)
        if spec is None:
            misses += 1
            if misses * 3 > len(items):
                return []
        else:
            rows.append(spec)
    wordy = sum(len(row.value.split()) > LIST_VALUE_WORDS for row in rows)
    return [] if wordy * 3 > len(rows) else rows


def _section_of(heading: LexborNode, page: Page) -> LexborNode | None:
    """The block a heading or tab opens: the panel a tab controls, else the heading's next sibling
    element (or its parent's, when the heading is wrapped), or the heading's parent when the
    heading leads it and rows of one tag and class follow (``<h2>Parameters</h2><div
    class="param">...``)."""
    attrs = heading.attributes
    controls = attrs.get("aria-controls") or (attrs.get("href") or "").lstrip("#")
    if controls and ELEMENT_ID.fullmatch(controls):  # (also keeps the selector well formed)
        panel = page.tree.css_first(f'[id="{controls}"]')
        if panel is not None:
            return panel
    node: LexborNode | None = heading
    for _ in range(3):
        if node is None:
            return None
        following = following_elements(node, 2)
        parent = node.parent
        if (
            len(following) > 1
            and of_one_kind(following)
            and parent is not None
            and parent.tag not in LAYOUT_TAGS
            and _leads(node, parent)
        ):
            return parent
        if following:
            return following[0]
        node = node.parent
    return None


def _leads(node: LexborNode, parent: LexborNode) -> bool:
    """Whether ``node`` is its parent's first element (nothing of the block comes before it)."""
    first = element_children(parent, 1)
    return bool(first) and first[0].mem_id == node.mem_id


def _policy(rows: list[Specification]) -> bool:
    """Whether rows are the shop's policy (most names say shipping, payment, returns)."""
    return sum(bool(POLICY_WORDS.search(row.name.lower())) for row in rows) * 2 >= len(rows)


MAX_STAR_NAME_CHARS = 12
_COUNT = re.compile(r"[\d\s.,%()]+")
"""A count of reviews or a share of them ("812", "64 %", "(1,204)")."""


def _rating_histogram(rows: list[Specification]) -> bool:
    """Whether rows are the spread of a rating ("5 stars", "4 stars", "5점"...: three names or
    more, each a different number of stars from 1 to 5 with a word or sign at most, each value a
    count or a share), no specifications ("3D", "4K", "5G" rows with values are)."""
    levels = {
        row.name[0]
        for row in rows
        if row.name[:1] in "12345" and len(row.name) <= MAX_STAR_NAME_CHARS and _COUNT.fullmatch(row.value)
    }
    return len(rows) >= 3 and len(levels) == len(rows)


def _outside(node: LexborNode, page: Page) -> bool:
    if ancestors_match(node, OUTSIDE_PRODUCT, 10, page.h1_holders()):
        return True
    parent = node.parent
    for _ in range(4):
        if parent is None:
            return False
        marker = class_and_id(parent)
        if marker and POLICY_WORDS.search(marker):
            return True
        parent = parent.parent
    return False


def _rows_of(page: Page, blocks: list[LexborNode]) -> list[Specification]:
    """The rows of the blocks (tables, description lists or attribute lists) that list the
    product's specifications, each name once, in page order."""
    rows: list[Specification] = []
    seen: set[str] = set()
    for block in blocks:
        found = (
            _table_rows(block)
            if block.tag == "table"
            else _dl_rows(block)
            if block.tag == "dl"
            else list_rows(block)
        )
        if not found or _policy(found) or _rating_histogram(found) or _outside(block, page):
            continue
        for spec in found:
            if spec.name not in seen:
                seen.add(spec.name)
                rows.append(spec)
        if len(rows) >= MAX_ROWS:
            break
    return rows


def find_specifications(page: Page, lowered: str = "") -> list[Specification]:
    """The specification rows the product area shows, in page order: its two-column tables and
    description lists, else its attribute lists, or the rows of a block headed "Specifications"
    (in many languages) where these are more than a short list's.

    ``lowered``: the product area's text in lower case, one element per line and framed by
    newlines (see :func:`prodex.extract.readers.dom.labels.page_text`); the headings are searched
    only when a line of it is one."""
    root = page.search_root()
    blocks = page.area_blocks()  # the selling points' lists may have searched it
    rows = _rows_of(page, [block for block in blocks if block.tag != "ul"][:MAX_BLOCKS])
    if rows:
        return rows[:MAX_ROWS]
    listed = _rows_of(page, [block for block in blocks if block.tag == "ul"][:MAX_LISTS])
    if len(listed) >= MIN_HEADED_ROWS or (lowered and not _HEADING_LINE.search(lowered)):
        return listed[:MAX_ROWS]
    headed = _headed_rows(page, root)
    return (headed if len(headed) > len(listed) else listed)[:MAX_ROWS]


MIN_HEADED_ROWS = 6
"""Rows of attribute lists that are enough: with fewer, a block headed "Specifications" is read
too and the longer wins (a short list of key facts by the title beside the full table)."""


def _headed_rows(page: Page, root: LexborNode | LexborHTMLParser) -> list[Specification]:
    """The rows of the first block under a heading that names the specifications."""
    for heading in root.css(HEADING_SELECTOR)[:200]:
        text = heading.text(deep=True, separator=" ")
        if len(text) > 60 or not _HEADING.match(clean_line(text).lower()):
            continue
        section = _section_of(heading, page)
        if section is None or _outside(section, page):
            continue
        found = _line_rows(section)
        if found and not _policy(found):
            return found
    return []
