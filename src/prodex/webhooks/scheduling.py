"""The seam between webhooks and the job queue: :class:`DeliveryScheduler` puts the two kinds of
webhook jobs on the queue.

- ``(FAN_OUT_TASK, {"account_id", "event", "event_id", "body"})``: one per event, deferred by the
  request (or listener) where the event happened; it stores one delivery per subscribed endpoint
  and defers each first attempt (:func:`prodex.webhooks.fanout.fan_out`).
- ``(DELIVERY_TASK, {"delivery_id", "attempt"})``: one per attempt, at its time
  (:func:`prodex.webhooks.delivery.attempt_delivery`).

Both may run twice or late without harm: a fan-out run again stores nothing twice and defers the
first attempts again, an attempt that is no longer the delivery's next one is skipped.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

#: The task name of one delivery attempt on the job queue.
DELIVERY_TASK = "webhooks.deliver"
#: The task name of one event's fan-out to the endpoints.
FAN_OUT_TASK = "webhooks.fan_out"


def delivery_job(delivery_id: str, attempt: int) -> dict[str, Any]:
    """The JSON payload of the job of attempt number ``attempt`` of a delivery."""
    return {"delivery_id": delivery_id, "attempt": attempt}


def fan_out_job(account_id: int, event: str, event_id: str, body: str) -> dict[str, Any]:
    """The JSON payload of an event's fan-out job (``body``: the exact text to sign and send)."""
    return {"account_id": account_id, "event": event, "event_id": event_id, "body": body}


class DeliveryScheduler(Protocol):
    """Puts webhook jobs on the job queue (see the module docstring)."""

    async def fan_out(self, job: dict[str, Any]) -> None:
        """Run the fan-out job ``job`` (:func:`fan_out_job`) as soon as a worker can."""
        ...

    async def schedule(self, delivery_id: str, attempt: int, run_at: datetime) -> None:
        """Run attempt number ``attempt`` of ``delivery_id`` at ``run_at`` or later."""
        ...
