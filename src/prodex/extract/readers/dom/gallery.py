"""The product gallery in the DOM: the pictures around the main picture, up to the buy box.

The main picture (from structured data, else the first picture in an element named like a
gallery) is found in the page; the gallery is the largest ancestor of it that still holds only
pictures: it stops before the element that also holds the title, the price, the buy button, a
long text, or other products. Each picture is taken at its largest size (zoom attributes, links
to the full picture, ``srcset``); one picture in several sizes counts once.
"""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

from selectolax.lexbor import LexborNode

from prodex.extract.page import Page
from prodex.extract.process.media import (
    dedupe_pictures,
    is_junk_image,
    largest_from_srcset,
    looks_like_image_url,
)
from prodex.extract.readers.dom.subtree import first_match, is_link
from prodex.extract.readers.dom.vocabulary import (
    GALLERY_WORDS,
    OTHER_PRODUCTS,
    OUTSIDE_PRODUCT,
    OUTSIDE_THIS_PRODUCT,
    ancestors_match,
    class_and_id,
    is_hidden,
    names_another_section,
)

REF_SELECTOR = (
    "img, source, a, meta[itemprop=image], link[itemprop=image], [data-zoom-image], [data-image], "
    "[data-src], "
    '[data-large-image], [data-image-src], [data-src-image], [data-lgimg], [style*="background-image"]'
)
GALLERY_SELECTOR = (
    '[class*="gallery" i], [id*="gallery" i], [class*="product-image" i], [class*="carousel" i], '
    '[class*="swiper" i], [class*="thumb" i], [class*="zoom" i]'
)
STOP_SELECTOR = 'h1, [class*="price" i], form, [itemprop="description"]:not(meta), [class*="add-to-cart" i]'
ZOOM_ATTRS = (
    "data-zoom-image",
    "data-large_image",  # WooCommerce
    "data-image-large-src",  # PrestaShop
    "data-zoom-src",
    "data-hires",
    "data-full-src",
    "data-large-image",
    "data-zoom",
    "data-full",
    "data-big",
    "data-image-big",
    "data-image-zoom",
    "data-src-large",
    "data-large",
    "data-src-image",
    "data-src-main",
    "data-lgimg",
    "data-image",
    "data-image-src",
)
LAZY_ATTRS = (
    "data-srcset",
    "srcset",
    "data-src",
    "data-original",
    "data-lazy",
    "data-lazy-src",
    "src",
    "content",
)
SKIP_HINT = re.compile(
    r"swatch|colou?r[-_]?(?:picker|select|option|chip|swatch|item|box)|variant|sizes?[-_]"
)  # searched in lower-cased hints (see _hint)
_URL_IN_TEXT = re.compile(
    r"""(?:https?:)?//[^\s"'<>(){}\\]+|/[^\s"'<>(){}\\]+\.(?:jpe?g|png|webp|avif)""", re.I
)
_CSS_URL = re.compile(r"""url\(\s*['"]?([^'")]+)['"]?\s*\)""")
MAX_LEVELS = 9
REGION_LEVELS = 8
REGION_EXTRA_LEVELS = 2
_FORM_SELECTOR = 'form, [class*="add-to-cart" i]'
MAX_GALLERY = 30
MAX_CONTAINER_TEXT = 1500


def element_image_url(node: LexborNode, page: Page) -> str | None:
    """The largest picture URL an element offers (zoom attributes, image links, srcset, lazy src)."""
    return _image_url(node.tag, node.attributes, page)


def _image_url(tag: str | None, attrs: dict[str, str | None], page: Page) -> str | None:
    """:func:`element_image_url` of an element of tag ``tag`` and attributes ``attrs``."""
    url = _zoom_url(attrs, page)
    if url is not None:
        return url
    if tag == "a":
        return _linked_image_url(attrs, page)
    return _lazy_url(attrs, page) or _style_url(attrs, page)


def _zoom_url(attrs: dict[str, str | None], page: Page) -> str | None:
    """The first image URL of a zoom attribute (:data:`ZOOM_ATTRS`; from inside a JSON value too)."""
    for key in ZOOM_ATTRS:
        value = attrs.get(key)
        if value:
            if value.lstrip().startswith(("{", "[")):
                match = _URL_IN_TEXT.search(value)
                value = match.group(0) if match else ""
            url = page.absolute(value)
            if url and looks_like_image_url(url):
                return url
    return None


def _linked_image_url(attrs: dict[str, str | None], page: Page) -> str | None:
    """A link's target when it is a picture (not an HTML page)."""
    url = page.absolute(attrs.get("href"))
    return url if url and looks_like_image_url(url) and not url.lower().endswith((".htm", ".html")) else None


