"""Repository of accounts and API keys (SQL only; rules live in :mod:`prodex.service`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, func, insert, select, update

from prodex.store.records import AccountRecord, ApiKeyRecord, KeyOwner
from prodex.store.tables import accounts, api_keys


def insert_account(conn: Connection, *, name: str, email: str, plan: str, now: datetime) -> int:
    """Insert an account with zero credits and API access; returns its id."""
    result = conn.execute(
        insert(accounts)
        .values(
            name=name, email=email, plan=plan, credits=0, api_enabled=True, created_at=now, updated_at=now
        )
        .returning(accounts.c.id)
    )
    return int(result.scalar_one())


def get_account(conn: Connection, account_id: int) -> AccountRecord | None:
    """The account with ``account_id``, or ``None``."""
    row = conn.execute(select(accounts).where(accounts.c.id == account_id)).first()
    return AccountRecord.from_row(row) if row is not None else None


def list_accounts(conn: Connection) -> list[AccountRecord]:
    """Every account, oldest first."""
    return [AccountRecord.from_row(row) for row in conn.execute(select(accounts).order_by(accounts.c.id))]


def count_accounts(conn: Connection) -> int:
    """How many accounts exist."""
    return int(conn.execute(select(func.count()).select_from(accounts)).scalar_one())


def update_account(conn: Connection, account_id: int, *, now: datetime, **values: object) -> bool:
    """Set columns of one account; ``False`` when it does not exist."""
    result = conn.execute(
        update(accounts).where(accounts.c.id == account_id).values(updated_at=now, **values)
    )
    return result.rowcount == 1


def insert_api_key(
    conn: Connection, *, account_id: int, key_hash: str, prefix: str, label: str, now: datetime
) -> ApiKeyRecord:
    """Store a new key's hash for ``account_id``; returns the stored key."""
    row = conn.execute(
        insert(api_keys)
        .values(account_id=account_id, key_hash=key_hash, prefix=prefix, label=label, created_at=now)
        .returning(*api_keys.c)
    ).one()
    return ApiKeyRecord.from_row(row)


def list_api_keys(conn: Connection, account_id: int) -> list[ApiKeyRecord]:
    """The keys of one account, oldest first."""
    rows = conn.execute(select(api_keys).where(api_keys.c.account_id == account_id).order_by(api_keys.c.id))
    return [ApiKeyRecord.from_row(row) for row in rows]


def get_api_key(conn: Connection, key_id: int) -> ApiKeyRecord | None:
    """The key with ``key_id``, or ``None``."""
    row = conn.execute(select(api_keys).where(api_keys.c.id == key_id)).first()
    return ApiKeyRecord.from_row(row) if row is not None else None


def revoke_api_key(conn: Connection, key_id: int, now: datetime) -> bool:
    """Mark a key revoked (keeps the first revocation time); ``False`` when it does not exist."""
    result = conn.execute(
        update(api_keys)
        .where(api_keys.c.id == key_id)
        .values(revoked_at=func.coalesce(api_keys.c.revoked_at, now))
    )
    return result.rowcount == 1


def find_key_owner(conn: Connection, key_hash: str) -> KeyOwner | None:
    """The key with this hash and its account, or ``None`` when no key has this hash."""
    row = conn.execute(
        select(
            api_keys.c.id,
            api_keys.c.key_hash,
            api_keys.c.revoked_at,
            accounts.c.id.label("account_id"),
            accounts.c.name,
            accounts.c.plan,
            accounts.c.api_enabled,
        )
        .join(accounts, accounts.c.id == api_keys.c.account_id)
        .where(api_keys.c.key_hash == key_hash)
    ).first()
    if row is None:
        return None
    return KeyOwner(
        key_id=row.id,
        key_hash=row.key_hash,
        key_revoked=row.revoked_at is not None,
        account_id=row.account_id,
        account_name=row.name,
        plan=row.plan,
        api_enabled=bool(row.api_enabled),
    )
