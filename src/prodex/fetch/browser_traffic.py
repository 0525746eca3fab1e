"""The network of one render: every request the page makes is decided and served here.

Installed as the browser context's route handler (``context.route("**/*", traffic.handle)``), so
Chromium asks before ANY http(s) request. Each one is either aborted or fulfilled with a response
that prodex fetched itself through :meth:`Fetcher.fetch_resource` (the URL guard, the pinned-address
network backend, the body bounds): the browser never connects anywhere, so a DNS answer that changes
between the check and the connection (rebinding) has nothing to slip into.

Refused (aborted) without any connection:

- non-http(s) schemes, and every URL the guard refuses (host rules, allow-list, every resolved
  address checked before anything is dialled);
- images, media, fonts, and every resource type a product page's text does not need (beacons,
  event streams, manifests, text tracks, prefetches); frames other than the main one, and popups;
- methods other than GET, HEAD and POST (POST only from scripts, with a bounded body);
- anything past the render's budget: ``render_max_requests`` requests and
  ``render_max_transfer_bytes`` decoded bytes (each response also within ``fetch_max_body_bytes``).

The page's first document is the page the fetcher already fetched (redirects followed, bot walls
and content type checked, usually from its cache), so rendering does not fetch the page twice.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Coroutine
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from prodex.errors import (
    BodyTooLarge,
    FetchError,
    Unreachable,
    UpstreamServerError,
    UpstreamTimeout,
    URLRefused,
)
from prodex.fetch.content import check_content
from prodex.fetch.fetcher import Fetcher
from prodex.fetch.page import FetchedPage
from prodex.settings import Settings

if TYPE_CHECKING:
    from playwright.async_api import Page, Request, Route

log = logging.getLogger("prodex.render")

# Resource types a page needs to build its DOM; everything else is aborted.
NEEDED_TYPES = frozenset({"document", "script", "stylesheet", "xhr", "fetch"})
# Resource types that may POST (a page's API calls, e.g. GraphQL product queries).
POST_TYPES = frozenset({"xhr", "fetch"})
MAX_POST_BYTES = 256 * 1024
# How many refusals are kept for diagnostics (the rest are only counted).
MAX_RECORDED_REFUSALS = 100
BUDGET_SPENT = "the render's download budget is spent (PRODEX_RENDER_MAX_TRANSFER_BYTES)"
# Headers of a fetched page that describe its wire form, or that were joined lossily.
PREFETCH_DROPPED_HEADERS = frozenset(
    {"content-encoding", "content-length", "transfer-encoding", "set-cookie"}
)


@dataclass(frozen=True)
class Refusal:
    """A request of the page that was aborted, and why (the guard's message or the policy's)."""

    url: str
    reason: str


@dataclass
class TrafficStats:
    """What one render's page asked for: served requests, refusals, decoded bytes downloaded."""

    served: int = 0
    refused: int = 0
    bytes: int = 0
    refusals: list[Refusal] = field(default_factory=list)


def _abort_code(error: FetchError) -> str:
    """The Chromium network error a failed fetch is reported to the page as."""
    if isinstance(error, URLRefused):
        return "blockedbyclient"
    if isinstance(error, UpstreamTimeout):
        return "timedout"
    if isinstance(error, Unreachable):
        return "connectionrefused"
    return "failed"


