"""Selling points in the DOM: the lines of the product's highlight blocks ("Highlights", "Key
features", "About this item", "Produktvorteile", "Points forts", "Kľúčové vlastnosti"...) and the
bullet lists of its description blocks.

A highlight block is what a heading, tab or accordion button with such a name opens (the same
search as the description's, :func:`prodex.extract.readers.dom.description.section_search`); its
points are its list items, or its short lines when it has no list (icon + claim rows).
"""

from __future__ import annotations

import re

from selectolax.lexbor import LexborNode

from prodex.extract.page import Page
from prodex.extract.process.availability import fold
from prodex.extract.process.patterns import trie_pattern
from prodex.extract.process.points import MIN_SHARED_SHINGLES, SHINGLE_CHARS, paired_lines, word_stems
from prodex.extract.process.policy import is_policy
from prodex.extract.process.text import clean_line, html_to_text
from prodex.extract.readers.dom.description import MAX_HEADING_CHARS, NamedHeading, section_content
from prodex.extract.readers.dom.specifications import list_rows
from prodex.extract.readers.dom.subtree import preceding_elements
from prodex.extract.readers.dom.vocabulary import (
    OTHER_PRODUCTS,
    OUTSIDE_THIS_PRODUCT,
    ancestor_ids,
    ancestors_match,
    class_and_id,
)
from prodex.extract.words import words

MAX_ITEMS = 30
MAX_LINE_CHARS = 300
MAX_SECTIONS = 3
MAX_LISTS = 80
MIN_LIST_ITEMS = 3
MIN_AVERAGE_ITEM_CHARS = 15
"""A list of shorter items is a menu, a size chart or a package's contents, not claims."""
MAX_LABEL_CHARS = 60
NEAR_LEVELS = 4
"""How far up from the title its block reaches (see :data:`LIST_LEVELS`)."""
LIST_LEVELS = 6
"""A list counts as beside the title when one of its 6 nearest ancestors holds the title within
:data:`NEAR_LEVELS` levels: a title row above the picture and buy-box columns puts the buy box's
list 5 levels below the block they share."""
CONTENTS_HEADINGS = words("highlight_heading", "contents")
"""Headings of a package's contents (its list is not selling points), folded."""
_CONTENTS_HEADING = re.compile(trie_pattern(CONTENTS_HEADINGS))
HIGHLIGHT_HEADINGS = words("highlight_heading", "highlights")
"""Headings of highlight blocks, folded."""
_HIGHLIGHT_HEADING = re.compile(trie_pattern(HIGHLIGHT_HEADINGS))


FEATURE_HEADINGS = words("highlight_heading", "features")
"""Headings over the product's features or its specifications alike ("Caratteristiche"), folded."""
_FEATURE_HEADING = re.compile(trie_pattern(FEATURE_HEADINGS))


def names_highlights(folded_heading: str) -> bool:
    """Whether a folded heading names a highlight block ("key features", "öne çıkan özellikler")."""
    return _HIGHLIGHT_HEADING.search(folded_heading) is not None


def _add_section(page: Page, heading: LexborNode, sections: list[LexborNode], seen: set[int]) -> None:
    """The block ``heading`` opens, added to ``sections`` when it is new and there is room."""
    if len(sections) >= MAX_SECTIONS:
        return
    content = section_content(page, heading)
    if content is not None and int(content.mem_id) not in seen:
        seen.add(int(content.mem_id))
        sections.append(content)


def find_highlight_sections(
    page: Page, headings: list[NamedHeading]
) -> tuple[list[LexborNode], list[LexborNode]]:
    """The blocks opened by the headings (tabs, accordion buttons, with their folded names: see
    :func:`prodex.extract.readers.dom.description.named_headings`) that name highlights, and
    those opened by headings that name features or specifications alike."""
    highlights: list[LexborNode] = []
    features: list[LexborNode] = []
    seen: set[int] = set()
    for heading, folded in headings:
        if names_highlights(folded):
            _add_section(page, heading, highlights, seen)
        elif _FEATURE_HEADING.search(folded):
            _add_section(page, heading, features, seen)
    return highlights, features


