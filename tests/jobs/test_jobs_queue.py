"""The job queue on both backends (embedded SQLite runner, procrastinate on PostgreSQL): jobs run
with their payload and the worker's resources, not before their time, retried by their policy,
one at a time per lock, and they survive a restart of the process's queue."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from prodex.jobs import (
    JobContext,
    JobQueue,
    Resources,
    RetryLater,
    RetryPolicy,
    TaskRegistry,
    open_queue,
    worker_options,
)
from prodex.settings import Settings
from prodex.store.db import Database


class Journal:
    """A resource the test tasks write to."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any], int]] = []
        self.running = 0
        self.most_running = 0


@asynccontextmanager
async def opened(settings: Settings, database: Database, registry: TaskRegistry) -> AsyncIterator[JobQueue]:
    queue = open_queue(settings, database, registry)
    await queue.open()
    try:
        yield queue
    finally:
        await queue.aclose()


@asynccontextmanager
async def working(queue: JobQueue, settings: Settings, journal: Journal) -> AsyncIterator[None]:
    stop = asyncio.Event()
    task = asyncio.create_task(queue.run_worker(Resources(journal), worker_options(settings), stop))
    try:
        yield
    finally:
        stop.set()
        await asyncio.wait_for(task, 10)


async def until(check: Callable[[], bool | Awaitable[bool]], seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while True:
        result = check()
        if not isinstance(result, bool):
            result = await result
        if result:
            return
        assert time.monotonic() < deadline, "condition not reached in time"
        await asyncio.sleep(0.02)


def recording_registry() -> TaskRegistry:
    registry = TaskRegistry()

    @registry.task("record")
    async def record(context: JobContext, payload: dict[str, Any]) -> None:
        context.get(Journal).calls.append((context.task, payload, context.attempt))

    @registry.task("flaky", retry=RetryPolicy(attempts=3, first_delay=0.05))
    async def flaky(context: JobContext, payload: dict[str, Any]) -> None:
        journal = context.get(Journal)
        journal.calls.append((context.task, payload, context.attempt))
        if context.attempt < 3:
            raise RetryLater(0.05) if context.attempt == 2 else RuntimeError("first try fails")

    @registry.task("doomed", retry=RetryPolicy(attempts=2, first_delay=0.05))
    async def doomed(context: JobContext, payload: dict[str, Any]) -> None:
        context.get(Journal).calls.append((context.task, payload, context.attempt))
        raise RuntimeError("always fails")

    @registry.task("slow")
    async def slow(context: JobContext, payload: dict[str, Any]) -> None:
        journal = context.get(Journal)
        journal.running += 1
        journal.most_running = max(journal.most_running, journal.running)
        await asyncio.sleep(0.05)
        journal.running -= 1
        journal.calls.append((context.task, payload, context.attempt))

    return registry


async def test_a_job_runs_once_with_its_payload_and_the_workers_resources(
    queue_settings: Settings, queue_database: Database
) -> None:
    journal = Journal()
    async with opened(queue_settings, queue_database, recording_registry()) as queue:
        job_id = await queue.defer("record", {"n": 1, "text": "é"})
        assert job_id
        async with working(queue, queue_settings, journal):
            await until(lambda: len(journal.calls) == 1)
            await until(lambda: _none_pending(queue))
        assert journal.calls == [("record", {"n": 1, "text": "é"}, 1)]


async def _none_pending(queue: JobQueue) -> bool:
    return await queue.pending() == 0


async def test_a_job_does_not_start_before_its_time(
    queue_settings: Settings, queue_database: Database
) -> None:
    journal = Journal()
    async with opened(queue_settings, queue_database, recording_registry()) as queue:
        later = datetime.now(UTC) + timedelta(seconds=1.5)
        await queue.defer("record", {"n": "later"}, run_at=later)
        await queue.defer("record", {"n": "now"})
        async with working(queue, queue_settings, journal):
            await until(lambda: len(journal.calls) == 1)
            assert journal.calls[0][1] == {"n": "now"}
            await asyncio.sleep(0.5)
            assert len(journal.calls) == 1
            await until(lambda: len(journal.calls) == 2)
        assert datetime.now(UTC) >= later


async def test_failed_jobs_run_again_by_their_policy_then_give_up(
    queue_settings: Settings, queue_database: Database
) -> None:
    journal = Journal()
    async with opened(queue_settings, queue_database, recording_registry()) as queue:
        await queue.defer("flaky", {"n": 1})
        await queue.defer("doomed", {"n": 2})
        async with working(queue, queue_settings, journal):
            await until(lambda: len(journal.calls) == 5)
            await until(lambda: _none_pending(queue))
            await asyncio.sleep(0.3)
        attempts = sorted((task, attempt) for task, _, attempt in journal.calls)
        assert attempts == [("doomed", 1), ("doomed", 2), ("flaky", 1), ("flaky", 2), ("flaky", 3)]


async def test_jobs_with_one_lock_run_one_at_a_time_in_order(
    queue_settings: Settings, queue_database: Database
) -> None:
    journal = Journal()
    async with opened(queue_settings, queue_database, recording_registry()) as queue:
        await queue.defer_many(
            [_slow(n, "shop-a") for n in range(6)] + [_slow(n, None) for n in range(6, 10)]
        )
        async with working(queue, queue_settings, journal):
            await until(lambda: len(journal.calls) == 10)
        locked = [payload["n"] for _, payload, _ in journal.calls if payload["n"] < 6]
        assert locked == list(range(6))
        assert journal.most_running >= 2  # unlocked jobs ran beside the locked ones


def _slow(n: int, lock: str | None) -> Any:
    from prodex.jobs import Deferral

    return Deferral("slow", {"n": n}, lock=lock)


async def test_jobs_survive_a_restart_of_the_queue(
    queue_settings: Settings, queue_database: Database
) -> None:
    registry = recording_registry()
    async with opened(queue_settings, queue_database, registry) as queue:
        await queue.defer_many([_slow(n, None) for n in range(3)])
    queue_database.dispose()  # the process's connections are gone; the jobs are in the database
    restarted = Database(str(queue_settings.effective_database_url))
    journal = Journal()
    try:
        async with opened(queue_settings, restarted, recording_registry()) as queue:
            assert await queue.pending() == 3
            async with working(queue, queue_settings, journal):
                await until(lambda: len(journal.calls) == 3)
    finally:
        restarted.dispose()


async def test_an_unknown_task_cannot_be_deferred(queue_settings: Settings, queue_database: Database) -> None:
    async with opened(queue_settings, queue_database, recording_registry()) as queue:
        try:
            await queue.defer("no-such-task", {})
        except KeyError as error:
            assert "no-such-task" in str(error)
        else:
            raise AssertionError("deferred an unknown task")
