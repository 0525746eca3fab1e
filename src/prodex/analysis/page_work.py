"""The CPU-heavy part of one page's analysis, run inside an extraction worker.

Everything that parses or walks a page runs here, never on the server's event loop: the
extraction, the page-kind decision and, when the page carries no product, the app-shell test.
``safe=True`` first bounds the markup (:func:`prodex.extract.bound.bound_markup`) for a page
whose first analysis overran its CPU budget; a page with more tags than the bound is bounded at once.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from prodex.analysis.shell import looks_like_app_shell
from prodex.extract import PageKind, Product, extract_product, page_kind
from prodex.extract.bound import bound_markup, needs_bounds


@dataclass(frozen=True)
class PageAnalysis:
    """What the worker found on a page: the product, its page kind, and whether the page is an
    application shell (only tested when the kind is not a product or a listing)."""

    product: Product
    kind: PageKind
    app_shell: bool = False
    bounded: bool = False
    """Whether the markup had to be bounded first (safe mode)."""


def analyse_page(
    html: str, url: str, platform_data: Mapping[str, Any] | None = None, safe: bool = False
) -> PageAnalysis:
    """Extract, classify and (for a page without a product) test for an app shell."""
    safe = safe or needs_bounds(html)
    if safe:
        html = bound_markup(html)
    product = (
        extract_product(html, url, platform_data=platform_data)
        if platform_data
        else extract_product(html, url)
    )
    kind = page_kind(product)
    shell = kind is PageKind.EMPTY and looks_like_app_shell(html)
    return PageAnalysis(product, kind, app_shell=shell, bounded=safe)


def warm_up() -> int:
    """Import and exercise the extractor once so that the first real page pays no start-up cost;
    returns the process id."""
    analyse_page(
        "<html><head><title>warm-up</title></head><body><h1>x</h1></body></html>", "https://a.example/"
    )
    return os.getpid()