def _is_link(item: LexborNode, line: str) -> bool:
    """Whether a list item is a link ("More about delivery"), not a point about the product."""
    link = item.css_first("a[href]")
    return link is not None and len(clean_line(link.text(deep=True))) >= 0.8 * len(line)


def list_lines(block: LexborNode) -> list[str]:
    """The lines of a block's bullet lists (link items left out)."""
    lines: list[str] = []
    for node in block.css("li")[:MAX_ITEMS]:
        line = clean_line(node.text(deep=True, separator=" "))
        if line and len(line) <= MAX_LINE_CHARS and not _is_link(node, line):
            lines.append(line)
    return lines


def short_lines(block: LexborNode) -> list[str]:
    """A block's lines of text (paragraphs, rows), for a highlight block without a list; a block
    of names above values is read as such (:func:`paired_lines`)."""
    text = html_to_text(block.html or "", serialized=True)
    lines = [line for line in text.split("\n") if line and len(line) <= MAX_LINE_CHARS][:MAX_ITEMS]
    return paired_lines(lines)


_NAMED_ROW = re.compile(r"^[^:：]{1,30}[:：]\s")


def _names_values(items: list[str]) -> bool:
    """Whether most items of a list are "Name: value" rows (a specification table written as a
    list: "Polifonia massima: 128 note")."""
    return bool(items) and 3 * sum(1 for item in items if _NAMED_ROW.match(item)) >= 2 * len(items)


def _label_before(node: LexborNode) -> str:
    """The folded text of the element just before ``node`` when it is short enough to be its
    label, else ``""``."""
    before = preceding_elements(node, 1)
    if not before:
        return ""
    text = before[0].text(deep=True)
    return fold(text) if len(text) <= MAX_LABEL_CHARS else ""


def _opens_contents(node: LexborNode) -> bool:
    """Whether a list follows a heading or label naming a package's contents ("In the box")."""
    return bool(_CONTENTS_HEADING.search(_label_before(node)))


def _claim_list(node: LexborNode, page: Page) -> list[str]:
    """The items of one list when it reads as the product's feature list: a few items of
    text (not links: menus, related products), not a package's contents, not in another
    section of the page."""
    items = node.css("li")
    if not MIN_LIST_ITEMS <= len(items) <= MAX_ITEMS or _opens_contents(node):
        return []
    lines: list[str] = []
    for position, item in enumerate(items, 1):
        line = clean_line(item.text(deep=True, separator=" "))
        if line and position == len(items) >= MIN_LIST_ITEMS + 1 and _is_link(item, line):
            break  # a closing "See more" link under the list's own lines
        if not line or len(line) > MAX_LINE_CHARS or _is_link(item, line) or is_policy(line):
            return []  # a link list, or the shop's policy
        lines.append(line)
    if sum(len(line) for line in lines) / len(lines) < MIN_AVERAGE_ITEM_CHARS:
        return []
    if ancestors_match(node, OUTSIDE_THIS_PRODUCT, 10, page.h1_holders()):
        return []
    return lines


def _shares_topic(line: str, topic: set[str]) -> bool:
    """Whether a line shares a word stem with the topic, or, in a script written without spaces,
    a quarter of its shingles (two at least: "吸力", "電池")."""
    stems = word_stems(line)
    shared = stems & topic
    if any(len(stem) > SHINGLE_CHARS for stem in shared):
        return True
    shingles = sum(1 for stem in stems if len(stem) == SHINGLE_CHARS)
    return len(shared) >= max(MIN_SHARED_SHINGLES, shingles / 4)


def _on_topic(lines: list[str], topic: set[str]) -> bool:
    """Whether most lines share a word with the product's own text (a password rule, a filter
    or a return policy shares none)."""
    sharing = sum(1 for line in lines if _shares_topic(line, topic))
    return sharing * 2 >= len(lines)


