"""The in-process worker's supervision: a worker that fails is started again, and stops for good
when asked to stop."""

from __future__ import annotations

import asyncio
import logging

import pytest

from prodex.jobs.supervise import run_supervised


async def test_a_run_that_fails_is_started_again_until_it_runs_and_stops(
    caplog: pytest.LogCaptureFixture,
) -> None:
    stop = asyncio.Event()
    starts: list[float] = []

    async def worker() -> None:
        starts.append(asyncio.get_running_loop().time())
        if len(starts) < 3:
            raise ConnectionError("the database went away")
        stop.set()  # the third run works until the service stops

    with caplog.at_level(logging.ERROR, logger="prodex.jobs.supervise"):
        restarts = await asyncio.wait_for(
            run_supervised(worker, stop, name="test worker", first_pause=0.05, max_pause=0.5), 5
        )
    assert restarts == 2
    assert len(starts) == 3
    assert starts[2] - starts[1] >= starts[1] - starts[0] >= 0.04  # the pause grows
    assert sum("ConnectionError" in (r.exc_text or "") for r in caplog.records) == 2


async def test_a_run_that_returns_while_not_stopped_is_started_again() -> None:
    stop = asyncio.Event()
    runs = 0

    async def worker() -> None:
        nonlocal runs
        runs += 1
        if runs == 2:
            stop.set()

    assert await asyncio.wait_for(run_supervised(worker, stop, name="w", first_pause=0.01), 5) == 1
    assert runs == 2


async def test_stopping_during_the_pause_ends_at_once_without_another_run() -> None:
    stop = asyncio.Event()
    runs = 0

    async def worker() -> None:
        nonlocal runs
        runs += 1
        raise RuntimeError("broken")

    supervised = asyncio.create_task(run_supervised(worker, stop, name="w", first_pause=30))
    await asyncio.sleep(0.05)
    stop.set()
    assert await asyncio.wait_for(supervised, 1) == 0
    assert runs == 1


async def test_cancelling_the_supervisor_cancels_the_run() -> None:
    stop = asyncio.Event()
    cancelled = asyncio.Event()

    async def worker() -> None:
        try:
            await asyncio.sleep(30)
        except asyncio.CancelledError:
            cancelled.set()
            raise

    supervised = asyncio.create_task(run_supervised(worker, stop, name="w"))
    await asyncio.sleep(0.02)
    supervised.cancel()
    with pytest.raises(asyncio.CancelledError):
        await supervised
    assert cancelled.is_set()
