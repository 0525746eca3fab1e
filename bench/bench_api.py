"""API benchmark: manual product creation vs a bare endpoint, over real HTTP, 50 clients.

For each database backend (SQLite, PostgreSQL) this script

1. makes a fresh database (a temporary SQLite file, or a temporary PostgreSQL database that is
   dropped afterwards), migrates it and creates an account on a plan without a practical limit;
2. starts two server processes on 127.0.0.1 with the same server (uvicorn, same options as
   ``prodex serve``): ``prodex serve`` itself, and a bare FastAPI app whose one endpoint returns a
   constant;
3. from this process (the load generator, separate from both servers) keeps ``--concurrency``
   keep-alive HTTP/1.1 connections busy for ``--duration`` seconds against each, alternating
   bare / prodex for ``--rounds`` rounds, and reports requests per second, p50/p99 latency and
   the server process's CPU time (user + system, from ``/proc/<pid>/stat``) per request.

Throughput swings with whatever else runs on the machine; server CPU time per request is the
steadier figure, so the report gives both ratios: create/bare throughput and bare/create CPU per
request. (On PostgreSQL the database server's own CPU is not included.)

The target is prodex's create throughput >= 0.4 x the bare endpoint's. The load generator is a
minimal asyncio HTTP/1.1 client (httpx's per-request cost would make the generator the
bottleneck); it checks every response's status and counts the rest as errors.

Usage::

    .venv/bin/python bench/bench_api.py                    # both backends, 10 s x 3 rounds each
    .venv/bin/python bench/bench_api.py --backend sqlite --duration 5 --rounds 1

Figures depend on the machine and on its load (other processes compete for the same cores);
the script prints ``os.getloadavg()`` before each measurement.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from _servers import (
    DEFAULT_POSTGRES,
    bench_account,
    clean_env,
    database,
    free_port,
    http_request,
    process,
    wait_until_up,
)

ROOT = Path(__file__).resolve().parents[1]
PRODEX = str(Path(sys.executable).with_name("prodex"))
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
BENCH_PLANS = '{"bench": {"requests_per_minute": 1000000000, "concurrent_analyses": 10}}'
PRODUCT = {
    "name": "Physicians Formula Happy Booster Heart Blush",
    "description": "Brush on a radiant blushing glow with this buildable, vegan blush.",
    "target_audience": "Beauty enthusiasts",
    "media": [
        {"type": 1, "name": "front.jpg", "url": "https://res.example/front.jpg", "description": "Front"}
    ],
}


# --- the bare endpoint ---------------------------------------------------------------------------


def bare_app() -> Any:
    """A FastAPI app with one endpoint returning a constant: the framework's floor.

    Configured like prodex's app (OpenTelemetry hooks off), so the comparison is like for like.
    """
    from fastapi import FastAPI

    from prodex.api.app import NO_OPENTELEMETRY

    app = FastAPI(telemetry=NO_OPENTELEMETRY)

    @app.post("/bare")
    async def bare() -> dict[str, Any]:
        return {"code": 0, "msg": "Success", "data": None}

    return app


def serve_bare(port: int) -> None:
    """Serve :func:`bare_app` with the same uvicorn options as ``prodex serve`` (its HTTP
    protocol included)."""
    import uvicorn

    from prodex.api.serving import server_app, uvicorn_options
    from prodex.settings import Settings

    settings = Settings()
    options = {**uvicorn_options(settings), "log_level": "warning"}
    uvicorn.run(server_app(bare_app(), settings), host="127.0.0.1", port=port, **options)


# --- the load generator --------------------------------------------------------------------------


@dataclass
class Result:
    """One measurement."""

    target: str
    requests: int
    errors: int
    seconds: float
    rps: float
    p50_ms: float
    p99_ms: float
    load_before: str
    #: Server CPU time (user + system) per request, microseconds (``/proc/<pid>/stat``).
    cpu_us_per_request: float


async def _client(
    host: str, port: int, request: bytes, stop_at: float, latencies: list[float], errors: list[int]
) -> None:
    """One keep-alive connection sending ``request`` until ``stop_at``."""
    reader, writer = await asyncio.open_connection(host, port)
    try:
        while time.perf_counter() < stop_at:
            started = time.perf_counter()
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n")[1:]:
                if line[:15].lower() == b"content-length:":
                    length = int(line[15:])
            body = await reader.readexactly(length)
            latencies.append(time.perf_counter() - started)
            if not head.startswith(b"HTTP/1.1 200") or not body.startswith(b'{"code":0'):
                errors.append(1)
    finally:
        writer.close()


async def _load(url: str, request: bytes, concurrency: int, seconds: float) -> tuple[list[float], int, float]:
    parts = urlsplit(url)
    latencies: list[float] = []
    errors: list[int] = []
    started = time.perf_counter()
    stop_at = started + seconds
    await asyncio.gather(
        *(
            _client(parts.hostname or "127.0.0.1", parts.port or 80, request, stop_at, latencies, errors)
            for _ in range(concurrency)
        )
    )
    return latencies, len(errors), time.perf_counter() - started


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) that process ``pid`` has used so far, in seconds."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    # The command name (field 2) may hold spaces; the fields after its closing parenthesis are
    # state (3), ..., utime (14), stime (15).
    fields = stat[stat.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def measure(
    target: str, url: str, request: bytes, concurrency: int, seconds: float, server_pid: int
) -> Result:
    """Keep ``concurrency`` connections busy for ``seconds`` and summarise, with the CPU time
    the server process ``server_pid`` spent per request."""
    load = "/".join(f"{value:.2f}" for value in os.getloadavg())
    cpu_before = cpu_seconds(server_pid)
    latencies, errors, elapsed = asyncio.run(_load(url, request, concurrency, seconds))
    cpu_used = cpu_seconds(server_pid) - cpu_before
    cuts = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0.0] * 99
    return Result(
        target=target,
        requests=len(latencies),
        errors=errors,
        seconds=round(elapsed, 2),
        rps=round(len(latencies) / elapsed, 1),
        p50_ms=round(cuts[49] * 1000, 2),
        p99_ms=round(cuts[98] * 1000, 2),
        load_before=load,
        cpu_us_per_request=round(cpu_used / max(1, len(latencies)) * 1e6, 1),
    )


def run_backend(backend: str, args: argparse.Namespace) -> list[Result]:
    """Both servers for one backend, measured alternately."""
    with tempfile.TemporaryDirectory(prefix="prodex-bench-") as tmp:
        workdir = Path(tmp)
        with database(backend, workdir, args.postgres_url) as database_url:
            key = bench_account(database_url, BENCH_PLANS)
            env = clean_env(
                PRODEX_DATABASE_URL=database_url,
                PRODEX_PLANS=BENCH_PLANS,
                PRODEX_DEFAULT_PLAN="bench",
                PRODEX_LOG_LEVEL=args.log_level,
                PRODEX_DATA_DIR=str(workdir / "data"),
            )
            prodex_port, bare_port = free_port(), free_port()
            prodex_cmd = [
                PRODEX,
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(prodex_port),
                "--no-dev-account",
            ]
            bare_cmd = [sys.executable, str(Path(__file__).resolve()), "serve-bare", "--port", str(bare_port)]
            with (
                process(prodex_cmd, env, workdir / "prodex.log") as prodex_proc,
                process(bare_cmd, env, workdir / "bare.log") as bare_proc,
            ):
                wait_until_up(f"http://127.0.0.1:{prodex_port}/healthz")
                wait_until_up(f"http://127.0.0.1:{bare_port}/docs")
                prodex_url = f"http://127.0.0.1:{prodex_port}/v2/product"
                bare_url = f"http://127.0.0.1:{bare_port}/bare"
                body = json.dumps(PRODUCT).encode()
                prodex_request = http_request(prodex_url, body, {"x-api-key": key})
                bare_request = http_request(bare_url, body, {"x-api-key": key})
                bare_run = (bare_url, bare_request, args.concurrency)
                prodex_run = (prodex_url, prodex_request, args.concurrency)
                measure("warm-up", *bare_run, args.warmup, bare_proc.pid)
                measure("warm-up", *prodex_run, args.warmup, prodex_proc.pid)
                results = []
                for _ in range(args.rounds):
                    results.append(measure(f"{backend}: bare", *bare_run, args.duration, bare_proc.pid))
                    results.append(measure(f"{backend}: create", *prodex_run, args.duration, prodex_proc.pid))
                return results


def report(results: list[Result]) -> None:
    """Print the measurements and the create/bare ratio per backend."""
    print(
        f"{'target':<20} {'requests':>9} {'errors':>7} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} "
        f"{'cpu us/req':>10}  load(1/5/15)"
    )
    for r in results:
        print(
            f"{r.target:<20} {r.requests:>9} {r.errors:>7} {r.rps:>9.1f} {r.p50_ms:>8.2f} {r.p99_ms:>8.2f} "
            f"{r.cpu_us_per_request:>10.1f}  {r.load_before}"
        )
    for backend in sorted({r.target.split(":")[0] for r in results}):
        bare = [r for r in results if r.target == f"{backend}: bare"]
        create = [r for r in results if r.target == f"{backend}: create"]
        if bare and create:
            ratio = statistics.mean(r.rps for r in create) / statistics.mean(r.rps for r in bare)
            cpu_ratio = statistics.mean(r.cpu_us_per_request for r in bare) / statistics.mean(
                r.cpu_us_per_request for r in create
            )
            print(
                f"{backend}: create/bare throughput = {ratio:.2f}, "
                f"bare/create server CPU per request = {cpu_ratio:.2f} (target >= 0.40)"
            )


def main() -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command")
    bare = sub.add_parser("serve-bare", help="(internal) serve the bare endpoint")
    bare.add_argument("--port", type=int, required=True)
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per measurement")
    parser.add_argument("--warmup", type=float, default=2.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES)
    parser.add_argument("--log-level", default="INFO", help="PRODEX_LOG_LEVEL of the prodex server")
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    args = parser.parse_args()
    if args.command == "serve-bare":
        serve_bare(args.port)
        return
    backends = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]
    results = [r for backend in backends for r in run_backend(backend, args)]
    report(results)
    if args.json:
        args.json.write_text(json.dumps([asdict(r) for r in results], indent=2))


if __name__ == "__main__":
    main()
