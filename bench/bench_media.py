"""Media benchmark: what fetching, checking and storing a product's media adds to a URL create,
and the server's peak memory while many such creates run at once.

An image shop runs in its own process on 127.0.0.1: ``/product/<id>`` is a product page (no
delay) whose JSON-LD lists 20 distinct 1200x1200 JPEG pictures (about 100-200 KiB each), and every
picture answers after ``--latency`` seconds (0.2). Each product's pictures are distinct files
(the same 20 pictures with the product id in a JPEG comment), so nothing is shared between
products. Each measurement runs against its own ``prodex serve`` process (SQLite):

1. **added time**: sequential URL creates (``--repeats``) with ``PRODEX_MEDIA_STORE=off`` (the
   shop's URLs kept as found) and with the local media store, at the default media per-host
   limit (24) and at 8; the difference of the medians is what media handling adds. Target: at
   most 0.6 s (the floor is one round of the shop's latency when all 20 pictures are fetched at
   once; 8 at a time takes three rounds).
2. **50 at once**: ``--concurrency`` (50) creates sent together; wall time, errors, pictures
   kept, and the server's peak memory (VmHWM of the server and its extraction workers), with the
   media store off and on. All pictures come from one shop host, so the per-host limit bounds
   the whole burst by design: 1000 pictures / 24 at a time x 0.2 s is at least 8.4 s.

Usage::

    .venv/bin/python bench/bench_media.py
    .venv/bin/python bench/bench_media.py --repeats 5 --concurrency 20
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
from pathlib import Path

from _servers import free_port, peak_rss_mib, wait_until_up
from bench_url_create import Server, pct, prodex_server

ROOT = Path(__file__).resolve().parents[1]
PICTURES = 20
OFF = {"PRODEX_MEDIA_STORE": "off"}
# The benchmark's prodex servers allow 2000 page fetches per host (bench_url_create.prodex_server);
# media downloads have their own per-host limit, PRODEX_MEDIA_MAX_PER_HOST.
LOCAL = {"PRODEX_MEDIA_STORE": "local", "PRODEX_MEDIA_MAX_PER_HOST": "24"}
LOCAL_8 = {"PRODEX_MEDIA_STORE": "local", "PRODEX_MEDIA_MAX_PER_HOST": "8"}
SEQUENTIAL = [
    ("media store off", OFF),
    ("local store, media per host 24 (default)", LOCAL),
    ("local store, media per host 8", LOCAL_8),
]
BURST = [("media store off", OFF), ("local store, media per host 24 (default)", LOCAL)]


def shop_app(latency: float) -> object:
    """The image shop: product pages listing 20 pictures, each picture after ``latency`` s."""
    sys.path.insert(0, str(ROOT / "tests"))
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import HTMLResponse, Response
    from starlette.routing import Route

    from fixtures.media_files import encode, picture

    pictures = []
    for seed in range(PICTURES):
        data = encode(picture(1000 + seed, 1200, 1200), "JPEG", quality=85)
        pictures.append(data)

    async def page(request: Request) -> Response:
        product = request.path_params["product"]
        base = f"{request.url.scheme}://{request.url.netloc}"
        images = [f"{base}/img/{product}/{i}.jpg" for i in range(PICTURES)]
        ld = {
            "@context": "https://schema.org",
            "@type": "Product",
            "name": f"Bench product {product}",
            "description": "A product with twenty pictures.",
            "image": images,
            "offers": {"@type": "Offer", "price": "19.90", "priceCurrency": "EUR"},
        }
        html = (
            f"<!DOCTYPE html><html lang='en'><head><title>Bench product {product}</title>"
            f"<script type='application/ld+json'>{json.dumps(ld)}</script></head>"
            f"<body><h1>Bench product {product}</h1></body></html>"
        )
        return HTMLResponse(html)

    async def image(request: Request) -> Response:
        await asyncio.sleep(latency)
        data = pictures[int(request.path_params["index"]) % PICTURES]
        comment = f"product {request.path_params['product']}".encode()
        # a COM segment right after SOI: another file (another SHA-256), the same picture
        tagged = data[:2] + b"\xff\xfe" + (len(comment) + 2).to_bytes(2, "big") + comment + data[2:]
        return Response(tagged, media_type="image/jpeg")

    return Starlette(
        routes=[Route("/product/{product}", page), Route("/img/{product}/{index:int}.jpg", image)]
    )


def serve_shop(latency: float, port: int) -> None:
    """Run the image shop (the ``--serve-shop`` mode of this script)."""
    import uvicorn

    uvicorn.run(shop_app(latency), host="127.0.0.1", port=port, log_level="warning", backlog=4096)  # type: ignore[arg-type]


@contextmanager
def image_shop(latency: float, workdir: Path) -> Iterator[str]:
    """The image shop in its own process; yields its base URL."""
    port = free_port()
    with (workdir / "shop.log").open("wb") as log:
        proc = subprocess.Popen(
            [sys.executable, __file__, "--serve-shop", str(port), "--latency", str(latency)],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            wait_until_up(f"{base}/product/up")
            yield base
        finally:
            proc.terminate()
            proc.wait(timeout=20)


async def create(server: Server, url: str) -> tuple[float, dict[str, object]]:
    """One URL create; (seconds, the answer's JSON)."""
    import httpx

    async with httpx.AsyncClient(timeout=120) as client:
        started = time.perf_counter()
        answer = await client.post(
            f"{server.base}/v2/product", json={"url": url}, headers={"x-api-key": server.key}
        )
        return time.perf_counter() - started, answer.json()


def _kept(body: dict[str, object]) -> int:
    data = body.get("data")
    return len(data.get("media", [])) if isinstance(data, dict) else 0  # type: ignore[arg-type]


async def sequential(server: Server, shop: str, label: str, repeats: int) -> float:
    """Median create time over ``repeats`` creates of distinct products (after two warm-ups)."""
    run = f"{time.time_ns():x}"
    for i in range(2):
        await create(server, f"{shop}/product/warm-{run}-{i}")
    times = []
    kept = []
    for i in range(repeats):
        seconds, body = await create(server, f"{shop}/product/seq-{run}-{i}")
        assert body.get("code") == 0, body
        times.append(seconds)
        kept.append(_kept(body))
    median = statistics.median(times)
    print(
        f"  {label:<42} median {median * 1000:6.0f} ms  p90 {pct(times, 0.9) * 1000:6.0f} ms  "
        f"media kept {min(kept)}-{max(kept)} of {PICTURES}"
    )
    return median


async def burst(server: Server, shop: str, label: str, count: int) -> None:
    """``count`` creates at once; wall time, errors, media kept, peak memory."""
    run = f"{time.time_ns():x}"
    await create(server, f"{shop}/product/warm-{run}")
    started = time.perf_counter()
    results = await asyncio.gather(*(create(server, f"{shop}/product/burst-{run}-{i}") for i in range(count)))
    wall = time.perf_counter() - started
    errors = [body for _, body in results if body.get("code") != 0]
    kept = sum(_kept(body) for _, body in results)
    p50 = pct([seconds for seconds, _ in results], 0.5)
    print(
        f"  {label:<42} wall {wall:5.2f} s  p50 {p50:5.2f} s  errors {len(errors)}  "
        f"media kept {kept}/{count * PICTURES}  server peak RSS {peak_rss_mib(server.pid):.0f} MiB"
    )
    for body in errors[:3]:
        print(f"    error {body.get('code')}: {body.get('msg')}")


def main() -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--latency", type=float, default=0.2, help="seconds before each picture is answered")
    parser.add_argument("--repeats", type=int, default=9, help="sequential creates per setting")
    parser.add_argument("--concurrency", type=int, default=50, help="creates sent at once")
    parser.add_argument("--serve-shop", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_shop:
        serve_shop(args.latency, args.serve_shop)
        return
    print(f"load average before: {'/'.join(f'{x:.2f}' for x in os.getloadavg())}; cpus: {os.cpu_count()}")
    with tempfile.TemporaryDirectory(prefix="prodex-bench-media-") as tmp:
        workdir = Path(tmp)
        with image_shop(args.latency, workdir) as shop:
            print(f"1. sequential URL creates, {PICTURES} pictures of 1200x1200 at {args.latency:g} s each")
            medians = {}
            for index, (label, settings) in enumerate(SEQUENTIAL):
                with prodex_server(
                    workdir, f"sqlite:///{workdir / f'seq-{index}.db'}", shop, **settings
                ) as server:
                    medians[label] = asyncio.run(sequential(server, shop, label, args.repeats))
            off = medians[SEQUENTIAL[0][0]]
            for label, median in list(medians.items())[1:]:
                added = median - off
                verdict = "met" if added <= 0.6 else "NOT met"
                print(f"  media handling adds {added * 1000:.0f} ms ({label}); target <= 600 ms: {verdict}")
            print(f"2. {args.concurrency} URL creates at once")
            for index, (label, settings) in enumerate(BURST):
                with prodex_server(
                    workdir, f"sqlite:///{workdir / f'burst-{index}.db'}", shop, **settings
                ) as server:
                    asyncio.run(burst(server, shop, label, args.concurrency))


if __name__ == "__main__":
    main()
