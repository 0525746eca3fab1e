"""Rendering benchmark: rendered-page latency and the memory of the browser pool.

The local single-page shop (``tests/render/spa_shop.py``) runs in its own process on 127.0.0.1; its
product pages only show the product after their script fetched ``/api/product.json``. This script
(the renderer's process) then, for each pool size:

1. starts every browser of the pool with one warm-up render each, all at once (the start-up time is
   reported apart, not counted);
2. renders ``--renders`` product pages one after another: latency p50 / p99 / max;
3. runs ``--rounds`` rounds of ``--concurrency`` (10) renders at once: per-render latency, wall time,
   and, sampled every ``--sample-interval`` seconds while they run, the memory of the pool: the
   sum of RSS of every Chromium process, of Playwright's driver, and of this Python process, plus the
   same sum in PSS (shared pages divided between the processes that share them, so it is not
   counted several times as the RSS sum is).

Every rendered page is checked (the product's name must be in the rendered DOM); failures are
counted and reported. Traffic stays on 127.0.0.1 (the guard's allow-list names the shop's port).

Usage::

    .venv/bin/python bench/bench_render.py                       # pool sizes 2 (the default) and 10
    .venv/bin/python bench/bench_render.py --pool-size 2 --renders 20 --rounds 2

Figures depend on the machine and its load (other processes compete for the same cores); the script
prints ``os.getloadavg()`` before each measurement. Linux only (reads /proc).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from prodex.fetch.render import Renderer, check_render_support  # noqa: E402
from prodex.settings import Settings  # noqa: E402

PRODUCT_NAME = "Trailblazer 2 Insulated Hiking Jacket"  # tests/render/spa_shop.py's product
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")


# --- the shop process ----------------------------------------------------------------------------


@contextmanager
def spa_shop() -> Iterator[str]:
    """Run the single-page shop in a child process; yield its base URL."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "tests")}
    process = subprocess.Popen(
        [sys.executable, "-m", "render.spa_shop"], env=env, stdout=subprocess.PIPE, text=True, cwd=ROOT
    )
    try:
        assert process.stdout is not None
        base_url = process.stdout.readline().strip()
        if not base_url.startswith("http://127.0.0.1:"):
            raise RuntimeError("the single-page shop did not start")
        yield base_url
    finally:
        process.terminate()
        process.wait(timeout=10)


# --- memory ----------------------------------------------------------------------------------------


def _children_map() -> dict[int, list[int]]:
    """Parent pid -> child pids, for every process on the machine."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as handle:
                stat = handle.read()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(parent, []).append(int(entry))
    return children


def process_tree(root: int) -> list[int]:
    """``root`` and all its descendants (Playwright's driver, the Chromium processes)."""
    children = _children_map()
    tree, pending = [], [root]
    while pending:
        pid = pending.pop()
        tree.append(pid)
        pending.extend(children.get(pid, []))
    return tree


def _memory_of(pid: int) -> tuple[int, int, str]:
    """(RSS, PSS, command name) of a process in bytes; zeros when it is gone."""
    try:
        with open(f"/proc/{pid}/statm", encoding="ascii") as handle:
            rss = int(handle.read().split()[1]) * PAGE_SIZE
        pss = 0
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("Pss:"):
                    pss = int(line.split()[1]) * 1024
                    break
        with open(f"/proc/{pid}/comm", encoding="ascii", errors="replace") as handle:
            name = handle.read().strip()
    except OSError:
        return 0, 0, ""
    return rss, pss, name


@dataclass
class MemorySample:
    """The pool's memory at one moment."""

    rss: int
    pss: int
    chromium_processes: int
    by_kind: dict[str, int]


def sample_memory() -> MemorySample:
    """Sum RSS and PSS over this process and its descendants, by kind (python, driver, chromium)."""
    rss = pss = chromium = 0
    by_kind: dict[str, int] = {}
    for pid in process_tree(os.getpid()):
        p_rss, p_pss, name = _memory_of(pid)
        kind = "python" if pid == os.getpid() else "driver" if name.startswith("node") else "chromium"
        if kind == "chromium" and p_rss:
            chromium += 1
        by_kind[kind] = by_kind.get(kind, 0) + p_rss
        rss += p_rss
        pss += p_pss
    return MemorySample(rss, pss, chromium, by_kind)


# --- measuring ---------------------------------------------------------------------------------------


@dataclass
class Result:
    """The figures of one pool size."""

    pool_size: int
    concurrency: int
    start_up_s: float
    sequential: dict[str, float]
    concurrent: dict[str, float]
    memory_mib: dict[str, float]
    failures: int
    load_before: list[str] = field(default_factory=list)


def percentiles(values: list[float]) -> dict[str, float]:
    """p50, p99 and max of ``values`` in milliseconds."""
    ordered = sorted(values)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return {
        "n": len(ordered),
        "p50_ms": round(statistics.median(ordered) * 1000, 1),
        "p99_ms": round(p99 * 1000, 1),
        "max_ms": round(ordered[-1] * 1000, 1),
    }


def load() -> str:
    """The load average (1, 5, 15 min)."""
    return "/".join(f"{value:.2f}" for value in os.getloadavg())


async def timed_render(renderer: Renderer, base_url: str) -> tuple[float, bool]:
    """Render one product page; its latency and whether the product was in the rendered DOM."""
    started = time.perf_counter()
    try:
        page = await renderer.render(f"{base_url}/p/bench-{uuid.uuid4().hex[:12]}")
        ok = PRODUCT_NAME.encode() in page.body and b'class="product-title"' in page.body
    except Exception as exc:  # counted and reported: a benchmark must not stop at one failure
        print(f"  render failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        ok = False
    return time.perf_counter() - started, ok


async def measure(base_url: str, pool_size: int, args: argparse.Namespace) -> Result:
    """Warm up, then sequential and concurrent renders with one pool size."""
    port = base_url.rsplit(":", 1)[1]
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        fetch_allow_private=True,
        fetch_allowed_hosts=[f"127.0.0.1:{port}"],
        fetch_cache_ttl=0,
        render_pool_size=pool_size,
    )
    failures = 0
    loads = [f"start {load()}"]
    async with Renderer(settings) as renderer:
        started = time.perf_counter()  # warm-up: one render per browser, all at once (start-up)
        warm = await asyncio.gather(*(timed_render(renderer, base_url) for _ in range(pool_size)))
        start_up = time.perf_counter() - started
        failures += sum(not ok for _latency, ok in warm)

        print(f"pool {pool_size}: {args.renders} sequential renders (load {load()})", file=sys.stderr)
        loads.append(f"sequential {load()}")
        sequential = []
        for _ in range(args.renders):
            latency, ok = await timed_render(renderer, base_url)
            sequential.append(latency)
            failures += not ok

        print(
            f"pool {pool_size}: {args.rounds} x {args.concurrency} concurrent (load {load()})",
            file=sys.stderr,
        )
        loads.append(f"concurrent {load()}")
        samples: list[MemorySample] = []
        stop = asyncio.Event()

        async def sampler() -> None:
            while not stop.is_set():
                samples.append(await asyncio.to_thread(sample_memory))
                with suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), args.sample_interval)

        sampling = asyncio.create_task(sampler())
        concurrent: list[float] = []
        wall = []
        for _ in range(args.rounds):
            round_started = time.perf_counter()
            results = await asyncio.gather(
                *(timed_render(renderer, base_url) for _ in range(args.concurrency))
            )
            wall.append(time.perf_counter() - round_started)
            concurrent.extend(latency for latency, _ok in results)
            failures += sum(not ok for _latency, ok in results)
        stop.set()
        await sampling
        after = sample_memory()
    mib = 1024 * 1024
    peak = max(samples, key=lambda s: s.rss)
    return Result(
        pool_size=pool_size,
        concurrency=args.concurrency,
        start_up_s=round(start_up, 2),
        sequential=percentiles(sequential),
        concurrent={**percentiles(concurrent), "wall_per_round_s": round(statistics.mean(wall), 2)},
        memory_mib={
            "peak_rss_sum": round(peak.rss / mib, 1),
            "peak_pss_sum": round(max(s.pss for s in samples) / mib, 1),
            "mean_rss_sum": round(statistics.mean(s.rss for s in samples) / mib, 1),
            "peak_chromium_rss": round(peak.by_kind.get("chromium", 0) / mib, 1),
            "peak_driver_rss": round(peak.by_kind.get("driver", 0) / mib, 1),
            "peak_python_rss": round(peak.by_kind.get("python", 0) / mib, 1),
            "peak_chromium_processes": max(s.chromium_processes for s in samples),
            "samples": len(samples),
            "rss_sum_after_close": round(after.rss / mib, 1),
        },
        failures=failures,
        load_before=loads,
    )


