"""Repository of webhook endpoints, deliveries and attempts (SQL only; rules live in
:mod:`prodex.service.webhooks` and :mod:`prodex.webhooks`).

Endpoint queries are scoped to one account: another account's endpoint behaves exactly like one
that does not exist. Deliveries are reached through their endpoint.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select, update

from prodex.store.records import AttemptRecord, DeliveryRecord, EndpointRecord
from prodex.store.tables import accounts, webhook_attempts, webhook_deliveries, webhook_endpoints


def lock_account(conn: Connection, account_id: int) -> None:
    """Hold the account's row until the transaction ends (serialises endpoint creation, so two
    concurrent requests cannot both pass the per-account limit; SQLite writers are serial anyway)."""
    if conn.dialect.name != "sqlite":
        conn.execute(select(accounts.c.id).where(accounts.c.id == account_id).with_for_update())


def count_endpoints(conn: Connection, account_id: int) -> int:
    """How many endpoints the account has."""
    query = (
        select(func.count())
        .select_from(webhook_endpoints)
        .where(webhook_endpoints.c.account_id == account_id)
    )
    return int(conn.execute(query).scalar_one())


def insert_endpoint(
    conn: Connection,
    *,
    endpoint_id: str,
    account_id: int,
    url: str,
    secret: str,
    status: str,
    events: Sequence[str],
    now: datetime,
) -> EndpointRecord:
    """Store a new endpoint; returns it."""
    row = conn.execute(
        insert(webhook_endpoints)
        .values(
            id=endpoint_id,
            account_id=account_id,
            url=url,
            secret=secret,
            status=status,
            events=list(events),
            created_at=now,
            updated_at=now,
        )
        .returning(*webhook_endpoints.c)
    ).one()
    return EndpointRecord.from_row(row)


def list_endpoints(conn: Connection, account_id: int) -> list[EndpointRecord]:
    """The account's endpoints, oldest first."""
    query = (
        select(webhook_endpoints)
        .where(webhook_endpoints.c.account_id == account_id)
        .order_by(webhook_endpoints.c.seq)
    )
    return [EndpointRecord.from_row(row) for row in conn.execute(query)]


def get_endpoint(conn: Connection, account_id: int | None, endpoint_id: str) -> EndpointRecord | None:
    """The endpoint ``endpoint_id`` of the account (of any account when ``account_id`` is None)."""
    query = select(webhook_endpoints).where(webhook_endpoints.c.id == endpoint_id)
    if account_id is not None:
        query = query.where(webhook_endpoints.c.account_id == account_id)
    row = conn.execute(query).first()
    return EndpointRecord.from_row(row) if row is not None else None


def update_endpoint(
    conn: Connection, account_id: int, endpoint_id: str, values: dict[str, Any], now: datetime
) -> EndpointRecord | None:
    """Set columns of the account's endpoint; ``None`` when it does not exist."""
    row = conn.execute(
        update(webhook_endpoints)
        .where(webhook_endpoints.c.id == endpoint_id, webhook_endpoints.c.account_id == account_id)
        .values(updated_at=now, **values)
        .returning(*webhook_endpoints.c)
    ).first()
    return EndpointRecord.from_row(row) if row is not None else None


def delete_endpoint(conn: Connection, account_id: int, endpoint_id: str) -> bool:
    """Delete the account's endpoint with its deliveries; ``False`` when it does not exist."""
    conn.execute(
        delete(webhook_attempts).where(
            webhook_attempts.c.delivery_id.in_(
                select(webhook_deliveries.c.id).where(webhook_deliveries.c.endpoint_id == endpoint_id)
            )
        )
    )
    conn.execute(delete(webhook_deliveries).where(webhook_deliveries.c.endpoint_id == endpoint_id))
    result = conn.execute(
        delete(webhook_endpoints).where(
            webhook_endpoints.c.id == endpoint_id, webhook_endpoints.c.account_id == account_id
        )
    )
    return result.rowcount == 1


def subscribed_endpoints(conn: Connection, account_id: int, event: str) -> list[EndpointRecord]:
    """The account's enabled endpoints that subscribe to ``event`` (at most a few dozen rows)."""
    query = (
        select(webhook_endpoints)
        .where(webhook_endpoints.c.account_id == account_id, webhook_endpoints.c.status == "enabled")
        .order_by(webhook_endpoints.c.seq)
    )
    found = (EndpointRecord.from_row(row) for row in conn.execute(query))
    return [endpoint for endpoint in found if event in endpoint.events]


