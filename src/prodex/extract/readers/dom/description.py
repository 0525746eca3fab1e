"""The product description in the DOM: the block the shop marks as the description (itemprop,
class or id naming a description or product details in many languages), as plain text, and
its bullet lists and feature/highlight lists as selling points."""

from __future__ import annotations

import re

from selectolax.lexbor import LexborNode

from prodex.extract.page import Page
from prodex.extract.process.text import clean_line, html_to_text
from prodex.extract.readers.dom.vocabulary import (
    OTHER_PRODUCTS,
    OUTSIDE_PRODUCT,
    ancestors_match,
    class_and_id,
)

DESCRIPTION_SELECTOR = (
    '[itemprop="description"], [class*="desc" i], [id*="desc" i], [class*="product-detail" i], '
    '[class*="opis" i], [class*="synops" i]'
)
_STRONG = re.compile(r"desc|beschreibung|opis|synops")  # searched in lower-cased markers
_NOT_DESCRIPTION = re.compile(
    r"meta|review|shipping|delivery|return|payment|seo|category|footer|cookie|price|cart|basket|"
    r"descending|desc-sort|sort|filter|nav|menu|header|modal|popup|tooltip|small-desc|short-desc"
)  # searched in lower-cased markers
_SENTENCE = re.compile(r"[.!?。！？](?:\s|$)")
MAX_CANDIDATES = 30
MIN_DESCRIPTION_CHARS = 40
MAX_DESCRIPTION_CHARS = 20_000
MAX_POINT_CHARS = 300


def _link_density(node: LexborNode, text_length: int) -> float:
    links = node.css("a")
    if not links or not text_length:
        return 0.0
    return sum(len(a.text(deep=True)) for a in links[:100]) / text_length


def find_description_node(page: Page, title_holders: set[int] | None = None) -> LexborNode | None:
    """The element holding the product's own description, if the page marks one.

    ``title_holders`` (ids of the elements holding the title) rule out page wrappers early.
    """
    best: tuple[float, LexborNode] | None = None
    for node in page.tree.css(DESCRIPTION_SELECTOR)[:MAX_CANDIDATES]:
        if title_holders and int(node.mem_id) in title_holders:
            continue
        if node.tag in (
            "meta",
            "script",
            "style",
            "input",
            "textarea",
            "img",
            "a",
            "button",
            "body",
            "html",
            "select",
            "option",
            "form",
            "span",
            "label",
        ):
            continue
        marker = class_and_id(node)
        itemprop = node.attrs.get("itemprop") == "description"
        if not itemprop and _NOT_DESCRIPTION.search(marker):
            continue
        raw = node.text(deep=True, separator=" ")
        if len(raw) < MIN_DESCRIPTION_CHARS:
            continue  # folding whitespace only shortens it
        text = " ".join(raw.split())
        length = len(text)
        if length < MIN_DESCRIPTION_CHARS or length > MAX_DESCRIPTION_CHARS:
            continue
        score = min(length, 4000) / 100 + min(len(_SENTENCE.findall(text)), 20)
        if itemprop:
            score += 30
        elif _STRONG.search(marker):
            score += 20
        if best is not None and score <= best[0]:
            continue  # it could not win: the searches below are spared
        if _link_density(node, length) > 0.4:
            continue
        if node.css_first("form, button, select, input, [itemprop=price]") is not None:
            continue
        if ancestors_match(node, (OTHER_PRODUCTS, OUTSIDE_PRODUCT), 8, page.h1_holders()):
            continue
        best = (score, node)
    return best[1] if best else None


def description_text(node: LexborNode) -> str:
    """The plain text of a description element, paragraphs kept."""
    return html_to_text(node.html or "", serialized=True)[:MAX_DESCRIPTION_CHARS]


def find_selling_points(description: LexborNode) -> list[str]:
    """Short lines from the description's bullet lists."""
    points: list[str] = []
    for node in description.css("li")[:30]:
        line = clean_line(node.text(deep=True, separator=" "))
        if 3 <= len(line) <= MAX_POINT_CHARS and line not in points:
            points.append(line)
    return points
