"""A short-lived, bounded cache of fetched pages, and single-flight sharing of fetches in progress.

A retry of the same URL within the TTL costs no second fetch, and concurrent requests for the same
URL share one fetch. The cache is bounded by entries AND by bytes (pages can be megabytes), evicting
the least recently used first. Only successful fetches are stored; errors are shared by the callers
waiting at the same moment but not remembered.
"""

from __future__ import annotations

import asyncio
import functools
import time
from collections import OrderedDict
from collections.abc import Callable, Coroutine, Hashable
from typing import Any

from prodex.fetch.page import FetchedPage


class PageCache:
    """An LRU of pages with a time-to-live, at most ``max_entries`` pages and ``max_bytes`` bytes."""

    def __init__(
        self,
        ttl: float,
        max_entries: int,
        max_bytes: int,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._ttl = ttl
        self._max_entries = max_entries
        self._max_bytes = max_bytes
        self._clock = clock
        self._entries: OrderedDict[Hashable, tuple[float, FetchedPage]] = OrderedDict()
        self._bytes = 0

    @property
    def enabled(self) -> bool:
        """Whether anything can be stored (a zero TTL, entry or byte budget turns the cache off)."""
        return self._ttl > 0 and self._max_entries > 0 and self._max_bytes > 0

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def size_bytes(self) -> int:
        """The bytes held by the stored pages (as estimated by :attr:`FetchedPage.size`)."""
        return self._bytes

    def get(self, key: Hashable) -> FetchedPage | None:
        """The page stored under ``key`` if it has not expired."""
        entry = self._entries.get(key)
        if entry is None:
            return None
        expires, page = entry
        if self._clock() >= expires:
            self._remove(key)
            return None
        self._entries.move_to_end(key)
        return page

    def put(self, key: Hashable, page: FetchedPage) -> None:
        """Store ``page`` (unless caching is off or the page alone exceeds the byte budget)."""
        if not self.enabled or page.size > self._max_bytes:
            return
        self._remove(key)
        self._entries[key] = (self._clock() + self._ttl, page)
        self._bytes += page.size
        while len(self._entries) > self._max_entries or self._bytes > self._max_bytes:
            oldest = next(iter(self._entries))
            self._remove(oldest)

    def _remove(self, key: Hashable) -> None:
        entry = self._entries.pop(key, None)
        if entry is not None:
            self._bytes -= entry[1].size

    def clear(self) -> None:
        """Forget every page."""
        self._entries.clear()
        self._bytes = 0


class SingleFlight:
    """Runs one task per key at a time; callers asking for a key already in flight await that task.

    A caller that is cancelled does not cancel the shared task (others may be waiting on it); the
    task ends on its own (it is bounded by the fetch's total timeout) or in :meth:`cancel_all`.
    """

    def __init__(self) -> None:
        self._tasks: dict[Hashable, asyncio.Task[FetchedPage]] = {}

    def __len__(self) -> int:
        return len(self._tasks)

    async def run(self, key: Hashable, start: Callable[[], Coroutine[Any, Any, FetchedPage]]) -> FetchedPage:
        """The result of the task in flight for ``key``, starting ``start()`` when there is none."""
        task = self._tasks.get(key)
        if task is None:
            task = asyncio.create_task(start())
            self._tasks[key] = task
            task.add_done_callback(functools.partial(self._forget, key))
        return await asyncio.shield(task)

    def _forget(self, key: Hashable, task: asyncio.Task[FetchedPage]) -> None:
        if self._tasks.get(key) is task:
            del self._tasks[key]
        if not task.cancelled():
            task.exception()  # mark the exception retrieved when no caller is left to await it

    async def cancel_all(self) -> None:
        """Cancel every task in flight and wait for them to finish."""
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
