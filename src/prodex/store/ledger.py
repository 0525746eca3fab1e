"""Repository of credit balances and the append-only credit ledger.

The balance lives in ``accounts.credits`` and changes only together with a ledger row, in the
same transaction; ``sum(delta)`` over an account's ledger always equals its balance.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Connection, func, insert, select, update

from prodex.store.records import LedgerEntry
from prodex.store.tables import accounts, credit_ledger


def debit_if_enough(conn: Connection, account_id: int, amount: int, now: datetime) -> int | None:
    """Take ``amount`` credits in one guarded UPDATE; the new balance, or ``None`` when too few."""
    result = conn.execute(
        update(accounts)
        .where(accounts.c.id == account_id, accounts.c.credits >= amount)
        .values(credits=accounts.c.credits - amount, updated_at=now)
        .returning(accounts.c.credits)
    )
    balance = result.scalar_one_or_none()
    return int(balance) if balance is not None else None


def credit(conn: Connection, account_id: int, amount: int, now: datetime) -> int | None:
    """Add ``amount`` credits; the new balance, or ``None`` when the account does not exist."""
    result = conn.execute(
        update(accounts)
        .where(accounts.c.id == account_id)
        .values(credits=accounts.c.credits + amount, updated_at=now)
        .returning(accounts.c.credits)
    )
    balance = result.scalar_one_or_none()
    return int(balance) if balance is not None else None


def balance(conn: Connection, account_id: int) -> int | None:
    """The account's balance, or ``None`` when it does not exist."""
    value = conn.execute(select(accounts.c.credits).where(accounts.c.id == account_id)).scalar_one_or_none()
    return int(value) if value is not None else None


def append_entry(
    conn: Connection,
    *,
    account_id: int,
    delta: int,
    kind: str,
    reason: str,
    ref: str,
    balance_after: int,
    now: datetime,
    refund_of: int | None = None,
) -> int:
    """Append one ledger row; returns its id."""
    result = conn.execute(
        insert(credit_ledger)
        .values(
            account_id=account_id,
            delta=delta,
            kind=kind,
            reason=reason[:200],
            ref=ref[:200],
            refund_of=refund_of,
            balance_after=balance_after,
            created_at=now,
        )
        .returning(credit_ledger.c.id)
    )
    return int(result.scalar_one())


def append_charges(
    conn: Connection,
    account_id: int,
    charges: Sequence[tuple[int, str, str]],
    balance_after: int,
    now: datetime,
) -> list[int]:
    """Append the ledger rows of charges ``(amount, reason, ref)`` taken together by one debit
    that left ``balance_after``, in one statement; returns their ids, in order. Each row's
    ``balance_after`` is the balance after it, as if they had been taken one after the other."""
    balance = balance_after + sum(amount for amount, _reason, _ref in charges)
    rows = []
    for amount, reason, ref in charges:
        balance -= amount
        rows.append(
            {
                "account_id": account_id,
                "delta": -amount,
                "kind": "charge",
                "reason": reason[:200],
                "ref": ref[:200],
                "refund_of": None,
                "balance_after": balance,
                "created_at": now,
            }
        )
    result = conn.execute(
        insert(credit_ledger).returning(credit_ledger.c.id, sort_by_parameter_order=True), rows
    )
    return [int(row_id) for row_id in result.scalars()]


def get_entry(conn: Connection, entry_id: int, *, lock: bool = False) -> LedgerEntry | None:
    """One ledger row, optionally locked until the end of the transaction (PostgreSQL)."""
    query = select(credit_ledger).where(credit_ledger.c.id == entry_id)
    if lock:
        query = query.with_for_update()
    row = conn.execute(query).first()
    return LedgerEntry.from_row(row) if row is not None else None


def find_refund(conn: Connection, charge_id: int) -> LedgerEntry | None:
    """The refund row of a charge, or ``None`` when it was not refunded."""
    row = conn.execute(select(credit_ledger).where(credit_ledger.c.refund_of == charge_id)).first()
    return LedgerEntry.from_row(row) if row is not None else None


def list_entries(conn: Connection, account_id: int, limit: int = 100) -> list[LedgerEntry]:
    """The newest ``limit`` ledger rows of an account, newest first."""
    rows = conn.execute(
        select(credit_ledger)
        .where(credit_ledger.c.account_id == account_id)
        .order_by(credit_ledger.c.id.desc())
        .limit(limit)
    )
    return [LedgerEntry.from_row(row) for row in rows]


def ledger_sum(conn: Connection, account_id: int) -> int:
    """The sum of every ledger delta of an account (equals its balance)."""
    value = conn.execute(
        select(func.coalesce(func.sum(credit_ledger.c.delta), 0)).where(
            credit_ledger.c.account_id == account_id
        )
    ).scalar_one()
    return int(value)
