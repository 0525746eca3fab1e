"""Politeness towards the shops an import reads, shared by every worker through the database.

Two limits per shop host (``PRODEX_IMPORT_HOST_CONCURRENCY`` and
``PRODEX_IMPORT_HOST_INTERVAL_SECONDS``):

- **at most N analyses at once**: the ``k``-th item of a host is on lane ``k mod N`` of that
  host; a lane is a chain of queue jobs, each running the lane's next item and then deferring the
  next job, all with the lock ``import-host:<host>:<lane>`` (the queue never runs two jobs of one
  lock at once, over every worker and machine); an analysis asks its host for one page (and the
  platform's product JSON after it), so the host sees at most N requests at once. Only the head
  of each lane waits in the queue (not thousands of jobs), which keeps fetching a job cheap;
- **a minimum interval between two starts**: before it starts, an item books the host's next turn
  in ``import_hosts`` (in the transaction that starts it) and sleeps until then. A lane books its
  next item's turn ahead, while the item before it is analysed, only on a host whose starts need
  no spacing (no interval, not slowed down): see :meth:`HostPace.spaced`.

A 429 or 503 from the shop (after the fetcher's own retries) doubles the host's slowdown (up to
``PRODEX_IMPORT_MAX_SLOWDOWN``): turns are then ``max(interval, SLOW_FLOOR_SECONDS) * slowdown``
apart, and the item waits for its turn again. Each success halves the slowdown back towards 1.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping

from sqlalchemy import Connection

from prodex.settings import Settings
from prodex.store import imports as repo
from prodex.store.db import Database

#: The least spacing of two starts on a slowed host, when the configured interval is smaller.
SLOW_FLOOR_SECONDS = 0.5
LANE_LOCK_PREFIX = "import-host"


def lane_lock(host: str, lane: int) -> str:
    """The queue lock of one of a host's lanes."""
    return f"{LANE_LOCK_PREFIX}:{host}:{lane}"


class HostPace:
    """Books turns on shop hosts and slows a host down after a 429 or 503 (module docstring)."""

    def __init__(self, settings: Settings, database: Database) -> None:
        self.interval = settings.import_host_interval_seconds
        self.max_slowdown = settings.import_max_slowdown
        self.database = database
        self._slowdowns: dict[str, float] = {}

    def spacing(self, slowdown: float) -> float:
        """Seconds between two starts on a host with this slowdown."""
        if slowdown <= 1:
            return self.interval
        return max(self.interval, SLOW_FLOOR_SECONDS) * slowdown

    def spaced(self, host: str) -> bool:
        """Whether two starts on the host must be apart (an interval is set, or this worker last
        saw the host slowed down): a turn booked ahead of time would then not keep the spacing."""
        return self.spacing(self._slowdowns.get(host, 1.0)) > 0

    async def turn(self, host: str) -> None:
        """Wait for this host's next turn (booked for the caller)."""
        await self.wait_until(await self.database.run_in_transaction(self.book, host))

    def book(self, conn: Connection, host: str) -> float:
        """Book the host's next turn inside an open write transaction; returns its epoch time."""
        return self.book_hosts(conn, {host: 1})[host][0]

    def book_hosts(self, conn: Connection, counts: Mapping[str, int]) -> dict[str, list[float]]:
        """Book the next ``count`` turns of each host of ``{host: count}`` inside an open write
        transaction (one statement on PostgreSQL); returns each host's turns as epoch times, in
        order."""
        booked = repo.hosts_turns(conn, counts, self.interval, time.time(), slow_floor=SLOW_FLOOR_SECONDS)
        turns: dict[str, list[float]] = {}
        for host, (starts, slowdown) in booked.items():
            self._slowdowns[host] = slowdown
            turns[host] = starts
        return turns

    @staticmethod
    async def wait_until(start: float) -> None:
        """Sleep until the epoch time ``start`` (a booked turn)."""
        delay = start - time.time()
        if delay > 0:
            await asyncio.sleep(delay)

    async def slowed(self, host: str) -> float:
        """The shop answered 429/503: double the host's slowdown; returns the new spacing."""
        slowdown = min(max(self._slowdowns.get(host, 1.0), 1.0) * 2, self.max_slowdown)
        self._slowdowns[host] = slowdown
        spacing = self.spacing(slowdown)
        await self.database.run_in_transaction(repo.set_host_pace, host, slowdown, time.time() + spacing)
        return spacing

    async def eased(self, host: str) -> None:
        """An analysis on the host succeeded: halve a slowdown (nothing to do when there is none)."""
        slowdown = self._slowdowns.get(host, 1.0)
        if slowdown <= 1:
            return
        slowdown = max(1.0, slowdown / 2)
        self._slowdowns[host] = slowdown
        await self.database.run_in_transaction(repo.set_host_pace, host, slowdown)
