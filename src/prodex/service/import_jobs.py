"""The queue side of imports: task names, deferring the head of each host lane of an import, and
registering the import tasks on a process's background (:mod:`prodex.service.background`)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from prodex.errors import URLRefused
from prodex.fetch.guard import URLGuard
from prodex.jobs import Deferral, JobContext, JobQueue, RetryPolicy, TaskRegistry
from prodex.service.clock import utcnow
from prodex.service.politeness import lane_lock
from prodex.settings import Settings
from prodex.store import imports as repo
from prodex.store.db import Database

#: One job per host lane at a time: it runs the lane's next items for a while, then defers the
#: lane's next job.
IMPORT_LANE_TASK = "import_lane"
IMPORT_EXPAND_TASK = "import_expand"
#: Runs of an expand job (listing a sitemap or a store) before the import fails.
EXPAND_RETRY = RetryPolicy(attempts=3, first_delay=10.0, factor=3.0)


def guarded_items(guard: URLGuard, urls: list[str]) -> list[repo.NewItem]:
    """The items of a URL list: each checked by the URL guard (a refused one is an item failed at
    once with the guard's 40000, at no cost), in canonical form, each URL once (first place kept)."""
    items: list[repo.NewItem] = []
    seen: set[str] = set()
    for raw in urls:
        url = raw.strip()
        try:
            target = guard.check_url(url)
        except URLRefused as error:
            if url not in seen:
                seen.add(url)
                items.append(repo.NewItem(url=url, host="", error_code=error.code, error_msg=error.msg))
            continue
        if target.url in seen:
            continue
        seen.add(target.url)
        items.append(repo.NewItem(url=target.url, host=target.host))
    return items


async def defer_lanes(settings: Settings, database: Database, queue: JobQueue, job_id: str) -> int:
    """Defer the head job of every lane of the import that has items waiting; returns how many.

    A lane whose chain is still running gets a second job: harmless, the lock runs them one after
    the other, and the second finds the lane over or takes its next item (this also revives a
    chain whose job gave up, e.g. after the database was unreachable: see ``retry``)."""

    def read() -> list[tuple[str, int]]:
        with database.read() as conn:  # a read: no writer's turn taken
            return repo.queued_lanes(conn, job_id)

    lanes = await database.run(read)
    deferrals = [
        Deferral(IMPORT_LANE_TASK, {"job_id": job_id, "host": host, "lane": lane}, lock=lane_lock(host, lane))
        for host, lane in lanes
    ]
    for start in range(0, len(deferrals), 1000):
        await queue.defer_many(deferrals[start : start + 1000])
    return len(deferrals)


def register_import_tasks(registry: TaskRegistry, settings: Settings) -> None:
    """Register ``import_lane`` and ``import_expand`` (their handlers use the worker's
    :class:`~prodex.service.import_runner.ImportRunner`)."""
    from prodex.service.import_runner import ImportRunner

    async def import_lane(context: JobContext, payload: dict[str, Any]) -> None:
        runner = context.get(ImportRunner)
        job_id, host, lane = str(payload["job_id"]), str(payload["host"]), int(payload["lane"])
        pause = await runner.run_lane(job_id, host, lane, context.job_id)
        if pause is not None:
            run_at = utcnow() + timedelta(seconds=pause) if pause > 0 else None
            lock = lane_lock(host, lane)
            await runner.queue_of().defer(IMPORT_LANE_TASK, payload, run_at=run_at, lock=lock)

    async def import_expand(context: JobContext, payload: dict[str, Any]) -> None:
        await context.get(ImportRunner).expand(
            str(payload["job_id"]), last_attempt=context.attempt >= EXPAND_RETRY.attempts
        )

    # A lane job that fails (the database unreachable) or whose worker was lost runs again.
    lane_retry = RetryPolicy(attempts=settings.import_item_attempts + 2, first_delay=5.0)
    registry.register(IMPORT_LANE_TASK, import_lane, retry=lane_retry)
    registry.register(IMPORT_EXPAND_TASK, import_expand, retry=EXPAND_RETRY)
