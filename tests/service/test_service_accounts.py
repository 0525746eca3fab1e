"""Accounts: plans come from the settings, names and credits are checked, and the development
account is created once on an empty database only, even by concurrent starts."""

from __future__ import annotations

import threading

import pytest

from prodex.errors import InvalidParameter, RecordNotFound
from prodex.service.accounts import DEV_ACCOUNT_NAME, Accounts
from prodex.service.credits import Credits
from prodex.service.keys import authenticate
from prodex.settings import Settings
from prodex.store.db import Database
from prodex.store.migrate import upgrade_database


def test_plans_come_from_the_settings(database: Database, settings: Settings) -> None:
    accounts = Accounts(database, settings)
    account, _ = accounts.create(name="gold buyer", plan="gold", credits=3)
    assert (account.plan, account.credits) == ("gold", 3)
    with pytest.raises(InvalidParameter) as caught:
        accounts.create(name="x", plan="platinum")
    assert caught.value.field == "plan"
    assert "gold" in caught.value.msg
    assert accounts.set_plan(account.id, "pro").plan == "pro"
    with pytest.raises(InvalidParameter):
        accounts.set_plan(account.id, "platinum")
    default_account, _ = accounts.create(name="defaults")
    assert default_account.plan == settings.default_plan


def test_bad_account_input_is_refused(database: Database, settings: Settings) -> None:
    accounts = Accounts(database, settings)
    for kwargs, field in (
        ({"name": "  "}, "name"),
        ({"name": "n" * 201}, "name"),
        ({"name": "a", "credits": -1}, "credits"),
    ):
        with pytest.raises(InvalidParameter) as caught:
            accounts.create(**kwargs)  # type: ignore[arg-type]
        assert caught.value.field == field
    with pytest.raises(RecordNotFound):
        accounts.get(10**9)
    with pytest.raises(RecordNotFound):
        accounts.issue_key(10**9)
    with pytest.raises(RecordNotFound):
        accounts.revoke_key(10**9)


def test_the_dev_account_is_created_once_and_only_on_an_empty_database(fresh_database_url: str) -> None:
    database = Database(fresh_database_url)
    try:
        upgrade_database(database)
        settings = Settings(dev_account_credits=25)
        results: list[object] = []
        barrier = threading.Barrier(4)

        def start() -> None:
            barrier.wait()
            results.append(Accounts(database, settings).ensure_dev_account())

        threads = [threading.Thread(target=start) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        created = [r for r in results if r is not None]
        assert len(created) == 1
        accounts = Accounts(database, settings)
        only = accounts.all()
        assert [a.name for a in only] == [DEV_ACCOUNT_NAME]
        assert Credits(database).balance(only[0].id) == 25
        account, issued = created[0]  # type: ignore[misc]
        assert authenticate(database, issued.secret).account_id == account.id
        assert accounts.ensure_dev_account() is None
    finally:
        database.dispose()
