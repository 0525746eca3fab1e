"""Two real `prodex serve` processes share one rate limit through Redis
(PRODEX_RATE_LIMIT_STORAGE), and do not with the default in-memory storage."""

from __future__ import annotations

import uuid
from itertools import cycle
from pathlib import Path

import httpx
from cli_helpers import clean_env, prodex_server

from prodex.service.accounts import Accounts
from prodex.settings import Plan, Settings
from prodex.store.db import Database
from prodex.store.migrate import upgrade_database

PLANS_JSON = '{"four": {"requests_per_minute": 4, "concurrent_analyses": 1}}'


def _account(database_url: str) -> str:
    database = Database(database_url, pool_size=1)
    try:
        upgrade_database(database)
        settings = Settings(
            plans={"four": Plan(requests_per_minute=4, concurrent_analyses=1)}, default_plan="four"
        )
        _, issued = Accounts(database, settings).create(name="shared-limit", plan="four")
        return issued.secret
    finally:
        database.dispose()


def _statuses(storage: str, database_url: str, tmp_path: Path, requests: int) -> list[tuple[int, int]]:
    key = _account(database_url)
    env = clean_env(
        PRODEX_DATABASE_URL=database_url,
        PRODEX_PLANS=PLANS_JSON,
        PRODEX_DEFAULT_PLAN="four",
        PRODEX_RATE_LIMIT_STORAGE=storage,
        PRODEX_RATE_LIMIT_KEY_PREFIX=f"prodex-test-{uuid.uuid4().hex}",
        PRODEX_API_AUTH_CACHE_SECONDS="0",
    )
    with (
        prodex_server(env, tmp_path, "--no-dev-account") as first,
        prodex_server(env, tmp_path, "--no-dev-account") as second,
    ):
        servers = cycle([first.base_url, second.base_url])
        results = []
        for _ in range(requests):
            response = httpx.get(f"{next(servers)}/v2/user/whoami", headers={"x-api-key": key}, timeout=30)
            results.append((response.status_code, response.json()["code"]))
        return results


def test_two_server_processes_share_one_limit_through_redis(
    redis_url: str, database_url: str, tmp_path: Path
) -> None:
    results = _statuses(redis_url, database_url, tmp_path, requests=6)
    assert results == [(200, 0)] * 4 + [(429, 42900)] * 2


def test_with_memory_storage_each_process_counts_alone(database_url: str, tmp_path: Path) -> None:
    results = _statuses("memory://", database_url, tmp_path, requests=10)
    assert results == [(200, 0)] * 8 + [(429, 42900)] * 2
