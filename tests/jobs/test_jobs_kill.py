"""A worker killed in the middle of items: the items run again on another worker, each is stored
once, and the account's credits are exact (one charge per item, none refunded, none twice).

Real `prodex worker` processes on the real database (PostgreSQL with procrastinate, and the
embedded SQLite queue), a real shop on 127.0.0.1 whose pages take 1.5 s.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from fixtures.shop_server import ShopServer
from prodex.fetch.guard import URLGuard
from prodex.service.accounts import Accounts
from prodex.service.background import build_background
from prodex.service.credits import Credits
from prodex.service.imports import Imports, ImportSource
from prodex.service.products import Products
from prodex.service.slots import AnalysisSlots
from prodex.settings import Plan, Settings
from prodex.store import imports as repo
from prodex.store.db import Database
from prodex.store.migrate import upgrade_database

ITEMS = 6
COST = 3
PLANS = {"kill": Plan(requests_per_minute=1000, concurrent_analyses=10, credits_per_analysis=COST)}
PRODEX = str(Path(sys.executable).with_name("prodex"))


def clean_env(**overrides: str) -> dict[str, str]:
    """This process's environment without PRODEX_* settings, plus ``overrides``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PRODEX_") or k.startswith("PRODEX_TEST_")}
    return env | overrides


@pytest.fixture
def slow_shop() -> Iterator[ShopServer]:
    with ShopServer(page_delay=1.5) as server:
        yield server


def _env(database_url: str, shop: ShopServer, data_dir: Path) -> dict[str, str]:
    return clean_env(
        PRODEX_DATABASE_URL=database_url,
        PRODEX_DATA_DIR=str(data_dir),
        PRODEX_FETCH_ALLOW_PRIVATE="true",
        PRODEX_FETCH_ALLOWED_HOSTS=f"127.0.0.1:{shop.port}",
        PRODEX_EXTRACT_POOL="thread",
        PRODEX_RENDER="off",
        PRODEX_PLANS=json.dumps({name: plan.model_dump() for name, plan in PLANS.items()}),
        PRODEX_DEFAULT_PLAN="kill",
        PRODEX_JOBS_HEARTBEAT_SECONDS="0.3",
        PRODEX_JOBS_STALLED_SECONDS="1.5",
        PRODEX_JOBS_POLL_SECONDS="0.1",
        PRODEX_IMPORT_HOST_CONCURRENCY="4",
        PRODEX_IMPORT_HOST_INTERVAL_SECONDS="0",
        PRODEX_LOG_LEVEL="WARNING",
    )


def _worker(env: dict[str, str], cwd: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [PRODEX, "worker"], env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )


def _items(database: Database, job_id: str) -> list[repo.ItemRecord]:
    with database.read() as conn:
        return repo.page_items(conn, job_id, limit=100, offset=0, status=None)


def _status(database: Database, account_id: int, job_id: str) -> str | None:
    with database.read() as conn:
        record = repo.get_import(conn, account_id, job_id)
    return record.status if record is not None else None


def _wait(check: object, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not check():  # type: ignore[operator]
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.1)


async def _create(settings: Settings, database: Database, account_id: int, urls: list[str]) -> str:
    background = build_background(
        settings,
        database,
        credits=Credits(database),
        products=Products(database),
        slots=AnalysisSlots(),
        analyzer=None,
    )
    queue = await background.open()
    try:
        imports = Imports(settings, database, queue, background.import_runner, URLGuard(settings))
        view = await imports.create(account_id, ImportSource(urls=urls))
        return view.record.id
    finally:
        await background.aclose()


def test_items_of_a_killed_worker_run_again_and_credits_stay_exact(
    fresh_database_url: str, slow_shop: ShopServer, tmp_path: Path
) -> None:
    env = _env(fresh_database_url, slow_shop, tmp_path / "data")
    settings = Settings(
        database_url=fresh_database_url,
        plans=PLANS,
        default_plan="kill",
        fetch_allow_private=True,
        fetch_allowed_hosts=[f"127.0.0.1:{slow_shop.port}"],
        import_host_concurrency=4,
    )
    database = Database(fresh_database_url, pool_size=2)
    first: subprocess.Popen[str] | None = None
    second: subprocess.Popen[str] | None = None
    try:
        upgrade_database(database)
        account, _key = Accounts(database, settings).create(name="killed", plan="kill", credits=100)
        tag = uuid.uuid4().hex[:8]
        urls = [slow_shop.url(f"/product/kill-{tag}-{n}") for n in range(ITEMS)]
        first = _worker(env, tmp_path)
        job_id = asyncio.run(_create(settings, database, account.id, urls))

        def mid_analysis() -> set[str]:
            running = {i.url for i in _items(database, job_id) if i.status == "running"}
            return {url for url in running if slow_shop.hits(url.removeprefix(slow_shop.base_url))}

        _wait(lambda: len(mid_analysis()) == 4, 30)  # four pages asked for, each answering in 1.5 s
        killed = mid_analysis()
        first.send_signal(signal.SIGKILL)
        first.wait(10)
        second = _worker(env, tmp_path)
        _wait(lambda: all(i.status == "done" for i in _items(database, job_id)), 60)
        items = _items(database, job_id)
        assert len({i.product_id for i in items}) == ITEMS
        for url in killed:  # each killed item was asked for again
            assert slow_shop.hits(url.removeprefix(slow_shop.base_url)) >= 2
        credits = Credits(database)
        assert credits.balance(account.id) == 100 - ITEMS * COST
        entries = credits.entries(account.id)
        assert sorted(e.kind for e in entries) == ["charge"] * ITEMS + ["grant"]
        assert len({e.ref for e in entries if e.kind == "charge"}) == ITEMS
        # the import is marked done in its own transaction, after its last item ended
        _wait(lambda: _status(database, account.id, job_id) == "done", 15)
        from prodex.store.products import count_products

        with database.read() as conn:
            assert count_products(conn, account.id) == ITEMS  # stored once each
        second.send_signal(signal.SIGTERM)
        assert second.wait(30) == 0, second.stdout.read() if second.stdout else ""
    finally:
        for process in (first, second):
            if process is not None and process.poll() is None:
                process.kill()
                process.wait(10)
            if process is not None and process.stdout is not None:
                process.stdout.close()
        database.dispose()