class PageTraffic:
    """Decides and serves every request of one page (see the module docstring).

    ``first_document`` answers the page's first navigation. After the render, :attr:`main_error`
    holds why the main frame's own document could not be loaded (guard refusal, fetch failure, not
    HTML), and :attr:`main_status`/:attr:`main_headers` describe the document it shows.
    """

    def __init__(self, fetcher: Fetcher, settings: Settings, first_document: FetchedPage) -> None:
        self._fetcher = fetcher
        self._settings = settings
        self._first_document = first_document
        self._first_served = False
        self._navigations = 0
        self._requests = 0
        self._closed = False
        self._tasks: set[asyncio.Task[Any]] = set()
        self.page: Page | None = None
        self.stats = TrafficStats()
        self.main_error: FetchError | None = None
        self.main_status = first_document.status
        self.main_headers: dict[str, str] = dict(first_document.headers)

    async def handle(self, route: Route) -> None:
        """The route handler: fulfil the request with a guarded fetch, or abort it. Never raises."""
        request = route.request
        try:
            refusal = self._policy_refusal(request)
            if refusal is not None:
                await self._abort(route, request.url, refusal, "blockedbyclient")
                return
            if self._is_main_navigation(request):
                await self._serve_main_document(route, request)
            else:
                await self._serve_resource(route, request)
        except Exception as exc:  # the request must be answered, whatever happened
            if not self._closed:
                log.debug("route handler failed for a request: %s", type(exc).__name__)
            await _quietly(route.abort("failed"))

    def _policy_refusal(self, request: Request) -> str | None:
        """Why the request is refused before anything else is looked at, or None."""
        if self._closed:
            return "the render is over"
        if not request.url.startswith(("http://", "https://")):
            return "only http and https requests are allowed"
        kind = request.resource_type
        if kind not in NEEDED_TYPES:
            return f"{kind} requests are not needed to read a product"
        if kind == "document" and not self._is_main_navigation(request):
            return "frames and popups are not loaded"
        method = request.method.upper()
        if method not in ("GET", "HEAD", "POST") or (method == "POST" and kind not in POST_TYPES):
            return f"{kind} {method[:16]} requests are not allowed"
        if method == "POST" and len(request.post_data_buffer or b"") > MAX_POST_BYTES:
            return f"a request body over {MAX_POST_BYTES // 1024} KiB"
        self._requests += 1
        if self._requests > self._settings.render_max_requests:
            return f"more than {self._settings.render_max_requests} requests (PRODEX_RENDER_MAX_REQUESTS)"
        if self.stats.bytes >= self._settings.render_max_transfer_bytes:
            return BUDGET_SPENT
        return None

    def _is_main_navigation(self, request: Request) -> bool:
        """Whether ``request`` loads the document of the rendered page's main frame."""
        if request.resource_type != "document" or not request.is_navigation_request():
            return False
        try:
            frame = request.frame
        except Exception:  # requests of service workers have no frame
            return False
        return frame.parent_frame is None and self.page is not None and frame.page is self.page

    async def _serve_main_document(self, route: Route, request: Request) -> None:
        """Answer a navigation of the main frame: the prefetched page first, then guarded fetches."""
        self._navigations += 1
        if not self._first_served:
            self._first_served = True
            await route.fulfill(**_prefetched_fulfilment(self._first_document))
            self.stats.served += 1
            return
        if self._navigations > self._settings.fetch_max_redirects + 1:
            self.main_error = FetchError(
                f"The page redirected more than {self._settings.fetch_max_redirects} times while rendering."
            )
            await self._abort(route, request.url, "too many navigations", "blockedbyclient")
            return
        page = await self._fetch(route, request)
        if page is None:
            return
        if 200 <= page.status < 300:
            try:
                check_content(page.content_type, page.body, "html")
            except FetchError as exc:
                self.main_error = exc
                await self._abort(route, request.url, exc.msg, "blockedbyclient")
                return
        self.main_status = page.status
        self.main_headers = dict(page.headers)
        await route.fulfill(**_resource_fulfilment(page))
        self.stats.served += 1

    async def _serve_resource(self, route: Route, request: Request) -> None:
        """Answer a script, stylesheet or API request with a guarded fetch."""
        page = await self._fetch(route, request)
        if page is not None:
            await route.fulfill(**_resource_fulfilment(page))
            self.stats.served += 1

    async def _fetch(self, route: Route, request: Request) -> FetchedPage | None:
        """Fetch what ``request`` asks for through the fetcher's browser mode; None when aborted."""
        budget = self._settings.render_max_transfer_bytes - self.stats.bytes
        headers = await request.all_headers()
        body = request.post_data_buffer if request.method.upper() == "POST" else None
        fetch = self._fetcher.fetch_resource(
            request.url, method=request.method, headers=headers, body=body, max_bytes=max(budget, 1)
        )
        outcome = await self._run(fetch)
        if outcome is None:  # the render ended while fetching
            await _quietly(route.abort("aborted"))
            return None
        if isinstance(outcome, FetchError):
            if isinstance(outcome, BodyTooLarge) and budget < self._settings.fetch_max_body_bytes:
                outcome = BodyTooLarge(
                    "the render's download budget is spent (PRODEX_RENDER_MAX_TRANSFER_BYTES)"
                )
            if self._is_main_navigation(request):
                self.main_error = outcome
            await self._abort(route, request.url, outcome.msg, _abort_code(outcome))
            return None
        self.stats.bytes += len(outcome.body)
        return outcome

    async def _run(self, work: Coroutine[Any, Any, FetchedPage]) -> FetchedPage | FetchError | None:
        """Run a fetch as a task this render can cancel; its page, its typed error, or None if cancelled."""
        task = asyncio.ensure_future(work)
        self._tasks.add(task)
        try:
            await asyncio.wait({task})
        finally:
            self._tasks.discard(task)
        if task.cancelled():
            return None
        error = task.exception()
        if error is None:
            return task.result()
        if isinstance(error, FetchError):
            return error
        log.warning("a browser request failed unexpectedly: %s", type(error).__name__)
        return UpstreamServerError("The request failed.", upstream_status=502)

    async def _abort(self, route: Route, url: str, reason: str, code: str) -> None:
        """Abort the request and remember why (bounded)."""
        self.stats.refused += 1
        if len(self.stats.refusals) < MAX_RECORDED_REFUSALS:
            self.stats.refusals.append(Refusal(url[:300], reason))
        log.debug("render refused %s: %s", url[:300], reason)
        await _quietly(route.abort(code))

    async def close(self) -> None:
        """End the render's traffic: refuse new requests and cancel the fetches still running."""
        self._closed = True
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


def _prefetched_fulfilment(page: FetchedPage) -> dict[str, Any]:
    """``route.fulfill`` arguments for a page :meth:`Fetcher.fetch` fetched: its text as UTF-8.

    Such a page's headers describe the wire form and join Set-Cookie lines with commas, so those
    are left out; the text is the one static extraction read (the HTTP charset outranks any
    ``<meta charset>`` in the document, so the browser reads the same characters).
    """
    headers = {k: v for k, v in page.headers.items() if k not in PREFETCH_DROPPED_HEADERS}
    headers["content-type"] = f"{page.content_type or 'text/html'}; charset=utf-8"
    return {"status": page.status, "headers": headers, "body": page.text.encode("utf-8")}


def _resource_fulfilment(page: FetchedPage) -> dict[str, Any]:
    """``route.fulfill`` arguments for a browser-mode fetch (headers already browser-ready)."""
    return {"status": page.status, "headers": dict(page.headers), "body": page.body}


async def _quietly(action: Awaitable[None]) -> None:
    """Await a route action whose failure no longer matters (the page or context may be gone)."""
    try:
        await action
    except Exception:  # the request may already be answered or its page closed
        return
