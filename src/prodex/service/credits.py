"""Credits: an append-only ledger with the balance kept consistent with it.

Every change of ``accounts.credits`` happens in the same transaction as the ledger row that
explains it, so ``sum(ledger.delta) == balance`` always holds. A charge is one guarded
``UPDATE ... SET credits = credits - n WHERE id = :id AND credits >= n``: concurrent charges can
never spend the same credit and the balance never goes below zero (a CHECK constraint backs
this up). A refund restores exactly what its charge took, at most once (``refund_of`` is unique).

The methods are synchronous (they hold a database connection); from async code call them with
``await database.run(credits.charge, account_id, amount, reason, ref)`` (see
:meth:`prodex.store.db.Database.run`).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError

from prodex.errors import InsufficientCredit, ProdexError, RecordNotFound
from prodex.service.clock import utcnow
from prodex.store import ledger
from prodex.store.db import Database
from prodex.store.records import LedgerEntry


def grant_within(conn: Connection, account_id: int, amount: int, reason: str, ref: str = "") -> int:
    """Add ``amount`` credits inside an open write transaction; returns the ledger id."""
    if amount <= 0:
        raise ValueError("a grant must be positive")
    now = utcnow()
    balance = ledger.credit(conn, account_id, amount, now)
    if balance is None:
        raise RecordNotFound(f"No account with id {account_id}.")
    return ledger.append_entry(
        conn,
        account_id=account_id,
        delta=amount,
        kind="grant",
        reason=reason,
        ref=ref,
        balance_after=balance,
        now=now,
    )


def charge_within(conn: Connection, account_id: int, amount: int, reason: str, ref: str = "") -> int:
    """:meth:`Credits.charge` inside an open write transaction; returns the charge id."""
    if amount < 0:
        raise ValueError("a charge cannot be negative")
    now = utcnow()
    balance = ledger.debit_if_enough(conn, account_id, amount, now)
    if balance is None:
        if ledger.balance(conn, account_id) is None:
            raise RecordNotFound(f"No account with id {account_id}.")
        raise InsufficientCredit(
            f"Insufficient credit: this call costs {amount} credit(s); add credits to the account."
        )
    return ledger.append_entry(
        conn,
        account_id=account_id,
        delta=-amount,
        kind="charge",
        reason=reason,
        ref=ref,
        balance_after=balance,
        now=now,
    )


def charge_many_within(
    conn: Connection, account_id: int, charges: Sequence[tuple[int, str, str]]
) -> list[int | ProdexError]:
    """Charges ``(amount, reason, ref)`` of one account inside an open write transaction, taken
    by one guarded debit of their sum (the account's row is locked once, not once per charge);
    returns each charge's id, in order. When the balance does not cover them all, each is taken
    on its own as :func:`charge_within` takes it, and those the balance no longer covers get
    their :class:`InsufficientCredit` (or :class:`RecordNotFound`) instead of an id."""
    if any(amount < 0 for amount, _reason, _ref in charges):
        raise ValueError("a charge cannot be negative")
    if not charges:
        return []
    now = utcnow()
    balance = ledger.debit_if_enough(conn, account_id, sum(amount for amount, _r, _f in charges), now)
    if balance is not None:
        return list(ledger.append_charges(conn, account_id, charges, balance, now))
    results: list[int | ProdexError] = []
    for amount, reason, ref in charges:
        try:
            results.append(charge_within(conn, account_id, amount, reason, ref))
        except (InsufficientCredit, RecordNotFound) as error:
            results.append(error)
    return results


def refund_within(conn: Connection, charge_id: int, reason: str = "refund") -> bool:
    """:meth:`Credits.refund` inside an open write transaction (a concurrent refund of the same
    charge makes the transaction fail with ``IntegrityError``)."""
    charge = ledger.get_entry(conn, charge_id, lock=True)
    if charge is None or charge.kind != "charge":
        raise RecordNotFound(f"No charge with id {charge_id}.")
    if ledger.find_refund(conn, charge_id) is not None:
        return False
    amount = -charge.delta
    now = utcnow()
    balance = ledger.credit(conn, charge.account_id, amount, now)
    if balance is None:
        raise RecordNotFound(f"No account with id {charge.account_id}.")
    ledger.append_entry(
        conn,
        account_id=charge.account_id,
        delta=amount,
        kind="refund",
        reason=reason,
        ref=charge.ref,
        balance_after=balance,
        now=now,
        refund_of=charge_id,
    )
    return True


class Credits:
    """Balance, grants, atomic charges and once-only refunds of account credits."""

    def __init__(self, database: Database) -> None:
        self._database = database

    def balance(self, account_id: int) -> int:
        """The account's current credits; :class:`RecordNotFound` when it does not exist."""
        with self._database.read() as conn:
            value = ledger.balance(conn, account_id)
        if value is None:
            raise RecordNotFound(f"No account with id {account_id}.")
        return value

    def grant(self, account_id: int, amount: int, reason: str = "grant", ref: str = "") -> int:
        """Add ``amount`` (> 0) credits; returns the ledger entry id."""
        with self._database.write() as conn:
            return grant_within(conn, account_id, amount, reason, ref)

    def charge(self, account_id: int, amount: int, reason: str, ref: str = "") -> int:
        """Take ``amount`` (>= 0) credits atomically; returns the charge id for :meth:`refund`.

        Raises :class:`InsufficientCredit` (nothing taken) when the balance is below ``amount``,
        :class:`RecordNotFound` when the account does not exist.
        """
        with self._database.write() as conn:
            return charge_within(conn, account_id, amount, reason, ref)

    def refund(self, charge_id: int, reason: str = "refund") -> bool:
        """Give back exactly what charge ``charge_id`` took; idempotent.

        Returns ``True`` when this call restored the credits and ``False`` when the charge had
        already been refunded. Raises :class:`RecordNotFound` when ``charge_id`` is no charge.
        """
        try:
            with self._database.write() as conn:
                return refund_within(conn, charge_id, reason)
        except IntegrityError:
            # A concurrent refund of the same charge won the unique ``refund_of`` race; this
            # transaction was rolled back as a whole, so nothing was restored twice.
            return False

    def entries(self, account_id: int, limit: int = 100) -> list[LedgerEntry]:
        """The newest ledger rows of an account, newest first."""
        with self._database.read() as conn:
            return ledger.list_entries(conn, account_id, limit)

    def ledger_total(self, account_id: int) -> int:
        """The sum of the account's ledger (always equal to :meth:`balance`)."""
        with self._database.read() as conn:
            return ledger.ledger_sum(conn, account_id)
