"""Typed, immutable records read from the database (what repositories return)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import MISSING, dataclass, fields
from datetime import UTC, datetime
from typing import Any, TypeVar, get_type_hints

from prodex.extract.model import Media, Product

R = TypeVar("R")


def as_utc(value: datetime) -> datetime:
    """``value`` as an aware UTC datetime (SQLite hands back naive UTC timestamps)."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _as_utc_or_none(value: datetime | None) -> datetime | None:
    return None if value is None else as_utc(value)


_FROM_COLUMN: dict[object, Callable[[Any], Any]] = {
    datetime: as_utc,
    datetime | None: _as_utc_or_none,
    bool: bool,
}
"""How a column's value becomes a field of the declared type (the rest are taken as they are)."""


ColumnFields = tuple[tuple[str, Callable[[Any], Any] | None], ...]
_COLUMN_FIELDS: dict[type, ColumnFields] = {}


def _column_fields(record: type) -> ColumnFields:
    """The fields of a record read from columns (those without a default) and their conversion."""
    known = _COLUMN_FIELDS.get(record)
    if known is None:
        known = _COLUMN_FIELDS[record] = _declared_column_fields(record)
    return known


def _declared_column_fields(record: type) -> ColumnFields:
    hints = get_type_hints(record)
    out: list[tuple[str, Callable[[Any], Any] | None]] = []
    for item in fields(record):
        if item.default is not MISSING or item.default_factory is not MISSING:
            continue
        hint = hints[item.name]
        convert = _FROM_COLUMN.get(hint)
        if convert is None and getattr(hint, "__origin__", None) is tuple:
            convert = tuple
        out.append((item.name, convert))
    return tuple(out)


def from_columns(record: type[R], row: Any, **given: Any) -> R:
    """A record built from the row's columns of its fields' names: datetimes as aware UTC ones,
    booleans and tuples as declared; ``given`` sets the fields with defaults (not columns)."""
    values = {
        name: getattr(row, name) if convert is None else convert(getattr(row, name))
        for name, convert in _column_fields(record)
    }
    return record(**values, **given)


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
        return from_columns(cls, row)


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
        return from_columns(cls, row)


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
        return from_columns(cls, row)


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
        return from_columns(cls, row)


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
        return from_columns(cls, row)


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
        return from_columns(cls, row, attempt_log=attempt_log)
