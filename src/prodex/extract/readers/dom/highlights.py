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
from prodex.extract.process.text import clean_line, html_to_text
from prodex.extract.readers.dom.description import MAX_HEADING_CHARS, MAX_HEADINGS, section_content

MAX_ITEMS = 30
MAX_LINE_CHARS = 300
MAX_SECTIONS = 3
_HIGHLIGHT_HEADING = re.compile(
    trie_pattern(
        (
            "highlights",
            "key features",
            "key benefits",
            "features",
            "features & benefits",
            "about this item",
            "why you'll love it",
            "selling points",
            "produktvorteile",
            "vorteile",
            "merkmale",
            "produktmerkmale",
            "points forts",
            "les plus",
            "avantages",
            "puntos fuertes",
            "ventajas",
            "caracteristicas principales",
            "punti di forza",
            "vantaggi",
            "caratteristiche principali",
            "destaques",
            "vantagens",
            "kenmerken",
            "voordelen",
            "pluspunten",
            "zalety",
            "najwazniejsze cechy",
            "kluczowe cechy",
            "hlavni prednosti",
            "prednosti",
            "vyhody",
            "klucove vlastnosti",
            "klicove vlastnosti",
            "fordelar",
            "fordele",
            "egenskaper",
            "ominaisuudet",
            "elonyok",
            "avantaje",
            "one cikan ozellikler",
            "πλεονεκτηματα",
            "особенности",
            "преимущества",
            "переваги",
            "特長",
            "特徴",
            "おすすめポイント",
            "商品の特徴",
            "特点",
            "亮点",
            "卖点",
            "產品特色",
            "商品特色",
            "주요 특징",
            "특징",
        )
    )
)


def find_highlight_sections(page: Page, headings: list[LexborNode]) -> list[LexborNode]:
    """The blocks opened by the headings (tabs, accordion buttons) that name highlights."""
    sections: list[LexborNode] = []
    seen: set[int] = set()
    for heading in headings[:MAX_HEADINGS]:
        text = heading.text(deep=True)
        if not text or len(text) > 2 * MAX_HEADING_CHARS:
            continue
        folded = fold(text).strip(" :")
        if not folded or len(folded) > MAX_HEADING_CHARS or not _HIGHLIGHT_HEADING.search(folded):
            continue
        content = section_content(page, heading)
        if content is not None and int(content.mem_id) not in seen:
            seen.add(int(content.mem_id))
            sections.append(content)
            if len(sections) >= MAX_SECTIONS:
                break
    return sections


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
    """A block's lines of text (paragraphs, rows), for a highlight block without a list."""
    text = html_to_text(block.html or "", serialized=True)
    return [line for line in text.split("\n") if line and len(line) <= MAX_LINE_CHARS][:MAX_ITEMS]


def find_selling_points(highlights: list[LexborNode], descriptions: list[LexborNode]) -> list[str]:
    """Candidate point lines: the highlight blocks' lines, else the description blocks' lists."""
    lines: list[str] = []
    for block in highlights:
        lines.extend(list_lines(block) or short_lines(block))
    if lines:
        return lines
    for block in descriptions:
        lines.extend(list_lines(block))
    return lines
