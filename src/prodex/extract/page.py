"""The parsed page every reader works on: one selectolax (lexbor) tree plus URL facts.

A page is parsed once; readers query the tree with CSS selectors. Values computed once per page
(meta tags, language) are cached on the instance: no state outlives one extraction.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from itertools import islice
from urllib.parse import urlsplit

from selectolax.lexbor import LexborAttributes, LexborDocumentOptions, LexborHTMLParser, LexborNode

from prodex.extract.process.media import PictureFacts, absolute_url

MAX_HTML_CHARS = 12 * 1024 * 1024
MAX_H1 = 20
MAX_STYLE_CHARS = 2_000_000
AREA_BLOCK_SELECTOR = "table, dl, ul"
"""Tables, description lists and bullet lists: the blocks of the product area that the
specification and selling-point readers both look through (see :meth:`Page.area_blocks`)."""
_BARE_CLASS = re.compile(r"\s*\.(-?[A-Za-z_][\w-]*)\s*", re.ASCII)
"""A selector that is one bare class (no descendant, state or pseudo-class: ``.disabled .price``
strikes only some)."""
STRIKE = "line-through"
RULE_WINDOW = 1_000
"""How far back from a ``line-through`` its rule's selector is looked for."""
MAX_STRUCK_CLASSES = 200
"""The most struck classes kept per page (a hostile sheet may strike thousands)."""


_CLASS_IN_CLASS = re.compile(r"\s*\.(-?[A-Za-z_][\w-]*)\s+\.(-?[A-Za-z_][\w-]*)\s*", re.ASCII)
"""A selector of one bare class inside another (``.prod-price .mrp``)."""


def struck_rule_classes(css: str) -> Iterator[str]:
    """The classes of the style rules that strike text through, each rule's selector one bare
    class (the last of a list), or one class inside another, given as ``"outer inner"`` (the
    inner class is struck only inside the outer one: ``.disabled .price`` strikes some prices).
    Found from each ``line-through`` backwards, so a large style sheet costs one fast scan."""
    at = css.find(STRIKE)
    while at >= 0:
        window = max(0, at - RULE_WINDOW)  # (a search back to the sheet's start is quadratic)
        opening = css.rfind("{", window, at)
        if opening > css.rfind("}", window, at):  # in a rule's declarations
            start = max(css.rfind("}", window, opening), css.rfind(",", window, opening), window - 1) + 1
            bare = _BARE_CLASS.fullmatch(css, start, opening)
            if bare is not None:
                yield bare.group(1)
            else:
                nested = _CLASS_IN_CLASS.fullmatch(css, start, opening)
                if nested is not None:
                    yield f"{nested.group(1)} {nested.group(2)}"
        at = css.find(STRIKE, at + len(STRIKE))


MAX_ATTRIBUTE_OBJECTS = 1_000
_QUOTED_OBJECT = re.compile(r"'(\{\s*\"[^']*)'")
"""A JSON object in single quotes: the pattern starts with a literal quote and brace, so the
search skips in C from one quote (rare in markup) to the next (an array's quote, or a space
before its brace, would cost every quote of the page's scripts a try)."""
_QUOTED_OBJECT_BYTES = re.compile(_QUOTED_OBJECT.pattern.encode())


def attribute_objects(raw: str | bytes) -> Iterator[str]:
    """The JSON objects single-quoted attributes of ``raw`` hold (``data-state='{"price": 9}'``;
    the first :data:`MAX_ATTRIBUTE_OBJECTS`), found with one fast search of the source."""
    text = isinstance(raw, str)
    matches = _QUOTED_OBJECT.finditer(raw) if text else _QUOTED_OBJECT_BYTES.finditer(raw)  # type: ignore[arg-type]
    attributes = (m.group(1) for m in matches if raw[m.start() - 1 : m.start()] in ("=", b"="))
    for value in islice(attributes, MAX_ATTRIBUTE_OBJECTS):
        yield value if isinstance(value, str) else value.decode("utf-8", "replace")


