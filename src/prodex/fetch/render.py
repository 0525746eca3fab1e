"""JavaScript rendering: a product page loaded in headless Chromium, read back as HTML.

Public surface::

    Renderer(settings, *, fetcher=None, guard=None, resolver=None, transport=None)
        await render(url) -> FetchedPage      the rendered DOM's HTML as body, the final URL
        available / unavailable_reason        Chromium present and Playwright importable
        await aclose()
    check_render_support(settings) -> RenderSupport     (available, reason), without starting anything
    render_mode(settings) -> "auto" | "always" | "off"  PRODEX_RENDER with its default resolved
    render_health(settings, renderer=None)              the /healthz component (None when off)

How a render goes: the page is fetched by the :class:`~prodex.fetch.fetcher.Fetcher` as usual
(guard, redirects, bot walls; usually a cache hit after the static attempt), then a browser of the
pool (:mod:`prodex.fetch.browser_pool`) opens it in a FRESH context: no cookies, storage or cache
from any other page. Every request the page makes goes through :class:`PageTraffic`
(:mod:`prodex.fetch.browser_traffic`): refused, or fulfilled with a response prodex fetched itself
through the guard; the browser never connects anywhere. Service workers, downloads and popups are
blocked, WebSockets are closed. After the load event the render waits for the network to go quiet
(at most ``render_settle_seconds``), then reads the DOM (at most ``render_max_html_bytes``).

Limits: the page's render (fetching it, then loading and reading it in the browser) takes at most
``render_timeout`` seconds (UpstreamTimeout), and so may waiting for a free browser; the page's
JavaScript heap is capped by ``render_js_heap_mb`` (a page that needs more crashes its renderer:
UnusablePage); requests and bytes per render are budgeted; images, media and fonts are never downloaded.
"""

from __future__ import annotations

import asyncio
import importlib.util
import logging
import os
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from types import TracebackType
from typing import TYPE_CHECKING, Literal

import httpcore

from prodex.errors import (
    BodyTooLarge,
    FetchError,
    RenderingUnavailable,
    UnusablePage,
    UpstreamClientError,
    UpstreamServerError,
    UpstreamTimeout,
)
from prodex.fetch.botwall import raise_for_bot_wall
from prodex.fetch.browser_pool import BrowserPool
from prodex.fetch.browser_traffic import PREFETCH_DROPPED_HEADERS, PageTraffic
from prodex.fetch.fetcher import Fetcher
from prodex.fetch.guard import URLGuard
from prodex.fetch.page import FetchedPage
from prodex.fetch.resolver import Resolver
from prodex.settings import Settings

if TYPE_CHECKING:
    from playwright.async_api import Browser, BrowserContext, Page, WebSocketRoute

log = logging.getLogger("prodex.render")

RenderMode = Literal["auto", "always", "off"]
# Stops pages from opening windows before the context's page listener closes them.
NO_POPUPS_SCRIPT = "window.open = () => null;"
# How long closing a page's context may take before the browser is replaced.
CONTEXT_CLOSE_TIMEOUT = 5.0


@dataclass(frozen=True)
class RenderSupport:
    """Whether this server can render: Playwright importable and Chromium present, or why not."""

    available: bool
    reason: str | None = None


def check_render_support(settings: Settings) -> RenderSupport:
    """Check (without starting anything) that Playwright is installed and Chromium is executable."""
    if importlib.util.find_spec("playwright") is None:
        return RenderSupport(False, "Playwright is not installed (pip install prodex[browser])")
    path = settings.chromium_path
    if not path.is_file():
        return RenderSupport(False, f"Chromium was not found at {path} (apt-get install chromium)")
    if not os.access(path, os.X_OK):
        return RenderSupport(False, f"Chromium at {path} is not executable")
    return RenderSupport(True)


def render_mode(settings: Settings, support: RenderSupport | None = None) -> RenderMode:
    """PRODEX_RENDER as it applies: unset means ``auto`` when rendering is available, else ``off``."""
    if settings.render is not None:
        return settings.render
    support = support or check_render_support(settings)
    return "auto" if support.available else "off"


@dataclass(frozen=True)
class RenderHealth:
    """The ``render`` component of /healthz: ``available`` or ``unavailable: <reason>``."""

    text: str
    failing: bool


