"""Import benchmark: 2,000 product URLs over 20 local shops, bounded by politeness, not by prodex.

Twenty shops listen on 127.0.0.2 ... 127.0.0.21 (one asyncio server each, in a thread of this
process); every page answers after ``--delay`` (0.3 s) with a small product page (JSON-LD). One
import of ``--urls`` (2,000) URLs, the shops interleaved, runs on ``prodex worker`` processes
(one, then two) sharing a fresh PostgreSQL database, with PRODEX_IMPORT_HOST_CONCURRENCY=4 and no
minimum interval. Printed per run: wall time (import created -> last item done), products per
second, p50/p99 per item (started -> done, from the items' own timestamps; the workers are
started ``--warmup`` seconds before the import and until they are idle, as a running service
would be), the most concurrent requests any shop saw (must not exceed the limit), the credits charged
(one per item done: none charged twice) and whether the account's ledger adds up to its balance,
the workers' peak memory (VmHWM, workers and their extraction processes), the workers' CPU time per item
(workers and extraction processes, import created -> last item done), the load average at the
end, and the share of the politeness bound (20 hosts x 4 / 0.3 s = 266.7 items/s; target >= 80 %).

Usage::

    .venv/bin/python bench/bench_imports.py                  # PostgreSQL, 1 and 2 workers
    .venv/bin/python bench/bench_imports.py --workers 1 --backends sqlite,postgres

Figures depend on the machine and its load (printed).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from _servers import DEFAULT_POSTGRES, clean_env, cpu_seconds, database, peak_rss_mib, process

# Imported before any clock starts: the first import of these modules (about 0.25 s) is not the
# import's work.
from prodex.fetch.guard import URLGuard
from prodex.service.accounts import Accounts
from prodex.service.background import build_background
from prodex.service.credits import Credits
from prodex.service.imports import Imports, ImportSource
from prodex.service.products import Products
from prodex.service.slots import AnalysisSlots
from prodex.settings import Settings
from prodex.store.db import Database
from prodex.store.migrate import upgrade_database

PRODEX = str(Path(sys.executable).with_name("prodex"))
HOSTS = [f"127.0.0.{n}" for n in range(2, 22)]
HOST_LIMIT = 4
PAGE = """<!doctype html><html lang="en"><head><title>{name}</title>
<script type="application/ld+json">{{"@context": "https://schema.org", "@type": "Product",
"name": "{name}", "sku": "{sku}", "image": "https://cdn.example.com/{sku}.jpg",
"description": "A sturdy thing for benchmarks, number {sku}.",
"offers": {{"@type": "Offer", "price": "19.90", "priceCurrency": "EUR",
"availability": "https://schema.org/InStock"}}}}</script></head>
<body><h1>{name}</h1><p>A sturdy thing for benchmarks, number {sku}.</p></body></html>"""


@dataclass
class ShopStats:
    """Requests in flight per host, and the most seen at once."""

    in_flight: dict[str, int] = field(default_factory=dict)
    peak: dict[str, int] = field(default_factory=dict)
    requests: int = 0


class Shops:
    """The twenty shops, served from one event loop in a thread."""

    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.stats = ShopStats()
        self.port = 0
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="bench-shops", daemon=True)
        self._servers: list[asyncio.Server] = []

    def start(self) -> Shops:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(30)
        return self

    async def _start(self) -> None:
        first = await asyncio.start_server(self._serve_host(HOSTS[0]), HOSTS[0], 0, backlog=1024)
        self.port = first.sockets[0].getsockname()[1]
        self._servers.append(first)
        for host in HOSTS[1:]:
            self._servers.append(
                await asyncio.start_server(self._serve_host(host), host, self.port, backlog=1024)
            )

    def _serve_host(self, host: str):  # type: ignore[no-untyped-def]
        stats = self.stats

        async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            try:
                while True:
                    head = await reader.readuntil(b"\r\n\r\n")
                    path = head.split(b" ", 2)[1].decode()
                    stats.requests += 1
                    stats.in_flight[host] = stats.in_flight.get(host, 0) + 1
                    stats.peak[host] = max(stats.peak.get(host, 0), stats.in_flight[host])
                    try:
                        await asyncio.sleep(self.delay)
                    finally:
                        stats.in_flight[host] -= 1
                    sku = path.rsplit("/", 1)[-1]
                    body = PAGE.format(name=f"Bench item {host} {sku}", sku=sku).encode()
                    writer.write(
                        b"HTTP/1.1 200 OK\r\ncontent-type: text/html; charset=utf-8\r\n"
                        + f"content-length: {len(body)}\r\n\r\n".encode()
                        + body
                    )
                    await writer.drain()
            except (asyncio.IncompleteReadError, ConnectionError):
                pass
            finally:
                writer.close()

        return serve

    def stop(self) -> None:
        async def close() -> None:
            for server in self._servers:
                server.close()
                await server.wait_closed()

        asyncio.run_coroutine_threadsafe(close(), self._loop).result(30)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(30)


def make_urls(count: int, port: int) -> list[str]:
    """``count`` URLs, the shops taking turns."""
    return [f"http://{HOSTS[n % len(HOSTS)]}:{port}/p/{n}" for n in range(count)]


async def create_import(settings_env: dict[str, str], database_url: str, urls: list[str]) -> tuple[str, int]:
    """Create the account and the import (as POST /v2/products/import does); no worker here."""
    values: dict[str, object] = {
        k.removeprefix("PRODEX_").lower(): v for k, v in settings_env.items() if k.startswith("PRODEX_")
    }
    values["plans"] = json.loads(settings_env["PRODEX_PLANS"])
    settings = Settings.model_validate(values)
    db = Database(database_url, pool_size=2)
    try:
        upgrade_database(db)
        account, _ = Accounts(db, settings).create(name="bench", plan="bench", credits=len(urls))
        background = build_background(
            settings, db, credits=Credits(db), products=Products(db), slots=AnalysisSlots(), analyzer=None
        )
        queue = await background.open()
        try:
            imports = Imports(settings, db, queue, background.import_runner, URLGuard(settings))
            view = await imports.create(account.id, ImportSource(urls=urls))
        finally:
            await background.aclose()
        return view.record.id, account.id
    finally:
        await db.adispose()


async def migrate(database_url: str) -> None:
    """Bring the fresh database's schema up (before the workers start)."""
    db = Database(database_url, pool_size=1)
    try:
        upgrade_database(db)
    finally:
        await db.adispose()


