"""Request and response shapes of the webhook calls: JoggAI v2's ``/v2/endpoint`` (add, list,
update, delete; ``/v2/events``) and prodex's addition ``/v2/endpoint/{endpoint_id}/deliveries``.

Responses are built as plain dicts by :func:`endpoint_info` and :func:`delivery_info`; the models
document them. Times are Unix seconds, as JoggAI gives ``created_at``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from prodex.api.schemas import HttpUrlText
from prodex.service.webhooks import EndpointChanges
from prodex.store.records import AttemptRecord, DeliveryRecord, EndpointRecord

#: The events an endpoint may subscribe to (:data:`prodex.webhooks.events.EVENTS`, checked by a test).
EventName = Literal["product_created", "product_failed", "product_import_completed"]
EndpointStatus = Literal["enabled", "disabled"]
MAX_EVENTS = 20


class _Request(BaseModel):
    """Base of request bodies: unknown fields are ignored."""

    model_config = ConfigDict(extra="ignore")


class EndpointCreate(_Request):
    """``POST /v2/endpoint``: where to send which events."""

    url: HttpUrlText = Field(description="Webhook receiver URL (https; checked by the URL guard).")
    events: list[EventName] = Field(
        min_length=1, max_length=MAX_EVENTS, description="Events to subscribe to (see GET /v2/events)."
    )
    status: EndpointStatus = Field(default="enabled", description="enabled or disabled.")


class EndpointUpdate(_Request):
    """``PUT /v2/endpoint/{endpoint_id}``: the fields to change (JoggAI sends all three; any
    subset is accepted). The secret cannot be changed."""

    url: HttpUrlText | None = Field(default=None, description="New receiver URL.")
    events: list[EventName] | None = Field(
        default=None, min_length=1, max_length=MAX_EVENTS, description="New list of events."
    )
    status: EndpointStatus | None = Field(default=None, description="enabled or disabled.")

    def changes(self) -> EndpointChanges:
        """The changes for the service layer."""
        return EndpointChanges(url=self.url, status=self.status, events=self.events)


class EndpointInfo(BaseModel):
    """A webhook endpoint, as JoggAI returns it."""

    endpoint_id: str = Field(description="Unique webhook endpoint identifier.")
    url: str = Field(description="Webhook receiver URL.")
    secret: str = Field(description="Secret for signature verification (HMAC-SHA256 key).")
    status: EndpointStatus
    events: list[str] = Field(description="Subscribed events.")
    username: str = Field(description="The account name.")
    created_at: int = Field(description="Creation time, Unix seconds.")
    updated_at: int = Field(description="Addition: time of the last change, Unix seconds.")


class EndpointList(BaseModel):
    """Every endpoint of the account, oldest first."""

    endpoints: list[EndpointInfo]


class DeletedEndpoint(BaseModel):
    """The id of the deleted endpoint."""

    endpoint_id: str


class EventList(BaseModel):
    """The events an endpoint may subscribe to."""

    events: list[str]


class AttemptInfo(BaseModel):
    """One attempt of a delivery."""

    attempt: int = Field(description="1 for the first attempt.")
    started_at: int = Field(description="Unix seconds.")
    duration_ms: int
    status_code: int | None = Field(description="The receiver's HTTP status; null when none came.")
    error: str = Field(description="What went wrong; empty when the receiver answered 2xx.")
    response_body: str = Field(description="The start of the receiver's answer (1000 characters).")


class DeliveryInfo(BaseModel):
    """One event sent (or being sent) to the endpoint, with its attempts."""

    delivery_id: str
    event: str
    event_id: str = Field(description="The event's id, also in the body (the same for every endpoint).")
    status: Literal["pending", "delivered", "failed", "cancelled"] = Field(
        description="pending (an attempt is due), delivered (2xx), failed (every attempt failed), "
        "cancelled (the endpoint was disabled)."
    )
    attempt_count: int
    next_attempt_at: int | None = Field(description="When the next attempt is due (Unix seconds).")
    created_at: int
    attempts: list[AttemptInfo]


class DeliveryPage(BaseModel):
    """One page of an endpoint's deliveries, newest first."""

    deliveries: list[DeliveryInfo]
    total: int
    page: int
    page_size: int


def _unix(moment: datetime) -> int:
    return int(moment.timestamp())


def endpoint_info(endpoint: EndpointRecord, username: str) -> dict[str, Any]:
    """A stored endpoint as the JSON object of :class:`EndpointInfo`."""
    return {
        "endpoint_id": endpoint.id,
        "url": endpoint.url,
        "secret": endpoint.secret,
        "status": endpoint.status,
        "events": list(endpoint.events),
        "username": username,
        "created_at": _unix(endpoint.created_at),
        "updated_at": _unix(endpoint.updated_at),
    }


def _attempt_info(attempt: AttemptRecord) -> dict[str, Any]:
    return {
        "attempt": attempt.number,
        "started_at": _unix(attempt.started_at),
        "duration_ms": attempt.duration_ms,
        "status_code": attempt.status_code,
        "error": attempt.error,
        "response_body": attempt.response_body,
    }


def delivery_info(delivery: DeliveryRecord) -> dict[str, Any]:
    """A stored delivery as the JSON object of :class:`DeliveryInfo`."""
    return {
        "delivery_id": delivery.id,
        "event": delivery.event,
        "event_id": delivery.event_id,
        "status": delivery.status,
        "attempt_count": delivery.attempts,
        "next_attempt_at": _unix(delivery.next_attempt_at) if delivery.next_attempt_at else None,
        "created_at": _unix(delivery.created_at),
        "attempts": [_attempt_info(attempt) for attempt in delivery.attempt_log],
    }