def _labelled_highlights(node: LexborNode) -> bool:
    """Whether a list's accessible name (``aria-label="Key features"``) or the label just before
    it or its wrapper (a ``<div>Highlights</div>`` that is no heading element) names highlights."""
    label = node.attrs.get("aria-label") or ""
    if 0 < len(label) <= MAX_HEADING_CHARS and names_highlights(fold(label)):
        return True
    wrapper = node.parent
    labels = (_label_before(node), _label_before(wrapper) if wrapper is not None else "")
    return any(text and names_highlights(text.strip(" :")) for text in labels)


_FEATURE_LIST = re.compile(r"feature|highlight|selling|bullet|key-?point|advantage|(?<![a-z])usps?(?![a-z])")
"""A class or id naming a list of the product's features ("key-features", "feature-bullets",
"product-usps"; a list of the shop's own USPs, "Free shipping", is left out as policy)."""


def _marked_features(node: LexborNode) -> bool:
    """Whether a list or its wrapper is marked as the product's features by its class or id."""
    wrapper = node.parent
    markers = class_and_id(node) + " " + (class_and_id(wrapper) if wrapper is not None else "")
    return _FEATURE_LIST.search(markers) is not None


def find_bullet_lists(page: Page, topic: str, near: set[int], marked_only: bool = False) -> list[str]:
    """The first list that reads as the product's feature list and is named a highlights list,
    or lies beside the title (sharing one of the ``near`` ancestors of the title) and speaks of
    the product or is marked as its features by its class: for pages whose bullets are under no
    recognised heading or description block. ``marked_only``: a list beside the title only when
    its class marks it (one that speaks of the product may list other products of its line)."""
    words = word_stems(topic)
    if not words or not near:
        return []
    lists = [node for node in page.area_blocks() if node.tag == "ul"]
    for node in lists[:MAX_LISTS]:  # (one search with the specification reader's, told apart by tag)
        named = _labelled_highlights(node)
        if not (named or ancestor_ids([node], LIST_LEVELS) & near):
            continue
        lines = _claim_list(node, page)
        if not lines:
            continue
        if named or _marked_features(node) or (not marked_only and _on_topic(lines, words)):
            return lines
    return []


def find_selling_points(
    page: Page,
    highlights: list[LexborNode],
    descriptions: list[LexborNode],
    topic: str = "",
    near: set[int] | None = None,
    features: list[LexborNode] | None = None,
) -> list[str]:
    """Candidate point lines: the highlight blocks' list items (their short lines when none has
    a list), else the description blocks' lists and the ``features`` blocks' lists, else the first
    feature-like list of the product's area that speaks of ``topic`` (the product's title and
    description), else those blocks' lists of named values ("Wymiary: 68 × 92 cm")."""
    listed = [list_lines(block) for block in highlights]
    lines = [line for block_lines in listed for line in block_lines]
    if lines:
        return lines  # the blocks' lists; another block's loose lines are rarely claims
    for block in highlights:
        lines.extend(short_lines(block))
    if lines:
        return lines
    points, rows = _block_lists(page, descriptions)
    feature_points, feature_rows = _block_lists(page, features or [], features=True)
    named_rows = rows + feature_rows  # a marked or named list beside the title beats them
    return (
        points + feature_points
        or find_bullet_lists(page, topic, near or set(), marked_only=bool(named_rows))
        or named_rows
    )


def _block_lists(page: Page, blocks: list[LexborNode], features: bool = False) -> tuple[list[str], list[str]]:
    """The lines of the blocks' bullet lists, and apart those of lists of named values (a name and
    a value element each: :func:`~prodex.extract.readers.dom.specifications.list_rows`); a
    package's contents and lists inside reviews or other products' sections are left out, and so
    are "Name: value" lists in ``features`` blocks (under a heading that names features or
    specifications alike: "Caratteristiche")."""
    points: list[str] = []
    rows: list[str] = []
    holders = page.h1_holders()
    for block in blocks:
        for node in block.css("ul, ol"):
            if _opens_contents(node) or ancestors_match(node, OTHER_PRODUCTS, LIST_LEVELS, holders):
                continue
            items = list_lines(node)
            if features and _names_values(items):
                continue
            (rows if list_rows(node) else points).extend(items)
    return points, rows
