"""The product description in the DOM, as plain text, and its bullet lists as selling points.

Shops put the description in one or more blocks: a short summary beside the buy box and a long
text in a tab or accordion below, a "features" or "highlights" list, an "overview" section. A
block is found in two ways:

- **marked**: ``itemprop="description"``, or a class or id with ``desc`` in it
  (``product-description``, ``descrizione``, ``tab-description``...): each class substring costs
  a search of every element's classes, about 0.1 ms on a large page, so the list is this short;
- **labelled**: a heading, ``<summary>``, tab or accordion button (``role=tab``,
  ``aria-controls``) whose text says
  "Description", "Product details", "Beschreibung", "Descrizione", "Opis", "Synopsis",
  "About this item"...
  and the block it opens (the element its ``aria-controls``/``href`` names, else what follows it).

A page with neither often writes its product's few lines of text right under the title
(``<h1>...</h1><div class="info">...</div>``): the first of the title's next few siblings that
reads as such a block (:func:`find_title_summary`) is then the description.

The best block (longest, most sentences; ``itemprop`` first) is the description; other blocks
that say something else (not nested in it, not holding it, not repeating it) follow it, at most
:data:`MAX_PARTS` in all. Blocks inside other products' lists, headers, menus and
popups, link lists and blocks holding forms or prices are never taken.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from selectolax.lexbor import LexborNode

from prodex.extract.page import Page, each_once
from prodex.extract.process.availability import availability_from_phrase, fold
from prodex.extract.process.patterns import trie_pattern
from prodex.extract.process.policy import is_control
from prodex.extract.process.text import SENTENCE_END, clean_line, html_to_text
from prodex.extract.readers.dom.specifications import lists_values
from prodex.extract.readers.dom.subtree import (
    ELEMENT_ID,
    LAYOUT_TAGS,
    element_children,
    following_elements,
    of_one_kind,
    preceding_elements,
)
from prodex.extract.readers.dom.vocabulary import (
    OUTSIDE_THIS_PRODUCT,
    REVIEW_WORDS,
    ancestor_ids,
    ancestors_match,
    class_and_id,
    names_reviews,
)
from prodex.extract.words import words

DESCRIPTION_SELECTOR = (
    '[itemprop="description"], [class*="desc" i], [id*="desc" i], [data-hook="description"]'
)
"""Blocks marked as a description by microdata, class or id, or by Wix's ``data-hook`` (its classes
are hashed)."""
REVIEWS_SELECTOR = ", ".join(f'[class*="{word}" i], [id*="{word}" i]' for word in REVIEW_WORDS)
"""Elements whose class or id may name reviews (told apart by :func:`names_reviews`)."""
MAX_REVIEW_ELEMENTS = 20
REVIEWS_SHARE = 10
"""An element that names reviews and holds a tenth of a block's text or more is a section of them."""
_NOT_DESCRIPTION = re.compile(
    r"(?<![a-z])meta|review|shipping|delivery|return|payment|seo|category|footer|cookie|price|cart|basket|"
    r"descending|desc-sort|sort|filter|nav|menu|header|modal|popup|tooltip|"
    r"avis|bewertung|recension|opinion|comment|rating|testimonial|question|answer"
)  # searched in lower-cased markers
_SENTENCE = re.compile(r"[.!?。！？](?:\s|$)")
_SKIPPED_TAGS = frozenset(
    (
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
        "label",
        "summary",
    )
)
MAX_CANDIDATES = 40
MIN_DESCRIPTION_CHARS = 40
MIN_SPAN_CHARS = 200
"""A ``<span>`` is a description block only when it holds this much text (old table layouts
write ``<span class="item_desc">`` paragraphs); shorter ones are inline labels."""
MAX_DESCRIPTION_CHARS = 20_000
MAX_PARTS = 3
MAX_EXTRA_TRIED = 8
"""Blocks tried after the best one before the search stops (a page can name dozens of blocks
``*-desc``: one per review, say)."""
ITEMPROP_BONUS = 10

# --- labelled sections -----------------------------------------------------------------------

