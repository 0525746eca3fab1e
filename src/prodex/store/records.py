"""Typed, immutable records read from the database (what repositories return)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from prodex.extract.model import Media, Product


def as_utc(value: datetime) -> datetime:
    """``value`` as an aware UTC datetime (SQLite hands back naive UTC timestamps)."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


@dataclass(frozen=True, slots=True)
class AccountRecord:
    """An account: who calls the API, on which plan, with how many credits."""

    id: int
    name: str
    email: str
    plan: str
    credits: int
    api_enabled: bool
    created_at: datetime
    updated_at: datetime

    @classmethod
    def from_row(cls, row: Any) -> AccountRecord:
        """Build from a row of the ``accounts`` table."""
        return cls(
            id=row.id,
            name=row.name,
            email=row.email,
            plan=row.plan,
            credits=row.credits,
            api_enabled=bool(row.api_enabled),
            created_at=as_utc(row.created_at),
            updated_at=as_utc(row.updated_at),
        )


@dataclass(frozen=True, slots=True)
class ApiKeyRecord:
    """An API key as stored: never the key itself, only its hash and a short display prefix."""

    id: int
    account_id: int
    prefix: str
    label: str
    created_at: datetime
    revoked_at: datetime | None

    @classmethod
    def from_row(cls, row: Any) -> ApiKeyRecord:
        """Build from a row of the ``api_keys`` table."""
        return cls(
            id=row.id,
            account_id=row.account_id,
            prefix=row.prefix,
            label=row.label,
            created_at=as_utc(row.created_at),
            revoked_at=as_utc(row.revoked_at) if row.revoked_at is not None else None,
        )


@dataclass(frozen=True, slots=True)
class KeyOwner:
    """What authentication needs: the key's state and its account's state, read together."""

    key_id: int
    key_hash: str
    key_revoked: bool
    account_id: int
    account_name: str
    plan: str
    api_enabled: bool


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    """One line of the append-only credit ledger (negative ``delta`` for charges)."""

    id: int
    account_id: int
    delta: int
    kind: str
    reason: str
    ref: str
    refund_of: int | None
    balance_after: int
    created_at: datetime

    @classmethod
    def from_row(cls, row: Any) -> LedgerEntry:
        """Build from a row of the ``credit_ledger`` table."""
        return cls(
            id=row.id,
            account_id=row.account_id,
            delta=row.delta,
            kind=row.kind,
            reason=row.reason,
            ref=row.ref,
            refund_of=row.refund_of,
            balance_after=row.balance_after,
            created_at=as_utc(row.created_at),
        )


@dataclass(frozen=True, slots=True)
class DroppedMedia:
    """A media item prodex did not keep: the shop's URL, why (a short code) and a sentence."""

    original_url: str
    reason: str
    detail: str


@dataclass(frozen=True, slots=True)
class ProductRecord:
    """A stored product: its id, owner and times, and the :class:`~prodex.extract.model.Product`
    itself (every field of it is a column of the ``products`` table).

    ``media_dropped`` is set (not stored) on the answer of a create or update that stored media:
    the items that were not kept, and why.
    """

    id: str
    account_id: int
    created_at: datetime
    updated_at: datetime
    product: Product
    media_dropped: tuple[DroppedMedia, ...] | None = None

    @classmethod
    def from_row(cls, row: Any) -> ProductRecord:
        """Build from a row of the ``products`` table."""
        mapping = row._mapping
        product = Product.model_validate({name: mapping[name] for name in Product.model_fields})
        return cls(
            id=row.id,
            account_id=row.account_id,
            created_at=as_utc(row.created_at),
            updated_at=as_utc(row.updated_at),
            product=product,
        )


def media_to_json(media: Media) -> dict[str, Any]:
    """A media item as stored in the JSON column."""
    return media.model_dump(mode="json")


@dataclass(frozen=True, slots=True)
class EndpointRecord:
    """A webhook endpoint: where an account's events go, which ones, and the signing secret."""

    id: str
    account_id: int
    url: str
    secret: str
    status: str
    events: tuple[str, ...]
    created_at: datetime
    updated_at: datetime

    @property
    def enabled(self) -> bool:
        """Whether events are sent to it."""
        return self.status == "enabled"

    @classmethod
    def from_row(cls, row: Any) -> EndpointRecord:
        """Build from a row of the ``webhook_endpoints`` table."""
        return cls(
            id=row.id,
            account_id=row.account_id,
            url=row.url,
            secret=row.secret,
            status=row.status,
            events=tuple(row.events),
            created_at=as_utc(row.created_at),
            updated_at=as_utc(row.updated_at),
        )


@dataclass(frozen=True, slots=True)
class AttemptRecord:
    """One attempt to deliver: when, how long, the receiver's HTTP status or what went wrong."""

    number: int
    started_at: datetime
    duration_ms: int
    status_code: int | None
    error: str
    response_body: str

    @classmethod
    def from_row(cls, row: Any) -> AttemptRecord:
        """Build from a row of the ``webhook_attempts`` table."""
        return cls(
            number=row.number,
            started_at=as_utc(row.started_at),
            duration_ms=row.duration_ms,
            status_code=row.status_code,
            error=row.error,
            response_body=row.response_body,
        )


@dataclass(frozen=True, slots=True)
class DeliveryRecord:
    """One event for one endpoint: the exact body sent, its state, and its attempts so far."""

    id: str
    endpoint_id: str
    event: str
    event_id: str
    payload: str
    status: str
    attempts: int
    next_attempt_at: datetime | None
    created_at: datetime
    updated_at: datetime
    attempt_log: tuple[AttemptRecord, ...] = ()

    @classmethod
    def from_row(cls, row: Any, attempt_log: tuple[AttemptRecord, ...] = ()) -> DeliveryRecord:
        """Build from a row of the ``webhook_deliveries`` table (and its attempts)."""
        return cls(
            id=row.id,
            endpoint_id=row.endpoint_id,
            event=row.event,
            event_id=row.event_id,
            payload=row.payload,
            status=row.status,
            attempts=row.attempts,
            next_attempt_at=as_utc(row.next_attempt_at) if row.next_attempt_at is not None else None,
            created_at=as_utc(row.created_at),
            updated_at=as_utc(row.updated_at),
            attempt_log=attempt_log,
        )
