"""An event's fan-out job: one delivery per enabled endpoint of the account that subscribes to
the event, each with the event's exact body, and each first attempt put on the queue.

It runs as a job (at least once), so it is idempotent: a delivery is unique per endpoint and
event, a second run stores nothing new and defers the first attempts that are still due again (a
duplicate attempt job is skipped or recorded once, see :mod:`prodex.webhooks.delivery`). Two runs
at once: one of them fails on the uniqueness and its job runs again later, finding the work done.
"""

from __future__ import annotations

import secrets
from typing import Any

from sqlalchemy import Connection

from prodex.service.clock import utcnow
from prodex.store import webhooks as repo
from prodex.store.records import DeliveryRecord
from prodex.webhooks.delivery import DeliveryRuntime


def new_delivery_id() -> str:
    """A fresh opaque delivery id (``dlv_`` and 24 hex digits)."""
    return f"dlv_{secrets.token_hex(12)}"


def _store(conn: Connection, account_id: int, event: str, event_id: str, body: str) -> list[DeliveryRecord]:
    """Store the missing deliveries of the event; its deliveries whose first attempt is due."""
    now = utcnow()
    stored = {delivery.endpoint_id for delivery in repo.deliveries_of_event(conn, event_id)}
    for endpoint in repo.subscribed_endpoints(conn, account_id, event):
        if endpoint.id not in stored:
            repo.insert_delivery(
                conn,
                delivery_id=new_delivery_id(),
                endpoint_id=endpoint.id,
                event=event,
                event_id=event_id,
                payload=body,
                now=now,
            )
    return [
        delivery
        for delivery in repo.deliveries_of_event(conn, event_id)
        if delivery.status == "pending" and delivery.attempts == 0
    ]


async def fan_out(runtime: DeliveryRuntime, job: dict[str, Any]) -> list[str]:
    """Run a fan-out job (:func:`~prodex.webhooks.scheduling.fan_out_job`); the ids of the
    deliveries whose first attempt it deferred."""
    due = await runtime.database.run_in_transaction(
        _store, int(job["account_id"]), str(job["event"]), str(job["event_id"]), str(job["body"])
    )
    for delivery in due:
        await runtime.scheduler.schedule(delivery.id, 1, delivery.next_attempt_at or delivery.created_at)
    return [delivery.id for delivery in due]
