"""The words shops use in class names, ids and labels, as compiled patterns shared by DOM readers.

Every pattern describes how shops build pages in general (CMS and e-commerce platform
conventions), never one shop. The patterns are searched in lower-cased markers (see
:func:`class_and_id`): a case-sensitive search is several times faster than ``re.IGNORECASE``
over the many class names a page has.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from collections.abc import Set as AbstractSet
from functools import lru_cache

from selectolax.lexbor import LexborNode

from prodex.extract.process.patterns import trie_pattern

HIDDEN_CLASS = re.compile(
    r"(?:^|\s|(?<!label)[_-])(?:hdn|hidden|hide|offleft|offscreen|sr-only|sronly|visually-?hidden|"
    r"screen-?reader(?:-text)?|a11y|assistive|invisible|visuallyhidden|u-dspn|clip)(?:$|[\s_-])"
)
"""A class hiding its element ("sr-only", "visually-hidden"); not Drupal's "field--label-hidden",
which hides a field's label, not the field."""
HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_BOUNDARY = r"(?:$|[\s_-])"
OUTSIDE_PRODUCT = re.compile(
    # "product-footer", "product_header": a section of the product, not of the page.
    r"(?<!tab)(?<!tab[_-])(?<!tabs[_-])menu|(?:^|\s|(?<!product)[_-])(?:"
    + trie_pattern(
        (
            "header",
            "footer",
            "nav",
            "navbar",
            "navigation",
            "modal",
            "popup",
            "popover",
            "dialog",
            "drawer",
            "minicart",
            "mini-cart",
            "cart-drawer",
            "cart-popup",
            "cart-preview",
            "basket-preview",
            "newsletter",
            "cookie",
            "consent",
            "breadcrumb",
            "breadcrumbs",
            "account",
            "login",
            "search",
            "filter",
            "filters",
            "facet",
            "facets",
        )
    )
    + ")"
    + _BOUNDARY
)
REVIEW_WORDS = ("review", "opini", "bewertung", "recens")
"""Class or id words of a section of reviews ("reviews", "opiniones", "Bewertungen", "recensioni")."""
_REVIEW_MARKER = re.compile(rf"(?<!p)(?:{'|'.join(REVIEW_WORDS)})")
"""A review word in a lower-cased class or id ("product-reviews", "customerreviews" from
``customerReviews``), not a preview ("video-preview")."""
OTHER_PRODUCTS = re.compile(
    trie_pattern(
        (
            "related",
            "recommend",
            "similar",
            "upsell",
            "up-sell",
            "crosssell",
            "cross-sell",
            "also",
            "recent",
            "viewed",
            "bought",
            "together",
            "suggest",
            "others",
            "more-from",
            "morefrom",
            "you-may",
            "youmay",
            "complete-the-look",
            "bundle",
            "sims",
            "p13n",
            "carousel-card",
            *REVIEW_WORDS,
            "rating",
            "comment",
            "banner",
            "promo",
            "advert",
            "sponsor",
        )
    )
)
GALLERY_WORDS = re.compile(
    trie_pattern(
        (
            "galler",
            "carousel",
            "slider",
            "slide",
            "swiper",
            "slick",
            "owl",
            "fotorama",
            "thumb",
            "zoom",
            "media",
            "photo",
            "picture",
            "image",
            "img",
            "pic",
            "viewer",
            "lightbox",
            "showcase",
            "visual",
        )
    )
)
LIST_PRICE_MARKS = (
    "old", "was", "strike", "regular", "list", "before", "original", "crossed", "rrp", "uvp", "msrp",
    "compare", "former", "previous", "line-through", "linethrough", "crossout", "cross-out",
)  # fmt: skip
"""Class/id words of a list ("was", crossed-out) price: an old price, and the list price among them."""
OLD_PRICE = re.compile(
    trie_pattern(
        (
            *LIST_PRICE_MARKS,
            "normal",
            "baseprice",
            "base-price",
            "base_price",
            "grundpreis",
            "lowest",
            "omnibus",
            "origin-",
            "origin_",
            "save",
            "saving",
            "discount",
            "full",
            "reduction",
            "percent",
            "unit",
            "per-",
            "perunit",
            "shipping",
            "delivery",
            "instal",
            "cuota",
            "monthly",
            "month",
            "financ",
            "klarna",
            "bonus",
            "points",
            "tax",
            "vat",
            "deposit",
            "range",
            "from",
            "min",
            "max",
            "filter",
            "slider",
            "label",
            "title",
            "currency-symbol",
        )
    )
)
OUTSIDE_THIS_PRODUCT = (OTHER_PRODUCTS, OUTSIDE_PRODUCT)
"""Both patterns: sections of other products, and the page's own header, menus, footer, popups."""