HEADING_SELECTOR = 'h2, h3, h4, h5, summary, button, [role=tab], [aria-controls], a[href^="#"]'
HEADING_TAGS = frozenset(("h2", "h3", "h4", "h5", "summary"))
SEARCH_SELECTOR = f"{DESCRIPTION_SELECTOR}, {HEADING_SELECTOR}"
"""Marked blocks and headings, found in one search (one walk of the tree)."""
MAX_HEADINGS = 400
MAX_HEADING_CHARS = 40
_DESCRIPTION_HEADING = re.compile(trie_pattern(words("description_heading", "description")))
_NOT_A_DESCRIPTION_HEADING = re.compile(trie_pattern(words("description_heading", "other")))
_NAMING_HEADING = re.compile(
    trie_pattern(
        words("description_heading", "description")
        + words("highlight_heading", "highlights")
        + words("highlight_heading", "features")
    )
)
"""Any word of a heading over a description, highlight or feature block: a heading with none
names no block the readers look for (one search instead of one per kind)."""
NamedHeading = tuple[LexborNode, str]
"""A heading, tab or accordion button and its folded text."""


def _target_of(page: Page, heading: LexborNode) -> LexborNode | None:
    """The panel a tab or accordion button names (``aria-controls``, ``href="#id"``, ``data-target``)."""
    attrs = heading.attrs
    controls = (attrs.get("aria-controls") or "").split()  # a list of ids: the first is the panel
    target = controls[0] if controls else ""
    if not target:
        for name in ("href", "data-target", "data-bs-target"):
            value = attrs.get(name) or ""
            if value.startswith("#") and len(value) > 1:
                target = value[1:]
                break
    if not ELEMENT_ID.fullmatch(target):
        return None  # (also keeps the selector below well formed)
    panel = page.tree.css_first(f'[id="{target}"]')
    return panel if panel is not None and panel.mem_id != heading.mem_id else None


MAX_TABS = 12
"""The most tabs a tab strip holds (more short siblings are a list, not tabs)."""
_SHOWN_TAB = re.compile(r"(?:^|[\s_-])(?:is-)?(?:active|actif|selected|current|open|on)(?:$|[\s_-])")
"""A class token saying which tab is shown (``is-active``, ``tab--selected``; not ``inactive``)."""
_SHOWN_TAB_SUFFIX = re.compile(r"(?<=[a-z])(?:Active|Actif|Selected|Current)(?![a-z])")
"""The same at the end of a camel-case class (``ongletActif``; not ``ongletInactif``)."""
_SECTION_HEADINGS = "h1, h2, h3, h4, h5, h6, summary"


@dataclass
class _TabStrip:
    """A row of tabs: the element holding them, the tab of a heading and its place among them."""

    strip: LexborNode
    tab: LexborNode
    place: int
    count: int
    others: list[LexborNode]
    """The strip's other tabs."""


def _tab_strip(heading: LexborNode) -> _TabStrip | None:
    """The tab strip a tab heading stands in (a row of short siblings of one tag: buttons, list
    items, table cells), or ``None`` when the heading is no tab of a strip. A tab's text may sit
    in a link or span of its own."""
    tab, strip = heading, heading.parent
    tabs: list[LexborNode] = []
    for _ in range(2):
        if strip is None or strip.tag in LAYOUT_TAGS:
            return None
        tabs = element_children(strip, MAX_TABS + 1)
        if len(tabs) > 1:
            break
        tab, strip = strip, strip.parent
    if strip is None or not 2 <= len(tabs) <= MAX_TABS or any(other.tag != tab.tag for other in tabs):
        return None
    if any(len(other.text(deep=True).strip()) > MAX_HEADING_CHARS for other in tabs):
        return None  # a block of text among them: a heading and its section, not tabs
    place = next(at for at, other in enumerate(tabs) if other.mem_id == tab.mem_id)
    return _TabStrip(strip, tab, place, len(tabs), [other for other in tabs if other.mem_id != tab.mem_id])


def _is_shown_tab(tab: LexborNode) -> bool:
    """Whether a tab says it is the one shown (``aria-selected``, an "active" class)."""
    attrs = tab.attrs
    if attrs.get("aria-selected") == "true":
        return True
    classes = attrs.get("class") or ""
    return bool(_SHOWN_TAB.search(classes.lower()) or _SHOWN_TAB_SUFFIX.search(classes))


