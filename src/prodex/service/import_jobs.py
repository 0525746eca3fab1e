"""The queue side of imports: task names, deferring an import's items on their host lanes, and
registering the import tasks on a process's background (:mod:`prodex.service.background`)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection

from prodex.errors import URLRefused
from prodex.fetch.guard import URLGuard
from prodex.jobs import Deferral, JobContext, JobQueue, RetryPolicy, TaskRegistry
from prodex.service.politeness import lane_lock
from prodex.settings import Settings
from prodex.store import imports as repo
from prodex.store.db import Database

IMPORT_ITEM_TASK = "import_item"
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


async def defer_queued_items(settings: Settings, database: Database, queue: JobQueue, job_id: str) -> int:
    """Defer one ``import_item`` job per queued item of the import, each on its host's lanes
    (``k``-th item of a host on lane ``k mod PRODEX_IMPORT_HOST_CONCURRENCY``); returns how many."""

    def read(conn: Connection) -> list[repo.ItemRecord]:
        return repo.queued_items(conn, job_id)

    items = await database.run_in_transaction(read)
    lanes = settings.import_host_concurrency
    seen: dict[str, int] = {}
    deferrals: list[Deferral] = []
    for item in items:
        ordinal = seen.get(item.host, 0)
        seen[item.host] = ordinal + 1
        deferrals.append(
            Deferral(IMPORT_ITEM_TASK, {"item_id": item.id}, lock=lane_lock(item.host, ordinal, lanes))
        )
    for start in range(0, len(deferrals), 1000):
        await queue.defer_many(deferrals[start : start + 1000])
    return len(deferrals)


def register_import_tasks(registry: TaskRegistry, settings: Settings) -> None:
    """Register ``import_item`` and ``import_expand`` (their handlers use the worker's
    :class:`~prodex.service.import_runner.ImportRunner`)."""
    from prodex.service.import_runner import ImportRunner

    async def import_item(context: JobContext, payload: dict[str, Any]) -> None:
        await context.get(ImportRunner).run_item(int(payload["item_id"]), context.job_id, context.attempt)

    async def import_expand(context: JobContext, payload: dict[str, Any]) -> None:
        await context.get(ImportRunner).expand(str(payload["job_id"]), last_attempt=context.attempt >= 3)

    # RetryLater (a 429/503 pause) counts as a run; two more runs for a worker lost mid-item.
    item_retry = RetryPolicy(attempts=settings.import_item_attempts + 2, first_delay=5.0)
    registry.register(IMPORT_ITEM_TASK, import_item, retry=item_retry)
    registry.register(IMPORT_EXPAND_TASK, import_expand, retry=EXPAND_RETRY)
