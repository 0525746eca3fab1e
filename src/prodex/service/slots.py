"""Per-account slots for concurrent URL analyses (``Plan.concurrent_analyses``).

The count is kept in this process's memory: with several server processes each process
allows the plan's number of analyses (shared limits need a shared store; requests per minute
are shared through the rate-limit storage).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from prodex.errors import ConcurrencyLimited


class AnalysisSlots:
    """Counts the URL analyses running per account and refuses one more than the plan allows."""

    def __init__(self) -> None:
        self._running: dict[int, int] = {}
        self._released: asyncio.Event | None = None

    def in_use(self, account_id: int) -> int:
        """How many analyses of the account are running now."""
        return self._running.get(account_id, 0)

    @asynccontextmanager
    async def acquire(self, account_id: int, limit: int) -> AsyncIterator[None]:
        """Hold one slot for the duration of the ``async with`` block.

        Raises :class:`ConcurrencyLimited` (42901, HTTP 429) at once when ``limit`` analyses of
        the account are already running. The check and the increment run without an ``await``
        in between, so they are atomic on the event loop.
        """
        running = self._running.get(account_id, 0)
        if running >= limit:
            raise ConcurrencyLimited(
                f"Too many URL analyses at once: your plan allows {limit}; retry when one finishes.",
                retry_after=1,
            )
        self._running[account_id] = running + 1
        try:
            yield
        finally:
            self._release(account_id)

    @asynccontextmanager
    async def wait_for(self, account_id: int, limit: int) -> AsyncIterator[None]:
        """Hold one slot for the duration of the block, waiting for one when ``limit`` analyses
        of the account run (background work: an import item waits instead of failing)."""
        await self.take(account_id, limit)
        try:
            yield
        finally:
            self._release(account_id)

    async def take(self, account_id: int, limit: int) -> None:
        """Take one slot, waiting for one when ``limit`` analyses of the account run; give it
        back with :meth:`release` (:meth:`wait_for` does both around a block)."""
        while self._running.get(account_id, 0) >= limit:
            if self._released is None:
                self._released = asyncio.Event()
            await self._released.wait()
        self._running[account_id] = self._running.get(account_id, 0) + 1

    def release(self, account_id: int) -> None:
        """Give back a slot taken with :meth:`take`."""
        self._release(account_id)

    def _release(self, account_id: int) -> None:
        remaining = self._running.get(account_id, 1) - 1
        if remaining > 0:
            self._running[account_id] = remaining
        else:
            self._running.pop(account_id, None)
        if self._released is not None:
            released, self._released = self._released, None
            released.set()
