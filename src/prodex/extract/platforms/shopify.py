"""Shopify: recognised from the page (most stores use their own domain), read from the store's
product JSON.

Every Shopify storefront serves its product as JSON next to the page: ``/products/<handle>.js``
(prices in cents, ``available`` flags, ``media`` with videos) and ``/products/<handle>.json``
(``{"product": {...}}``, prices as decimal strings, ``body_html``). A store under a locale or
market prefix (``/en-gb/products/<handle>``) answers in that language under the same prefix, and a
product reached through a collection (``/collections/<c>/products/<handle>``) has the same JSON.
The storefront's pages carry Shopify's own script and asset markers (``Shopify.shop = ...``,
``ShopifyAnalytics``, ``cdn.shopify.com/s/files``, ``/cdn/shop/files``) and declare the active
currency in ``Shopify.currency``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import parse_qs, urlsplit

from prodex.extract.found import Found
from prodex.extract.jsontools import as_list
from prodex.extract.model import Media, MediaType, Variant
from prodex.extract.page import Page
from prodex.extract.platforms._hint import PlatformHint, canonical_href, origin_of
from prodex.extract.process.axes import OTHER, axis_of
from prodex.extract.process.price import format_decimal, normalise_currency, parse_price
from prodex.extract.process.text import clean_line, to_plain_text
from prodex.extract.readers.schema import brand_of, gtin_of, identifier_of
from prodex.extract.site import Platform
from prodex.extract.sites._embedded import list_items

NAME = "shopify"
SOURCE = f"site:{NAME}"
MAX_VARIANTS = 250
MAX_MEDIA = 60
_MARKERS = re.compile(
    r"Shopify\.shop\s*=|ShopifyAnalytics|shopify-checkout-api-token|shopify-digital-wallet"
    r"|cdn\.shopify\.com/s/files/|/cdn/shop/(?:files|products|t)/|Shopify\.theme\s*="
)
_PRODUCT_PATH = re.compile(
    r"^(?P<prefix>/[a-z]{2,3}(?:-[a-z0-9]{2,4})?)?(?:/collections/[^/]+)?/products/(?P<handle>[^/?#.]+)/?$",
    re.IGNORECASE,
)
_CURRENCY = re.compile(
    r"""Shopify\.currency\s*=\s*\{[^}]{0,200}?["']active["']\s*:\s*["']([A-Za-z]{3})["']"""
    r"""|ShopifyAnalytics\.meta\.currency\s*=\s*["']([A-Za-z]{3})["']"""
)
_VIDEO_HOSTS = {"youtube": "https://www.youtube.com/watch?v={}", "vimeo": "https://vimeo.com/{}"}


def _product_path(url: str) -> tuple[str, str] | None:
    """The locale prefix and the handle of a Shopify product URL, or ``None``."""
    try:
        path = urlsplit(url).path
    except ValueError:
        return None
    match = _PRODUCT_PATH.match(path)
    if not match:
        return None
    return match.group("prefix") or "", match.group("handle")


def detect(html: str, url: str) -> PlatformHint | None:
    """A Shopify hint when the page carries Shopify's markers and names a product handle (in its
    URL, else in its canonical link); ``None`` otherwise."""
    if ("hopify" not in html and "/cdn/shop/" not in html) or not _MARKERS.search(html):
        return None  # the substring tests are much faster than the regex over a page without them
    origin = origin_of(url)
    if origin is None:
        return None
    found = _product_path(url)
    if found is None:
        canonical = canonical_href(html)
        found = _product_path(canonical) if canonical else None
    if found is None:
        return None
    prefix, handle = found
    base = f"{origin}{prefix}/products/{handle}"
    match = _CURRENCY.search(html)
    currency = (match.group(1) or match.group(2)).upper() if match else None
    variant = parse_qs(urlsplit(url).query).get("variant", [None])[0]
    return PlatformHint(
        name=NAME,
        endpoints=(f"{base}.js", f"{base}.json"),
        currency=currency,
        variant=variant if variant and variant.isdigit() else None,
    )


