"""Searches of an element's subtree that walk a small one in Python.

Setting a CSS search up (parsing its selector) costs a few microseconds, several times the cost
of looking at one element in Python: the DOM readers ask many small subtrees (a list item, a
swatch, a table row) whether they hold a link or a picture. These helpers look at the first
elements in Python and hand a larger subtree to the CSS search; the answer is the same either way.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from selectolax.lexbor import LexborNode

SMALL_SUBTREE = 12
"""How many elements are looked at in Python before the CSS search takes over."""


def _elements(node: LexborNode) -> Iterator[LexborNode]:
    """``node``, then the nodes below it in page order (text nodes left out), each made only
    when reached."""
    yield node
    stack = [node.iter()]
    while stack:
        child = next(stack[-1], None)
        if child is None:
            stack.pop()
            continue
        yield child
        stack.append(child.iter())


def first_match(
    node: LexborNode, matches: Callable[[LexborNode], bool], selector: str, limit: int = SMALL_SUBTREE
) -> LexborNode | None:
    """``node.css_first(selector)``: the first element of ``node``'s subtree, itself included, in
    page order, that ``matches`` (the test of ``selector`` in Python)."""
    for seen, element in enumerate(_elements(node)):
        if seen >= limit:
            return node.css_first(selector)
        if matches(element):
            return element
    return None


def all_matches(
    node: LexborNode, matches: Callable[[LexborNode], bool], selector: str, limit: int = SMALL_SUBTREE
) -> list[LexborNode]:
    """``node.css(selector)`` for a selector no element matches twice (one tag, or a list of
    tags): the elements of ``node``'s subtree, itself included, in page order, that ``matches``."""
    found: list[LexborNode] = []
    for seen, element in enumerate(_elements(node)):
        if seen >= limit:
            return node.css(selector)
        if matches(element):
            found.append(element)
    return found


def is_link(node: LexborNode) -> bool:
    """Whether an element matches ``a[href]``: an ``<a href>``, or inside ``<svg>`` an ``<a
    xlink:href>`` (lexbor files that one under ``href`` in its namespace; its attribute dict
    names it ``xlink:href``)."""
    if node.tag != "a":
        return False
    attrs = node.attributes
    if "href" in attrs:
        return True
    first = node.css_first("a[href]") if "xlink:href" in attrs else None  # itself, when it matches
    return first is not None and first.mem_id == node.mem_id


LAYOUT_TAGS = frozenset(("body", "html", "main"))
"""Elements that hold a page's layout, never one block of it (a section's search stops there)."""
ELEMENT_ID = re.compile(r"[\w.:-]{1,100}")
"""An id an element may name another by (``aria-controls``, ``aria-labelledby``, ``href="#..."``):
checked before it goes into a ``[id="..."]`` selector, which it keeps well formed."""


def _elements_from(start: LexborNode | None, forward: bool, limit: int) -> list[LexborNode]:
    """Up to ``limit`` elements among ``start`` and the siblings after it (``forward``) or before
    it, in that order."""
    found: list[LexborNode] = []
    node = start
    while node is not None and len(found) < limit:
        if node.is_element_node:
            found.append(node)
        node = node.next if forward else node.prev
    return found


def following_elements(node: LexborNode, limit: int) -> list[LexborNode]:
    """Up to ``limit`` element siblings after ``node``."""
    return _elements_from(node.next, True, limit)


def preceding_elements(node: LexborNode, limit: int) -> list[LexborNode]:
    """Up to ``limit`` element siblings before ``node``, nearest first."""
    return _elements_from(node.prev, False, limit)


def first_class(node: LexborNode) -> str:
    """An element's first class name ("" without one)."""
    classes = (node.attributes.get("class") or "").split()
    return classes[0] if classes else ""


def of_one_kind(nodes: list[LexborNode]) -> bool:
    """Whether elements are of one tag and one first class, a class they have (rows or panels of
    one block: ``div.param``, ``div.tab-pane``; a block's own paragraphs have no class)."""
    if not nodes:
        return False
    first = nodes[0]
    marker = first_class(first)
    return bool(marker) and all(node.tag == first.tag and first_class(node) == marker for node in nodes)


def element_children(node: LexborNode, limit: int) -> list[LexborNode]:
    """Up to ``limit`` element children of ``node``."""
    return _elements_from(node.child, True, limit)


def holds(holder: LexborNode, node: LexborNode, levels: int) -> bool:
    """Whether ``holder`` holds ``node`` within ``levels`` levels."""
    current = node.parent
    for _ in range(levels):
        if current is None:
            return False
        if current.mem_id == holder.mem_id:
            return True
        current = current.parent
    return False
