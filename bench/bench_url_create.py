"""URL-create benchmark: POST /v2/product {"url": ...} against a local shop, over real HTTP.

Three measurements, each against its own ``prodex serve`` process and a fixture shop process
(tests/fixtures/shop_server.py), all on 127.0.0.1:

1. **slow shop**: the shop answers every page after ``--delay`` seconds (1 s); ``--concurrency``
   (500) creates of distinct product URLs are sent at once. Prints wall time, p50/p99 latency,
   errors, and the server's peak memory (VmHWM of the server and its extraction workers). Target:
   all succeed within 3 s of wall time (the floor is the shop's 1 s).
2. **service overhead**: sequential creates against an instant shop; the median create latency
   next to the median time of ``extract_product`` on the very same page in this process: the
   difference is what the service adds (auth, credits, fetch, worker hand-off, storage, JSON).
3. **event loop under extraction**: while creates of heavy real pages (the shared dataset) run,
   a probe requests ``/healthz`` every 10 ms; its latency shows whether extraction stalls the
   event loop. Run once per extraction pool kind (process, thread) for comparison.

Usage::

    .venv/bin/python bench/bench_url_create.py
    .venv/bin/python bench/bench_url_create.py --concurrency 200 --skip-loop

The server runs with PRODEX_FETCH_ALLOW_PRIVATE=true and PRODEX_FETCH_ALLOWED_HOSTS=127.0.0.1:<shop port>
(the shop is on this machine; an entry without a port would allow only ports 80 and 443).
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
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from _servers import (
    DEFAULT_POSTGRES,
    bench_account,
    clean_env,
    database,
    free_port,
    http_request,
    peak_rss_mib,
    process,
    send_once,
    wait_until_up,
)

ROOT = Path(__file__).resolve().parents[1]
PRODEX = str(Path(sys.executable).with_name("prodex"))
PLANS = json.dumps(
    {
        "bench": {
            "requests_per_minute": 1_000_000_000,
            "concurrent_analyses": 100_000,
            "credits_per_analysis": 1,
        }
    }
)


def pct(values: list[float], q: float) -> float:
    """The ``q`` quantile (0..1) of ``values`` (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))] if ordered else float("nan")


@contextmanager
def shop(delay: float, workdir: Path) -> Iterator[str]:
    """The fixture shop in its own process; yields its base URL."""
    env = dict(os.environ, PYTHONPATH=str(ROOT / "tests"))
    log = (workdir / f"shop-{delay}.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "fixtures.shop_server", "--delay", str(delay)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=log,
        cwd=ROOT,
    )
    try:
        assert proc.stdout is not None
        base = proc.stdout.readline().decode().strip()
        if not base.startswith("http"):
            raise RuntimeError("the fixture shop did not start")
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        log.close()


@dataclass
class Server:
    """A running ``prodex serve`` process and what a client needs to call it."""

    base: str
    key: str
    pid: int


@contextmanager
def prodex_server(workdir: Path, database_url: str, shop_base: str, **settings: str) -> Iterator[Server]:
    """``prodex serve`` on a free port, allowed to fetch from the shop at ``shop_base`` only
    (127.0.0.1 on the shop's port), with a rich account; ``settings`` (PRODEX_ variables) replace
    the defaults."""
    key = bench_account(database_url, PLANS, credits=10_000_000)
    port = free_port()
    defaults = {
        "PRODEX_DATABASE_URL": database_url,
        "PRODEX_DATA_DIR": str(workdir / "data"),
        "PRODEX_PLANS": PLANS,
        "PRODEX_DEFAULT_PLAN": "bench",
        "PRODEX_LOG_LEVEL": "WARNING",
        "PRODEX_FETCH_ALLOW_PRIVATE": "true",
        "PRODEX_FETCH_ALLOWED_HOSTS": urlsplit(shop_base).netloc,
        "PRODEX_FETCH_MAX_CONNECTIONS": "2000",
        "PRODEX_FETCH_MAX_PER_HOST": "2000",
        "PRODEX_RENDER": "off",
        # the fixture shop's pictures are 1-pixel placeholders: media as found, as before issue 13
        "PRODEX_MEDIA_STORE": "off",
    }
    env = clean_env(**{**defaults, **settings})
    cmd = [PRODEX, "serve", "--host", "127.0.0.1", "--port", str(port), "--no-dev-account"]
    with process(cmd, env, workdir / f"prodex-{port}.log") as proc:
        base = f"http://127.0.0.1:{port}"
        wait_until_up(f"{base}/healthz")
        yield Server(base=base, key=key, pid=proc.pid)


async def create(server: Server, url: str) -> tuple[float, int, str]:
    """One URL create on a new connection; returns (seconds, business code, msg)."""
    request = http_request(
        f"{server.base}/v2/product", json.dumps({"url": url}).encode(), {"x-api-key": server.key}
    )
    started = time.perf_counter()
    _, raw = await send_once(server.base, request)
    elapsed = time.perf_counter() - started
    body = json.loads(raw)
    return elapsed, int(body.get("code", -1)), str(body.get("msg", ""))


