"""The one registry of site modules (read by host) and shop platforms (recognised from the page).

Every entry is listed here explicitly with its priority: nothing is discovered by file order.
When several entries match a host (sites) or recognise a page (platforms), the highest priority
wins; entries of equal priority must never match the same host or page (a test checks the
registered modules, their golden cases and the fixture pages). To add a site or a platform, write
its module (see :mod:`prodex.extract.sites`, :mod:`prodex.extract.platforms`) and add one line
below.

    >>> site_for("www.amazon.de").name
    'amazon'
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from prodex.extract.found import Found
from prodex.extract.page import Page
from prodex.extract.platforms import PlatformHint, shopify, woocommerce
from prodex.extract.site import Platform, Site
from prodex.extract.sites import aliexpress, amazon, ebay, etsy, tiktok, walmart

__all__ = [
    "PLATFORMS",
    "SITES",
    "detect_platform",
    "has_product",
    "platform_named",
    "read_platform_data",
    "site_for",
]


def _ranked_sites(*entries: tuple[Site, int]) -> tuple[Site, ...]:
    """The sites with their priorities, highest first (the order of a lookup)."""
    sites = [replace(site, priority=priority) for site, priority in entries]
    return tuple(sorted(sites, key=lambda site: -site.priority))


def _ranked_platforms(*entries: tuple[Platform, int]) -> tuple[Platform, ...]:
    """The platforms with their priorities, highest first (the order of detection)."""
    platforms = [replace(platform, priority=priority) for platform, priority in entries]
    return tuple(sorted(platforms, key=lambda platform: -platform.priority))


SITES: tuple[Site, ...] = _ranked_sites(
    (aliexpress.SITE, 0),  # aliexpress.com, aliexpress.us and their language subdomains
    (amazon.SITE, 0),  # amazon.<every marketplace>
    (ebay.SITE, 0),  # ebay.<every marketplace>
    (etsy.SITE, 0),  # etsy.com
    (tiktok.SITE, 0),  # tiktok.com
    (walmart.SITE, 0),  # walmart.com, walmart.ca
)
"""Site modules, highest priority first."""

PLATFORMS: tuple[Platform, ...] = _ranked_platforms(
    (shopify.PLATFORM, 0),  # Shopify's script and asset markers + a /products/<handle> URL
    (woocommerce.PLATFORM, 0),  # body classes single-product + woocommerce, the WordPress REST root
)
"""Shop platforms, highest priority first."""

_PLATFORMS_BY_NAME: dict[str, Platform] = {platform.name: platform for platform in PLATFORMS}


def site_for(host: str) -> Site | None:
    """The site module that reads pages of ``host`` (the highest priority match), if any."""
    for site in SITES:
        if site.matches(host):
            return site
    return None


def platform_named(name: object) -> Platform | None:
    """The registered platform called ``name``, if any."""
    return _PLATFORMS_BY_NAME.get(name) if isinstance(name, str) else None


def detect_platform(html: str, url: str) -> PlatformHint | None:
    """The shop platform the page at ``url`` runs on and the JSON endpoints of its product, or
    ``None`` (not a recognised platform, or not a product page of one)."""
    if not isinstance(html, str) or not isinstance(url, str):
        return None
    for platform in PLATFORMS:
        hint = platform.detect(html, url)
        if hint is not None:
            return hint
    return None


def has_product(data: Mapping[str, Any]) -> bool:
    """Whether packed platform data holds a product its platform's reader can read."""
    platform = platform_named(data.get("platform"))
    if platform is None:
        return False
    slug = data.get("slug")
    return platform.product_of(data.get("product"), slug if isinstance(slug, str) else None) is not None


def read_platform_data(data: Mapping[str, Any], page: Page) -> Found | None:
    """What packed platform data (see :func:`prodex.extract.platforms.platform_data`) says about
    the page's product."""
    platform = platform_named(data.get("platform"))
    if platform is None:
        return None
    found = platform.read(data, page)
    return found if found is not None and not found.is_empty() else None