def render_health(settings: Settings, renderer: Renderer | None = None) -> RenderHealth | None:
    """The render component for /healthz, or None when rendering is switched off.

    Unavailable rendering fails the health check only when ``PRODEX_RENDER=always`` (every URL
    analysis needs it); with ``auto`` it is reported but the server still serves static pages.
    """
    if settings.render == "off":
        return None
    reason = renderer.unavailable_reason if renderer is not None else check_render_support(settings).reason
    if reason is None:
        return RenderHealth("available", failing=False)
    return RenderHealth(f"unavailable: {reason}", failing=settings.render == "always")


class Renderer:
    """Renders pages in a pool of headless Chromium processes, every request through the URL guard.

    ``fetcher`` is shared with the static path when given (its cache then holds the page already),
    else the renderer builds its own from ``settings``, ``guard`` or ``resolver`` and ``transport``
    (the socket dialer under the guard; tests use it). One Renderer per process and event loop;
    the browsers start on the first render. Close it with :meth:`aclose`.
    """

    def __init__(
        self,
        settings: Settings,
        *,
        fetcher: Fetcher | None = None,
        guard: URLGuard | None = None,
        resolver: Resolver | None = None,
        transport: httpcore.AsyncNetworkBackend | None = None,
    ) -> None:
        self.settings = settings
        self._own_fetcher = fetcher is None
        self.fetcher = fetcher or Fetcher(settings, resolver=resolver, transport=transport, guard=guard)
        self.guard = self.fetcher.guard
        self._support = check_render_support(settings)
        self._pool: BrowserPool | None = None
        self._closed = False

    @property
    def available(self) -> bool:
        """Whether pages can be rendered (Playwright importable, Chromium present and starting)."""
        return self.unavailable_reason is None

    @property
    def unavailable_reason(self) -> str | None:
        """Why rendering is unavailable, in words, or None when it is available."""
        if self._closed:
            return "the renderer has been shut down"
        if not self._support.available:
            return self._support.reason
        if self._pool is not None and self._pool.launch_error is not None:
            return f"Chromium did not start: {self._pool.launch_error}"
        return None

    @property
    def browsers_running(self) -> int:
        """How many browser processes are up right now."""
        return self._pool.browsers_running if self._pool is not None else 0

    async def __aenter__(self) -> Renderer:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close every browser and, when the renderer made it, its fetcher."""
        self._closed = True
        if self._pool is not None:
            await self._pool.aclose()
        if self._own_fetcher:
            await self.fetcher.aclose()

    async def render(self, url: str) -> FetchedPage:
        """Render ``url`` and return the page with the rendered DOM's HTML (UTF-8) as its body.

        ``url`` is the requested (canonical) URL and ``final_url`` where the browser ended. Raises
        RenderingUnavailable (no Playwright or Chromium, or Chromium would not start), the fetcher's
        errors for the page itself (URLRefused, Unreachable, Upstream*, NotHTML, BotWall...),
        UpstreamTimeout when the render takes longer than ``render_timeout``, BodyTooLarge for a
        rendered DOM over ``render_max_html_bytes``, UnusablePage when the page crashed the browser.
        """
        reason = self.unavailable_reason
        if reason is not None and (self._closed or not self._support.available):
            raise RenderingUnavailable(
                f"This page needs JavaScript rendering, which is not available on this server: {reason}."
            )
        seconds = self.settings.render_timeout
        loop = asyncio.get_running_loop()
        started = loop.time()
        try:
            async with asyncio.timeout(seconds):
                first = await self.fetcher.fetch(url)
            remaining = seconds - (loop.time() - started)
            # Waiting for a free browser, and starting one, are bounded apart: not the page's time.
            async with self._browser_pool().browser(wait=seconds) as browser, asyncio.timeout(remaining):
                return await self._render_in(browser, first)
        except TimeoutError:
            raise UpstreamTimeout(
                f"The page did not finish rendering within {seconds:g} s (PRODEX_RENDER_TIMEOUT)."
            ) from None

    def _browser_pool(self) -> BrowserPool:
        if self._pool is None:
            self._pool = BrowserPool(self.settings)
        return self._pool

    async def _render_in(self, browser: Browser, first: FetchedPage) -> FetchedPage:
        """Open ``first`` in a fresh context of ``browser``, let it run, and read the DOM back."""
        from playwright.async_api import Error as PlaywrightError

        traffic = PageTraffic(self.fetcher, self.settings, first)
        crashed = asyncio.Event()
        context: BrowserContext | None = None
        try:
            context = await browser.new_context(
                service_workers="block",
                accept_downloads=False,
                user_agent=self.settings.fetch_user_agent,
                viewport={"width": 1280, "height": 1600},
            )
            context.set_default_timeout(self.settings.render_timeout * 1000)
            await context.add_init_script(NO_POPUPS_SCRIPT)
            await context.route("**/*", traffic.handle)
            await context.route_web_socket("**/*", _close_web_socket)
            page = await context.new_page()
            traffic.page = page
            context.on("page", _close_popup(page))
            page.on("crash", lambda _page: crashed.set())
            await page.goto(first.final_url, wait_until="load")
            await _settle(page, self.settings.render_settle_seconds)
            html = await self._read_dom(page)
            final_url = page.url
        except PlaywrightError as exc:
            raise self._failure(traffic, crashed, exc) from None
        finally:
            await traffic.close()
            if context is not None:
                await self._close_context(browser, context)
        if traffic.main_error is not None:
            raise traffic.main_error
        return self._rendered_page(first, final_url, traffic, html)

    async def _read_dom(self, page: Page) -> str:
        """The serialised DOM, refused when it is larger than ``render_max_html_bytes``."""
        limit = self.settings.render_max_html_bytes
        length = await page.evaluate(
            "() => document.documentElement ? document.documentElement.outerHTML.length : 0"
        )
        if int(length) > limit:
            raise BodyTooLarge(f"The rendered page is larger than the allowed {limit // 1024} KiB.")
        html = await page.content()
        if len(html.encode("utf-8", "surrogatepass")) > limit:
            raise BodyTooLarge(f"The rendered page is larger than the allowed {limit // 1024} KiB.")
        return html

    def _failure(self, traffic: PageTraffic, crashed: asyncio.Event, exc: Exception) -> FetchError:
        """The typed error for a failed render (Playwright's own messages are not shown to clients)."""
        if traffic.main_error is not None:
            return traffic.main_error
        if crashed.is_set():
            return UnusablePage(
                "The page crashed the browser while rendering (it probably needed more memory than "
                "PRODEX_RENDER_JS_HEAP_MB allows)."
            )
        log.info("render failed: %s", str(exc).strip().splitlines()[0][:300] if str(exc).strip() else exc)
        return UnusablePage("The page could not be rendered by the browser.")

    def _rendered_page(
        self, first: FetchedPage, final_url: str, traffic: PageTraffic, html: str
    ) -> FetchedPage:
        """The result: the rendered HTML as a page; error statuses and bot walls raise as for a fetch."""
        status = traffic.main_status
        final = final_url if final_url.startswith(("http://", "https://")) else first.final_url
        headers = {k: v for k, v in traffic.main_headers.items() if k not in PREFETCH_DROPPED_HEADERS}
        headers["content-type"] = "text/html; charset=utf-8"
        raise_for_bot_wall(html, status=status, headers=headers, url=final)
        if status >= 500:
            raise UpstreamServerError(
                f"The shop answered HTTP {status}; retry later.", upstream_status=status
            )
        if status >= 400:
            raise UpstreamClientError(
                f"The shop answered HTTP {status} for this URL.", upstream_status=status
            )
        return FetchedPage(
            url=first.url,
            final_url=final,
            status=status,
            headers=headers,
            body=html.encode("utf-8", "replace"),
            content_type="text/html",
            charset="utf-8",
            redirects=first.redirects,
        )

    async def _close_context(self, browser: Browser, context: BrowserContext) -> None:
        """Close the page's context; a browser that cannot close it (hung page) is replaced."""
        try:
            async with asyncio.timeout(CONTEXT_CLOSE_TIMEOUT):
                await context.close()
        except Exception as exc:  # a hung or crashed browser fails here in many ways
            log.warning("a browser context did not close (%s); replacing the browser", type(exc).__name__)
            if self._pool is not None:
                await self._pool.discard(browser)


async def _settle(page: Page, seconds: float) -> None:
    """Wait until the page's network has been quiet for 500 ms, at most ``seconds``."""
    from playwright.async_api import TimeoutError as PlaywrightTimeout

    if seconds <= 0:
        return
    try:
        await page.wait_for_load_state("networkidle", timeout=seconds * 1000)
    except PlaywrightTimeout:
        log.debug("the page's network did not go quiet within %s s; reading it anyway", seconds)


async def _close_web_socket(socket: WebSocketRoute) -> None:
    """WebSockets are never connected: the page sees one that closes at once."""
    await socket.close(code=1008, reason="WebSockets are not allowed while rendering")


def _close_popup(main: Page) -> Callable[[Page], Awaitable[None]]:
    """A context ``page`` listener that closes every page other than ``main`` (popups, new tabs)."""

    async def close(page: Page) -> None:
        if page is not main:
            try:
                await page.close()
            except Exception:  # the context may be closing already
                return

    return close
