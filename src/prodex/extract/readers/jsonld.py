"""JSON-LD: ``<script type="application/ld+json">`` blocks, including @graph, arrays,
ProductGroup/hasVariant, nested and aggregate offers, BreadcrumbList and VideoObject, and the
broken JSON that browsers tolerate (see :mod:`prodex.extract.jsontools`)."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote, urlsplit

from prodex.extract.found import Found
from prodex.extract.jsontools import as_list, loads_lenient, walk_dicts
from prodex.extract.model import Media, MediaType
from prodex.extract.page import Page
from prodex.extract.process.audience import age_group_from_ages, gender_from_schema
from prodex.extract.process.availability import fold
from prodex.extract.process.text import clean_line, to_plain_text
from prodex.extract.readers.schema import (
    PRODUCT_TYPES,
    STRONG_PRODUCT_TYPES,
    brand_of,
    breadcrumb_names,
    gtin_of,
    identifier_of,
    image_urls,
    read_offers,
    text_of,
    type_names,
)
from prodex.extract.readers.schema_offer import rating_of, specifications_of, variants_of

SOURCE = "json-ld"
LISTING_MIN_PRODUCTS = 3
MAX_SCRIPTS = 50
_CONTAINER_KEYS = ("@graph", "mainEntity", "mainEntityOfPage", "about", "itemListElement", "item")
_SITE_TYPES = frozenset({"organization", "website", "store", "onlinestore", "localbusiness", "corporation"})
_LIST_TYPES = frozenset({"itemlist", "offercatalog"})
MAX_LIST_ENTRIES = 500


def documents(page: Page) -> list[Any]:
    """Every JSON-LD document of the page, parsed leniently."""
    docs: list[Any] = []
    for node in page.landmarks.json_ld[:MAX_SCRIPTS]:
        text = node.text(deep=True)
        if text and text.strip():
            docs.extend(loads_lenient(text))
    return docs


def top_nodes(docs: list[Any]) -> list[dict[str, Any]]:
    """The schema.org things a page states at the top level (documents, arrays, @graph members,
    a page's mainEntity), not the things nested inside their properties."""
    nodes: list[dict[str, Any]] = []
    queue: list[tuple[Any, int]] = [(doc, 0) for doc in docs]
    while queue and len(nodes) < 500:
        value, depth = queue.pop(0)
        if isinstance(value, list):
            queue.extend((item, depth + 1) for item in value[:200] if depth < 6)
        elif isinstance(value, dict):
            nodes.append(value)
            if depth < 6:
                for key in _CONTAINER_KEYS:
                    inner = value.get(key)
                    if isinstance(inner, dict | list):
                        queue.append((inner, depth + 1))
    return nodes


def _url_matches(value: Any, page_url: str) -> bool:
    candidate = text_of(value)
    if not candidate:
        return False
    try:
        a, b = urlsplit(candidate), urlsplit(page_url)
    except ValueError:
        return False
    return bool(a.path) and unquote(a.path).rstrip("/") == unquote(b.path).rstrip("/")


def list_entries(docs: list[Any]) -> tuple[int, set[int]]:
    """How many distinct things the page's item lists and offer catalogs list, and the ``id()`` of
    every dict that is a list entry or the thing an entry lists (``ListItem.item``,
    ``Offer.itemOffered``): products there are the list's, not the page's own."""
    members: set[int] = set()
    keys: set[str] = set()
    for node in walk_dicts(docs):
        if not type_names(node) & _LIST_TYPES:
            continue
        for entry in as_list(node.get("itemListElement"))[:MAX_LIST_ENTRIES]:
            thing = entry.get("item") or entry.get("itemOffered") if isinstance(entry, dict) else entry
            if isinstance(entry, dict):
                members.add(id(entry))
            if isinstance(thing, dict):
                members.add(id(thing))
            labelled = thing if isinstance(thing, dict) else entry if isinstance(entry, dict) else {}
            key = text_of(labelled.get("url") or labelled.get("@id") or labelled.get("name") or thing)
            if key:
                keys.add(key)
    return len(keys), members


def _names_the_page(product: dict[str, Any], names: set[str], page: Page) -> bool:
    """Whether one of several products a page states on their own is the page's subject: its URL
    is the page's, or its name is the page's ``<h1>`` (or part of it); a page without an
    ``<h1>`` gets the benefit of the doubt."""
    if _url_matches(product.get("url") or product.get("@id"), page.url):
        return True
    h1s = page.h1s()
    title = fold(h1s[0].text(deep=True, separator=" ")) if h1s else ""
    if not title:
        return True
    return any(folded and (folded in title or title in folded) for folded in (fold(n) for n in names))


def _score(node: dict[str, Any], page_url: str) -> int:
    types = type_names(node)
    score = 0
    if types & STRONG_PRODUCT_TYPES:
        score += 10
    elif types & PRODUCT_TYPES or "offers" in node:
        score += 4
    else:
        return 0
    for key in ("name", "image", "offers", "sku", "description", "brand"):
        if node.get(key):
            score += 1
    if _url_matches(node.get("url") or node.get("@id"), page_url):
        score += 3
    return score


def choose_variant(group: dict[str, Any], page_url: str) -> dict[str, Any] | None:
    """The ProductGroup variant the page URL points to (by URL or sku), else the first variant."""
    variants = [v for v in as_list(group.get("hasVariant"))[:200] if isinstance(v, dict)]
    if not variants:
        return None
    decoded = unquote(page_url)
    for variant in variants:
        variant_url = text_of(variant.get("url"))
        if (
            "?" in variant_url
            and _url_matches(variant_url, page_url)
            and variant_url.split("?", 1)[1] in decoded
        ):
            return variant
        sku = identifier_of(variant.get("sku"))
        if sku and len(sku) >= 4 and sku in decoded.split("?", 1)[-1]:
            return variant
    return variants[0]


def _videos(values: list[Any], page: Page) -> list[Media]:
    videos: list[Media] = []
    for value in values:
        for item in as_list(value)[:20]:
            if not isinstance(item, dict):
                continue
            url = page.absolute(text_of(item.get("contentUrl")) or text_of(item.get("embedUrl")))
            if url:
                videos.append(
                    Media(
                        type=MediaType.VIDEO,
                        url=url,
                        name=text_of(item.get("name")),
                        description=clean_line(text_of(item.get("description")))[:500],
                    )
                )
    return videos


class _Candidates:
    """The products a page's JSON-LD states, scored: the best one stated on its own (the page's
    product) and the best one of a list (kept for a listing page)."""

    def __init__(self, members: set[int], page_url: str) -> None:
        self._members = members
        self._page_url = page_url
        self.product: dict[str, Any] | None = None
        self.listed_product: dict[str, Any] | None = None
        self._best = self._best_listed = 0
        self.own_names: set[str] = set()
        """Names of the products stated on their own, not in a list."""

    def add(self, node: dict[str, Any], types: set[str]) -> None:
        """Score ``node`` (of schema.org ``types``) and keep it when it beats its group's best."""
        score = _score(node, self._page_url)
        if not score:
            return
        if id(node) in self._members and not _url_matches(node.get("url") or node.get("@id"), self._page_url):
            if score > self._best_listed:
                self.listed_product, self._best_listed = node, score
            return
        if types & STRONG_PRODUCT_TYPES:
            self.own_names.add(text_of(node.get("name")).casefold())
        if score > self._best:
            self.product, self._best = node, score

    def demote_tiles(self, page: Page) -> None:
        """Many products stated on their own, none of them naming the page: one per tile, so the
        best is only a listing's product."""
        if (
            self.product is not None
            and len(self.own_names) >= LISTING_MIN_PRODUCTS
            and not _names_the_page(self.product, self.own_names, page)
        ):
            self.product, self.listed_product = None, self.product


def _note_page_node(node: dict[str, Any], types: set[str], found: Found, video_nodes: list[Any]) -> None:
    """What a top-level node says about the page rather than the product: its breadcrumbs (the
    first list), the site's names, and its videos (collected into ``video_nodes``)."""
    if "breadcrumblist" in types and not found.breadcrumbs:
        found.breadcrumbs = breadcrumb_names(node)
    elif types & _SITE_TYPES:
        name = text_of(node.get("name"))
        if name:
            found.site_names.append(name)
    elif "videoobject" in types:
        video_nodes.append(node)


def read(page: Page) -> Found | None:
    """The product the page's JSON-LD describes, with breadcrumbs, videos and site names."""
    docs = documents(page)
    if not docs:
        return None
    nodes = top_nodes(docs)
    listed, members = list_entries(docs)
    found = Found(source=SOURCE)
    candidates = _Candidates(members, page.url)
    video_nodes: list[Any] = []
    for node in nodes:
        types = type_names(node)
        _note_page_node(node, types, found, video_nodes)
        candidates.add(node, types)
    candidates.demote_tiles(page)
    product = candidates.product
    found.subject = product is not None
    found.listing = product is None and max(listed, len(candidates.own_names)) >= LISTING_MIN_PRODUCTS
    product = product or candidates.listed_product
    if product is None:
        if found.breadcrumbs or found.site_names or video_nodes or found.listing:
            found.videos = _videos(video_nodes, page)
            return found
        return None
    fill_from_product(found, product, page)
    video_nodes.extend(as_list(product.get("video")))
    found.videos = _videos(video_nodes, page)
    return found


def _first(layers: list[dict[str, Any]], key: str) -> Any:
    """The first non-empty value of ``key`` among ``layers`` (a chosen variant, then its product)."""
    for layer in layers:
        if layer.get(key) not in (None, "", [], {}):
            return layer.get(key)
    return None


def fill_from_product(found: Found, product: dict[str, Any], page: Page) -> None:
    """Fill ``found`` from a schema.org Product-like dict (also used for app state and microdata)."""
    variant = choose_variant(product, page.url) if "hasVariant" in product else None
    layers = [variant, product] if variant is not None else [product]
    _fill_presentation(found, product, layers, page)
    offer_sku = _fill_offer(found, product, layers, page)
    _fill_identifiers(found, layers, offer_sku)
    _fill_audience(found, layers)
    url = text_of(product.get("url"))
    found.canonical_url = page.absolute(url) if url else None


def _fill_presentation(
    found: Found, product: dict[str, Any], layers: list[dict[str, Any]], page: Page
) -> None:
    """The name (the product's own first), the description as plain text, and the images of every layer."""
    found.name = text_of(product.get("name")) or text_of(_first(layers, "name")) or None
    description = _first(layers, "description")
    if isinstance(description, list):  # several given (a meta summary, then the shown text)
        texts = [text for text in description if isinstance(text, str) and text.strip()]
        description = max(texts, key=len) if texts else description  # the fullest
    if isinstance(description, str | list | dict):
        text = to_plain_text(text_of(description) if not isinstance(description, str) else description)
        found.description = text or None
    images: list[str] = []
    for layer in layers:
        images.extend(image_urls(layer.get("image")))
    found.images = [url for url in (page.absolute(u) for u in images) if url]


def _fill_identifiers(found: Found, layers: list[dict[str, Any]], offer_sku: str) -> None:
    """Brand (or manufacturer), GTIN, MPN, sku (the product's, else its offers', else ``productID``)
    and category."""
    found.brand = brand_of(_first(layers, "brand")) or brand_of(_first(layers, "manufacturer")) or None
    found.gtin = next((g for g in (gtin_of(layer) for layer in layers) if g), None)
    found.mpn = identifier_of(_first(layers, "mpn")) or None
    found.sku = (
        identifier_of(_first(layers, "sku"))
        or offer_sku
        or identifier_of(_first(layers, "productID"))
        or None
    )
    found.category = text_of(_first(layers, "category")) or None


def _fill_offer(found: Found, product: dict[str, Any], layers: list[dict[str, Any]], page: Page) -> str:
    """The offer into ``found``: price, currency, stock, regular price, rating, specifications and
    variants; returns the offers' sku (the product's own sku wins over it)."""
    offers = read_offers(_first(layers, "offers"), page.tld)
    found.price, found.currency, found.availability = offers.price, offers.currency, offers.availability
    found.offer_prices = offers.prices
    found.price_is_lowest = offers.price_is_lowest
    found.regular_price = offers.regular_price
    found.rating_value, found.rating_best, found.review_count = rating_of(_first(layers, "aggregateRating"))
    found.specifications = specifications_of(_first(layers, "additionalProperty"))
    found.variants = [
        v.model_copy(update={"url": page.absolute(v.url), "image": page.absolute(v.image)})
        for v in variants_of(product, page.tld)
    ]
    return offers.sku


def _fill_audience(found: Found, layers: list[dict[str, Any]]) -> None:
    """Gender, age group and audience type from ``audience`` (schema.org's PeopleAudience), the
    gender also from a ``gender`` property."""
    audience = _first(layers, "audience")
    if isinstance(audience, dict):
        found.gender = gender_from_schema(audience.get("suggestedGender"))
        found.age_group = age_group_from_ages(
            audience.get("suggestedMinAge"), audience.get("suggestedMaxAge")
        )
        found.audience = clean_line(text_of(audience.get("audienceType")))[:200]
    found.gender = found.gender or gender_from_schema(_first(layers, "gender"))
