"""Deliveries end to end as jobs on the real queue (embedded on SQLite, procrastinate on
PostgreSQL), with real receivers on 127.0.0.1: retried with backoff until a 2xx, given up after
the last attempt, refused by the URL guard at delivery time without a single packet to the
forbidden address, signed as JoggAI signs (checked in the receiver with its own HMAC over the raw
bytes)."""

from __future__ import annotations

import asyncio
import uuid
from functools import partial

import orjson
from webhook_helpers import (
    QUEUE_SETTINGS,
    RecordingScheduler,
    delivering,
    delivery_ids,
    finished,
    new_account,
    read_delivery,
    receiver_settings,
)

from fixtures.fetching import FakeResolver, LoopbackDialer
from fixtures.webhook_receiver import WebhookReceiver
from prodex.fetch.fetcher import Fetcher
from prodex.service.webhooks import EndpointChanges, WebhookEndpoints
from prodex.settings import Settings
from prodex.store.db import Database
from prodex.webhooks import PRODUCT_CREATED, PRODUCT_FAILED, WebhookEvents
from prodex.webhooks.delivery import DeliveryRuntime, attempt_delivery
from prodex.webhooks.fanout import fan_out
from prodex.webhooks.sender import WebhookSender


def _url(database: Database) -> str:
    return database.url.render_as_string(hide_password=False)


PRODUCT = {"product_id": "p1", "name": "Kettle", "url": "https://shop.example/kettle"}


async def test_a_receiver_that_fails_twice_gets_the_event_on_the_third_attempt(
    queue_database: Database,
) -> None:
    database = queue_database
    with WebhookReceiver() as receiver:
        settings = receiver_settings(receiver.port, database_url=_url(database))
        account_id = new_account(database)
        path = f"/flaky/{uuid.uuid4().hex}?failures=2"
        endpoint = WebhookEndpoints(database, settings).create(
            account_id, url=receiver.url(path), events=[PRODUCT_CREATED], status="enabled"
        )
        async with delivering(settings, database) as events:
            event_id = await events.emit(account_id, PRODUCT_CREATED, PRODUCT)
            assert event_id is not None
            [delivery_id] = await delivery_ids(database, event_id, 1)
            delivery = await finished(database, delivery_id)
        received = receiver.requests_to(path.split("?")[0])
    assert delivery.status == "delivered"
    assert [a.status_code for a in delivery.attempt_log] == [500, 500, 200]
    assert [a.number for a in delivery.attempt_log] == [1, 2, 3]
    assert delivery.attempt_log[0].error and not delivery.attempt_log[2].error
    assert delivery.next_attempt_at is None
    assert len(received) == 3
    assert all(request.signed_by(endpoint.secret) for request in received)
    assert len({request.body for request in received}) == 1  # the very same bytes each time
    body = orjson.loads(received[0].body)
    assert body["event"] == PRODUCT_CREATED and body["data"] == PRODUCT
    assert body["event_id"] == delivery.event_id
    headers = received[0].headers
    assert headers["x-webhook-event"] == PRODUCT_CREATED
    assert headers["x-webhook-delivery"] == delivery_id
    assert headers["content-type"] == "application/json"
    assert headers["user-agent"].startswith("prodex-Webhook/")


async def test_a_receiver_too_slow_to_answer_fails_after_the_last_attempt(queue_database: Database) -> None:
    database = queue_database
    with WebhookReceiver() as receiver:
        settings = receiver_settings(
            receiver.port,
            database_url=_url(database),
            webhook_timeout_seconds=0.3,
            webhook_retry_delays=[0.05],
        )
        account_id = new_account(database)
        WebhookEndpoints(database, settings).create(
            account_id, url=receiver.url("/slow?seconds=30"), events=[PRODUCT_FAILED], status="enabled"
        )
        async with delivering(settings, database) as events:
            failure = {"url": "u", "code": 1, "msg": "m"}
            event_id = await events.emit(account_id, PRODUCT_FAILED, failure)
            assert event_id is not None
            [delivery_id] = await delivery_ids(database, event_id, 1)
            delivery = await finished(database, delivery_id)
        assert len(receiver.requests_to("/slow")) == 2
    assert delivery.status == "failed"
    assert delivery.next_attempt_at is None
    assert len(delivery.attempt_log) == 2
    for attempt in delivery.attempt_log:
        assert attempt.status_code is None
        assert attempt.error == "The receiver did not answer within 0.3 s."
        assert 250 <= attempt.duration_ms < 3000


