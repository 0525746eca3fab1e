"""Helpers of the webhook tests: settings that reach a local receiver, accounts, waiting."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

from prodex.fetch.fetcher import Fetcher
from prodex.jobs import worker_options
from prodex.service.accounts import Accounts
from prodex.service.background import Background
from prodex.settings import Settings
from prodex.store import webhooks as repo
from prodex.store.db import Database
from prodex.store.records import DeliveryRecord
from prodex.webhooks.emitter import WebhookEvents
from prodex.webhooks.jobs import register_webhooks

#: How long a test waits for a delivery to finish.
WAIT_SECONDS = 15.0


#: What the job queue needs in tests: a quick heartbeat and poll (the embedded queue), a short grace.
QUEUE_SETTINGS: dict[str, Any] = {
    "jobs_heartbeat_seconds": 0.2,
    "jobs_stalled_seconds": 2.0,
    "jobs_poll_seconds": 0.05,
    "shutdown_grace_seconds": 2.0,
}


def receiver_settings(port: int, **overrides: Any) -> Settings:
    """Settings whose guard lets deliveries reach ``127.0.0.1:<port>`` only, with fast retries."""
    values: dict[str, Any] = {
        **QUEUE_SETTINGS,
        "fetch_allow_private": True,
        "fetch_allowed_hosts": [f"127.0.0.1:{port}"],
        "webhook_require_https": False,
        "webhook_retry_delays": [0.05, 0.05, 0.05, 0.05],
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def new_account(database: Database, name: str = "hooks") -> int:
    """A fresh account's id."""
    account, _ = Accounts(database, Settings(_env_file=None)).create(name=name)  # type: ignore[call-arg]
    return account.id


def read_delivery(database: Database, delivery_id: str) -> DeliveryRecord:
    """The delivery with its attempts."""
    with database.read() as conn:
        found = repo.get_delivery(conn, delivery_id)
        assert found is not None
        page = repo.list_deliveries(conn, found.endpoint_id, limit=100, offset=0)
    return next(item for item in page if item.id == delivery_id)


async def delivery_ids(database: Database, event_id: str, count: int) -> list[str]:
    """The ids of the event's deliveries once its fan-out job stored ``count`` of them."""
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        with database.read() as conn:
            found = repo.deliveries_of_event(conn, event_id)
        if len(found) >= count:
            assert len(found) == count, found
            return [delivery.id for delivery in found]
        assert time.monotonic() < deadline, f"{len(found)} of {count} deliveries stored"
        await asyncio.sleep(0.02)


async def finished(database: Database, delivery_id: str) -> DeliveryRecord:
    """The delivery once it is no longer pending (fails after :data:`WAIT_SECONDS`)."""
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        delivery = read_delivery(database, delivery_id)
        if delivery.status != "pending":
            return delivery
        assert time.monotonic() < deadline, f"delivery still pending: {delivery}"
        await asyncio.sleep(0.02)


class RecordingScheduler:
    """A scheduler that only records what it is asked to queue (the test runs the jobs itself)."""

    def __init__(self) -> None:
        self.scheduled: list[tuple[str, int, datetime]] = []
        self.fan_outs: list[dict[str, Any]] = []

    async def fan_out(self, job: dict[str, Any]) -> None:
        """Record the fan-out job."""
        self.fan_outs.append(job)

    async def schedule(self, delivery_id: str, attempt: int, run_at: datetime) -> None:
        """Record the attempt."""
        self.scheduled.append((delivery_id, attempt, run_at))


@asynccontextmanager
async def delivering(
    settings: Settings, database: Database, *, fetcher: Fetcher | None = None
) -> AsyncIterator[WebhookEvents]:
    """The webhook task on this process's job queue (the embedded one on SQLite, procrastinate on
    PostgreSQL) with a worker running; yields the emitter. ``settings`` must name ``database``."""
    background = Background(settings=settings, database=database)
    events = register_webhooks(background, fetcher=fetcher)
    await background.open()
    try:
        async with background.worker(worker_options(settings)):
            yield events
    finally:
        await background.aclose()