async def burst(server: Server, shop_base: str, count: int) -> None:
    """Measurement 1: ``count`` creates at once against the slow shop."""
    await asyncio.gather(*(create(server, f"{shop_base}/product/warm-{i}") for i in range(4)))
    run = f"{time.time_ns():x}"
    started = time.perf_counter()
    results = await asyncio.gather(
        *(create(server, f"{shop_base}/product/burst-{run}-{i}") for i in range(count))
    )
    wall = time.perf_counter() - started
    latencies = [r[0] for r in results]
    errors = [r for r in results if r[1] != 0]
    print(
        f"slow shop: {count} concurrent creates  wall {wall:.2f} s  p50 {pct(latencies, 0.5):.2f} s  "
        f"p99 {pct(latencies, 0.99):.2f} s  errors {len(errors)}  "
        f"server peak RSS {peak_rss_mib(server.pid):.0f} MiB (server + extraction workers)"
    )
    for _, code, msg in errors[:5]:
        print(f"  error {code}: {msg}")
    verdict = "met" if wall <= 3 and not errors else "NOT met"
    print(f"  target: all {count} succeed within 3 s of wall time -> {verdict}")


async def overhead(server: Server, shop_base: str, repeats: int) -> None:
    """Measurement 2: what the service adds over extraction itself, on an instant shop."""
    from prodex.extract import extract_product

    latencies = []
    for i in range(repeats + 3):
        elapsed, code, msg = await create(server, f"{shop_base}/product/overhead-{time.time_ns()}-{i}")
        if code != 0:
            raise RuntimeError(f"create failed: {code} {msg}")
        if i >= 3:  # the first creates warm the workers and connections
            latencies.append(elapsed)
    async with httpx.AsyncClient() as client:
        page = (await client.get(f"{shop_base}/product/overhead-page")).content
    extraction = []
    for _ in range(repeats):
        started = time.perf_counter()
        extract_product(page, f"{shop_base}/product/overhead-page")
        extraction.append(time.perf_counter() - started)
    create_ms, extract_ms = statistics.median(latencies) * 1000, statistics.median(extraction) * 1000
    print(
        f"instant shop: create median {create_ms:.2f} ms (p99 {pct(latencies, 0.99) * 1000:.2f} ms) over "
        f"{repeats} sequential creates; extract_product median {extract_ms:.2f} ms on the same "
        f"{len(page)} B page -> the service adds {create_ms - extract_ms:.2f} ms"
    )


async def loop_probe(server: Server, shop_base: str, page_ids: list[str], rounds: int, label: str) -> None:
    """Measurement 3: /healthz latency every 10 ms while heavy pages are being extracted."""
    probes: list[float] = []
    done = asyncio.Event()

    async def probe(client: httpx.AsyncClient) -> None:
        while not done.is_set():
            started = time.perf_counter()
            await client.get("/healthz")
            probes.append(time.perf_counter() - started)
            await asyncio.sleep(0.01)

    async with httpx.AsyncClient(base_url=server.base) as probe_client:
        await create(server, f"{shop_base}/dataset/{page_ids[0]}")  # warm-up
        urls = [f"{shop_base}/dataset/{pid}?r={r}" for r in range(rounds) for pid in page_ids]
        task = asyncio.create_task(probe(probe_client))
        started = time.perf_counter()
        semaphore = asyncio.Semaphore(16)

        async def one(url: str) -> tuple[float, int, str]:
            async with semaphore:
                return await create(server, url)

        results = await asyncio.gather(*(one(u) for u in urls))
        wall = time.perf_counter() - started
        done.set()
        await task
    ok = sum(1 for r in results if r[1] == 0)
    print(
        f"event loop ({label} pool): {len(urls)} creates of dataset pages (16 at a time) in {wall:.2f} s "
        f"({ok} products); /healthz probe p50 {pct(probes, 0.5) * 1000:.1f} ms  p99 "
        f"{pct(probes, 0.99) * 1000:.1f} ms  max {max(probes) * 1000:.1f} ms over {len(probes)} probes"
    )


def main() -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--concurrency", type=int, default=500, help="creates sent at once to the slow shop")
    parser.add_argument("--delay", type=float, default=1.0, help="the slow shop's delay per page, seconds")
    parser.add_argument("--repeats", type=int, default=30, help="sequential creates for the overhead figure")
    parser.add_argument("--backend", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES)
    parser.add_argument(
        "--pages", type=Path, default=ROOT.parent / "shared" / "datasets" / "product-pages" / "pages"
    )
    parser.add_argument("--skip-loop", action="store_true", help="skip the event-loop measurement")
    args = parser.parse_args()
    print(f"load average before: {'/'.join(f'{x:.2f}' for x in os.getloadavg())}; cpus: {os.cpu_count()}")
    with tempfile.TemporaryDirectory(prefix="prodex-bench-url-") as tmp:
        workdir = Path(tmp)
        with database(args.backend, workdir, args.postgres_url) as database_url:
            with shop(args.delay, workdir) as slow, prodex_server(workdir, database_url, slow) as server:
                asyncio.run(burst(server, slow, args.concurrency))
            with shop(0.0, workdir) as instant:
                with prodex_server(workdir, database_url, instant) as server:
                    asyncio.run(overhead(server, instant, args.repeats))
                page_ids = sorted(p.name.removesuffix(".html.gz") for p in args.pages.glob("*.html.gz"))
                if args.skip_loop or not page_ids:
                    return
                for kind in ("process", "thread"):
                    with prodex_server(workdir, database_url, instant, PRODEX_EXTRACT_POOL=kind) as server:
                        asyncio.run(loop_probe(server, instant, page_ids, 2, kind))


if __name__ == "__main__":
    main()