def import_status(db: Database, job_id: str) -> str:
    """The import's status (what the bench polls: one row by its key)."""
    from prodex.store import imports as repo

    with db.read() as conn:
        record = repo.get_import(conn, None, job_id)
    return record.status if record else "missing"


def import_state(db: Database, job_id: str) -> tuple[str, dict[str, int], list[float]]:
    """The import's status, counts and (once done) every item's seconds from start to end."""
    from sqlalchemy import select

    from prodex.store import imports as repo
    from prodex.store.tables import import_items

    with db.read() as conn:
        record = repo.get_import(conn, None, job_id)
        counts = repo.item_counts(conn, [job_id])[job_id]
        spans: list[float] = []
        if record is not None and record.status == "done":
            rows = conn.execute(
                select(import_items.c.started_at, import_items.c.finished_at).where(
                    import_items.c.job_id == job_id, import_items.c.status == "done"
                )
            )
            spans = [(end - start).total_seconds() for start, end in rows if start and end]
    return (record.status if record else "missing"), counts, spans


@contextmanager
def polling(database_url: str) -> Iterator[Database]:
    """One database handle for polling the import (it made a new engine per poll)."""
    db = Database(database_url, pool_size=1)
    try:
        yield db
    finally:
        db.dispose()


@contextmanager
def workers(count: int, env: dict[str, str], workdir: Path) -> Iterator[list[subprocess.Popen[bytes]]]:
    """``count`` ``prodex worker`` processes."""
    with ExitStack() as stack:
        yield [
            stack.enter_context(process([PRODEX, "worker"], env, workdir / f"worker-{n}.log"))
            for n in range(count)
        ]


def wait_until_idle(procs: list[subprocess.Popen[bytes]], limit: float = 60.0) -> None:
    """Wait until the workers and their extraction processes are idle (their warm-up, 1.5 s of CPU
    per extraction process, is over: on a loaded machine it can outlast ``--warmup``)."""
    deadline = time.monotonic() + limit
    used = sum(cpu_seconds(proc.pid) for proc in procs)
    while time.monotonic() < deadline:
        time.sleep(0.5)
        now = sum(cpu_seconds(proc.pid) for proc in procs)
        if now - used < 0.05 * len(procs):
            return
        used = now


