"""The registry of site modules and shop platforms: every module is registered, lookups follow
priorities, and no two entries of equal priority claim the same host or page."""

from __future__ import annotations

import gzip
import json
import pkgutil
import re
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from fixtures.platform_store import shopify_page, woo_page
from prodex.extract import platforms, registry, sites
from prodex.extract.registry import PLATFORMS, SITES, detect_platform, platform_named, site_for
from prodex.extract.site import Platform, Site

HERE = Path(__file__).parent
GOLDEN = HERE / "golden"
PLATFORM_PAGES = HERE / "platform_pages"
# Hosts the site modules are documented to read (docs/extraction.md's table), beside the golden cases' hosts.
KNOWN_HOSTS = [
    "www.amazon.com",
    "amazon.co.uk",
    "www.amazon.de",
    "www.amazon.co.jp",
    "www.amazon.com.br",
    "www.amazon.eg",
    "www.ebay.com",
    "www.ebay.co.uk",
    "www.ebay.de",
    "www.ebay.com.au",
    "www.ebay.ph",
    "www.etsy.com",
    "www.walmart.com",
    "www.walmart.ca",
    "www.tiktok.com",
    "shop.tiktok.com",
    "www.aliexpress.com",
    "de.aliexpress.com",
    "www.aliexpress.us",
]
NOT_SITE_HOSTS = (
    "amazon.example.com",
    "myebay.com",
    "notetsy.com",
    "shop.example",
    "walmart.com.evil.example",
)


def _modules(package: object) -> set[str]:
    path = getattr(package, "__path__")  # noqa: B009 - a package's search path
    return {m.name for m in pkgutil.iter_modules(path) if not m.name.startswith("_")}


def _golden_urls() -> list[str]:
    return [json.loads(p.read_text(encoding="utf-8"))["url"] for p in sorted(GOLDEN.glob("*/*.json"))]


def _platform_page_urls() -> list[str]:
    labels = json.loads((PLATFORM_PAGES / "labels.json").read_text(encoding="utf-8"))
    return [str(label.get("url") or "") for label in labels.values()]


def _hosts() -> list[str]:
    urls = _golden_urls() + _platform_page_urls()
    return sorted({urlsplit(u).hostname or "" for u in urls} - {""} | set(KNOWN_HOSTS) | set(NOT_SITE_HOSTS))


def _pages() -> list[tuple[str, str]]:
    """(html, url) of every golden case, saved platform page and fixture platform page."""
    pages = []
    for html in sorted(GOLDEN.glob("*/*.html")):
        spec = json.loads(html.with_suffix(".json").read_text(encoding="utf-8"))
        pages.append((html.read_text(encoding="utf-8", errors="replace"), spec["url"]))
    labels = json.loads((PLATFORM_PAGES / "labels.json").read_text(encoding="utf-8"))
    for page_id, label in sorted(labels.items()):
        body = gzip.decompress((PLATFORM_PAGES / "pages" / f"{page_id}.html.gz").read_bytes())
        pages.append((body.decode("utf-8", "replace"), str(label.get("url") or "")))
    pages.append(
        (shopify_page("https://shop.example", "aurora-mug"), "https://shop.example/products/aurora-mug")
    )
    pages.append(
        (woo_page("https://woo.example", 123, "linen-shirt"), "https://woo.example/product/linen-shirt/")
    )
    return pages


def test_every_site_module_is_registered() -> None:
    registered = {site.read.__module__.rsplit(".", 1)[-1] for site in SITES}
    assert registered == _modules(sites)
    for site in SITES:
        module = __import__(site.read.__module__, fromlist=["SITE"])
        assert module.SITE.name == site.name and module.SITE.hosts is site.hosts


def test_every_platform_module_is_registered() -> None:
    registered = {platform.read.__module__.rsplit(".", 1)[-1] for platform in PLATFORMS}
    assert registered == _modules(platforms)
    assert all(platform_named(platform.name) is platform for platform in PLATFORMS)


def test_names_are_unique() -> None:
    names = Counter([site.name for site in SITES] + [platform.name for platform in PLATFORMS])
    assert [name for name, count in names.items() if count > 1] == []


@pytest.mark.parametrize("host", _hosts())
def test_no_two_sites_of_equal_priority_match_a_host(host: str) -> None:
    matching = Counter(site.priority for site in SITES if site.matches(host))
    assert all(count == 1 for count in matching.values()), (host, matching)


def test_documented_hosts_find_their_site() -> None:
    assert all(site_for(host) is not None for host in KNOWN_HOSTS)
    assert all(site_for(host) is None for host in NOT_SITE_HOSTS)
    assert site_for("www.amazon.co.uk").name == "amazon"  # type: ignore[union-attr]


def test_no_two_platforms_of_equal_priority_recognise_a_page() -> None:
    recognised = 0
    for html, url in _pages():
        matching = Counter(p.priority for p in PLATFORMS if p.detect(html, url) is not None)
        assert all(count == 1 for count in matching.values()), (url, matching)
        recognised += bool(matching)
    assert recognised >= 10  # the check saw real platform pages


def test_the_highest_priority_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    """Overlapping hosts are settled by priority, whatever the order of the entries."""
    general = Site(name="general", hosts=re.compile(r"(?:^|\.)example\.com$"), read=lambda page: None)
    special = Site(name="special", hosts=re.compile(r"^outlet\.example\.com$"), read=lambda page: None)
    for entries in (((general, 0), (special, 10)), ((special, 10), (general, 0))):
        monkeypatch.setattr(registry, "SITES", registry._ranked_sites(*entries))
        assert site_for("outlet.example.com").name == "special"  # type: ignore[union-attr]
        assert site_for("www.example.com").name == "general"  # type: ignore[union-attr]


def test_detection_follows_priority(monkeypatch: pytest.MonkeyPatch) -> None:
    html, url = shopify_page("https://shop.example", "mug"), "https://shop.example/products/mug"
    shopify = platform_named("shopify")
    assert shopify is not None
    always = Platform(
        name="always",
        detect=lambda h, u: platforms.PlatformHint("always", ()),
        product_of=shopify.product_of,
        read=shopify.read,
    )
    monkeypatch.setattr(registry, "PLATFORMS", registry._ranked_platforms((shopify, 0), (always, 5)))
    assert detect_platform(html, url) == platforms.PlatformHint("always", ())
    monkeypatch.setattr(registry, "PLATFORMS", registry._ranked_platforms((always, -5), (shopify, 0)))
    assert detect_platform(html, url).name == "shopify"  # type: ignore[union-attr]