def report(result: Result) -> None:
    """Print one pool size's figures."""
    seq, conc, mem = result.sequential, result.concurrent, result.memory_mib
    print(
        f"\npool size {result.pool_size} (browser start-up {result.start_up_s} s; load {result.load_before})"
    )
    print(
        f"  sequential   n={seq['n']:<4} p50 {seq['p50_ms']:>7} ms  p99 {seq['p99_ms']:>7} ms"
        f"  max {seq['max_ms']} ms"
    )
    print(
        f"  {result.concurrency} at once  n={conc['n']:<4} p50 {conc['p50_ms']:>7} ms"
        f"  p99 {conc['p99_ms']:>7} ms  max {conc['max_ms']} ms  (wall {conc['wall_per_round_s']} s a round)"
    )
    print(
        f"  memory under {result.concurrency} concurrent renders: peak RSS sum {mem['peak_rss_sum']} MiB "
        f"(chromium {mem['peak_chromium_rss']} in {mem['peak_chromium_processes']} processes, "
        f"driver {mem['peak_driver_rss']}, python {mem['peak_python_rss']}), "
        f"peak PSS sum {mem['peak_pss_sum']} MiB, mean RSS sum {mem['mean_rss_sum']} MiB "
        f"({mem['samples']} samples)"
    )
    print(f"  failures: {result.failures}")


def main() -> None:
    """Parse the arguments, start the shop, measure every pool size, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--pool-size", type=int, action="append", help="repeatable; default: 2 and 10")
    parser.add_argument("--renders", type=int, default=30, help="sequential renders (default 30)")
    parser.add_argument("--concurrency", type=int, default=10, help="renders at once (default 10)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of concurrent renders (default 3)")
    parser.add_argument("--sample-interval", type=float, default=0.1, help="memory sampling, seconds")
    parser.add_argument("--json", action="store_true", help="also print the results as JSON")
    args = parser.parse_args()
    support = check_render_support(Settings(_env_file=None))  # type: ignore[call-arg]
    if not support.available:
        sys.exit(f"rendering is unavailable: {support.reason}")
    results = []
    with spa_shop() as base_url:
        for pool_size in args.pool_size or [2, 10]:
            results.append(asyncio.run(measure(base_url, pool_size, args)))
            report(results[-1])
    if args.json:
        print(json.dumps([asdict(r) for r in results], indent=2))


if __name__ == "__main__":
    main()