def run(backend: str, worker_count: int, args: argparse.Namespace, shops: Shops) -> dict[str, object]:
    """One measured import; returns its figures."""
    with tempfile.TemporaryDirectory(prefix="prodex-bench-imports-") as tmp:
        workdir = Path(tmp)
        with database(backend, workdir, args.postgres) as database_url:
            env = clean_env(
                PRODEX_DATABASE_URL=database_url,
                PRODEX_DATA_DIR=str(workdir),
                PRODEX_FETCH_ALLOW_PRIVATE="true",
                PRODEX_FETCH_ALLOWED_HOSTS=",".join(f"{h}:{shops.port}" for h in HOSTS),
                PRODEX_PLANS=json.dumps(
                    {
                        "bench": {
                            "requests_per_minute": 100000,
                            "concurrent_analyses": 1000,
                            "credits_per_analysis": 1,
                        }
                    }
                ),
                PRODEX_DEFAULT_PLAN="bench",
                PRODEX_RENDER="off",
                PRODEX_LOG_LEVEL="WARNING",
                PRODEX_JOBS_CONCURRENCY=str(args.concurrency),
                PRODEX_IMPORT_HOST_CONCURRENCY=str(HOST_LIMIT),
                PRODEX_IMPORT_HOST_INTERVAL_SECONDS="0",
                PRODEX_FETCH_CACHE_TTL="0",
            )
            urls = make_urls(args.urls, shops.port)
            asyncio.run(migrate(database_url))
            with polling(database_url) as db, workers(worker_count, env, workdir) as procs:
                time.sleep(args.warmup)  # the workers start their extraction processes first
                wait_until_idle(procs)
                shops.stats.peak.clear()
                cpu_before = sum(cpu_seconds(proc.pid) for proc in procs)
                started = time.monotonic()
                job_id, account_id = asyncio.run(create_import(env, database_url, urls))
                while import_status(db, job_id) != "done":
                    if any(proc.poll() is not None for proc in procs):
                        raise RuntimeError(f"a worker exited; see {workdir}/worker-*.log")
                    if time.monotonic() - started > args.timeout:
                        counts = import_state(db, job_id)[1]
                        raise RuntimeError(f"import not done after {args.timeout} s: {counts}")
                    time.sleep(0.05)
                wall = time.monotonic() - started
                cpu = sum(cpu_seconds(proc.pid) for proc in procs) - cpu_before
                memory = sum(peak_rss_mib(proc.pid) for proc in procs)
                _status, counts, spans = import_state(db, job_id)
                credits = Credits(db)
                charged = len(urls) - credits.balance(account_id)
                ledger_exact = credits.ledger_total(account_id) == credits.balance(account_id)
    done = counts.get("done", 0)
    bound = len(HOSTS) * HOST_LIMIT / args.delay
    spans.sort()
    return {
        "backend": backend,
        "workers": worker_count,
        "items": args.urls,
        "done": done,
        "failed": counts.get("failed", 0),
        "wall_s": round(wall, 2),
        "products_per_s": round(done / wall, 1),
        "share_of_politeness_bound": round(done / wall / bound, 3),
        "p50_item_s": round(statistics.median(spans), 3) if spans else None,
        "p99_item_s": round(spans[int(len(spans) * 0.99) - 1], 3) if spans else None,
        "max_concurrent_per_shop": max(shops.stats.peak.values(), default=0),
        "credits_charged": charged,
        "ledger_exact": ledger_exact,
        "host_limit": HOST_LIMIT,
        "peak_memory_mib": round(memory, 1),
        "worker_cpu_ms_per_item": round(1000 * cpu / max(done, 1), 2),
        "load_average": [round(n, 2) for n in os.getloadavg()],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--urls", type=int, default=2000)
    parser.add_argument("--delay", type=float, default=0.3)
    parser.add_argument("--workers", default="1,2", help="worker process counts to run, e.g. 1,2")
    parser.add_argument("--backends", default="postgres", help="postgres and/or sqlite")
    parser.add_argument("--concurrency", type=int, default=100, help="jobs per worker process")
    parser.add_argument("--timeout", type=float, default=300)
    parser.add_argument("--warmup", type=float, default=6.0, help="seconds between worker start and import")
    parser.add_argument("--postgres", default=os.environ.get("PRODEX_TEST_POSTGRES_URL", DEFAULT_POSTGRES))
    args = parser.parse_args()
    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    print(f"# {when}, {os.cpu_count()} CPUs, load {os.getloadavg()}")
    shops = Shops(args.delay).start()
    try:
        for backend in args.backends.split(","):
            for count in (int(n) for n in args.workers.split(",")):
                print(json.dumps(run(backend, count, args, shops)), flush=True)
    finally:
        shops.stop()


if __name__ == "__main__":
    main()
