"""API keys: random, stored only as a SHA-256 hash, checked against revocation and disabled
accounts; the per-process cache honours its time-to-live."""

from __future__ import annotations

import asyncio
import hashlib

import pytest
from sqlalchemy import select

from prodex.errors import InvalidApiKey, NoPermission
from prodex.service.accounts import Accounts
from prodex.service.keys import ApiKeyAuthenticator, authenticate, generate_api_key
from prodex.settings import Settings
from prodex.store.db import Database
from prodex.store.tables import api_keys


def test_keys_are_random_and_only_their_hash_is_stored(database: Database, settings: Settings) -> None:
    accounts = Accounts(database, settings)
    account, first = accounts.create(name="keys", credits=0)
    second = accounts.issue_key(account.id, label="ci")
    assert first.secret != second.secret
    assert len({generate_api_key() for _ in range(1000)}) == 1000
    with database.read() as conn:
        rows = conn.execute(select(api_keys).where(api_keys.c.account_id == account.id)).all()
    stored = " ".join(str(value) for row in rows for value in row)
    for issued in (first, second):
        assert issued.secret not in stored
        assert hashlib.sha256(issued.secret.encode()).hexdigest() in stored
        assert len(issued.secret) >= 40


def test_authenticate_accepts_good_keys_and_refuses_the_rest(database: Database, settings: Settings) -> None:
    accounts = Accounts(database, settings)
    account, issued = accounts.create(name="auth", plan="pro")
    principal = authenticate(database, issued.secret)
    assert (principal.account_id, principal.plan, principal.key_id) == (account.id, "pro", issued.key.id)

    for bad in (None, "", "pdx_unknown", issued.secret + "x", issued.secret[:-1], "x" * 10_000):
        with pytest.raises(InvalidApiKey) as caught:
            authenticate(database, bad)
        assert (caught.value.code, caught.value.status) == (10105, 401)

    accounts.set_api_enabled(account.id, False)
    with pytest.raises(NoPermission) as denied:
        authenticate(database, issued.secret)
    assert (denied.value.code, denied.value.status) == (18025, 403)
    accounts.set_api_enabled(account.id, True)
    assert authenticate(database, issued.secret).account_id == account.id

    accounts.revoke_key(issued.key.id)
    with pytest.raises(NoPermission, match="revoked"):
        authenticate(database, issued.secret)


async def test_the_key_cache_expires_after_its_ttl(database: Database, settings: Settings) -> None:
    accounts = Accounts(database, settings)
    _, issued = accounts.create(name="cache")
    cached = ApiKeyAuthenticator(database, ttl=0.3)
    uncached = ApiKeyAuthenticator(database, ttl=0)
    await cached.authenticate(issued.secret)
    accounts.revoke_key(issued.key.id)
    with pytest.raises(NoPermission):
        await uncached.authenticate(issued.secret)
    assert (await cached.authenticate(issued.secret)).key_id == issued.key.id  # still within the TTL
    await asyncio.sleep(0.35)
    with pytest.raises(NoPermission):
        await cached.authenticate(issued.secret)


async def test_concurrent_look_ups_of_one_key_share_one_query(
    database: Database, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from prodex.service import keys

    accounts = Accounts(database, settings)
    _, issued = accounts.create(name="herd")
    queries: list[str | None] = []

    def counting(db: Database, raw_key: str | None) -> object:
        queries.append(raw_key)
        return authenticate(db, raw_key)

    monkeypatch.setattr(keys, "authenticate", counting)
    authenticator = ApiKeyAuthenticator(database, ttl=60)
    principals = await asyncio.gather(*(authenticator.authenticate(issued.secret) for _ in range(50)))
    assert {p.key_id for p in principals} == {issued.key.id}
    assert queries == [issued.secret]

    # A refused key is refused for every waiter, and it is not remembered.
    unknown = "pdx_" + "u" * 43
    results = await asyncio.gather(
        *(authenticator.authenticate(unknown) for _ in range(20)), return_exceptions=True
    )
    assert all(isinstance(r, InvalidApiKey) for r in results)
    assert queries.count(unknown) == 1
    with pytest.raises(InvalidApiKey):
        await authenticator.authenticate(unknown)
    assert queries.count(unknown) == 2


async def test_a_caller_giving_up_does_not_cancel_the_shared_look_up(
    database: Database, settings: Settings
) -> None:
    accounts = Accounts(database, settings)
    _, issued = accounts.create(name="impatient")
    authenticator = ApiKeyAuthenticator(database, ttl=60)
    impatient = asyncio.ensure_future(authenticator.authenticate(issued.secret))
    patient = asyncio.ensure_future(authenticator.authenticate(issued.secret))
    await asyncio.sleep(0)
    impatient.cancel()
    assert (await patient).key_id == issued.key.id
    assert impatient.cancelled()
