"""Concurrency limits for fetching: one global limit and one per host, released when unused."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager


class FetchLimiter:
    """At most ``max_total`` requests in flight overall and ``max_per_host`` to any one host.

    Per-host semaphores exist only while a request for that host is waiting or running, so the
    table stays as small as the number of hosts being fetched right now.
    """

    def __init__(self, max_total: int, max_per_host: int, total: asyncio.Semaphore | None = None) -> None:
        self._total = total if total is not None else asyncio.Semaphore(max_total)
        self._max_per_host = max_per_host
        self._hosts: dict[str, tuple[asyncio.Semaphore, int]] = {}

    def sharing_total(self, max_per_host: int) -> FetchLimiter:
        """Another limiter with its own per-host limit, drawing on this one's overall limit."""
        return FetchLimiter(0, max_per_host, total=self._total)

    @property
    def active_hosts(self) -> int:
        """How many hosts have a request waiting or running."""
        return len(self._hosts)

    @asynccontextmanager
    async def slot(self, host: str) -> AsyncIterator[None]:
        """Hold one slot for ``host`` (and one global slot) for the duration of the block."""
        semaphore, users = self._hosts.get(host, (None, 0))
        if semaphore is None:
            semaphore = asyncio.Semaphore(self._max_per_host)
        self._hosts[host] = (semaphore, users + 1)
        try:
            async with semaphore, self._total:
                yield
        finally:
            semaphore, users = self._hosts[host]
            if users <= 1:
                del self._hosts[host]
            else:
                self._hosts[host] = (semaphore, users - 1)