def product_of(data: Any, slug: str | None = None) -> dict[str, Any] | None:
    """The product object of a ``.js`` answer or of a ``.json`` answer (``{"product": {...}}``), when
    it looks like a Shopify product (a title and variants); ``slug`` is not needed (one product)."""
    if isinstance(data, dict) and isinstance(data.get("product"), dict):
        data = data["product"]
    if not isinstance(data, dict):
        return None
    if not isinstance(data.get("title"), str) or not isinstance(data.get("variants"), list):
        return None
    return data


def _money(value: Any, cents: bool, currency: str | None) -> str | None:
    """A Shopify amount as a decimal string: ``.js`` amounts are integers in cents (whatever the
    currency), ``.json`` amounts are decimal strings."""
    if isinstance(value, bool) or value is None:
        return None
    if cents and isinstance(value, int):
        try:
            return format_decimal(Decimal(value) / 100)
        except InvalidOperation:
            return None
    return parse_price(value, currency)


def _selected_variant(
    variants: list[dict[str, Any]], wanted: str | None
) -> tuple[dict[str, Any] | None, bool]:
    """The variant the URL selects (and ``True``), else the first available one, else the first."""
    if wanted:
        for variant in variants:
            if str(variant.get("id")) == wanted:
                return variant, True
    for variant in variants:
        if variant.get("available") is True:
            return variant, False
    return (variants[0] if variants else None), False