def _are_panels(nodes: list[LexborNode]) -> bool:
    """Whether elements read as a strip's panels: all ``role=tabpanel``, or of one tag and one
    first class (``div.tab-pane``), not a page's next blocks (a related-products row, a form) nor
    a panel's own paragraphs (no class)."""
    return all(node.attrs.get("role") == "tabpanel" for node in nodes) or of_one_kind(nodes)


def _panel_among(panels: list[LexborNode], tabs: _TabStrip) -> LexborNode | None:
    """The tab's panel among the elements after its strip: in a wrapper of one panel per tab
    (``<div class="tab-content">``), the one at its place; among the elements themselves when
    they are one panel per tab, likewise; else the first when the tab is the first or the shown
    one (the page shows only that tab's text) and it holds no other tab's heading."""
    first = panels[0]
    inner = element_children(first, MAX_TABS + 1)
    if len(inner) == tabs.count and _are_panels(inner):
        return inner[tabs.place]
    if len(panels) == tabs.count and _are_panels(panels):
        return panels[tabs.place]
    if not (tabs.place == 0 or _is_shown_tab(tabs.tab)) or _holds_other_tabs(first, tabs):
        return None
    return first


MAX_PANEL_HEADINGS = 12


def _holds_other_tabs(block: LexborNode, tabs: _TabStrip) -> bool:
    """Whether a block holds a heading named as another tab of the strip (the one container of
    every tab's content: "Especificações", "Avaliações" under the description); the
    description's own subheadings ("Care instructions") are no other tab's."""
    others = {name.split()[0] for name in (heading_name(tab) for tab in tabs.others) if name}
    if not others:
        return False
    for heading in block.css(_SECTION_HEADINGS)[:MAX_PANEL_HEADINGS]:
        name = heading_name(heading)
        if name and name.split()[0] in others:
            return True
    return False


def _tab_panel(heading: LexborNode) -> LexborNode | None:
    """The panel a tab of a strip shows when it names none (no ``aria-controls`` or ``href``):
    the panels follow the strip in the tabs' order (``<div role=tablist>`` then one
    ``role=tabpanel`` per tab; an old layout's row of tab cells, then the table of the shown tab's
    text), looking up to two levels up for a strip wrapped in a bar of its own."""
    tabs = _tab_strip(heading)
    if tabs is None:
        return None
    node = tabs.strip
    for _ in range(3):
        if node.tag in LAYOUT_TAGS:
            return None
        panels = following_elements(node, tabs.count)
        if panels:
            return _panel_among(panels, tabs)
        parent = node.parent
        if parent is None:
            return None
        node = parent
    return None


def section_content(page: Page, heading: LexborNode) -> LexborNode | None:
    """The block a description heading opens: the panel it names (or its tab's panel), else what
    follows it (its section when several elements follow, the next element when one does),
    looking up to two levels up for a heading wrapped in a header element of its own."""
    panel = _target_of(page, heading)
    if panel is not None and int(panel.mem_id) in ancestor_ids([heading]):
        panel = None  # a tab naming the block that holds its own strip (and every tab's content)
    panel = panel or _tab_panel(heading)
    if panel is not None:
        return panel
    node: LexborNode | None = heading
    for _ in range(3):
        if node is None or node.tag in LAYOUT_TAGS:
            return None
        following = following_elements(node, 2)
        if following:
            parent = node.parent
            if (
                len(following) > 1
                and parent is not None
                and parent.tag not in LAYOUT_TAGS
                and len(parent.css(_SECTION_HEADINGS)) <= 1
            ):
                return parent
            return following[0]
        node = node.parent
    return None


def is_heading(node: LexborNode) -> bool:
    """Whether an element matched by :data:`SEARCH_SELECTOR` is a heading, tab or button."""
    if node.tag in HEADING_TAGS or node.tag in ("button", "a"):
        return True  # (a tab may be a plain button or a link: <button class="active">Deskripsi</button>)
    attrs = node.attrs
    return attrs.get("role") == "tab" or "aria-controls" in attrs


