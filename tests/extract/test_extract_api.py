"""The public surface of prodex.extract: what callers and site-module authors import."""

from __future__ import annotations

import prodex.extract

PUBLIC = [
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


def test_all_is_pinned() -> None:
    """Adding or removing a public name is a decision: change this list with it."""
    assert prodex.extract.__all__ == PUBLIC


def test_every_public_name_is_there() -> None:
    assert all(getattr(prodex.extract, name, None) is not None for name in PUBLIC)


def test_a_site_module_can_be_written_from_the_public_names() -> None:
    import re

    from prodex.extract import Found, Page, Site

    def read(page: Page) -> Found | None:
        found = Found(source="site:demo")
        found.name = page.url.rsplit("/", 1)[-1]
        return found

    site = Site(name="demo", hosts=re.compile(r"(?:^|\.)demo\.example$"), read=read)
    page = Page.parse("<html><body><h1>x</h1></body></html>", "https://demo.example/kettle")
    assert site.matches(page.host) and site.source == "site:demo"
    found = site.read(page)
    assert found is not None and found.name == "kettle"