def names_reviews(marker: str) -> bool:
    """Whether a lower-cased class/id marker names a section of reviews."""
    return _REVIEW_MARKER.search(marker) is not None


def names_another_section(marker: str) -> bool:
    """Whether a lower-cased class/id marker names another product's block or a page section."""
    return bool(OTHER_PRODUCTS.search(marker) or OUTSIDE_PRODUCT.search(marker))


CURRENT_PRICE = re.compile(
    trie_pattern(("sale", "special", "final", "current", "actual", "now", "offer", "selling"))
)


def class_and_id(node: LexborNode) -> str:
    """An element's class and id joined and lower-cased (empty when it has neither, and for text,
    comment and document nodes)."""
    if not node.is_element_node:
        return ""
    attrs = node.attributes  # one dict: asking a node for an attribute it lacks is slow
    classes, ident = attrs.get("class"), attrs.get("id")
    if not (classes or ident):
        return ""
    return f"{classes or ''} {ident or ''}".strip().lower()


def is_hidden(node: LexborNode) -> bool:
    """Whether markup hides an element (``hidden``, ``display:none``, screen-reader-only classes)."""
    if not node.is_element_node:
        return False
    attrs = node.attributes
    if "hidden" in attrs or attrs.get("aria-hidden") == "true":
        return True
    style = attrs.get("style")
    if style and HIDDEN_STYLE.search(style):
        return True
    classes = attrs.get("class")
    return bool(classes and HIDDEN_CLASS.search(classes.lower()))


STRUCK_TAGS = frozenset(("del", "s", "strike"))


STRUCK_OUTER_LEVELS = 6
"""How far up the outer class of a struck ``.outer .inner`` rule is looked for."""


def is_struck(node: LexborNode, struck_classes: frozenset[str] = frozenset()) -> bool:
    """Whether an element is struck through: inside ``<del>``, ``<s>`` or ``<strike>``, or of a
    class the page's style sheets strike through (:meth:`Page.struck_classes`: a bare class, or
    ``"outer inner"``, an inner class inside an outer one), within four levels."""
    parent: LexborNode | None = node
    for _ in range(4):
        if parent is None or not parent.is_element_node:
            return False
        if parent.tag in STRUCK_TAGS:
            return True
        if struck_classes:
            classes = (parent.attrs.get("class") or "").split()
            if not struck_classes.isdisjoint(classes) or _struck_inside(parent, classes, struck_classes):
                return True
        parent = parent.parent
    return False


@lru_cache(maxsize=16)
def _outers_by_inner(struck_classes: frozenset[str]) -> dict[str, frozenset[str]]:
    """The ``"outer inner"`` rules of a page as inner class to its outer classes (read once)."""
    outers: dict[str, set[str]] = {}
    for rule in struck_classes:
        outer, _, inner = rule.partition(" ")
        if inner:
            outers.setdefault(inner, set()).add(outer)
    return {inner: frozenset(names) for inner, names in outers.items()}


def _struck_inside(node: LexborNode, classes: list[str], struck_classes: frozenset[str]) -> bool:
    """Whether one of ``classes`` (``node``'s) is struck by an ``"outer inner"`` rule whose outer
    class an ancestor of ``node`` has."""
    by_inner = _outers_by_inner(struck_classes)
    outers = {outer for name in classes for outer in by_inner.get(name, ())}
    if not outers:
        return False
    ancestor = node.parent
    for _ in range(STRUCK_OUTER_LEVELS):
        if ancestor is None or not ancestor.is_element_node:
            return False
        if not outers.isdisjoint((ancestor.attrs.get("class") or "").split()):
            return True
        ancestor = ancestor.parent
    return False


SECTION_TAGS = frozenset(("header", "footer", "nav", "dialog"))
_LAYOUT_END = frozenset(("body", "html", "main"))


def ancestors_match(
    node: LexborNode,
    pattern: re.Pattern[str] | tuple[re.Pattern[str], ...],
    levels: int = 12,
    holders: AbstractSet[int] | None = None,
) -> bool:
    """Whether one of the ``levels`` nearest ancestors is named by ``pattern`` (class or id; one
    of several patterns, checked in one walk up) and is a section of its own: an element that
    holds the page's ``<h1>`` is the page's layout (a "fixed-header" wrapper, say), not a header,
    menu or list of other products.

    ``holders``: the ids of the elements holding the page's h1s (:meth:`Page.h1_holders`), which
    spares a search below each named ancestor.
    """
    patterns = pattern if isinstance(pattern, tuple) else (pattern,)
    sections = OUTSIDE_PRODUCT in patterns
    parent = node.parent
    steps = 0
    while parent is not None and steps < levels:
        tag = parent.tag
        if tag in _LAYOUT_END:
            return False
        named = sections and tag in SECTION_TAGS
        if not named:
            marker = class_and_id(parent)
            named = bool(marker) and _names(patterns, marker)
        if named and not (
            int(parent.mem_id) in holders if holders is not None else parent.css_first("h1") is not None
        ):
            return True
        parent = parent.parent
        steps += 1
    return False