def heading_name(heading: LexborNode) -> str:
    """A heading's folded text when it is short enough to name a block, else ``""``."""
    text = heading.text(deep=True)
    if not text or len(text) > 2 * MAX_HEADING_CHARS:
        return ""
    folded = fold(text).strip(" :")
    return folded if len(folded) <= MAX_HEADING_CHARS else ""


def named_headings(headings: list[LexborNode]) -> list[NamedHeading]:
    """Those of the first :data:`MAX_HEADINGS` headings whose name may open a description,
    highlight or feature block, with their folded names (read once for all those readers)."""
    named: list[NamedHeading] = []
    for heading in headings[:MAX_HEADINGS]:
        name = heading_name(heading)
        if name and _NAMING_HEADING.search(name) and _opens_a_section(heading):
            named.append((heading, name))
    return named


def _opens_a_section(heading: LexborNode) -> bool:
    """Whether a heading can open a section: a heading element, a tab, a tab or accordion button,
    or a link in a strip of tab links (``<li><a href="#">Beschrijving</a></li>...``)."""
    if heading.tag == "button":
        return _is_tab_button(heading)
    if heading.tag == "a" and heading.attrs.get("role") != "tab" and "aria-controls" not in heading.attrs:
        return _tab_strip(heading) is not None
    return True


def _is_tab_button(button: LexborNode) -> bool:
    """Whether a ``<button>`` opens a section: a tab or accordion toggle (it names its panel, says
    whether it is expanded, has its panel right after it, or stands in a strip of tabs), not a
    link-like button at a block's end that says "Read the full description"."""
    attrs = button.attrs
    if any(key in attrs for key in ("aria-controls", "aria-expanded", "data-target", "data-bs-target")):
        return True
    return attrs.get("role") == "tab" or bool(following_elements(button, 1)) or _tab_strip(button) is not None


def labelled_sections(page: Page, headings: list[LexborNode]) -> list[LexborNode]:
    """The blocks opened by those of ``headings`` (headings, tabs and accordion buttons) that
    say "description"."""
    return _description_sections(page, named_headings(headings))


def names_description(folded_heading: str) -> bool:
    """Whether a folded heading names the description: a description word with no word of
    another section before it ("Details & care" does, "Shipping details" does not)."""
    described = _DESCRIPTION_HEADING.search(folded_heading)
    if described is None:
        return False
    other = _NOT_A_DESCRIPTION_HEADING.search(folded_heading)
    return other is None or other.start() > described.start()


def _description_sections(page: Page, headings: list[NamedHeading]) -> list[LexborNode]:
    """The blocks opened by the named headings that say "description"."""
    sections: list[LexborNode] = []
    seen: set[int] = set()
    for heading, name in headings:
        if not names_description(name):
            continue
        content = section_content(page, heading)
        if content is not None and int(content.mem_id) not in seen:
            seen.add(int(content.mem_id))
            sections.append(content)
    return sections


# --- choosing the blocks ---------------------------------------------------------------------


def _link_density(node: LexborNode, text_length: int) -> float:
    links = node.css("a")
    if not links or not text_length:
        return 0.0
    return sum(len(a.text(deep=True)) for a in links[:100]) / text_length


class _Candidate:
    """A block that may hold the description, with its score and text length."""

    __slots__ = ("length", "node", "score")

    def __init__(self, node: LexborNode, score: float, length: int) -> None:
        self.node = node
        self.score = score
        self.length = length