def _lazy_url(attrs: dict[str, str | None], page: Page) -> str | None:
    """The first non-empty source attribute (:data:`LAZY_ATTRS`), a srcset's largest candidate."""
    for key in LAZY_ATTRS:
        value = attrs.get(key)
        if not value:
            continue
        if "srcset" in key or ("," in value and " " in value.strip() and key != "content"):
            value = largest_from_srcset(value) or ""
        url = page.absolute(value)
        if url:
            return url
    return None


def _style_url(attrs: dict[str, str | None], page: Page) -> str | None:
    """A CSS ``url(...)`` of the element's inline style."""
    style = attrs.get("style")
    if style:
        match = _CSS_URL.search(style)
        if match:
            return page.absolute(match.group(1))
    return None


def _hint(node: LexborNode) -> str:
    """An element's class, id and alt text, lower-cased."""
    return _attributes_hint(node.attributes)


def _attributes_hint(attrs: dict[str, str | None]) -> str:
    """:func:`_hint` of an element of attributes ``attrs``."""
    return f"{attrs.get('class') or ''} {attrs.get('id') or ''} {attrs.get('alt') or ''}".lower()


def collect_pictures(container: LexborNode, page: Page) -> list[str]:
    """The distinct pictures in ``container`` in page order, each at its largest size."""
    urls: list[str] = []
    linked: set[int] = set()
    for node in container.css(REF_SELECTOR)[:300]:
        tag = node.tag
        if linked and (tag == "img" or tag == "source"):  # (no linked element yet: none holds it)
            parent = node.parent
            skip = False
            for _ in range(3):
                if parent is None:
                    break
                if int(parent.mem_id) in linked:
                    skip = True
                    break
                parent = parent.parent
            if skip:
                continue
        attrs = node.attributes  # built once for the URL, the hint and the width
        url = _image_url(tag, attrs, page)
        if url is None:
            continue
        hint = _attributes_hint(attrs)
        if SKIP_HINT.search(hint) or is_junk_image(url, hint):
            continue
        width = attrs.get("width")
        if width and width.isdigit() and int(width) <= 2:
            continue
        if tag in ("a", "div", "li", "span", "picture", "figure", "button"):
            linked.add(int(node.mem_id))
        urls.append(url)
    return dedupe_pictures(urls, MAX_GALLERY * 2, page.pictures)


def _stem(url: str) -> str:
    path = unquote(urlsplit(url).path).rstrip("/")
    name = path.rsplit("/", 1)[-1]
    stem = name.rsplit(".", 1)[0] if "." in name else name
    if len(stem) < 5 or stem.isalpha():
        stem = "/".join(path.rsplit("/", 2)[-2:])
    return stem


def find_anchor(
    page: Page, main_urls: list[str], scope: LexborNode | None = None, passed: set[int] | None = None
) -> LexborNode | None:
    """The first picture element (in ``scope``, else in the page) that shows one of ``main_urls``;
    ``passed`` collects the ids of the elements looked at (none of which is one), and those it
    already holds are skipped."""
    stems = [stem for stem in (_stem(url) for url in main_urls[:3]) if len(stem) >= 4]
    if not stems:
        return None
    root = scope if scope is not None else page.tree
    for node in root.css("img, source, meta[itemprop=image], [data-zoom-image]"):
        if passed is not None:
            key = int(node.mem_id)
            if key in passed:
                continue
            passed.add(key)
        values = " ".join(filter(None, node.attributes.values()))  # the non-empty values
        if not any(stem in values for stem in stems):
            continue
        if ancestors_match(node, (OUTSIDE_PRODUCT, OTHER_PRODUCTS), 10, page.h1_holders()):
            continue
        return node
    return None


def _vocabulary_anchor(page: Page, scope: LexborNode | None = None) -> LexborNode | None:
    root = scope if scope is not None else page.tree
    for container in root.css(GALLERY_SELECTOR)[:40]:
        if ancestors_match(container, (OUTSIDE_PRODUCT, OTHER_PRODUCTS), 10, page.h1_holders()):
            continue
        if names_another_section(class_and_id(container)):
            continue
        for node in container.css("img, [data-zoom-image], a[href]")[:10]:
            url = element_image_url(node, page)
            if url and not is_junk_image(url, _hint(node)):
                return node
    return None


MIN_PHOTO_SIDE = 100
"""A picture the markup says is smaller than this (width or height attribute) is an icon."""


def _region_anchor(page: Page, region: LexborNode) -> LexborNode | None:
    """The first picture beside the title that is not an icon, logo, badge or swatch: the main
    picture of a page that neither names its gallery nor gives a picture in its markup."""
    for node in region.css("img")[:30]:
        if is_hidden(node) or ancestors_match(node, OUTSIDE_THIS_PRODUCT, 10, page.h1_holders()):
            continue
        attrs = node.attributes
        if any(
            (value := attrs.get(side)) and value.isdigit() and int(value) < MIN_PHOTO_SIDE
            for side in ("width", "height")
        ):
            continue
        url = element_image_url(node, page)
        hint = _hint(node)
        if url and not SKIP_HINT.search(hint) and not is_junk_image(url, hint):
            return node
    return None


