"""What a page says about the shop platform it runs on, and the platform data that comes back.

:class:`PlatformHint` is the result of a cheap look at a page (regular expressions over its raw
text, no parsing): the platform's name and the JSON endpoints that describe the page's product.
:func:`platform_data` packs what an endpoint answered into the plain mapping that
``extract_product(..., platform_data=...)`` takes::

    {"platform": "shopify", "endpoint": "https://shop/products/mug.js", "product": {...},
     "currency": "EUR", "variant": "4011", "slug": None}
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

MAX_ENDPOINTS = 2
MAX_HEAD_CHARS = 400_000
_CANONICAL = re.compile(
    r"""<link\b[^>]{0,300}?\brel\s*=\s*["']?canonical["']?[^>]{0,300}?\bhref\s*=\s*["']([^"'<>\s]{1,2000})["']"""
    r"""|<link\b[^>]{0,300}?\bhref\s*=\s*["']([^"'<>\s]{1,2000})["'][^>]{0,300}?\brel\s*=\s*["']?canonical\b""",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class PlatformHint:
    """A shop platform recognised from a page, and where its product JSON is.

    ``endpoints`` are absolute URLs on the page's own origin, best first (at most
    :data:`MAX_ENDPOINTS`); ``currency`` is the ISO code the page declares for its prices (Shopify's
    product JSON has none); ``variant`` is the variant the URL selects; ``slug`` the product slug
    the URL names (WooCommerce answers a list for a slug query).
    """

    name: str
    endpoints: tuple[str, ...]
    currency: str | None = None
    variant: str | None = None
    slug: str | None = None


def platform_data(hint: PlatformHint, endpoint: str, product: Any) -> dict[str, Any]:
    """The mapping ``extract_product(..., platform_data=...)`` takes, for ``product`` as answered
    by ``endpoint``."""
    return {
        "platform": hint.name,
        "endpoint": endpoint,
        "product": product,
        "currency": hint.currency,
        "variant": hint.variant,
        "slug": hint.slug,
    }


def origin_of(url: str) -> str | None:
    """``scheme://host[:port]`` of an http(s) URL, or ``None``."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}"


def canonical_href(html: str) -> str | None:
    """The href of the page's ``<link rel="canonical">``, found in the head by a regex, if any."""
    head = html[:MAX_HEAD_CHARS]
    end = head.find("</head>")
    match = _CANONICAL.search(head, 0, end if end >= 0 else len(head))
    if not match:
        return None
    return match.group(1) or match.group(2)


def same_site(url: str, page_url: str) -> bool:
    """Whether ``url`` is on the page's host (``www.`` ignored), so endpoints stay on the shop."""
    try:
        host, page_host = urlsplit(url).hostname or "", urlsplit(page_url).hostname or ""
    except ValueError:
        return False
    return bool(host) and host.removeprefix("www.") == page_host.removeprefix("www.")
