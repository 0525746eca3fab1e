"""prodex.extract: any product page's HTML to a clean, typed :class:`Product`.

Pure: no network, no database, no clock, no global mutable state. The page is parsed once
(selectolax/lexbor); readers (site modules, JSON-LD, microdata, embedded app state, OpenGraph
and meta tags, DOM heuristics) each report what they found, and a merge picks every field from
its most trustworthy source, recorded in ``Product.source``.

    >>> from prodex.extract import extract_product
    >>> product = extract_product(html_bytes, "https://shop.example/p/1")
    >>> product.name, product.price, product.currency

A site module's author needs :class:`Site` (or :class:`Platform` and :class:`PlatformHint`),
:class:`Page` (the parsed page its reader gets) and :class:`Found` (what the reader reports); the
modules are listed in :mod:`prodex.extract.registry`.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from prodex.extract.found import Found
from prodex.extract.model import Media, MediaType, Product
from prodex.extract.page import Page
from prodex.extract.pagekind import PageKind, is_product, page_kind
from prodex.extract.platforms import PlatformHint
from prodex.extract.site import Platform, Site

__all__ = [
    "Found",
    "Media",
    "MediaType",
    "Page",
    "PageKind",
    "Platform",
    "PlatformHint",
    "Product",
    "Site",
    "extract_product",
    "is_product",
    "page_kind",
]

log = logging.getLogger(__name__)


def extract_product(
    html: str | bytes, url: str, *, platform_data: Mapping[str, Any] | None = None
) -> Product:
    """The product on the page at ``url`` whose HTML (text, or bytes in any encoding) is ``html``.

    ``platform_data``: the shop platform's own product JSON when the caller fetched it (for
    example Shopify's ``/products/<handle>.js``). Packed by
    :func:`prodex.extract.platforms.platform_data` (a known ``"platform"``), it is read by that
    platform's reader and trusted like a site module (source ``site:<platform>``); any other JSON
    is read like embedded app state and trusted right after a site module (source ``platform``).

    Never raises: whatever the input, it returns what it could find (at least ``Product(url=url)``)
    within bounded time and memory.
    """
    from prodex.extract.pipeline import run

    try:
        return run(html, url, platform_data)
    except Exception:
        log.debug("extraction failed for %s", url, exc_info=True)
        return Product(url=url if isinstance(url, str) else "")