async def test_the_guard_refuses_at_delivery_time_a_name_that_now_resolves_to_a_forbidden_address(
    queue_database: Database,
) -> None:
    """The endpoint was accepted (a public-looking name); at delivery time its name resolves to
    the cloud metadata address, so the guard refuses it: nothing is ever dialled."""
    database = queue_database
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=_url(database),
        webhook_retry_delays=[0.05],
        **QUEUE_SETTINGS,
    )
    account_id = new_account(database)
    url = "https://hooks.example.com/prodex"
    endpoints = WebhookEndpoints(database, settings)
    endpoints.create(account_id, url=url, events=[PRODUCT_CREATED], status="enabled")
    resolver = FakeResolver({"hooks.example.com": ["169.254.169.254"]})
    dialer = LoopbackDialer()
    fetcher = Fetcher(settings, resolver=resolver, transport=dialer)
    async with delivering(settings, database, fetcher=fetcher) as events:
        event_id = await events.emit(account_id, PRODUCT_CREATED, PRODUCT)
        assert event_id is not None
        [delivery_id] = await delivery_ids(database, event_id, 1)
        delivery = await finished(database, delivery_id)
    assert delivery.status == "failed"
    assert resolver.calls == ["hooks.example.com", "hooks.example.com"]  # checked at each attempt
    assert dialer.dialled == []
    for attempt in delivery.attempt_log:
        assert attempt.status_code is None
        assert attempt.error.startswith("Refused by the URL guard")
        assert "link-local" in attempt.error


async def test_with_the_guard_on_a_loopback_receiver_is_refused_and_never_reached(
    queue_database: Database,
) -> None:
    database = queue_database
    with WebhookReceiver() as receiver:
        account_id = new_account(database)
        permissive = receiver_settings(receiver.port)
        WebhookEndpoints(database, permissive).create(
            account_id, url=receiver.url("/ok"), events=[PRODUCT_CREATED], status="enabled"
        )
        guarded = Settings(
            _env_file=None,  # type: ignore[call-arg]
            database_url=_url(database),
            webhook_retry_delays=[],
            **QUEUE_SETTINGS,
        )
        async with delivering(guarded, database) as events:
            event_id = await events.emit(account_id, PRODUCT_CREATED, PRODUCT)
            assert event_id is not None
            [delivery_id] = await delivery_ids(database, event_id, 1)
            delivery = await finished(database, delivery_id)
        assert receiver.requests_to("/") == []
    assert delivery.status == "failed"
    [attempt] = delivery.attempt_log
    assert "loopback" in attempt.error and str(receiver.port) not in attempt.error


async def _runtime(database: Database, settings: Settings) -> tuple[DeliveryRuntime, RecordingScheduler]:
    scheduler = RecordingScheduler()
    return DeliveryRuntime(settings, database, WebhookSender(settings), scheduler), scheduler


async def test_a_job_run_twice_records_its_attempt_once(database: Database) -> None:
    with WebhookReceiver() as receiver:
        settings = receiver_settings(receiver.port)
        account_id = new_account(database)
        WebhookEndpoints(database, settings).create(
            account_id, url=receiver.url("/ok"), events=[PRODUCT_CREATED], status="enabled"
        )
        runtime, scheduler = await _runtime(database, settings)
        try:
            events = WebhookEvents(database, scheduler)
            await events.emit(account_id, PRODUCT_CREATED, PRODUCT)
            [delivery_id] = await fan_out(runtime, scheduler.fan_outs[-1])
            assert [(d, n) for d, n, _ in scheduler.scheduled] == [(delivery_id, 1)]
            run = partial(attempt_delivery, runtime, delivery_id, 1)
            outcomes = await asyncio.gather(run(), run())
            late = await run()
        finally:
            await runtime.sender.aclose()
    assert sorted(outcomes) == ["delivered", "skipped"]
    assert late == "skipped"
    delivery = read_delivery(database, delivery_id)
    assert delivery.status == "delivered" and len(delivery.attempt_log) == 1


