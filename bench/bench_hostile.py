"""Hostile-page benchmark: the CPU one URL analysis costs on pathological HTML, all processes counted.

Generates a corpus of pathological shapes, each up to the fetch body limit (deep nesting, unclosed
and stray tags, attribute floods, misnested formatting elements, huge scripts and text nodes, many
images and tables, huge and deep JSON-LD, app shells...), serves it from a local HTTP server on
127.0.0.1 and runs the whole analysis path on each page as the server does it
(:func:`prodex.analysis.runtime.analysis_runtime`: fetch, platform decision, extraction, page kind
and app-shell test in the worker pool, rendering decision with PRODEX_RENDER=off).

CPU per page = this process (event loop, fetcher, the local server's thread) + every extraction
worker (live ones from /proc, ended ones through the reaped-children times), including a
replacement worker's start-up, measured after the pool is back to full strength. Target: at most
2 s per page.

Usage::

    .venv/bin/python bench/bench_hostile.py [--max-bytes 10485760] [--only deep-div,attr-flood]
    .venv/bin/python bench/bench_hostile.py --direct   # each page in a bare process, no pool, no bounds
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from prodex.analysis.runtime import analysis_runtime
from prodex.analysis.workers import ExtractionPool
from prodex.errors import ProdexError
from prodex.settings import Settings

TARGET_SECONDS = 2.0
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _fill(head: str, unit: str, tail: str, limit: int) -> str:
    """``head + unit * n + tail`` of at most ``limit`` characters."""
    return head + unit * max(1, (limit - len(head) - len(tail)) // len(unit)) + tail


def _numbered(head: str, make: Callable[[int], str], tail: str, limit: int) -> str:
    parts, size, i = [head], len(head) + len(tail), 0
    while True:
        part = make(i)
        if size + len(part) > limit:
            break
        parts.append(part)
        size += len(part)
        i += 1
    parts.append(tail)
    return "".join(parts)


LD = (
    '<script type="application/ld+json">'
    '{"@type":"Product","name":"Hostile","offers":{"price":"9.99"}}</script>'
)
HEAD = f"<!doctype html><html><head><title>Hostile</title>{LD}</head><body><h1>Hostile</h1>"


def corpus(limit: int) -> dict[str, str]:
    """The pathological pages, by name, each of at most ``limit`` characters."""
    quarter = limit // 4
    return {
        "deep-div": _fill(HEAD, "<div>", "", limit),
        "deep-div-span-b": _fill(HEAD, "<div><span><b>", "", limit),
        "deep-div-280k": _fill(HEAD, "<div><span><b>", "", 280_000),
        "deep-span-stray-ends": _fill(HEAD, "<span>", "", limit // 2) + "</x>" * (limit // 8),
        "deep-self-closing-div": _fill(HEAD, "<div/>", "", limit),
        "unclosed-mix": _fill(HEAD, "<p>a<li>b<td>c<option>d<dt>e<dd>f", "", limit),
        "attr-flood-one": _numbered(HEAD + "<div ", lambda i: f"a{i}=x ", "></div>", limit),
        "attr-flood-150k": _numbered(HEAD + "<div ", lambda i: f"a{i}=x ", "></div>", 2_300_000),
        "attr-flood-many": _fill(HEAD, "<i " + " ".join(f"a{i}" for i in range(1000)) + ">", "", limit),
        "formatting-misnest": _numbered(HEAD, lambda i: f"<b id={i}><p>x", "", limit),
        "font-distinct": _numbered(HEAD, lambda i: f"<font id={i}>x", "", limit),
        "a-nested": _fill(HEAD, "<a href=x><div>", "", limit),
        "huge-script": HEAD + "<script>" + "var a=1;" * (limit // 8 - 100) + "</script>",
        "app-shell-huge-script": "<html><body><div id=root></div><script>"
        + "x=1;" * (limit // 4 - 50)
        + "</script>",
        "long-text-node": HEAD + "<p>" + "lorem ipsum " * (limit // 12 - 100) + "</p>",
        "many-images": _numbered(
            HEAD, lambda i: f'<img src="/i/{i}.jpg" alt="p{i}" width=800 height=800>', "", limit
        ),
        "many-tables": _fill(HEAD, "<table><tr><td>1</td><td>2</td></tr></table>", "", limit),
        "nested-tables": _fill(HEAD, "<table><tr><td>", "", limit),
        "many-links": _numbered(HEAD, lambda i: f'<a href="/p/{i}">product {i}</a>', "", limit),
        "many-h1": _numbered(HEAD, lambda i: f"<h1>Product {i}</h1>", "", limit),
        "many-prices": _numbered(HEAD, lambda i: f'<span class="price">{i}.99 EUR</span>', "", limit),
        "many-options": _fill(HEAD + "<select>", "<option value=1>Size 1", "</select>", limit),
        "flat-divs": _fill(HEAD, "<div class=x>y</div>", "", limit),
        "comments": _fill(HEAD, "<!-- c -->", "", limit),
        "deep-svg": _fill(HEAD + "<svg>", "<g>", "", limit),
        "huge-json-ld": HEAD
        + '<script type="application/ld+json">{"@type":"Product","name":"Many","offers":['
        + ",".join(f'{{"@type":"Offer","price":"{i}.5"}}' for i in range(limit // 40))
        + "]}</script>",
        "deep-json-ld": HEAD
        + '<script type="application/ld+json">{"@type":"Product","name":"Deep","x":'
        + "[" * quarter
        + "]" * quarter
        + "}</script>",
        "many-json-ld": _fill(HEAD, LD, "", limit),
        "many-metas": _numbered(HEAD, lambda i: f'<meta property="og:x{i}" content="{i}">', "", limit),
        "many-microdata": _fill(
            HEAD,
            '<div itemscope itemtype="https://schema.org/Product"><span itemprop=name>P</span></div>',
            "",
            limit,
        ),
    }


@contextmanager
def serve(pages: dict[str, bytes]) -> Iterator[str]:
    """Serve ``pages`` at ``/<name>`` on 127.0.0.1 (a free port); yields the base URL."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = pages.get(self.path.lstrip("/"))
            self.send_response(200 if body is not None else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body or b"")))
            self.end_headers()
            self.wfile.write(body or b"")

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def _proc_cpu(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(") ", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def total_cpu(worker_pids: list[int]) -> float:
    """CPU seconds of this process, its reaped children and the live workers."""
    times = os.times()
    return (
        times.user
        + times.system
        + times.children_user
        + times.children_system
        + sum(map(_proc_cpu, worker_pids))
    )


async def _settled(pool: ExtractionPool) -> None:
    """Wait until no worker is starting (a replacement's start-up counts for the page that caused it)."""
    for _ in range(600):
        status = pool.status()
        if status is None or not (status.starting or status.busy):
            return
        await asyncio.sleep(0.05)


async def run_pool(pages: dict[str, str], workers: int, budget: float) -> list[tuple[str, float, float, str]]:
    """Analyse every page through the runtime; (name, cpu, wall, outcome) per page."""
    settings = Settings(
        fetch_allow_private=True,
        fetch_allowed_hosts=["127.0.0.1"],
        fetch_cache_ttl=0,
        render="off",
        extract_workers=workers,
        extract_cpu_budget_seconds=budget,
        analysis_deadline_seconds=60,
    )
    rows = []
    with serve({name: html.encode() for name, html in pages.items()}) as base:
        async with analysis_runtime(settings) as runtime:
            await runtime.pool.start()
            for name in pages:
                before = total_cpu(runtime.pool.worker_pids())
                started = time.perf_counter()
                try:
                    analysis = await runtime.analyzer.analyze(f"{base}/{name}")
                    outcome = f"product {analysis.product.name!r}"
                except ProdexError as exc:
                    outcome = f"{exc.code}/{exc.status} {type(exc).__name__}"
                wall = time.perf_counter() - started
                await _settled(runtime.pool)
                rows.append((name, total_cpu(runtime.pool.worker_pids()) - before, wall, outcome))
                print(f"  {name:24s} {rows[-1][1]:6.2f} s CPU  {wall:6.2f} s wall  {outcome}", flush=True)
    return rows


DIRECT = """
import sys
from prodex.analysis.shell import looks_like_app_shell
from prodex.extract import PageKind, extract_product, page_kind
html = sys.stdin.read()
kind = page_kind(extract_product(html, "http://127.0.0.1/page"))
print(kind, kind is PageKind.EMPTY and looks_like_app_shell(html))
"""


def run_direct(pages: dict[str, str], timeout: float) -> list[tuple[str, float, float, str]]:
    """Each page analysed by a bare process without pool, budget or bounds (extraction, page kind,
    app-shell test: what a page cost before)."""
    rows = []
    for name, html in pages.items():
        started = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, "-c", DIRECT], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL
        )
        killer = threading.Timer(timeout, process.kill)
        killer.start()
        assert process.stdin is not None
        try:
            process.stdin.write(html.encode())
            process.stdin.close()
        except BrokenPipeError:
            pass
        _, status, usage = os.wait4(process.pid, 0)
        killer.cancel()
        process.returncode = os.waitstatus_to_exitcode(status)
        cpu = usage.ru_utime + usage.ru_stime
        outcome = "ok" if process.returncode == 0 else f"killed after {timeout:g} s"
        rows.append((name, cpu, time.perf_counter() - started, outcome))
        print(f"  {name:24s} {cpu:6.2f} s CPU  {rows[-1][2]:6.2f} s wall  {outcome}", flush=True)
    return rows


