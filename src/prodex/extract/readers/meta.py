"""Meta tags: OpenGraph (``og:*``, ``product:*``), Twitter cards, and the standard
``description``/canonical/site-name tags."""

from __future__ import annotations

from prodex.extract.found import Found
from prodex.extract.model import Media, MediaType
from prodex.extract.page import Page
from prodex.extract.process.audience import gender_from_schema
from prodex.extract.process.availability import normalise_availability
from prodex.extract.process.price import normalise_currency, parse_price
from prodex.extract.process.text import clean_line, to_plain_text
from prodex.extract.words import AGE_GROUPS

SOURCE_OG = "opengraph"
SOURCE_META = "meta"


def read_opengraph(page: Page) -> Found | None:
    """What OpenGraph and ``product:`` meta tags say about the product."""
    meta = page.meta()
    if not any(key.startswith(("og:", "product:")) for key in meta):
        return None
    found = Found(source=SOURCE_OG)
    found.name = clean_line(page.meta_first("og:title")) or None
    found.description = to_plain_text(page.meta_first("og:description")) or None
    _read_og_media(page, meta, found)
    _read_product_offer(page, found)
    _read_product_identity(page, found)
    site = page.meta_first("og:site_name")
    if site:
        found.site_names.append(site)
    url = page.meta_first("og:url")
    found.canonical_url = page.absolute(url) if url else None
    return found


def _read_og_media(page: Page, meta: dict[str, list[str]], found: Found) -> None:
    """``og:image`` and ``og:video`` tags into ``found``'s images and videos (absolute, once each)."""
    images: list[str] = []
    for key in ("og:image:secure_url", "og:image", "og:image:url"):
        images.extend(meta.get(key, ()))
    found.images = [u for u in (page.absolute(v) for v in images) if u]
    for key in ("og:video:secure_url", "og:video:url", "og:video"):
        for value in meta.get(key, ()):
            url = page.absolute(value)
            if url and not any(v.url == url for v in found.videos):
                found.videos.append(Media(type=MediaType.VIDEO, url=url))


def _read_product_offer(page: Page, found: Found) -> None:
    """The ``product:`` price (a zero price is none), currency and availability into ``found``."""
    currency = normalise_currency(page.meta_first("product:price:currency", "og:price:currency"), page.tld)
    price_text = page.meta_first(
        "product:sale_price:amount", "product:price:amount", "og:price:amount", "product:price"
    )
    found.price = parse_price(price_text, currency) if price_text else None
    if found.price is not None and found.price.strip("0.") == "":
        found.price = None
    found.currency = currency
    found.regular_price = _original_price(page, currency)
    found.availability = normalise_availability(page.meta_first("product:availability", "og:availability"))


def _original_price(page: Page, currency: str | None) -> str | None:
    """The list price beside a sale price: ``product:original_price:amount``, else the regular
    ``product:price:amount`` when a ``product:sale_price:amount`` is given (the merge keeps it only
    above the price shown)."""
    original = page.meta_first("product:original_price:amount")
    if original is None and page.meta_first("product:sale_price:amount"):
        original = page.meta_first("product:price:amount")
    return parse_price(original, currency) if original else None


def _read_product_identity(page: Page, found: Found) -> None:
    """The ``product:`` brand, identifiers, category and audience into ``found``."""
    found.brand = clean_line(page.meta_first("product:brand", "og:brand")) or None
    found.sku = clean_line(page.meta_first("product:retailer_item_id", "product:sku")) or None
    found.gtin = (
        clean_line(page.meta_first("product:ean", "product:gtin", "product:upc", "product:isbn")) or None
    )
    found.category = clean_line(page.meta_first("product:category")) or None
    found.gender = gender_from_schema(page.meta_first("product:target_gender"))
    found.age_group = _age_group(page.meta_first("product:age_group"))


def read_meta(page: Page) -> Found:
    """The page's standard tags: ``<title>``, meta description, canonical link, Twitter card."""
    found = Found(source=SOURCE_META)
    title = page.tree.css_first("title")
    found.name = (
        clean_line(title.text() if title is not None else "")
        or clean_line(page.meta_first("twitter:title", "title"))
        or None
    )
    found.description = to_plain_text(page.meta_first("description", "twitter:description")) or None
    image = page.meta_first("twitter:image", "twitter:image:src", "thumbnail", "image")
    found.images = [u for u in [page.absolute(image)] if u] if image else []
    canonical = page.landmarks.canonical
    if canonical is not None:
        found.canonical_url = page.absolute(canonical.attributes.get("href"))
    for key in ("application-name", "apple-mobile-web-app-title", "twitter:site", "author", "publisher"):
        value = page.meta_first(key)
        if value:
            found.site_names.append(value.lstrip("@"))
    return found


def _age_group(value: str | None) -> str | None:
    """A product-feed ``age_group`` value, when it is one."""
    folded = (value or "").strip().lower()
    return folded if folded in AGE_GROUPS else None