def _candidate(node: LexborNode, title_holders: set[int] | None) -> _Candidate | None:
    """``node`` scored as a description block, or ``None`` when it cannot be one (cheap tests first)."""
    if title_holders and int(node.mem_id) in title_holders:
        return None
    if node.tag in _SKIPPED_TAGS:
        return None
    itemprop = node.attrs.get("itemprop") == "description"
    if not itemprop and _NOT_DESCRIPTION.search(class_and_id(node)):
        return None
    raw = node.text(deep=True, separator=" ")
    if len(raw) < MIN_DESCRIPTION_CHARS:
        return None  # folding whitespace only shortens it
    text = " ".join(raw.split())
    length = len(text)
    if length < MIN_DESCRIPTION_CHARS or length > MAX_DESCRIPTION_CHARS:
        return None
    if node.tag == "span" and length < MIN_SPAN_CHARS:
        return None
    if _lists_values(node, len(raw)):
        return None  # a list of named values is the specifications ("Titre : ...", "ISBN : ...")
    if _holds_reviews(node, length):
        return None  # a wrapper of the description and the reviews: the description is inside
    score = min(length, 4000) / 100 + min(len(_SENTENCE.findall(text)), 20)
    return _Candidate(node, score + (ITEMPROP_BONUS if itemprop else 0), length)


_REVIEWS_SECTION = re.compile(
    r"(?<!p)(?:reviews|opinions|opiniones|opinioni|opinioes|opinie|bewertungen|recensioni|recensies)"
)
"""A class or id that names a section of reviews in the plural (not one review's badge, "review-stars")."""


def _holds_reviews(node: LexborNode, text_length: int) -> bool:
    """Whether a block holds a section of reviews: an element whose class or id names a section
    of reviews, or names reviews and holds a fair share of the block's text (``text_length``,
    whitespace folded); a star badge ("review-stars") inside a summary is no such section."""
    for inner in node.css(REVIEWS_SELECTOR)[:MAX_REVIEW_ELEMENTS]:
        marker = class_and_id(inner)
        if inner.mem_id == node.mem_id or not names_reviews(marker):
            continue
        if _REVIEWS_SECTION.search(marker):
            return True
        if REVIEWS_SHARE * len(" ".join(inner.text(deep=True, separator=" ").split())) >= text_length:
            return True
    return False


def _lists_values(node: LexborNode, text_length: int) -> bool:
    """Whether a block is a list of named values (the specifications): a table or ``<dl>`` of
    such rows, or a block three quarters of whose text is its first one (a "Details" tab's panel
    of specification rows)."""
    if node.tag in ("table", "dl"):
        return lists_values(node)
    block = node.css_first("dl, table")
    if block is None or not lists_values(block):
        return False
    return 4 * len(block.text(deep=True, separator=" ")) >= 3 * text_length


FORM_PARTS = "form, button, select, input, [itemprop=price]"
MAX_FORM_PARTS = 10


def _holds_form(node: LexborNode) -> bool:
    """Whether a block holds a form, a field or a price (a buy box, not a description); a button
    that only shows more of the text ("View more", "Leer más") is part of the description."""
    for part in node.css(FORM_PARTS)[:MAX_FORM_PARTS]:
        if part.tag == "button" and is_control(part.text(deep=True).strip()):
            continue
        return True
    return False


def _acceptable(page: Page, candidate: _Candidate) -> bool:
    """The dearer tests: not a link list, no form or price inside, not in another section."""
    node = candidate.node
    if _link_density(node, candidate.length) > 0.4:
        return False
    if _holds_form(node):
        return False
    return not ancestors_match(node, OUTSIDE_THIS_PRODUCT, 8, page.h1_holders())


CHEAP_SEARCH_SELECTOR = f'[itemprop="description"], {HEADING_SELECTOR}'
"""The search without class and id substrings (each costs a pass over every element's classes)."""


SectionSearch = tuple[list[LexborNode], list[NamedHeading]]
"""What :func:`section_search` finds: marked blocks and named headings."""


def section_search(page: Page, *, thorough: bool = True) -> SectionSearch:
    """The marked description blocks and the headings, tabs and accordion buttons of the
    product's area that may name a block (:func:`named_headings`), found in one walk of the
    tree; not ``thorough``: blocks marked by ``itemprop`` only (enough to find the page's lists
    where structured data gives the text)."""
    marked: list[LexborNode] = []
    headings: list[LexborNode] = []
    selector = SEARCH_SELECTOR if thorough else CHEAP_SEARCH_SELECTOR
    for node in each_once(page.search_root().css(selector)):
        if is_heading(node):
            headings.append(node)
        elif len(marked) < MAX_CANDIDATES:
            marked.append(node)
    return marked, named_headings(headings)


