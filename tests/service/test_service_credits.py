"""Credits on SQLite and PostgreSQL: atomic charges under heavy concurrency, exact once-only
refunds, and a ledger that always adds up to the balance."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from prodex.errors import InsufficientCredit, RecordNotFound
from prodex.service.accounts import Accounts
from prodex.service.credits import Credits, charge_many_within
from prodex.settings import Settings
from prodex.store.db import Database


def _account(database: Database, settings: Settings, credits: int) -> int:
    account, _ = Accounts(database, settings).create(name="credits-test", credits=credits)
    return account.id


def test_100_concurrent_charges_on_10_credits_exactly_10_succeed(
    database: Database, settings: Settings
) -> None:
    account_id = _account(database, settings, credits=10)
    credits = Credits(database)
    barrier = threading.Barrier(100)

    def charge(i: int) -> int | str:
        barrier.wait()
        try:
            return credits.charge(account_id, 1, "race", ref=f"r{i}")
        except InsufficientCredit:
            return "insufficient"

    with ThreadPoolExecutor(max_workers=100) as pool:
        outcomes = list(pool.map(charge, range(100)))

    charge_ids = [o for o in outcomes if isinstance(o, int)]
    assert len(charge_ids) == 10
    assert len(set(charge_ids)) == 10
    assert outcomes.count("insufficient") == 90
    assert credits.balance(account_id) == 0
    assert credits.ledger_total(account_id) == 0
    entries = credits.entries(account_id)
    assert min(e.balance_after for e in entries) == 0
    assert sorted(e.balance_after for e in entries if e.kind == "charge") == list(range(10))


def test_a_refund_restores_exactly_what_was_charged_once(database: Database, settings: Settings) -> None:
    account_id = _account(database, settings, credits=10)
    credits = Credits(database)
    charge_id = credits.charge(account_id, 3, "analysis", ref="p1")
    assert credits.balance(account_id) == 7
    assert credits.refund(charge_id) is True
    assert credits.balance(account_id) == 10
    assert credits.refund(charge_id) is False
    assert credits.balance(account_id) == 10
    assert credits.ledger_total(account_id) == 10
    refund = credits.entries(account_id)[0]
    assert (refund.kind, refund.delta, refund.refund_of, refund.ref) == ("refund", 3, charge_id, "p1")


def test_concurrent_refunds_of_one_charge_restore_it_once(database: Database, settings: Settings) -> None:
    account_id = _account(database, settings, credits=5)
    credits = Credits(database)
    charge_id = credits.charge(account_id, 5, "analysis")
    barrier = threading.Barrier(20)

    def refund(_: int) -> bool:
        barrier.wait()
        return credits.refund(charge_id)

    with ThreadPoolExecutor(max_workers=20) as pool:
        results = list(pool.map(refund, range(20)))
    assert results.count(True) == 1
    assert credits.balance(account_id) == 5
    assert credits.ledger_total(account_id) == 5


def test_a_charge_above_the_balance_takes_nothing(database: Database, settings: Settings) -> None:
    account_id = _account(database, settings, credits=2)
    credits = Credits(database)
    before = len(credits.entries(account_id))
    with pytest.raises(InsufficientCredit) as caught:
        credits.charge(account_id, 3, "analysis")
    assert (caught.value.code, caught.value.status) == (18020, 402)
    assert credits.balance(account_id) == 2
    assert len(credits.entries(account_id)) == before


def test_unknown_accounts_and_charges_are_reported(database: Database, settings: Settings) -> None:
    credits = Credits(database)
    with pytest.raises(RecordNotFound):
        credits.charge(10**9, 1, "analysis")
    with pytest.raises(RecordNotFound):
        credits.refund(10**9)
    account_id = _account(database, settings, credits=4)
    grant_id = credits.entries(account_id)[0].id
    with pytest.raises(RecordNotFound):
        credits.refund(grant_id)  # a grant is not a charge
    assert credits.balance(account_id) == 4


def test_grants_are_ledgered(database: Database, settings: Settings) -> None:
    account_id = _account(database, settings, credits=0)
    credits = Credits(database)
    credits.grant(account_id, 7, "top-up", ref="invoice-1")
    assert credits.balance(account_id) == 7
    entry = credits.entries(account_id)[0]
    assert (entry.kind, entry.delta, entry.balance_after, entry.reason) == ("grant", 7, 7, "top-up")
    with pytest.raises(ValueError):
        credits.grant(account_id, 0)


def test_charges_taken_together_are_one_debit_with_a_ledger_row_each(
    database: Database, settings: Settings
) -> None:
    account_id = _account(database, settings, credits=10)
    credits = Credits(database)
    with database.write() as conn:
        ids = charge_many_within(
            conn, account_id, [(3, "group", "g1"), (2, "group", "g2"), (1, "group", "g3")]
        )
    assert all(isinstance(i, int) for i in ids) and len(set(ids)) == 3
    assert credits.balance(account_id) == 4 == credits.ledger_total(account_id)
    charges = sorted((e for e in credits.entries(account_id) if e.kind == "charge"), key=lambda e: e.id)
    assert [(e.ref, e.delta, e.balance_after) for e in charges] == [
        ("g1", -3, 7),
        ("g2", -2, 5),
        ("g3", -1, 4),
    ]
    assert [e.id for e in charges] == ids
    assert credits.refund(int(ids[1]))  # each charge is refunded on its own, exactly
    assert credits.balance(account_id) == 6 == credits.ledger_total(account_id)


def test_charges_beyond_the_balance_fail_one_by_one_and_take_nothing(
    database: Database, settings: Settings
) -> None:
    account_id = _account(database, settings, credits=5)
    credits = Credits(database)
    with database.write() as conn:
        outcomes = charge_many_within(conn, account_id, [(2, "group", f"s{n}") for n in range(4)])
    assert [isinstance(o, int) for o in outcomes] == [True, True, False, False]
    assert all(isinstance(o, InsufficientCredit) for o in outcomes[2:])
    assert credits.balance(account_id) == 1 == credits.ledger_total(account_id)
