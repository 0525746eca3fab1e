"""Shop platforms recognised from the page, not the host: Shopify and WooCommerce.

Pure, like the rest of :mod:`prodex.extract`. Two steps, with the network in between done by the
analysis layer (:func:`prodex.analysis.platform_data.fetch_platform_data`)::

    hint = registry.detect_platform(html, url)   # cheap: regexes over the raw text, no parse
    ... fetch one of hint.endpoints as JSON, pack it with platform_data(hint, endpoint, json) ...
    extract_product(html, url, platform_data=packed)   # the platform's reader runs first, trusted most

The platform's JSON gives the exact title, the description, every picture in full size, the
variants' prices, vendor/brand, sku, barcode and availability; the page's own readers still fill
what the JSON lacks (currency on Shopify, breadcrumbs, selling points). Its values are recorded
with the source ``site:<platform>``.

To add a platform: a module here with ``NAME``, ``detect(html, url) -> PlatformHint | None``,
``product_of(json, slug) -> dict | None``, ``read(platform_data, page) -> Found | None`` and
``PLATFORM = Platform(name=NAME, detect=detect, product_of=product_of, read=read)``, listed with
its priority in :data:`prodex.extract.registry.PLATFORMS`. Files starting with ``_`` are helpers.
"""

from __future__ import annotations

from prodex.extract.platforms._hint import MAX_ENDPOINTS, PlatformHint, platform_data

__all__ = ["MAX_ENDPOINTS", "PlatformHint", "platform_data"]
