"""Shop platforms recognised from the page, not the host: Shopify and WooCommerce.

Pure, like the rest of :mod:`prodex.extract`. Two steps, with the network in between done by the
analysis layer (:func:`prodex.analysis.platform_data.fetch_platform_data`)::

    hint = detect_platform(html, url)        # cheap: regexes over the raw text, no parse
    ... fetch one of hint.endpoints as JSON, pack it with platform_data(hint, endpoint, json) ...
    extract_product(html, url, platform_data=packed)   # read_platform_data() runs first, trusted most

The platform's JSON gives the exact title, the description, every picture in full size, the
variants' prices, vendor/brand, sku, barcode and availability; the page's own readers still fill
what the JSON lacks (currency on Shopify, breadcrumbs, selling points). Its values are recorded
with the source ``site:<platform>``.

To add a platform: a module here with ``NAME``, ``detect(html, url) -> PlatformHint | None``,
``product_of(json, slug) -> dict | None`` and ``read(platform_data, page) -> Found | None``, listed in
:data:`PLATFORMS`.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import ModuleType
from typing import Any

from prodex.extract.found import Found
from prodex.extract.page import Page
from prodex.extract.platforms import shopify, woocommerce
from prodex.extract.platforms.hint import MAX_ENDPOINTS, PlatformHint, platform_data

__all__ = [
    "MAX_ENDPOINTS",
    "PLATFORMS",
    "PlatformHint",
    "detect_platform",
    "has_product",
    "platform_data",
    "read_platform_data",
]

PLATFORMS: dict[str, ModuleType] = {shopify.NAME: shopify, woocommerce.NAME: woocommerce}


def detect_platform(html: str, url: str) -> PlatformHint | None:
    """The shop platform the page at ``url`` runs on and the JSON endpoints of its product, or
    ``None`` (not a recognised platform, or not a product page of one)."""
    if not isinstance(html, str) or not isinstance(url, str):
        return None
    for module in PLATFORMS.values():
        hint: PlatformHint | None = module.detect(html, url)
        if hint is not None:
            return hint
    return None


def has_product(data: Mapping[str, Any]) -> bool:
    """Whether packed platform data holds a product its platform's reader can read."""
    module = PLATFORMS.get(str(data.get("platform")))
    if module is None:
        return False
    slug = data.get("slug")
    return module.product_of(data.get("product"), slug if isinstance(slug, str) else None) is not None


def read_platform_data(data: Mapping[str, Any], page: Page) -> Found | None:
    """What packed platform data (see :func:`platform_data`) says about the page's product."""
    module = PLATFORMS.get(str(data.get("platform")))
    if module is None:
        return None
    found: Found | None = module.read(data, page)
    return found if found is not None and not found.is_empty() else None