def find_description_nodes(
    page: Page,
    title_holders: set[int] | None = None,
    searched: SectionSearch | None = None,
) -> list[LexborNode]:
    """The elements holding the product's own description, the best first (see the module
    docstring): marked blocks and the blocks description headings open.

    ``title_holders`` (ids of the elements holding the title) rule out page wrappers early;
    ``searched``: what :func:`section_search` found, when the caller already searched.
    """
    marked, headings = searched if searched is not None else section_search(page)
    candidates: list[_Candidate] = []
    seen: set[int] = set()
    for node in [*_description_sections(page, headings), *marked]:
        if int(node.mem_id) not in seen:
            seen.add(int(node.mem_id))
            found = _candidate(node, title_holders)
            if found is not None:
                candidates.append(found)
    candidates.sort(key=lambda c: c.score, reverse=True)
    chosen: list[LexborNode] = []
    chosen_ids: set[int] = set()
    covered: set[int] = set()  # the chosen blocks and their ancestors
    tried = 0  # candidates looked at since the first block was chosen
    for candidate in candidates:
        if chosen:
            tried += 1
            if tried > MAX_EXTRA_TRIED:
                break
        node = candidate.node
        if int(node.mem_id) in covered:
            continue  # an ancestor of a chosen block says it all again, and more
        ancestors = ancestor_ids([node])
        if ancestors & chosen_ids:
            continue  # inside a chosen block: said already
        if not _acceptable(page, candidate):
            continue
        chosen.append(node)
        chosen_ids.add(int(node.mem_id))
        covered |= ancestors
        if len(chosen) >= MAX_PARTS:
            break
    return chosen


TITLE_SIBLINGS = 3
"""The title's next siblings searched for the text under it (a picture, a timer or a rating
line may come first)."""
MAX_NOTE_CHARS = 100
"""The longest short line after the title (a subtitle, a badge, a stock note)."""
_NOT_ON_SALE = ("OutOfStock", "BackOrder")
MAX_SUMMARY_CHARS = 1_200
"""A text under the title is a few lines; a longer block there holds more than the product's text."""
MAX_SUMMARY_DIGITS = 0.08
"""The most digits a text under the title holds, as a share of its characters: a line of
prices, codes or counts ("Current Price $149.96 Previous Price $199.95", "Kod: 1189342",
"4.9 (2.184 rating)") is no description."""


_NAMED_LINE = re.compile(r"[^\W\d_][^:：\n]{0,40}[:：]\s*\S")
"""A line that starts with a name and a colon ("Šifra: 0638", "Availability: In stock")."""


def _reads_as_summary(candidate: _Candidate) -> bool:
    """Whether a block's text is prose of a summary's length: not a line of figures, not a
    list of named values (maker, code, stock, delivery time), not a note on stock."""
    if candidate.length > MAX_SUMMARY_CHARS:
        return False
    text = candidate.node.text(deep=True)
    if sum(char.isdigit() for char in text) > MAX_SUMMARY_DIGITS * len(text.strip()):
        return False
    lines = description_text(candidate.node).split("\n\n")
    first = SENTENCE_END.split(lines[0], maxsplit=1)[0]
    if len(first) <= MAX_NOTE_CHARS and availability_from_phrase(first) in _NOT_ON_SALE:
        return False  # a stock note ("Currently out of stock. Leave us your e-mail...")
    return 2 * sum(1 for line in lines if _NAMED_LINE.match(line)) < len(lines)


def find_title_summary(page: Page, title: LexborNode) -> LexborNode | None:
    """The block of text right under the title, for a page that marks and labels no description
    block: the first of the title's next :data:`TITLE_SIBLINGS` elements that holds a text of a
    description's length, no price, form or link list, and is not a review, a menu or another
    product's; ``None`` when a heading comes first."""
    for node in following_elements(title, TITLE_SIBLINGS):
        if node.tag in HEADING_TAGS or node.tag in ("h1", "h6"):
            return None
        candidate = _candidate(node, None)
        if candidate is not None:
            return node if _reads_as_summary(candidate) and _acceptable(page, candidate) else None
    return None


