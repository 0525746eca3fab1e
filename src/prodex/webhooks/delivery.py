"""One delivery attempt as a task: the function the job queue runs for each attempt.

    read the delivery and its endpoint -> skip when the attempt is stale (already made by
    another worker, delivery finished, endpoint deleted) -> cancel when the endpoint is disabled
    -> send the signed body (:class:`~prodex.webhooks.sender.WebhookSender`) -> record the attempt
    and the delivery's new state: ``delivered`` on a 2xx, ``pending`` with the next attempt's time
    after a failure (the backoff, :mod:`prodex.webhooks.backoff`), ``failed`` after the last one
    -> put the next attempt on the queue.

The attempt is recorded only if no other worker recorded the same attempt first, so a job run
twice sends twice at most (receivers deduplicate on ``event_id``, as with any webhook) but never
counts twice; a job run again after its attempt was recorded defers the next attempt again (in
case the first run stopped between the two), which the next attempt's job then runs once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Literal

from sqlalchemy import Connection

from prodex.service.clock import utcnow
from prodex.settings import Settings
from prodex.store import webhooks as repo
from prodex.store.db import Database
from prodex.store.records import AttemptRecord, DeliveryRecord, EndpointRecord
from prodex.webhooks.backoff import retry_delay
from prodex.webhooks.scheduling import DeliveryScheduler
from prodex.webhooks.sender import SendResult, WebhookSender

log = logging.getLogger(__name__)

Outcome = Literal["delivered", "retrying", "failed", "cancelled", "skipped"]


@dataclass(frozen=True, slots=True)
class DeliveryRuntime:
    """What an attempt needs: the database, the sender, the backoff, the queue for the next one."""

    settings: Settings
    database: Database
    sender: WebhookSender
    scheduler: DeliveryScheduler


def _read(conn: Connection, delivery_id: str) -> tuple[DeliveryRecord | None, EndpointRecord | None]:
    delivery = repo.get_delivery(conn, delivery_id)
    if delivery is None:
        return None, None
    return delivery, repo.get_endpoint(conn, None, delivery.endpoint_id)


def _read_delivery(
    database: Database, delivery_id: str
) -> tuple[DeliveryRecord | None, EndpointRecord | None]:
    with database.read() as conn:
        return _read(conn, delivery_id)


async def attempt_delivery(runtime: DeliveryRuntime, delivery_id: str, attempt: int) -> Outcome:
    """Make attempt number ``attempt`` of the delivery (see the module docstring); its outcome."""
    database = runtime.database
    delivery, endpoint = await database.run(_read_delivery, database, delivery_id)
    if delivery is None or endpoint is None:
        return "skipped"  # deleted with its endpoint
    if delivery.status == "pending" and delivery.attempts == attempt and delivery.next_attempt_at:
        # This attempt was recorded, but the run that recorded it may have stopped before it put
        # the next one on the queue: put it there (with two copies of the next attempt's job, the
        # later one finds the attempt made and is skipped; run at once, it is still recorded once).
        await runtime.scheduler.schedule(delivery.id, attempt + 1, delivery.next_attempt_at)
        return "skipped"
    if delivery.status != "pending" or delivery.attempts != attempt - 1:
        return "skipped"  # made already, or the delivery is over
    if not endpoint.enabled:
        await database.run_in_transaction(repo.cancel_delivery, delivery_id, utcnow())
        return "cancelled"
    result = await runtime.sender.send(
        url=endpoint.url,
        secret=endpoint.secret,
        event=delivery.event,
        delivery_id=delivery.id,
        body=delivery.payload,
    )
    return await _record(runtime, delivery, attempt, result)


async def _record(
    runtime: DeliveryRuntime, delivery: DeliveryRecord, attempt: int, result: SendResult
) -> Outcome:
    """Store the attempt and the delivery's new state; schedule the next attempt after a failure."""
    now = utcnow()
    outcome: Outcome
    next_at = None
    if result.delivered:
        outcome, status = "delivered", "delivered"
    else:
        delay = retry_delay(attempt, runtime.settings.webhook_retry_delays)
        if delay is None:
            outcome, status = "failed", "failed"
        else:
            outcome, status = "retrying", "pending"
            next_at = now + timedelta(seconds=delay)
    record = AttemptRecord(
        number=attempt,
        started_at=result.started_at,
        duration_ms=result.duration_ms,
        status_code=result.status_code,
        error=result.error,
        response_body=result.response_body,
    )
    recorded = await runtime.database.run_in_transaction(
        repo.finish_attempt, delivery.id, attempt=record, status=status, next_attempt_at=next_at, now=now
    )
    if not recorded:
        return "skipped"  # another worker made and recorded this attempt first
    if next_at is not None:
        await runtime.scheduler.schedule(delivery.id, attempt + 1, next_at)
    log.info(
        "webhook delivery %s attempt %d: %s%s",
        delivery.id,
        attempt,
        outcome,
        f" ({result.error})" if result.error else "",
    )
    return outcome