def _image_url(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        src = value.get("src") or value.get("url")
        return src if isinstance(src, str) else None
    return None


def _video(item: dict[str, Any], name: str) -> Media | None:
    """A Shopify video media item as a Media (the largest MP4 source, or the hosted video's page)."""
    kind = item.get("media_type")
    if kind == "external_video":
        template = _VIDEO_HOSTS.get(str(item.get("host", "")).lower())
        external = str(item.get("external_id", ""))
        if template and re.fullmatch(r"[A-Za-z0-9_-]{1,64}", external):
            return Media(type=MediaType.VIDEO, url=template.format(external), name=name)
        return None
    if kind != "video":
        return None
    best: tuple[int, str] | None = None
    for source in as_list(item.get("sources"))[:10]:
        if not isinstance(source, dict) or not isinstance(source.get("url"), str):
            continue
        if "mp4" not in str(source.get("format", "")) + str(source.get("mime_type", "")):
            continue
        size = int(source.get("height") or 0) if str(source.get("height", "")).isdigit() else 0
        if best is None or size > best[0]:
            best = (size, source["url"])
    return Media(type=MediaType.VIDEO, url=best[1], name=name) if best else None


def _media(
    product: dict[str, Any], variant: dict[str, Any] | None, chosen: bool, page: Page
) -> tuple[list[str], list[Media]]:
    """Every picture of the product in full size (the chosen variant's first) and its videos."""
    name = clean_line(product.get("title"))
    raw: list[str] = []
    videos: list[Media] = []
    if chosen and variant is not None:
        featured = _image_url(variant.get("featured_image"))
        if featured:
            raw.append(featured)
    for item in as_list(product.get("media"))[:MAX_MEDIA]:
        if isinstance(item, dict):
            if item.get("media_type") == "image":
                url = _image_url(item)
                if url:
                    raw.append(url)
            else:
                video = _video(item, name)
                if video is not None:
                    videos.append(video)
    for item in as_list(product.get("images"))[:MAX_MEDIA]:
        url = _image_url(item)
        if url:
            raw.append(url)
    if not raw:
        featured = _image_url(product.get("featured_image") or product.get("image"))
        if featured:
            raw.append(featured)
    images: list[str] = []
    for url in raw:
        absolute = page.absolute(url)
        if absolute and absolute not in images:
            images.append(absolute)
    return images, [v for v in videos if page.absolute(v.url)]


def _availability(product: dict[str, Any], variants: list[dict[str, Any]], variant: dict[str, Any] | None,
                  chosen: bool) -> str | None:  # fmt: skip
    """InStock/OutOfStock from the ``available`` flags (``.js``); ``None`` when the JSON has none."""
    if chosen and variant is not None and isinstance(variant.get("available"), bool):
        return "InStock" if variant["available"] else "OutOfStock"
    if isinstance(product.get("available"), bool):
        return "InStock" if product["available"] else "OutOfStock"
    flags = [v.get("available") for v in variants if isinstance(v.get("available"), bool)]
    if flags:
        return "InStock" if any(flags) else "OutOfStock"
    return None


def read(data: Mapping[str, Any], page: Page) -> Found | None:
    """What a Shopify store's product JSON (as packed by :func:`~prodex.extract.platforms.
    platform_data`) says about the product; ``None`` when it holds no Shopify product."""
    product = product_of(data.get("product"))
    if product is None:
        return None
    endpoint = str(data.get("endpoint") or "")
    cents = urlsplit(endpoint).path.endswith(".js")
    currency = normalise_currency(data.get("currency"))
    variants = [v for v in product["variants"][:MAX_VARIANTS] if isinstance(v, dict)]
    wanted = data.get("variant")
    variant, chosen = _selected_variant(variants, str(wanted) if wanted else None)
    found = Found(source=SOURCE)
    _read_text(product, found)
    found.currency = currency
    if variant is not None:
        _read_variant(variant, cents, currency, found)
    if found.price is None:
        found.price = _money(product.get("price"), cents, currency)
    prices = [p for p in (_money(v.get("price"), cents, currency) for v in variants) if p]
    found.offer_prices = list(dict.fromkeys(([found.price] if found.price else []) + prices))
    found.availability = _availability(product, variants, variant, chosen)
    found.images, found.videos = _media(product, variant, chosen, page)
    found.variants = _variants(product, variants, cents, currency, page)
    return found


def _read_text(product: dict[str, Any], found: Found) -> None:
    """The title, the description (``.js``'s ``description`` or ``.json``'s ``body_html``) with its
    list items as selling points, the vendor as brand and the product type as category."""
    found.name = clean_line(product.get("title")) or None
    description = product.get("description") if "description" in product else product.get("body_html")
    found.description = (to_plain_text(description) or None) if isinstance(description, str) else None
    found.selling_points = list_items(description) if isinstance(description, str) else []
    found.brand = brand_of(product.get("vendor")) or None
    found.category = clean_line(product.get("type") or product.get("product_type")) or None


def _read_variant(variant: dict[str, Any], cents: bool, currency: str | None, found: Found) -> None:
    """The selected variant's price, sku and barcode, and its ``compare_at_price`` as an old price
    when higher."""
    found.price = _money(variant.get("price"), cents, currency)
    found.sku = identifier_of(variant.get("sku")) or None
    found.gtin = gtin_of({"gtin": variant.get("barcode")}) or None
    old = _money(variant.get("compare_at_price"), cents, currency)
    if old and found.price and Decimal(old) > Decimal(found.price):
        found.old_prices = [old]


def _option_names(product: dict[str, Any]) -> list[str]:
    """The product's option names in order (``options``: names or ``{name, values}`` objects)."""
    names: list[str] = []
    for option in as_list(product.get("options"))[:3]:
        name = option.get("name") if isinstance(option, dict) else option
        names.append(clean_line(name) if isinstance(name, str) else "")
    return names


def _variants(
    product: dict[str, Any], variants: list[dict[str, Any]], cents: bool, currency: str | None, page: Page
) -> list[Variant]:
    """Every variant with its options (``option1..3`` named by the product's ``options``, axis
    names in English), price, stock, sku, URL and picture; Shopify's lone "Default Title" variant
    is no choice."""
    names = _option_names(product)
    out: list[Variant] = []
    handle = product.get("handle")
    for variant in variants:
        options: dict[str, str] = {}
        for index in range(3):
            value = variant.get(f"option{index + 1}")
            if not isinstance(value, str) or not value or value == "Default Title":
                continue
            label = names[index] if index < len(names) else ""
            axis = axis_of(label) or OTHER
            options.setdefault(axis, clean_line(value))
        if not options:
            continue
        available = variant.get("available")
        stock = ("InStock" if available else "OutOfStock") if isinstance(available, bool) else None
        out.append(
            Variant(
                sku=identifier_of(variant.get("sku")) or None,
                name=clean_line(variant.get("title") or variant.get("name")) or None,
                options=options,
                price=_money(variant.get("price"), cents, currency),
                availability=stock,
                url=page.absolute(f"/products/{handle}?variant={variant['id']}")
                if isinstance(handle, str) and variant.get("id")
                else None,
                image=page.absolute(_image_url(variant.get("featured_image")) or None),
            )
        )
    return out


PLATFORM = Platform(name=NAME, detect=detect, product_of=product_of, read=read)