def insert_delivery(
    conn: Connection,
    *,
    delivery_id: str,
    endpoint_id: str,
    event: str,
    event_id: str,
    payload: str,
    now: datetime,
) -> DeliveryRecord:
    """Store a pending delivery whose first attempt is due ``now``."""
    row = conn.execute(
        insert(webhook_deliveries)
        .values(
            id=delivery_id,
            endpoint_id=endpoint_id,
            event=event,
            event_id=event_id,
            payload=payload,
            status="pending",
            attempts=0,
            next_attempt_at=now,
            created_at=now,
            updated_at=now,
        )
        .returning(*webhook_deliveries.c)
    ).one()
    return DeliveryRecord.from_row(row)


def deliveries_of_event(conn: Connection, event_id: str) -> list[DeliveryRecord]:
    """Every delivery of one event (one per endpoint), oldest first."""
    query = (
        select(webhook_deliveries)
        .where(webhook_deliveries.c.event_id == event_id)
        .order_by(webhook_deliveries.c.seq)
    )
    return [DeliveryRecord.from_row(row) for row in conn.execute(query)]


def get_delivery(conn: Connection, delivery_id: str) -> DeliveryRecord | None:
    """The delivery ``delivery_id`` (without its attempts), or ``None``."""
    row = conn.execute(select(webhook_deliveries).where(webhook_deliveries.c.id == delivery_id)).first()
    return DeliveryRecord.from_row(row) if row is not None else None


def finish_attempt(
    conn: Connection,
    delivery_id: str,
    *,
    attempt: AttemptRecord,
    status: str,
    next_attempt_at: datetime | None,
    now: datetime,
) -> bool:
    """Record attempt number ``attempt.number`` and the delivery's new state, only when no other
    worker recorded that attempt first (the delivery still has ``number - 1`` attempts and is
    pending); whether it was recorded."""
    moved = conn.execute(
        update(webhook_deliveries)
        .where(
            webhook_deliveries.c.id == delivery_id,
            webhook_deliveries.c.attempts == attempt.number - 1,
            webhook_deliveries.c.status == "pending",
        )
        .values(attempts=attempt.number, status=status, next_attempt_at=next_attempt_at, updated_at=now)
    )
    if moved.rowcount != 1:
        return False
    conn.execute(
        insert(webhook_attempts).values(
            delivery_id=delivery_id,
            number=attempt.number,
            started_at=attempt.started_at,
            duration_ms=attempt.duration_ms,
            status_code=attempt.status_code,
            error=attempt.error,
            response_body=attempt.response_body,
        )
    )
    return True


def cancel_delivery(conn: Connection, delivery_id: str, now: datetime) -> bool:
    """Stop a pending delivery (its endpoint was disabled); whether it was pending."""
    result = conn.execute(
        update(webhook_deliveries)
        .where(webhook_deliveries.c.id == delivery_id, webhook_deliveries.c.status == "pending")
        .values(status="cancelled", next_attempt_at=None, updated_at=now)
    )
    return result.rowcount == 1


def count_deliveries(conn: Connection, endpoint_id: str) -> int:
    """How many deliveries the endpoint has."""
    query = (
        select(func.count())
        .select_from(webhook_deliveries)
        .where(webhook_deliveries.c.endpoint_id == endpoint_id)
    )
    return int(conn.execute(query).scalar_one())


def list_deliveries(conn: Connection, endpoint_id: str, *, limit: int, offset: int) -> list[DeliveryRecord]:
    """A page of the endpoint's deliveries, newest first, each with its attempts in order."""
    rows = conn.execute(
        select(webhook_deliveries)
        .where(webhook_deliveries.c.endpoint_id == endpoint_id)
        .order_by(webhook_deliveries.c.seq.desc())
        .limit(limit)
        .offset(offset)
    ).all()
    if not rows:
        return []
    attempts: dict[str, list[AttemptRecord]] = {row.id: [] for row in rows}
    attempt_rows = conn.execute(
        select(webhook_attempts)
        .where(webhook_attempts.c.delivery_id.in_(list(attempts)))
        .order_by(webhook_attempts.c.delivery_id, webhook_attempts.c.number)
    )
    for attempt_row in attempt_rows:
        attempts[attempt_row.delivery_id].append(AttemptRecord.from_row(attempt_row))
    return [DeliveryRecord.from_row(row, tuple(attempts[row.id])) for row in rows]