def main() -> int:
    """Run the benchmark; exit status 1 when a page passes the target."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--max-bytes", type=int, default=Settings().fetch_max_body_bytes)
    parser.add_argument("--only", default="", help="comma-separated page names")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--budget", type=float, default=Settings().extract_cpu_budget_seconds)
    parser.add_argument("--direct", action="store_true", help="bare analysis per page, no pool, no bounds")
    parser.add_argument("--direct-timeout", type=float, default=60.0)
    parser.add_argument("--json", help="also write the rows to this file")
    args = parser.parse_args()
    pages = corpus(args.max_bytes)
    if args.only:
        pages = {name: pages[name] for name in args.only.split(",")}
    load = os.getloadavg()
    print(f"{len(pages)} pages up to {args.max_bytes} bytes; {os.cpu_count()} CPUs, load {load[0]:.2f}")
    if args.direct:
        rows = run_direct(pages, args.direct_timeout)
    else:
        rows = asyncio.run(run_pool(pages, args.workers, args.budget))
    worst = max(rows, key=lambda row: row[1])
    print(f"worst CPU per page: {worst[1]:.2f} s ({worst[0]}); target {TARGET_SECONDS:g} s")
    print(f"peak RSS of this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")
    if args.json:
        with open(args.json, "w") as out:
            json.dump(
                [dict(zip(("page", "cpu", "wall", "outcome"), row, strict=True)) for row in rows],
                out,
                indent=1,
            )
    return 0 if args.direct or worst[1] <= TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
