"""The seam between deliveries and the job queue: :class:`DeliveryScheduler` puts attempt
number ``attempt`` of a delivery on the queue, to run at ``run_at`` or later.

The job is ``(DELIVERY_TASK, {"delivery_id": ..., "attempt": n})``; whatever runs it calls
:func:`prodex.webhooks.delivery.attempt_delivery` with those two values. A job that runs twice,
or late, does no harm: an attempt that is no longer the delivery's next one is skipped.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

#: The task name of one delivery attempt on the job queue.
DELIVERY_TASK = "webhooks.deliver"


def delivery_job(delivery_id: str, attempt: int) -> dict[str, Any]:
    """The JSON payload of the job of attempt number ``attempt`` of a delivery."""
    return {"delivery_id": delivery_id, "attempt": attempt}


class DeliveryScheduler(Protocol):
    """Puts a delivery attempt on the job queue (see the module docstring)."""

    async def schedule(self, delivery_id: str, attempt: int, run_at: datetime) -> None:
        """Run attempt number ``attempt`` of ``delivery_id`` at ``run_at`` or later."""
        ...