LANDMARKS_SELECTOR = (
    'base[href], meta[content], link[rel="canonical"][href], script[type*="ld+json"], '
    "[itemscope][itemtype], [typeof], h1, video, iframe, main, [role=main]"
)
"""The elements several readers need, found in one search of the page (one walk of the tree
instead of one per reader; an attribute test in it costs less than a search of the source)."""
HIDDEN_SELECTOR = "script, style, template"
"""The elements whose text the shopper never reads: searched once, for the scripts' text and to
strip them."""


@dataclass
class Landmarks:
    """Elements of the page that several readers look at, in page order."""

    base: LexborNode | None = None
    canonical: LexborNode | None = None
    metas: list[LexborNode] = field(default_factory=list)
    """``<meta content>`` elements."""
    json_ld: list[LexborNode] = field(default_factory=list)
    """JSON-LD ``<script>`` elements (dropped when scripts are stripped)."""
    items: list[LexborNode] = field(default_factory=list)
    """Microdata items (``[itemscope][itemtype]``; dropped when scripts are stripped)."""
    rdfa_items: list[LexborNode] = field(default_factory=list)
    """RDFa Lite items (``[typeof]``; dropped when scripts are stripped)."""
    h1s: list[LexborNode] = field(default_factory=list)
    players: list[LexborNode] = field(default_factory=list)
    """``<video>`` and ``<iframe>`` elements."""
    mains: list[LexborNode] = field(default_factory=list)
    """``<main>`` and ``role=main`` elements."""

    @classmethod
    def find(cls, tree: LexborHTMLParser) -> Landmarks:
        """The landmarks of a parsed page."""
        marks = cls()
        for node in each_once(tree.css(LANDMARKS_SELECTOR)):
            marks._add(node)
        return marks

    def _add(self, node: LexborNode) -> None:
        """File one element the landmarks' search found under what it is."""
        attrs = node.attrs
        listed = self._list_for(node.tag, attrs)
        if listed is not None:
            listed.append(node)
        elif node.tag == "base" and self.base is None and "href" in attrs:
            self.base = node
        elif node.tag == "link" and self.canonical is None and attrs.get("rel") == "canonical":
            self.canonical = node if "href" in attrs else None
        if "itemscope" in attrs and "itemtype" in attrs:
            self.items.append(node)
        if "typeof" in attrs:
            self.rdfa_items.append(node)

    def _list_for(self, tag: str | None, attrs: LexborAttributes) -> list[LexborNode] | None:
        """The list an element of ``tag`` belongs in (``None``: base, link or a microdata item only)."""
        if tag == "meta" and "content" in attrs:
            return self.metas
        if tag == "h1":
            return self.h1s
        if tag in ("video", "iframe"):
            return self.players
        if tag == "main" or attrs.get("role") == "main":
            return self.mains
        if tag == "script" and "ld+json" in (attrs.get("type") or ""):
            return self.json_ld
        return None


def each_once(nodes: Iterable[LexborNode]) -> Iterator[LexborNode]:
    """The nodes of a CSS search, each once: a node that matches several selectors of a list is
    listed once per selector, next to itself."""
    last = None
    for node in nodes:
        if node.mem_id != last:
            last = node.mem_id
            yield node


def host_of(url: str) -> str:
    """The lower-case host of ``url`` without a port, or ``""``."""
    try:
        return (urlsplit(url).hostname or "").lower().rstrip(".")
    except ValueError:
        return ""


def country_tld(host: str) -> str:
    """The two-letter country code at the end of a host (``www.paris.cl`` -> ``cl``), else ``""``."""
    last = host.rsplit(".", 1)[-1]
    return last if len(last) == 2 and last.isalpha() else ""


