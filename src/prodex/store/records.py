"""Typed, immutable records read from the database (what repositories return)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from prodex.extract.model import Media, MediaType


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
class ProductRecord:
    """A stored product: every field of :class:`prodex.extract.model.Product` plus id and times."""

    id: str
    account_id: int
    url: str
    name: str
    description: str
    target_audience: str
    created_at: datetime
    updated_at: datetime
    media: list[Media] = field(default_factory=list)
    selling_points: list[str] = field(default_factory=list)
    price: str | None = None
    currency: str | None = None
    brand: str | None = None
    sku: str | None = None
    gtin: str | None = None
    mpn: str | None = None
    availability: str | None = None
    category: str | None = None
    breadcrumbs: list[str] = field(default_factory=list)
    language: str | None = None
    canonical_url: str | None = None
    source: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_row(cls, row: Any) -> ProductRecord:
        """Build from a row of the ``products`` table."""
        return cls(
            id=row.id,
            account_id=row.account_id,
            url=row.url,
            name=row.name,
            description=row.description,
            target_audience=row.target_audience,
            created_at=as_utc(row.created_at),
            updated_at=as_utc(row.updated_at),
            media=[media_from_json(item) for item in row.media],
            selling_points=list(row.selling_points),
            price=row.price,
            currency=row.currency,
            brand=row.brand,
            sku=row.sku,
            gtin=row.gtin,
            mpn=row.mpn,
            availability=row.availability,
            category=row.category,
            breadcrumbs=list(row.breadcrumbs),
            language=row.language,
            canonical_url=row.canonical_url,
            source=dict(row.source),
        )


def media_to_json(media: Media) -> dict[str, Any]:
    """A media item as stored in the JSON column."""
    return {"type": int(media.type), "url": media.url, "name": media.name, "description": media.description}


def media_from_json(item: dict[str, Any]) -> Media:
    """A media item read back from the JSON column."""
    return Media(
        type=MediaType(int(item["type"])),
        url=str(item["url"]),
        name=str(item.get("name", "")),
        description=str(item.get("description", "")),
    )
