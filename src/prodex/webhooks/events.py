"""The events prodex sends to webhook endpoints, and the body of one event.

Every delivery is an HTTP POST whose JSON body has JoggAI's shape::

    {"event_id": "evt_...", "event": "product_created", "timestamp": 1733500000, "data": {...}}

=============================  ===================================================================
event                          ``data``
=============================  ===================================================================
``product_created``            the product, exactly as ``GET /v2/product/{product_id}`` returns it
``product_failed``             ``{"url", "code", "msg"}``: the URL that could not become a
                               product, and the business code and message the API answered
``product_import_completed``   the import job, as ``GET /v2/products/imports`` lists it (status,
                               total, counts, source, times; without its items)
=============================  ===================================================================

``event_id`` is the same for every endpoint that receives one event (receivers use it to ignore
a repeated delivery); ``timestamp`` is the Unix time the event happened.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

import orjson

PRODUCT_CREATED = "product_created"
PRODUCT_FAILED = "product_failed"
PRODUCT_IMPORT_COMPLETED = "product_import_completed"

#: Every event an endpoint may subscribe to, with what it means.
EVENTS: dict[str, str] = {
    PRODUCT_CREATED: "A product was created from a product page URL; data is the product.",
    PRODUCT_FAILED: "A product page URL could not become a product; data has the url, code and msg.",
    PRODUCT_IMPORT_COMPLETED: "An import job finished; data is the job.",
}


def new_event_id() -> str:
    """A fresh opaque event id (``evt_`` and 24 hex digits)."""
    return f"evt_{secrets.token_hex(12)}"


def event_body(event: str, data: dict[str, Any], *, event_id: str, at: datetime) -> str:
    """The JSON body of one event: exactly the text that is signed and sent."""
    return orjson.dumps(
        {"event_id": event_id, "event": event, "timestamp": int(at.timestamp()), "data": data}
    ).decode()