def _pure_gallery(node: LexborNode, stops: set[int] | None = None) -> bool:
    """Whether an element holds pictures only (no title, price, form, long text, other products).

    ``stops`` (ids of the elements holding the title, the price or the description) answers the
    "does it hold the buy box" question without searching the element.
    """
    marker = class_and_id(node)
    if marker and names_another_section(marker):
        return False
    if stops is not None and int(node.mem_id) in stops:
        return False
    if len(node.text(deep=True).strip()) > MAX_CONTAINER_TEXT:
        return False  # (checked before the searches below: the cheapest test that rules most out)
    if node.css_first(_FORM_SELECTOR if stops is not None else STOP_SELECTOR) is not None:
        return False
    return len(node.css("img, source")) <= MAX_GALLERY * 3


def _sibling_pictures(container: LexborNode, page: Page, stops: set[int] | None = None) -> list[str]:
    """Pictures of the gallery's sibling elements that are galleries too (a thumbnail strip next
    to the main picture, under the element that also holds the title and the price)."""
    parent = container.parent
    own = container.mem_id
    pictures: list[str] = []
    child = parent.child if parent is not None else None
    steps = 0
    while child is not None and steps < 30:
        steps += 1
        if (
            child.mem_id != own
            and child.tag not in ("script", "style", "#text", "#comment")
            and first_match(child, _is_picture_or_link, "img, a[href]") is not None  # the cheaper test first
            and _names_gallery(child)
            and _pure_gallery(child, stops)
        ):
            pictures.extend(collect_pictures(child, page))
        child = child.next
    return pictures


def _names_gallery(node: LexborNode) -> bool:
    """Whether an element's class or id, or an element inside it, is named like a gallery."""
    marker = class_and_id(node)
    return bool(marker and GALLERY_WORDS.search(marker)) or node.css_first(GALLERY_SELECTOR) is not None


def _is_picture_or_link(node: LexborNode) -> bool:
    return node.tag == "img" or is_link(node)


def expand_gallery(anchor: LexborNode, page: Page, stops: set[int] | None = None) -> list[str]:
    """The pictures of the largest ancestor of ``anchor`` that is still only a gallery."""
    container: LexborNode | None = None
    node = anchor
    for _ in range(MAX_LEVELS):
        parent = node.parent
        if parent is None or parent.tag in ("body", "html", "main", "head"):
            break
        if not _pure_gallery(parent, stops):
            break
        container = node = parent
    pictures = collect_pictures(container, page) if container is not None else []
    if container is not None and container.parent is not None:
        pictures = dedupe_pictures(
            pictures + _sibling_pictures(container, page, stops), MAX_GALLERY * 2, page.pictures
        )
    if not pictures:
        url = element_image_url(anchor, page)
        pictures = [url] if url else []
    return pictures[:MAX_GALLERY]


def title_region(title: LexborNode | None) -> LexborNode | None:
    """The part of the page around the title where shops put the gallery: the title's nearest
    ancestor that holds pictures, a few levels wider; ``None`` without a title."""
    node = title
    for _ in range(REGION_LEVELS):
        node = node.parent if node is not None else None
        if node is None or node.tag in ("html", "body"):
            return None
        if node.css_first("img") is not None:
            for _ in range(REGION_EXTRA_LEVELS):
                parent = node.parent
                if parent is None or parent.tag in ("html", "body"):
                    break  # a shallow page: the region is as wide as it gets below the body
                node = parent
            return node
    return None


def find_gallery(
    page: Page, main_urls: list[str], stops: set[int] | None = None, title: LexborNode | None = None
) -> list[str]:
    """The product's pictures in gallery order (largest sizes), or ``[]`` when none is found.

    ``stops``: ids of the elements that hold the title, the price or the description (see
    :func:`~prodex.extract.readers.dom.vocabulary.ancestor_ids`), when the caller knows them;
    ``title``: the title element, whose surroundings are searched before the whole page.
    """
    region = title_region(title)
    anchor = None
    if main_urls:
        passed: set[int] = set()  # the title region's pictures, not looked at twice
        anchor = find_anchor(page, main_urls, region, passed) if region is not None else None
        anchor = anchor or find_anchor(page, main_urls, passed=passed)
    if anchor is None and region is not None:
        anchor = _vocabulary_anchor(page, region) or _region_anchor(page, region)
    if anchor is None:
        anchor = _vocabulary_anchor(page)
    if anchor is None:
        return []
    return expand_gallery(anchor, page, stops)
