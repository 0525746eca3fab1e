"""An interim :class:`~prodex.webhooks.scheduling.DeliveryScheduler`: attempts run as asyncio tasks
of this process, each sleeping until its time.

NOT durable and not shared: a restart forgets the attempts that were waiting, and each process
runs only what it scheduled itself. It stands in until deliveries go on the job queue
(``prodex.jobs``), which implements the same one-method seam.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime

from prodex.service.clock import utcnow

log = logging.getLogger(__name__)

AttemptRunner = Callable[[str, int], Awaitable[object]]


class InProcessScheduler:
    """Runs each scheduled attempt at its time in a task of the running event loop."""

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[None]] = set()
        self._run: AttemptRunner | None = None

    def bind(self, run: AttemptRunner) -> None:
        """Set the function that makes an attempt (``run(delivery_id, attempt)``)."""
        self._run = run

    async def schedule(self, delivery_id: str, attempt: int, run_at: datetime) -> None:
        """Run attempt ``attempt`` of ``delivery_id`` at ``run_at`` or later (in this process)."""
        task = asyncio.create_task(self._later(delivery_id, attempt, run_at), name=f"webhook-{delivery_id}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _later(self, delivery_id: str, attempt: int, run_at: datetime) -> None:
        delay = (run_at - utcnow()).total_seconds()
        if delay > 0:
            await asyncio.sleep(delay)
        if self._run is None:
            raise RuntimeError("InProcessScheduler.bind() was not called")
        try:
            await self._run(delivery_id, attempt)
        except Exception:
            log.exception("webhook delivery %s attempt %d failed unexpectedly", delivery_id, attempt)

    @property
    def waiting(self) -> int:
        """How many attempts are scheduled or running."""
        return len(self._tasks)

    async def aclose(self) -> None:
        """Cancel every waiting attempt and wait until they have stopped."""
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
