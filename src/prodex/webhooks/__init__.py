"""Webhooks: JoggAI-compatible endpoints receive prodex's product events, signed and retried.

    an event (product_created, product_failed, product_import_completed)
      -> emitter.py: a fan-out job on the queue (prodex.jobs) with the exact body to sign
      -> fanout.py: one delivery per subscribed, enabled endpoint; attempt 1 deferred for each
      -> scheduling.py + jobs.py: the two jobs and their tasks on the queue
      -> delivery.py: one attempt (guard at delivery time, 5 s, bounded answer), recorded
      -> backoff.py: when to try again; sender.py: the signed POST through the fetcher

Public surface: the event names (:mod:`prodex.webhooks.events`), :func:`sign` and
:func:`verify` (:mod:`prodex.webhooks.signing`), :class:`WebhookEvents`; the job-queue wiring
is :func:`prodex.webhooks.jobs.register_webhooks`.
"""

from __future__ import annotations

from prodex.webhooks.emitter import WebhookEvents
from prodex.webhooks.events import EVENTS, PRODUCT_CREATED, PRODUCT_FAILED, PRODUCT_IMPORT_COMPLETED
from prodex.webhooks.signing import SIGNATURE_HEADER, sign, verify

__all__ = [
    "EVENTS",
    "PRODUCT_CREATED",
    "PRODUCT_FAILED",
    "PRODUCT_IMPORT_COMPLETED",
    "SIGNATURE_HEADER",
    "WebhookEvents",
    "sign",
    "verify",
]
