"""The URL analysis: fetch a page, ask its platform's JSON, extract, classify, render when needed.

    url --fetch--> page --platform data--> extract, page kind, app-shell test (one worker task) -->
        product page  -> the product
        listing       -> NoProductFound
        empty shell   -> render in Chromium (auto/always) and extract again, or RenderingUnavailable

It holds no account or credit logic (that is :mod:`prodex.service.analysis`); every error it
raises is a :class:`~prodex.errors.FetchError` with a message for the client.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from prodex.analysis.page_work import PageAnalysis
from prodex.analysis.workers import ExtractionPool
from prodex.errors import NoProductFound, RenderingUnavailable
from prodex.extract import PageKind, Product
from prodex.fetch import FetchedPage, Fetcher

RenderMode = Literal["auto", "always", "off"]
PlatformDataFetcher = Callable[[Fetcher, FetchedPage], Awaitable[Mapping[str, Any]]]

LISTING_MSG = (
    "This URL shows a list of products (a category or search page), not one product; "
    "send the URL of a single product page."
)
NO_PRODUCT_MSG = "No product was found on this page; send the URL of a single product page."
SHELL_MSG = (
    "This page only shows its product after JavaScript runs, and JavaScript rendering is {why}; "
    "enter the product by hand or ask the operator to enable rendering (PRODEX_RENDER)."
)


class PageRenderer(Protocol):
    """A browser that renders a page and returns the rendered DOM as a FetchedPage."""

    @property
    def available(self) -> bool:
        """Whether rendering can run here (browser and driver present)."""
        ...

    @property
    def unavailable_reason(self) -> str | None:
        """Why rendering cannot run, or None when it can."""
        ...

    async def render(self, url: str) -> FetchedPage:
        """The page at ``url`` after its scripts ran."""
        ...


@dataclass(frozen=True)
class Analysis:
    """What an analysis found: the product, the page it came from, and whether it was rendered."""

    product: Product
    page: FetchedPage
    rendered: bool


class Analyzer:
    """Turns a product page URL into a :class:`Product` (see the module docstring)."""

    def __init__(
        self,
        fetcher: Fetcher,
        pool: ExtractionPool,
        *,
        renderer: PageRenderer | None = None,
        render_mode: RenderMode = "auto",
        platform_data: PlatformDataFetcher | None = None,
    ) -> None:
        self.fetcher = fetcher
        self.pool = pool
        self.renderer = renderer
        self.render_mode: RenderMode = render_mode
        self._platform_data = platform_data

    @property
    def can_render(self) -> bool:
        """Whether this analyzer may and can render pages."""
        return self.render_mode != "off" and self.renderer is not None and self.renderer.available

    async def analyze(self, url: str, *, render: bool = False) -> Analysis:
        """Analyse the page at ``url``; ``render=True`` asks for browser rendering up front."""
        if render or self.render_mode == "always":
            return await self._rendered(url)
        page = await self.fetcher.fetch(url)
        found = await self._analyse(page)
        if found.kind is PageKind.PRODUCT:
            return Analysis(found.product, page, rendered=False)
        if found.kind is PageKind.LISTING:
            raise NoProductFound(LISTING_MSG)
        if not found.app_shell:
            raise NoProductFound(NO_PRODUCT_MSG)
        if not self.can_render:
            raise RenderingUnavailable(SHELL_MSG.format(why=self._why_not_rendering()))
        return await self._rendered(url)

    async def _rendered(self, url: str) -> Analysis:
        if not self.can_render:
            raise RenderingUnavailable(SHELL_MSG.format(why=self._why_not_rendering()))
        assert self.renderer is not None
        page = await self.renderer.render(url)
        found = await self._analyse(page)
        if found.kind is PageKind.PRODUCT:
            return Analysis(found.product, page, rendered=True)
        raise NoProductFound(LISTING_MSG if found.kind is PageKind.LISTING else NO_PRODUCT_MSG)

    async def _analyse(self, page: FetchedPage) -> PageAnalysis:
        data: Mapping[str, Any] = {}
        if self._platform_data is not None:
            data = await self._platform_data(self.fetcher, page)
        return await self.pool.analyse(page.text, page.final_url, data or None)

    def _why_not_rendering(self) -> str:
        if self.render_mode == "off":
            return "switched off on this server"
        if self.renderer is None:
            return "not enabled on this server"
        return f"unavailable on this server ({self.renderer.unavailable_reason or 'unknown reason'})"
