"""The merge: each Product field from the most trustworthy source that has it, recorded in
``product.source``. Trust order: the site module, then JSON-LD, microdata, embedded app state,
OpenGraph/product meta tags, DOM heuristics, and the page's plain meta tags."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal, InvalidOperation
from functools import partial

from prodex.extract.found import Found
from prodex.extract.model import Media, MediaType, Product
from prodex.extract.page import Page
from prodex.extract.process.audience import audience_from_text
from prodex.extract.process.availability import fold
from prodex.extract.process.category import category_path
from prodex.extract.process.media import PictureFacts, dedupe_pictures, is_junk_image, upgrade_image_url
from prodex.extract.process.names import strip_site_name
from prodex.extract.process.text import clean_line
from prodex.extract.readers.dom.breadcrumbs import without_home

STRUCTURED = ("platform", "json-ld", "microdata", "app-state")
DEFAULT_ORDER = ("site", "platform", "json-ld", "microdata", "app-state", "opengraph", "dom", "meta")
PRICE_ORDER = ("site", "platform", "json-ld", "microdata", "app-state", "opengraph", "dom")
NAME_ORDER = ("site", "platform", "json-ld", "microdata", "app-state", "dom", "opengraph", "meta")
DESCRIPTION_ORDER = ("site", "platform", "json-ld", "microdata", "app-state", "dom", "opengraph", "meta")
PAGE_KEY = "page"
LISTING = "listing"
MAX_IMAGES = 30


def _attribute(found: Found, name: str) -> object:
    return getattr(found, name)


def _kind(found: Found) -> str:
    return "site" if found.source.startswith("site:") else found.source


def ordered(sources: Sequence[Found], order: Sequence[str]) -> list[Found]:
    """The sources sorted by the trust ``order`` (kinds not listed are left out)."""
    by_kind: dict[str, list[Found]] = {}
    for found in sources:
        by_kind.setdefault(_kind(found), []).append(found)
    return [found for kind in order for found in by_kind.get(kind, ())]


def pick(
    sources: Sequence[Found], order: Sequence[str], get: Callable[[Found], object]
) -> tuple[object, str | None]:
    """The first non-empty value of ``get`` in trust order, with the source it came from."""
    for found in ordered(sources, order):
        value = get(found)
        if value not in (None, "", []):
            return value, found.source
    return None, None


HEAD_CHARS = 120


def _folded_head(text: str) -> str:
    """``fold(text)[:HEAD_CHARS]``, folding only a prefix of a long text (the fold of a prefix is
    a prefix of the fold: folding works character by character and word by word)."""
    if len(text) > 4 * HEAD_CHARS:
        head = fold(text[: 4 * HEAD_CHARS])
        if len(head) >= HEAD_CHARS:
            return head[:HEAD_CHARS]
    return fold(text)[:HEAD_CHARS]


def _contains(longer: str, shorter: str) -> bool:
    """Whether ``longer`` already says ``shorter`` (compared on folded text, by its beginning).

    When ``shorter``'s beginning is in ``longer`` word for word, so is its folded beginning (the
    fold of a substring is a substring of the fold), and ``longer`` is not folded at all.
    """
    prefix = shorter[: 4 * HEAD_CHARS]
    if prefix in longer and len(fold(prefix)) >= HEAD_CHARS:
        return True
    head = _folded_head(shorter)
    return bool(head) and head in fold(longer)


def _is_only(text: str, folded_name: str) -> bool:
    """Whether a (cleaned) text says nothing but the name; one far longer than the name says more
    (folding only drops accents and repeated spaces), so it is not folded."""
    return len(text) <= 2 * len(folded_name) + 20 and fold(text) == folded_name


def _description(sources: Sequence[Found], name: str) -> tuple[str | None, str | None]:
    """The product's description: the site module's; else the structured description and the
    page's visible description block, the fuller one when one contains the other and both when
    they say different things; OpenGraph and meta descriptions (often SEO blurbs) as a fallback."""
    folded_name = fold(name)
    candidates = [
        (f.description, f.source)
        for f in ordered(sources, DESCRIPTION_ORDER)
        if f.description and not _is_only(f.description, folded_name)
    ]
    site = [(text, src) for text, src in candidates if src.startswith("site:")]
    if site:
        return site[0]  # a site module reads the description where that site keeps it
    structured = [(text, src) for text, src in candidates if src in STRUCTURED]
    visible = [(text, src) for text, src in candidates if src == "dom"]
    if structured and visible:
        (text, src), (dom_text, _) = max(structured, key=lambda item: len(item[0])), visible[0]
        if _contains(dom_text, text):
            return dom_text, "dom"
        if _contains(text, dom_text):
            return text, src
        return f"{text}\n\n{dom_text}", src
    primary = structured or visible
    if primary:
        return max(primary, key=lambda item: len(item[0]))
    if candidates:
        return max(candidates, key=lambda item: len(item[0]))
    return None, None


def _images(sources: Sequence[Found], memo: PictureFacts) -> tuple[list[str], str | None]:
    by_kind = {_kind(f): f for f in sources}
    site = by_kind.get("site")
    if site is not None and site.images:
        return dedupe_pictures([upgrade_image_url(u) for u in site.images], MAX_IMAGES, memo), site.source
    dom = by_kind.get("dom")
    structured: list[str] = []
    structured_source: str | None = None
    for found in ordered(sources, ("platform", "json-ld", "microdata", "app-state", "opengraph", "meta")):
        if found.images:
            if structured_source is None:
                structured_source = found.source
            structured.extend(found.images)
            if _kind(found) in STRUCTURED and len(found.images) > 1:
                break
    structured = [u for u in structured if not is_junk_image(u)]
    dom_images = dom.images if dom is not None else []
    if len(dom_images) >= 2 or (dom_images and not structured):
        return dedupe_pictures([upgrade_image_url(u) for u in dom_images], MAX_IMAGES, memo), "dom"
    return dedupe_pictures([upgrade_image_url(u) for u in structured], MAX_IMAGES, memo), structured_source


def _videos(sources: Sequence[Found]) -> tuple[list[Media], str | None]:
    videos: list[Media] = []
    source: str | None = None
    seen: set[str] = set()
    for found in ordered(sources, DEFAULT_ORDER):
        for video in found.videos:
            if video.url not in seen:
                seen.add(video.url)
                videos.append(video)
                source = source or found.source
    return videos[:10], source


def _category(breadcrumbs: list[str], name: str, explicit: str | None) -> str | None:
    folded_name = fold(name)
    for crumb in reversed(breadcrumbs):
        folded = fold(crumb)
        if (
            folded
            and folded != folded_name
            and not (folded_name and folded in folded_name and len(folded) > 20)
        ):
            return crumb
    levels = category_path(explicit)
    return levels[-1] if levels else None


def _category_levels(found: Found) -> list[str]:
    """The levels of a category the source gives as one path ("A > B > C"), when it is one."""
    levels = category_path(found.category)
    return levels if len(levels) > 1 else []


def _shown_price(sources: Sequence[Found], price: str | None, origin: str | None) -> str | None:
    """The price the page shows next to the title, when it corrects the structured one: it is one
    of several offered prices (the variant on show), the structured price is the crossed-out one,
    or the structured price is only the lowest of several offers (an AggregateOffer's
    ``lowPrice``: a used copy, a smaller pack) and the page shows one at or above it, within the
    highest offer when one is given."""
    if price is None or origin in (None, "dom") or (origin or "").startswith("site:"):
        return None
    dom = next((f for f in sources if f.source == "dom"), None)
    structured = next((f for f in sources if f.source == origin), None)
    if dom is None or dom.price is None or structured is None or dom.price == price:
        return None
    try:
        shown, given = Decimal(dom.price), Decimal(price)
    except InvalidOperation:
        return None
    if dom.price in structured.offer_prices:
        return dom.price
    if price in dom.old_prices and shown < given:
        return dom.price
    if structured.price_is_lowest and shown >= given:
        highest = max((Decimal(p) for p in structured.offer_prices), default=given)
        if highest == given or shown <= highest:
            return dom.price
    return None


def _is_listing(sources: Sequence[Found]) -> bool:
    """Whether a source sees a list of products and no source describes the page's own product
    (a site module or platform JSON always does: their pages are product pages)."""
    return any(f.listing for f in sources) and not any(
        f.subject or _kind(f) in ("site", "platform") for f in sources
    )


def merge(page: Page, sources: Sequence[Found]) -> Product:
    """One Product from what every source found, each field from its most trusted source."""
    product = Product(url=page.url)
    source: dict[str, str] = {}
    site_names = [n for f in sources for n in f.site_names]

    ranked: dict[tuple[str, ...], list[Found]] = {}  # the sources in each trust order, sorted once

    def take(field: str, order: tuple[str, ...], get: Callable[[Found], object]) -> object:
        if order not in ranked:
            ranked[order] = ordered(sources, order)
        for found in ranked[order]:
            value = get(found)
            if value not in (None, "", []):
                source[field] = found.source
                return value
        return None

    raw_name = take("name", NAME_ORDER, lambda f: f.name)
    dom = next((f for f in sources if f.source == "dom"), None)
    if raw_name and dom is not None and dom.name and source.get("name") in STRUCTURED:
        # the visible title, when it is the structured name (or part of it) as the shop shows it
        visible, named = fold(dom.name), fold(str(raw_name))
        if visible and (visible in named or named in visible) and len(visible) >= 0.3 * len(named):
            raw_name, source["name"] = dom.name, "dom"
    name = strip_site_name(str(raw_name), page.host, site_names) if raw_name else ""
    product.name = name or None
    description, origin = _description(sources, name)
    if description:
        product.description = description
        source["description"] = origin or ""
    points = take(
        "selling_points", ("site", "platform", "dom", "json-ld", "microdata"), lambda f: f.selling_points
    )
    product.selling_points = list(points) if isinstance(points, list) else []
    images, image_source = _images(sources, page.pictures)
    videos, video_source = _videos(sources)
    # built without validation: the URLs and the name are already clean strings
    product.media = [Media.model_construct(type=MediaType.IMAGE, url=u, name=name) for u in images] + videos
    if image_source or video_source:
        source["media"] = image_source or video_source or ""
    price = take("price", PRICE_ORDER, lambda f: f.price)
    product.price = str(price) if price else None
    shown = _shown_price(sources, product.price, source.get("price"))
    if shown is not None:
        product.price, source["price"] = shown, "dom"
    if product.price is not None:
        price_source = source["price"]
        currency = next((f.currency for f in sources if f.source == price_source and f.currency), None)
        if currency:
            product.currency = currency
            source["currency"] = price_source
    if product.currency is None:
        any_currency = take("currency", PRICE_ORDER, lambda f: f.currency)
        product.currency = str(any_currency) if any_currency else None
    labelled = next((f for f in sources if f.sku_labelled and f.sku), None)
    if labelled is not None and not any(_kind(f) == "site" and f.sku for f in sources):
        product.sku = labelled.sku
        source["sku"] = labelled.source
    labelled = next((f for f in sources if f.brand_labelled and f.brand), None)
    if labelled is not None and not any(_kind(f) == "site" and f.brand for f in sources):
        product.brand = labelled.brand
        source["brand"] = labelled.source
    for field in ("brand", "sku", "gtin", "mpn", "availability"):
        if field in source:
            continue
        value = take(field, PRICE_ORDER, partial(_attribute, name=field))
        setattr(product, field, clean_line(value) if value else None)
    crumbs = take("breadcrumbs", ("site", "platform", "json-ld", "microdata", "dom"), lambda f: f.breadcrumbs)
    if not crumbs:  # no breadcrumb trail: a category written as a path gives its levels
        crumbs = take("breadcrumbs", DEFAULT_ORDER, _category_levels)
    product.breadcrumbs = without_home([clean_line(c) for c in crumbs]) if isinstance(crumbs, list) else []
    explicit_category, category_source = pick(sources, DEFAULT_ORDER, lambda f: f.category)
    category = _category(product.breadcrumbs, name, str(explicit_category) if explicit_category else None)
    if category:
        product.category = category
        source["category"] = source.get("breadcrumbs") or category_source or ""
    product.language = page.language()
    if product.language:
        source["language"] = "html"
    canonical = take(
        "canonical_url", ("meta", "opengraph", "json-ld", "microdata"), lambda f: f.canonical_url
    )
    product.canonical_url = str(canonical) if canonical else None
    audience = take("target_audience", (*STRUCTURED, "opengraph"), lambda f: f.audience)
    if audience:
        product.target_audience = str(audience)
    else:
        guess = audience_from_text(product.category or "", " ".join(product.breadcrumbs), name)
        if guess:
            product.target_audience = guess
            source["target_audience"] = "text"
    if _is_listing(sources):
        source[PAGE_KEY] = LISTING  # the page lists products; none of them is its subject
    product.source = source
    return product
