"""Listings in the DOM: a grid of product tiles (alike siblings, each with a link, a picture and a
price) that holds the price nearest the title, outside any related-products block. Such a page
lists products; the tiles are none of them the page's own product.

A product page keeps its own price and buy button next to its title (outside every tile) and its
related or recommended products in blocks named so; none of that looks like a listing here.
"""

from __future__ import annotations

from collections.abc import Callable

from selectolax.lexbor import LexborNode

from prodex.extract.page import Page
from prodex.extract.readers.dom.labels import buy_buttons
from prodex.extract.readers.dom.price import PRICE_SELECTOR, shows_money
from prodex.extract.readers.dom.vocabulary import (
    OTHER_PRODUCTS,
    OUTSIDE_PRODUCT,
    ancestor_ids,
    ancestors_match,
)

MIN_TILES = 4
"""Tiles with a price a grid needs before the page counts as a listing."""
MIN_ALIKE = 3
"""Alike siblings (same tag and first class) that make an element one tile of a grid."""
TILE_LEVELS = 6
MAX_PRICES = 120
Counts = dict[int, dict[tuple[str, str], int]]
"""Per parent element (``mem_id``): how many of its children share each (tag, first class)."""
_LAYOUT_TAGS = frozenset(("html", "body", "main", "form"))


def _signature(node: LexborNode) -> tuple[str, str]:
    if not node.is_element_node:
        return node.tag or "", ""
    classes = (node.attrs.get("class") or "").split()
    return node.tag or "", classes[0] if classes else ""


def _alike_siblings(
    node: LexborNode, parent: LexborNode, cache: dict[int, dict[tuple[str, str], int]]
) -> int:
    """How many children of ``parent`` share ``node``'s tag and first class (``node`` included)."""
    key = int(parent.mem_id)
    counts = cache.get(key)
    if counts is None:
        counts = {}
        for child in parent.iter():
            signature = _signature(child)
            counts[signature] = counts.get(signature, 0) + 1
        cache[key] = counts
    return counts.get(_signature(node), 0)


def _tile_of(price: LexborNode, cache: Counts) -> LexborNode | None:
    """The nearest ancestor of a price element that is one of several alike siblings and holds a
    link and a picture: a product tile."""
    current = price.parent
    for _ in range(TILE_LEVELS):
        if current is None or current.tag in _LAYOUT_TAGS:
            return None
        parent = current.parent
        if parent is None:
            return None
        if (
            _alike_siblings(current, parent, cache) >= MIN_ALIKE
            and current.css_first("a[href]") is not None
            and current.css_first("img, picture") is not None
        ):
            return current
        current = parent
    return None


def in_other_tile(node: LexborNode, title: LexborNode | None) -> bool:
    """Whether ``node`` (a price, say) sits in a product tile that does not hold the title: it
    belongs to another product (a related product, a listing's tile)."""
    tile = _tile_of(node, {})
    return tile is not None and (title is None or int(tile.mem_id) not in ancestor_ids([title]))


def _priced_tiles(tile: LexborNode, grid: LexborNode) -> set[int]:
    """The ids of ``tile`` and its alike siblings that are product tiles with a price."""
    signature = _signature(tile)
    tiles: set[int] = set()
    for child in grid.iter():
        if (
            _signature(child) == signature
            and child.css_first(PRICE_SELECTOR) is not None
            and child.css_first("a[href]") is not None
            and child.css_first("img, picture") is not None
        ):
            tiles.add(int(child.mem_id))
    return tiles


def _largest_grid(
    nodes: list[LexborNode], cache: Counts, shows_price: Callable[[LexborNode], bool] | None = None
) -> tuple[LexborNode, set[int]] | None:
    """The grid with the most tiles holding ``nodes`` (price elements, or pictures whose tile
    ``shows_price``), and its tiles."""
    grids: dict[int, tuple[LexborNode, set[int]]] = {}
    looked: set[int] = set()
    for node in nodes:
        tile = _tile_of(node, cache)
        grid = tile.parent if tile is not None else None
        if tile is None or grid is None or int(tile.mem_id) in looked:
            continue
        looked.add(int(tile.mem_id))
        if shows_price is None or shows_price(tile):
            grids.setdefault(int(grid.mem_id), (grid, set()))[1].add(int(tile.mem_id))
    return max(grids.values(), key=lambda item: len(item[1])) if grids else None


MAX_PICTURES = 200
MAX_TILE_CHARS = 400


def _shows_money(tile: LexborNode) -> bool:
    """Whether a tile's text holds an amount of money (a tile whose classes name no price)."""
    return shows_money(tile.text(deep=True, separator=" ")[:MAX_TILE_CHARS])


def is_listing_grid(page: Page, title: LexborNode | None, shown_price: LexborNode | None) -> bool:
    """Whether the page is a grid of product tiles: at least :data:`MIN_TILES` priced tiles side by
    side, the title outside them, the grid outside related-products and layout blocks, and the
    price found nearest the title (if any) inside one of the tiles.

    With a price found next to the title, only that price's tile and its siblings are looked at
    (no search of the whole page): a price outside every tile is the page's own product's.
    """
    cache: Counts = {}
    if shown_price is not None:
        tile = _tile_of(shown_price, cache)
        grid = tile.parent if tile is not None else None
        if tile is None or grid is None:
            return False  # the price next to the title is the page's own, not a tile's
        tiles = _priced_tiles(tile, grid)
    else:
        # price elements, else (hashed CSS-module classes name no price) pictures in tiles showing money
        largest = _largest_grid(page.tree.css(PRICE_SELECTOR)[:MAX_PRICES], cache) or _largest_grid(
            page.tree.css("img")[:MAX_PICTURES], cache, _shows_money
        )
        if largest is None:
            return False
        grid, tiles = largest
    if len(tiles) < MIN_TILES:
        return False
    if title is not None and int(grid.mem_id) in ancestor_ids([title]):
        return False  # the title is inside the grid: a product page's own layout
    if title is not None and any(not tiles & ancestor_ids([button]) for button in buy_buttons(page, title)):
        return False  # a buy button by the title outside every tile buys the page's own product
    probe = next(iter(grid.iter()), grid)
    return not (ancestors_match(probe, (OTHER_PRODUCTS, OUTSIDE_PRODUCT), 10, page.h1_holders()))