MAX_CELLS = 400


def find_cell_sections(page: Page, title_holders: set[int] | None = None) -> list[LexborNode]:
    """For a page whose headings and marked blocks hold no description: the block a table cell
    opens when its whole text names the description (an old table layout's
    ``<td class="box_head">Περιγραφή</td>`` above a row holding the text), as a heading's."""
    headings = [cell for cell in page.search_root().css("td, th")[:MAX_CELLS] if _names_a_section(cell)]
    return find_description_nodes(page, title_holders, ([], named_headings(headings)))


RICH_TEXT_SELECTOR = '[class~="rte"], [class~="Rte"]'
"""Blocks of the merchant's rich text (Shopify's ``rte``): the description in themes that name it
no more (Impulse's ``product-block``), but also the shop's notes ("Tax included. Shipping
calculated at checkout.") where a description block exists: read only when none does."""
MAX_RICH_TEXT_BLOCKS = 20


def find_rich_text_blocks(page: Page, title_holders: set[int] | None = None) -> list[LexborNode]:
    """For a page whose headings, marked blocks and cells hold no description: the best of the
    product area's blocks of the merchant's rich text, scored as marked blocks are (the others
    are the shop's notes)."""
    blocks = [
        block
        for block in page.search_root().css(RICH_TEXT_SELECTOR)[:MAX_RICH_TEXT_BLOCKS]
        if not _under_other_heading(block)
    ]
    return find_description_nodes(page, title_holders, (blocks, []))[:1] if blocks else []


def _under_other_heading(block: LexborNode) -> bool:
    """Whether a block sits under a heading, or in an accordion whose summary, names another
    section ("Shipping & Returns"): the heading just before it or its wrapper, or its
    ``<details>``'s ``<summary>``."""
    for holder in (block, block.parent):
        if holder is None:
            continue
        if holder.tag == "details":
            summary = holder.css_first("summary")
            if summary is not None and _NOT_A_DESCRIPTION_HEADING.search(heading_name(summary)):
                return True
        before = preceding_elements(holder, 1)
        if (
            before
            and before[0].tag in HEADING_TAGS
            and _NOT_A_DESCRIPTION_HEADING.search(heading_name(before[0]))
        ):
            return True
    return False


def _names_a_section(cell: LexborNode) -> bool:
    """Whether a table cell holds only a short text (a heading's length) and no link, picture,
    field or table."""
    text = cell.text(deep=True).strip()
    return 0 < len(text) <= MAX_HEADING_CHARS and cell.css_first("a, img, input, table") is None


def title_notes(title: LexborNode) -> list[str]:
    """The short texts of the title's next :data:`TITLE_SIBLINGS` elements (a subtitle, also as an
    ``<h2>`` right after the title, a line of codes and badges), up to a heading; links and blocks
    of links are left out (a switch to the other gender's version says nothing of this one)."""
    notes: list[str] = []
    for at, node in enumerate(following_elements(title, TITLE_SIBLINGS)):
        subtitle = at == 0 and node.tag in ("h2", "h3")
        if (node.tag in HEADING_TAGS and not subtitle) or node.tag in ("h1", "h6"):
            break
        if node.tag in ("a", "nav") or node.css_first("a") is not None:
            continue
        text = clean_line(node.text(deep=True, separator=" "))
        if 0 < len(text) <= MAX_NOTE_CHARS:
            notes.append(text)
    return notes


def description_text(node: LexborNode) -> str:
    """The plain text of a description element, paragraphs kept."""
    return html_to_text(node.html or "", serialized=True)[:MAX_DESCRIPTION_CHARS]


def descriptions_text(nodes: list[LexborNode]) -> str:
    """The plain text of several description blocks, each once, joined by blank lines."""
    parts: list[str] = []
    for node in nodes:
        text = description_text(node).strip()
        if not text or any(text in part for part in parts):
            continue
        parts = [part for part in parts if part not in text]  # a later block that says it all
        parts.append(text)
        if sum(len(part) for part in parts) >= MAX_DESCRIPTION_CHARS:
            break
    return "\n\n".join(parts)[:MAX_DESCRIPTION_CHARS]