async def test_a_failed_attempt_schedules_the_next_after_its_delay(database: Database) -> None:
    with WebhookReceiver() as receiver:
        settings = receiver_settings(receiver.port, webhook_retry_delays=[60, 300])
        account_id = new_account(database)
        WebhookEndpoints(database, settings).create(
            account_id, url=receiver.url("/status/503"), events=[PRODUCT_CREATED], status="enabled"
        )
        runtime, scheduler = await _runtime(database, settings)
        try:
            events = WebhookEvents(database, scheduler)
            await events.emit(account_id, PRODUCT_CREATED, PRODUCT)
            [delivery_id] = await fan_out(runtime, scheduler.fan_outs[-1])
            assert await attempt_delivery(runtime, delivery_id, 1) == "retrying"
            # run again (say its first run stopped before deferring the next): the next is deferred again
            assert await attempt_delivery(runtime, delivery_id, 1) == "skipped"
        finally:
            await runtime.sender.aclose()
    delivery = read_delivery(database, delivery_id)
    [attempt] = delivery.attempt_log
    assert (delivery.status, delivery.attempts, attempt.status_code) == ("pending", 1, 503)
    assert "HTTP 503" in attempt.error
    assert len(receiver.received) == 1
    first, again = scheduler.scheduled[-2:]
    _, number, run_at = first
    assert number == 2 and run_at == delivery.next_attempt_at
    assert again == first
    assert 59 <= (run_at - attempt.started_at).total_seconds() <= 62


async def test_a_disabled_endpoint_s_delivery_is_cancelled_without_traffic(database: Database) -> None:
    with WebhookReceiver() as receiver:
        settings = receiver_settings(receiver.port)
        account_id = new_account(database)
        endpoints = WebhookEndpoints(database, settings)
        endpoint = endpoints.create(
            account_id, url=receiver.url("/ok"), events=[PRODUCT_CREATED], status="enabled"
        )
        runtime, scheduler = await _runtime(database, settings)
        try:
            events = WebhookEvents(database, scheduler)
            await events.emit(account_id, PRODUCT_CREATED, PRODUCT)
            [delivery_id] = await fan_out(runtime, scheduler.fan_outs[-1])
            endpoints.update(account_id, endpoint.id, EndpointChanges(status="disabled"))
            assert await attempt_delivery(runtime, delivery_id, 1) == "cancelled"
            assert await events.emit(account_id, PRODUCT_CREATED, PRODUCT) is None
        finally:
            await runtime.sender.aclose()
        assert receiver.requests_to("/") == []
    assert read_delivery(database, delivery_id).status == "cancelled"


async def test_a_fan_out_reaches_the_subscribed_endpoints_once_even_run_twice(database: Database) -> None:
    settings = receiver_settings(8080)
    account_id, other_id = new_account(database), new_account(database, "other")
    endpoints = WebhookEndpoints(database, settings)
    base = "http://127.0.0.1:8080"
    created = endpoints.create(account_id, url=f"{base}/a", events=[PRODUCT_CREATED], status="enabled")
    endpoints.create(account_id, url=f"{base}/b", events=[PRODUCT_FAILED], status="enabled")
    endpoints.create(account_id, url=f"{base}/d", events=[PRODUCT_CREATED], status="disabled")
    endpoints.create(other_id, url=f"{base}/c", events=[PRODUCT_CREATED], status="enabled")
    runtime, scheduler = await _runtime(database, settings)
    try:
        event_id = await WebhookEvents(database, scheduler).emit(account_id, PRODUCT_CREATED, PRODUCT)
        [job] = scheduler.fan_outs
        assert job["event_id"] == event_id and job["account_id"] == account_id
        assert orjson.loads(job["body"])["data"] == PRODUCT
        [delivery_id] = await fan_out(runtime, job)
        assert await fan_out(runtime, job) == [delivery_id]  # run again: nothing stored twice
    finally:
        await runtime.sender.aclose()
    assert [(d, n) for d, n, _ in scheduler.scheduled] == [(delivery_id, 1), (delivery_id, 1)]
    delivery = read_delivery(database, delivery_id)
    assert delivery.endpoint_id == created.id
    assert delivery.payload == job["body"]  # the exact bytes that are signed and sent
    assert await delivery_ids(database, str(event_id), 1) == [delivery_id]