@lru_cache(maxsize=8192)
def _names(patterns: tuple[re.Pattern[str], ...], marker: str) -> bool:
    """Whether one of ``patterns`` names an element of class and id ``marker`` (a page's class
    names repeat on many elements, and each candidate's ancestors are read: verdicts are kept)."""
    return any(candidate.search(marker) for candidate in patterns)


def ancestor_ids(nodes: Sequence[LexborNode | None], levels: int = 30) -> set[int]:
    """The ``mem_id`` of every element that holds one of ``nodes`` (the nodes themselves included)."""
    ids: set[int] = set()
    for node in nodes:
        current = node
        steps = 0
        while current is not None and steps <= levels:
            ids.add(int(current.mem_id))
            current = current.parent
            steps += 1
    return ids


def title_ancestors(title: LexborNode | None, levels: int = 14) -> dict[int, int]:
    """``{mem_id: depth}`` of the title's ancestors, for :class:`TitleDistances`."""
    ids: dict[int, int] = {}
    parent = title.parent if title is not None else None
    for depth in range(1, levels + 1):
        if parent is None:
            break
        ids[int(parent.mem_id)] = depth
        parent = parent.parent
    return ids


FAR = 99
TITLE_REACH = 15
"""Levels from an element up to an ancestor it shares with the title, at most (further: ``FAR``)."""
_WALK_LIMIT = 64


class TitleDistances:
    """Levels from an element up to the nearest ancestor it shares with the title and down to the
    title (``FAR`` when there is none within :data:`TITLE_REACH`): small means "in the title's
    block". For many elements of one page, their walks up shared: the ancestors the elements have
    in common are walked once."""

    def __init__(self, ancestors: dict[int, int]) -> None:
        self._above: dict[int, tuple[int, int] | None] = {key: (0, depth) for key, depth in ancestors.items()}
        """Per element id: the levels up to its nearest title ancestor (0: itself) and that
        ancestor's depth; ``None``: no title ancestor holds it."""

    def of(self, node: LexborNode) -> int:
        """The element's distance to the title. The walk goes on past :data:`TITLE_REACH`
        levels (to the nearest title ancestor, or the top): an element in another part of the page
        then spares the walk to the elements beside it."""
        above = self._above
        path: list[int] = []  # the ids walked past, nearest first
        parent = node.parent
        for _ in range(_WALK_LIMIT):
            if parent is None:  # the top of the tree: no title ancestor above any of the path
                above.update(dict.fromkeys(path))
                return FAR
            key = parent.mem_id
            if key in above:
                return self._resolve(path, above[key])
            path.append(key)
            parent = parent.parent
        return FAR

    def _resolve(self, path: list[int], found: tuple[int, int] | None) -> int:
        """The distance of the element whose walk passed ``path`` to an element ``found``
        (see :attr:`_above`); every element of the path is noted."""
        if found is None:
            self._above.update(dict.fromkeys(path))
            return FAR
        levels, depth = found
        steps = len(path) + 1 + levels  # from the element up to its nearest title ancestor
        for index, key in enumerate(path):
            self._above[key] = (steps - index - 1, depth)
        return steps + depth if steps <= TITLE_REACH else FAR


def has_inner(node: LexborNode, selector: str) -> bool:
    """Whether an element below ``node`` matches ``selector`` (``node.css`` includes ``node`` itself)."""
    if not any(child.is_element_node for child in node.iter()):
        return False  # (a search of an element without elements inside finds at most itself)
    own = node.mem_id
    return any(match.mem_id != own for match in node.css(selector)[:50])


def visible_text(node: LexborNode, separator: str = " ") -> str:
    """An element's text without the parts markup hides (screen-reader prefixes, hidden spans)."""
    if not has_inner(node, "[hidden], [aria-hidden=true], [style*=none], [class]"):
        return node.text(deep=True, separator=separator)
    copy = node.clone()
    for child in reversed(copy.css("*")):  # descendants before ancestors: safe to decompose
        if child.tag in ("script", "style", "noscript", "template", "svg") or is_hidden(child):
            child.decompose()
    return copy.text(deep=True, separator=separator)


TEST_IDS = ("data-testid", "data-test", "data-test-id", "data-qa")
"""The attributes component frameworks name their elements by for tests, where class names are
hashed (``class="BVLuOJ" data-testid="availability-online"``)."""


def test_id_selector(word: str, names: tuple[str, ...] = TEST_IDS) -> str:
    """A selector of the elements whose test id (one of the attributes ``names``) holds ``word``
    (any case). Each attribute costs a pass over every element of the searched tree."""
    return ", ".join(f'[{name}*="{word}" i]' for name in names)
