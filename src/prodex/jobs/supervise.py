"""Keep a long-running coroutine going: run it again, after a growing pause, whenever it fails.

The job worker inside ``prodex serve`` has no process supervisor of its own (``prodex worker``
exits non-zero and lets systemd or Kubernetes start it again): if it ends on an error (the database
gone for a while, a bug in a backend), :func:`run_supervised` logs the error and starts it again,
so the service never goes on answering while no job runs.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)

FIRST_PAUSE_SECONDS = 1.0
MAX_PAUSE_SECONDS = 60.0
HEALTHY_SECONDS = 300.0
"""A run that lasted this long before failing was healthy: the next pause starts from the first."""


async def run_supervised(
    run: Callable[[], Awaitable[None]],
    stop: asyncio.Event,
    *,
    name: str,
    first_pause: float = FIRST_PAUSE_SECONDS,
    max_pause: float = MAX_PAUSE_SECONDS,
) -> int:
    """Run ``run()`` until ``stop`` is set, starting it again after each failure or early return
    (pausing ``first_pause`` seconds, doubled after each failure in a row, at most ``max_pause``);
    returns how many times it was started again."""
    loop = asyncio.get_running_loop()
    pause, restarts = first_pause, 0
    while True:
        started = loop.time()
        try:
            await run()
        except Exception:  # not CancelledError (a BaseException): cancelling the supervisor ends it
            log.exception("%s failed; starting it again in %.0f s", name, pause)
        else:
            if stop.is_set():
                return restarts
            log.error("%s stopped on its own; starting it again in %.0f s", name, pause)
        if loop.time() - started >= HEALTHY_SECONDS:
            pause = first_pause
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), pause)
        if stop.is_set():
            return restarts
        restarts += 1
        pause = min(pause * 2, max_pause)