@dataclass
class Page:
    """One page: its URL, its parsed tree, and lazily computed facts about it."""

    url: str
    tree: LexborHTMLParser
    host: str = ""
    base_url: str = ""
    raw: str | bytes = field(default="", repr=False)
    landmarks: Landmarks = field(default_factory=Landmarks, repr=False)
    _meta: dict[str, list[str]] | None = field(default=None, repr=False)
    _h1_holders: frozenset[int] | None = field(default=None, repr=False)
    pictures: PictureFacts = field(default_factory=dict, repr=False)
    """Picture keys and sizes already worked out on this page (see :func:`dedupe_pictures`)."""
    style_text: str = field(default="", repr=False)
    """The text of the page's ``<style>`` elements (kept when they are stripped)."""
    _struck_classes: frozenset[str] | None = field(default=None, repr=False)
    _shown_text: str | None = field(default=None, repr=False)
    _script_source: str | None = field(default=None, repr=False)
    _hidden: list[LexborNode] | None = field(default=None, repr=False)
    _area_blocks: tuple[LexborHTMLParser | LexborNode, list[LexborNode]] | None = field(
        default=None, repr=False
    )
    product_root: LexborNode | None = field(default=None, repr=False)
    """The part of the page that holds the product (its ``<main>`` element holding the title),
    set by the DOM reader once it knows the title; ``None``: the whole page."""

    @classmethod
    def parse(cls, html: str | bytes, url: str) -> Page:
        """Parse ``html`` (text, or UTF-8 bytes; truncated to a bounded size) for the page at ``url``."""
        if len(html) > MAX_HTML_CHARS:
            html = html[:MAX_HTML_CHARS]
        tree = LexborHTMLParser(html, options=LexborDocumentOptions.WO_EVENTS)  # no mutation side effects
        page = cls(url=url, tree=tree, host=host_of(url), raw=html, landmarks=Landmarks.find(tree))
        base = page.landmarks.base
        base_href = base.attributes.get("href") if base is not None else None
        page.base_url = (absolute_url(base_href, url) if base_href else None) or url
        return page

    @property
    def tld(self) -> str:
        """The host's country code top-level domain, or ``""``."""
        return country_tld(self.host)

    def absolute(self, value: object) -> str | None:
        """``value`` as an absolute http(s) URL against the page's base, or ``None``."""
        return absolute_url(value, self.base_url)

    def meta(self) -> dict[str, list[str]]:
        """``<meta>`` contents by lower-case ``property``/``name``/``itemprop`` key, in page order."""
        if self._meta is None:
            found: dict[str, list[str]] = {}
            for node in self.landmarks.metas:
                attrs = node.attributes
                content = attrs.get("content")
                if content is None:
                    continue
                for attr in ("property", "name", "itemprop"):
                    key = attrs.get(attr)
                    if key:
                        found.setdefault(key.strip().lower(), []).append(content)
            self._meta = found
        return self._meta

    def meta_first(self, *keys: str) -> str | None:
        """The first non-empty content among the meta ``keys`` (in the order given)."""
        meta = self.meta()
        for key in keys:
            for value in meta.get(key, ()):
                if value and value.strip():
                    return value.strip()
        return None

    def language(self) -> str | None:
        """The page's declared language (``<html lang>``, ``og:locale``, content-language)."""
        root = self.tree.root
        lang = root.attrs.get("lang") if root is not None and root.tag == "html" else None
        if not lang:
            lang = self.meta_first("og:locale", "content-language", "language")
        if not lang:
            return None
        lang = lang.strip().replace("_", "-")
        if 2 <= len(lang) <= 20 and all(part.isalnum() for part in lang.split("-")):
            return lang
        return None

    def script_source(self) -> str:
        """Where front-ends keep their state's JSON: the text of the page's ``<script>`` elements,
        head and body, the markup of its ``<template>`` elements (whose scripts a search of the tree
        does not reach), then the JSON objects of its single-quoted attributes
        (``data-state='{"price": ...}'``), one after another apart by line breaks.
        Readers that look for a key of that JSON search this, not the whole source, whose markup is
        most of its bytes (kept when :meth:`strip_hidden_markup` removes the scripts)."""
        if self._script_source is None:
            # a <template>'s scripts are in its content, which no search of the tree enters
            # (VTEX keeps its state in <template data-varname="__STATE__"><script>): its markup
            texts = [
                (node.text() if node.tag == "script" else node.html or "")
                for node in self._hidden_elements()
                if node.tag != "style"
            ]
            self._script_source = "\n".join([*texts, *attribute_objects(self.raw)])
        return self._script_source

    def strip_hidden_markup(self) -> None:
        """Remove scripts, styles and templates from the body (the DOM heuristics read what shows);
        the landmarks that may be among them (JSON-LD scripts, microdata and RDFa items) are dropped, the
        scripts' text is kept (see :meth:`script_source`)."""
        self.script_source()
        hidden = self._hidden_elements()
        head = self.tree.head
        in_head = {node.mem_id for node in head.css(HIDDEN_SELECTOR)} if head is not None else set()
        styles = [node.text() for node in hidden if node.tag == "style" and node.mem_id in in_head]
        # the head's scripts are never read as text; a page without a body loses them all
        stripped = hidden if self.tree.body is None else [n for n in hidden if n.mem_id not in in_head]
        for node in reversed(stripped):  # descendants removed before ancestors
            if node.tag == "style":
                styles.append(node.text())
            node.decompose()
        self._hidden = []
        self.style_text = "\n".join(styles)[:MAX_STYLE_CHARS]
        self.landmarks.json_ld, self.landmarks.items, self.landmarks.rdfa_items = [], [], []

    def _hidden_elements(self) -> list[LexborNode]:
        """The page's scripts, styles and templates in page order, searched once."""
        if self._hidden is None:
            self._hidden = self.tree.css(HIDDEN_SELECTOR)
        return self._hidden

    def shown_text(self) -> str:
        """The body's text once its scripts, styles and templates are stripped (elements apart by
        a space): what the shopper can read, built once for the readers that check it."""
        if self._shown_text is None:
            body = self.tree.body
            self._shown_text = body.text(deep=True, separator=" ") if body is not None else ""
        return self._shown_text

    def area_blocks(self) -> list[LexborNode]:
        """The tables, description lists and bullet lists of :meth:`search_root`, searched once
        for the specification and selling-point readers (shared: callers must not change it)."""
        root = self.search_root()
        if self._area_blocks is None or self._area_blocks[0] is not root:  # searched again when
            self._area_blocks = (root, root.css(AREA_BLOCK_SELECTOR))  # the product area is set later
        return self._area_blocks[1]

    def struck_classes(self) -> frozenset[str]:
        """The class names the page's own style sheets strike through (``.price-was{text-decoration:
        line-through}``): its old prices, where no ``<s>`` or ``<del>`` marks them (read from the
        ``<style>`` elements :meth:`strip_hidden_markup` kept the text of)."""
        if self._struck_classes is None:
            self._struck_classes = frozenset(islice(struck_rule_classes(self.style_text), MAX_STRUCK_CLASSES))
        return self._struck_classes

    def main_content(self, holders: AbstractSet[int]) -> LexborNode | None:
        """The page's main-content element (``<main>``, ``role=main``) that holds the element whose
        ancestors' ids are ``holders`` (the title's, say), or ``None``."""
        for node in self.landmarks.mains:
            if int(node.mem_id) in holders:
                return node
        return None

    def search_root(self) -> LexborHTMLParser | LexborNode:
        """Where the DOM heuristics look for the product's description, labelled values, stock and
        buy buttons: :attr:`product_root` (headers, menus and footers spared), else the whole page."""
        return self.product_root if self.product_root is not None else self.tree

    def h1s(self) -> list[LexborNode]:
        """The page's first ``<h1>`` elements, in page order."""
        return self.landmarks.h1s[:MAX_H1]

    def h1_holders(self) -> frozenset[int]:
        """The ``mem_id`` of every element that holds one of :meth:`h1s` (the h1s included)."""
        if self._h1_holders is None:
            ids: set[int] = set()
            for node in self.h1s():
                current: LexborNode | None = node
                while current is not None and int(current.mem_id) not in ids:
                    ids.add(int(current.mem_id))
                    current = current.parent
            self._h1_holders = frozenset(ids)
        return self._h1_holders
