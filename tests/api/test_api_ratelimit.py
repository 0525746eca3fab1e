"""Rate limits per account and plan (in-memory storage here; the shared Redis storage across
two server processes is tested in tests/cli/test_cli_shared_limits.py)."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest
from api_helpers import LiveApi, assert_envelope, make_settings, serve_in_thread

from prodex.api.app import create_app
from prodex.service.accounts import Accounts
from prodex.store.db import Database
from prodex.store.migrate import upgrade_database


def test_the_plans_requests_per_minute_are_enforced_per_account(live: LiveApi) -> None:
    _, key = live.account(plan="tiny")  # 3 requests per minute
    _, other_key = live.account(plan="tiny")
    with live.client(key) as client, live.client(other_key) as other:
        remaining = []
        for _ in range(3):
            response = client.get("/v2/user/whoami")
            assert_envelope(response, 200, 0)
            assert response.headers["x-ratelimit-limit"] == "3"
            remaining.append(int(response.headers["x-ratelimit-remaining"]))
        assert remaining == [2, 1, 0]
        limited = client.post("/v2/product", json={"name": "over the limit"})
        assert_envelope(limited, 429, 42900)
        assert 1 <= int(limited.headers["retry-after"]) <= 60
        assert limited.headers["x-ratelimit-limit"] == "3"
        assert limited.headers["x-ratelimit-remaining"] == "0"
        assert int(limited.headers["x-ratelimit-reset"]) >= int(time.time())
        assert "3 requests per minute" in limited.json()["msg"]
        assert_envelope(other.get("/v2/user/whoami"), 200, 0)  # another account has its own budget
        assert_envelope(client.get("/v2/products"), 429, 42900)
    with live.client() as anonymous:
        assert_envelope(anonymous.get("/healthz"), 200, 0)  # operations endpoints are not counted


def test_an_unreachable_shared_storage_lets_requests_through(
    database_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Fail open: a Redis outage must not stop the API (a closed port on this machine)."""
    settings = make_settings(database_url, tmp_path, rate_limit_storage="redis://127.0.0.1:9/0")
    app = create_app(settings)
    database = Database(database_url, pool_size=1)
    try:
        upgrade_database(database)
        _, issued = Accounts(database, settings).create(name="no-redis", plan="tiny")
    finally:
        database.dispose()
    with serve_in_thread(app) as base_url:
        for _ in range(5):  # more than the plan's 3 per minute: nothing is counted
            response = httpx.get(f"{base_url}/v2/user/whoami", headers={"x-api-key": issued.secret})
            assert_envelope(response, 200, 0)
            assert "x-ratelimit-limit" not in response.headers
    assert "rate-limit storage unreachable" in caplog.text


def test_memory_counting_starts_no_thread_per_request() -> None:
    """Counting in memory must not start a timer thread per hit (the library's default does)."""
    import asyncio
    import threading

    from prodex.api.ratelimit import AccountRateLimiter, RateLimitExceeded

    limiter = AccountRateLimiter("memory://")
    started: list[threading.Thread] = []
    original_start = threading.Thread.start

    def counting_start(thread: threading.Thread) -> None:
        started.append(thread)
        original_start(thread)

    async def hits() -> int:
        refused = 0
        for _ in range(50):
            try:
                await limiter.hit(1, 30)
            except RateLimitExceeded:
                refused += 1
            await asyncio.sleep(0.002)  # longer than nothing, shorter than the sweep interval
        return refused

    threading.Thread.start = counting_start  # type: ignore[method-assign]
    try:
        refused = asyncio.run(hits())
    finally:
        threading.Thread.start = original_start  # type: ignore[method-assign]
    assert refused == 20  # the limit still counts: 30 allowed, 20 refused
    assert len(started) <= 1


def test_failed_authentications_are_limited_per_address_before_any_look_up(
    database_url: str, tmp_path: Path
) -> None:
    """Three missing or unknown keys a minute from 127.0.0.1: the fourth attempt answers 42900
    without a database look-up, even with a good key, unless that key is already remembered."""
    settings = make_settings(
        database_url, tmp_path, api_auth_failures_per_minute=3, api_auth_cache_seconds=60
    )
    app = create_app(settings)
    database = Database(database_url, pool_size=1)
    try:
        upgrade_database(database)
        accounts = Accounts(database, settings)
        _, remembered = accounts.create(name="remembered", plan="test")
        _, other = accounts.create(name="other", plan="test")
    finally:
        database.dispose()
    with serve_in_thread(app) as base_url, httpx.Client(base_url=base_url) as client:
        good = {"x-api-key": remembered.secret}
        assert_envelope(client.get("/v2/user/whoami", headers=good), 200, 0)  # looked up, remembered
        authenticator = app.state.services.authenticator
        look_ups: list[str | None] = []
        original = authenticator.authenticate

        async def counting(raw_key: str | None) -> object:
            look_ups.append(raw_key)
            return await original(raw_key)

        authenticator.authenticate = counting
        assert_envelope(client.get("/v2/user/whoami"), 401, 10105)  # missing
        for _ in range(2):
            assert_envelope(client.get("/v2/user/whoami", headers={"x-api-key": "pdx_wrong"}), 401, 10105)
        assert len(look_ups) == 3
        blocked = client.post("/v2/product", json={"name": "x"}, headers={"x-api-key": "pdx_wrong"})
        assert_envelope(blocked, 429, 42900)
        assert 1 <= int(blocked.headers["retry-after"]) <= 60
        assert "failed authentications" in blocked.json()["msg"]
        not_remembered = client.get("/v2/user/whoami", headers={"x-api-key": other.secret})
        assert_envelope(not_remembered, 429, 42900)
        assert len(look_ups) == 3  # nothing more was looked up
        assert_envelope(client.get("/v2/user/whoami", headers=good), 200, 0)  # remembered: served
        assert_envelope(client.get("/healthz"), 200, 0)  # operations endpoints need no key
