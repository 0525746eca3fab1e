"""The pool of headless Chromium processes behind the renderer (Playwright, Debian's ``chromium``).

``render_pool_size`` browser processes, each started when first needed (the most recently used free
one is lent first, so light load keeps one browser warm), each rendering ONE page at a time in a
fresh context; a browser that crashed or disconnected is replaced, and each is replaced anyway after
``render_recycle_after`` renders (leaks of a long-lived browser stay bounded).

Chromium never opens a connection of its own: every request is served by prodex's route
interception, and as a second wall Chromium's network stack is pointed at a proxy that is a socket
bound on 127.0.0.1 but never listening (every attempt is refused at once, and no other process can
take the port), with loopback not exempted, and its host resolver maps every name to "not found".
WebSockets, preconnects and anything the interception does not see therefore fail closed.

Playwright is imported lazily: prodex installs and runs without it (``pip install prodex[browser]``).
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from prodex.errors import RenderingUnavailable, UpstreamTimeout
from prodex.settings import Settings

if TYPE_CHECKING:
    from playwright.async_api import Browser, Playwright

log = logging.getLogger("prodex.render")

# Flags that keep Chromium quiet, small and off the network (Playwright adds its own defaults).
BASE_FLAGS = (
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-dev-shm-usage",
    "--mute-audio",
    "--renderer-process-limit=2",
)
# How long starting a browser may take (a cold start on a busy machine takes a few seconds).
LAUNCH_TIMEOUT = 30.0
# How long closing a browser may take before it is left to Playwright's clean-up.
CLOSE_TIMEOUT = 10.0


class NetworkSink:
    """A TCP port on 127.0.0.1 that is bound but never listens: connecting to it is refused at once.

    Chromium's proxy points here, so a connection Chromium would open by itself goes nowhere.
    """

    def __init__(self) -> None:
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.bind(("127.0.0.1", 0))
        self.port: int = self._socket.getsockname()[1]

    def close(self) -> None:
        """Release the port."""
        self._socket.close()


def chromium_flags(settings: Settings, sink_port: int) -> list[str]:
    """The command-line flags of a pooled Chromium: limits, no own networking, sandbox unless root."""
    flags = [
        *BASE_FLAGS,
        f"--js-flags=--max-old-space-size={settings.render_js_heap_mb}",
        f"--proxy-server=http://127.0.0.1:{sink_port}",
        "--proxy-bypass-list=<-loopback>",
        "--host-resolver-rules=MAP * ~NOTFOUND",
    ]
    if os.geteuid() == 0:
        flags.append("--no-sandbox")  # Chromium refuses to start as root with its sandbox
    return flags


@dataclass
class _Slot:
    """One browser process of the pool (started lazily) and how many pages it has rendered."""

    browser: Browser | None = None
    renders: int = 0


class BrowserPool:
    """``render_pool_size`` Chromium processes, lent out one page at a time with :meth:`browser`."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._sink = NetworkSink()
        self._playwright: Playwright | None = None
        self._start_lock = asyncio.Lock()
        self._slots = [_Slot() for _ in range(settings.render_pool_size)]
        # Last in, first out: a warm browser is reused, more start only when pages overlap.
        self._idle: asyncio.LifoQueue[_Slot] = asyncio.LifoQueue()
        for slot in self._slots:
            self._idle.put_nowait(slot)
        self._closed = False
        self.launch_error: str | None = None

    @property
    def browsers_running(self) -> int:
        """How many browser processes are up right now."""
        return sum(1 for slot in self._slots if slot.browser is not None and slot.browser.is_connected())

    @asynccontextmanager
    async def browser(self, *, wait: float) -> AsyncIterator[Browser]:
        """Wait (at most ``wait`` seconds) for a free browser, start or replace it when needed, and
        hold it for the block.

        Raises UpstreamTimeout when every browser stayed busy, RenderingUnavailable when Chromium
        cannot be started (within ``LAUNCH_TIMEOUT``). A browser whose page broke it (see
        :meth:`discard`) is replaced on its next use.
        """
        if self._closed:
            raise RenderingUnavailable("The renderer has been shut down.")
        try:
            async with asyncio.timeout(wait):
                slot = await self._idle.get()
        except TimeoutError:
            raise UpstreamTimeout(
                f"All {len(self._slots)} of this server's browsers stayed busy for {wait:g} s; retry later."
            ) from None
        try:
            browser = await self._ready(slot)
            yield browser
        finally:
            slot.renders += 1
            self._idle.put_nowait(slot)

    async def discard(self, browser: Browser) -> None:
        """Close ``browser`` (it hung or misbehaved); its slot starts a fresh one on next use."""
        for slot in self._slots:
            if slot.browser is browser:
                slot.browser = None
        await _close_browser(browser)

    async def _ready(self, slot: _Slot) -> Browser:
        """The slot's browser, started when missing, dead, or due for recycling."""
        browser = slot.browser
        if (
            browser is not None
            and browser.is_connected()
            and slot.renders < self.settings.render_recycle_after
        ):
            return browser
        slot.browser = None
        if browser is not None:
            await _close_browser(browser)
        slot.browser = await self._launch()
        slot.renders = 0
        return slot.browser

    async def _launch(self) -> Browser:
        """Start one headless Chromium; RenderingUnavailable with the reason when it fails."""
        from playwright.async_api import Error as PlaywrightError

        playwright = await self._started_playwright()
        try:
            browser = await playwright.chromium.launch(
                executable_path=str(self.settings.chromium_path),
                headless=True,
                args=chromium_flags(self.settings, self._sink.port),
                timeout=LAUNCH_TIMEOUT * 1000,
                handle_sigint=False,
                handle_sigterm=False,
                handle_sighup=False,
            )
        except PlaywrightError as exc:
            self.launch_error = _first_line(exc.message)
            log.error("Chromium did not start: %s", self.launch_error)
            raise RenderingUnavailable(
                "This page needs JavaScript rendering, but the browser could not be started on this server."
            ) from None
        self.launch_error = None
        return browser

    async def _started_playwright(self) -> Playwright:
        """Playwright's driver, started once (lazily, so prodex runs without Playwright installed)."""
        async with self._start_lock:
            if self._closed:
                raise RenderingUnavailable("The renderer has been shut down.")
            if self._playwright is None:
                try:
                    from playwright.async_api import async_playwright
                except ImportError as exc:
                    raise RenderingUnavailable(
                        "This page needs JavaScript rendering, but Playwright is not installed "
                        "(pip install prodex[browser])."
                    ) from exc
                self._playwright = await async_playwright().start()
            return self._playwright

    async def aclose(self) -> None:
        """Close every browser, stop Playwright's driver and release the sink port."""
        self._closed = True
        browsers = [slot.browser for slot in self._slots if slot.browser is not None]
        for slot in self._slots:
            slot.browser = None
        await asyncio.gather(*(_close_browser(b) for b in browsers))
        async with self._start_lock:
            if self._playwright is not None:
                playwright, self._playwright = self._playwright, None
                try:
                    await playwright.stop()
                except Exception as exc:  # shutting down: report, never raise
                    log.warning("Playwright did not stop cleanly: %s", _first_line(str(exc)))
        self._sink.close()


async def _close_browser(browser: Browser) -> None:
    """Close a browser within :data:`CLOSE_TIMEOUT`; failures are logged, never raised."""
    try:
        async with asyncio.timeout(CLOSE_TIMEOUT):
            await browser.close()
    except Exception as exc:  # a dead browser may fail to close in many ways
        log.warning("a browser did not close cleanly: %s", _first_line(str(exc)))


def _first_line(text: Any) -> str:
    """The first line of an error message, bounded (Playwright's messages carry long call logs)."""
    return str(text).strip().splitlines()[0][:300] if str(text).strip() else "unknown error"
