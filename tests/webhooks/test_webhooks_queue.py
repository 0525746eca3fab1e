"""Deliveries are jobs on the durable queue: an attempt deferred before a restart is made after it,
and several workers on one PostgreSQL database share the deliveries (each made once)."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from typing import Any

import orjson
import pytest
from webhook_helpers import delivering, delivery_ids, finished, new_account, receiver_settings

from fixtures.webhook_receiver import WebhookReceiver
from prodex.jobs import WorkerOptions, worker_options
from prodex.service.background import Background
from prodex.service.webhooks import WebhookEndpoints
from prodex.settings import Settings
from prodex.store.db import Database
from prodex.store.migrate import upgrade_database
from prodex.webhooks import PRODUCT_CREATED
from prodex.webhooks.delivery import DeliveryRuntime
from prodex.webhooks.jobs import register_webhooks
from prodex.webhooks.sender import SendResult


def _settings(receiver: WebhookReceiver, database: Database, **overrides: Any) -> Settings:
    url = database.url.render_as_string(hide_password=False)
    return receiver_settings(receiver.port, database_url=url, **overrides)


async def test_an_attempt_deferred_before_a_restart_is_made_after_it(queue_database: Database) -> None:
    database = queue_database
    with WebhookReceiver() as receiver:
        settings = _settings(receiver, database)
        account_id = new_account(database)
        endpoint = WebhookEndpoints(database, settings).create(
            account_id, url=receiver.url("/ok?restart"), events=[PRODUCT_CREATED], status="enabled"
        )
        before = Background(settings=settings, database=database)  # a process without a worker
        events = register_webhooks(before)
        await before.open()
        try:
            event_id = await events.emit(account_id, PRODUCT_CREATED, {"product_id": "p"})
            assert event_id is not None
            assert await before.queue.pending() == 1  # the event's fan-out job
        finally:
            await before.aclose()  # the process stops before any job ran
        assert receiver.received == []
        async with delivering(settings, database):  # a new process with a worker
            [delivery_id] = await delivery_ids(database, event_id, 1)
            delivery = await finished(database, delivery_id)
        [request] = receiver.requests_to("/ok?restart")
    assert delivery.status == "delivered"
    assert request.signed_by(endpoint.secret)


@pytest.mark.postgres
@pytest.mark.parametrize("fresh_database_url", ["postgres"], indirect=True)
async def test_several_workers_on_postgresql_share_the_deliveries(fresh_database_url: str) -> None:
    database = Database(fresh_database_url, pool_size=8)
    upgrade_database(database)
    made: Counter[int] = Counter()
    try:
        with WebhookReceiver() as receiver:
            settings = _settings(receiver, database, jobs_concurrency=2)
            account_id = new_account(database)
            path = f"/slow?seconds=0.2&run={uuid.uuid4().hex}"
            WebhookEndpoints(database, settings).create(
                account_id, url=receiver.url(path), events=[PRODUCT_CREATED], status="enabled"
            )
            workers = [Background(settings=settings, database=database) for _ in range(3)]
            emitters = [register_webhooks(worker) for worker in workers]
            for number, worker in enumerate(workers):
                _count_sends(worker, made, number)
                await worker.open()
            try:
                async with (
                    workers[0].worker(background_options(settings)),
                    workers[1].worker(background_options(settings)),
                    workers[2].worker(background_options(settings)),
                ):
                    ids = []
                    for n in range(12):
                        event_id = await emitters[n % 3].emit(account_id, PRODUCT_CREATED, {"n": n})
                        assert event_id is not None
                        ids += await delivery_ids(database, event_id, 1)
                    deliveries = [await finished(database, delivery_id) for delivery_id in ids]
            finally:
                for worker in workers:
                    await worker.aclose()
            received = receiver.requests_to("/slow")
    finally:
        database.dispose()
    assert all(delivery.status == "delivered" for delivery in deliveries)
    assert len(received) == 12  # each delivery made once
    assert sorted(orjson.loads(request.body)["data"]["n"] for request in received) == list(range(12))
    assert sum(made.values()) == 12
    assert len(made) >= 2, made  # the work was shared


def background_options(settings: Settings) -> WorkerOptions:
    """The worker options of the settings (quick heartbeat and poll in tests)."""
    return worker_options(settings)


def _count_sends(background: Background, made: Counter[int], number: int) -> None:
    """Count the attempts this worker's sender makes."""
    sender = background.resources.get(DeliveryRuntime).sender
    send = sender.send

    async def counted(**kwargs: Any) -> SendResult:
        made[number] += 1
        return await send(**kwargs)

    sender.send = counted  # type: ignore[method-assign]


async def _until(check: Any, seconds: float = 15.0) -> None:
    async with asyncio.timeout(seconds):
        while True:
            if check():
                return
            await asyncio.sleep(0.02)
