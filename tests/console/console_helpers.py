"""Helpers of the console tests: a real `prodex serve` process, shop pages with real pictures."""

from __future__ import annotations

import html
import json
import struct
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from fixtures.prodex_serve import ServerProcess, clean_env, prodex_server

__all__ = ["ServerProcess", "prodex_serve", "product_page", "solid_png"]


def solid_png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A PNG of one colour with a darker frame (a real picture of a known size, made here)."""
    dark = bytes(max(0, c - 70) for c in rgb)
    light = bytes(rgb)
    frame = max(2, min(width, height) // 20)
    rows = []
    for y in range(height):
        edge_row = y < frame or y >= height - frame
        row = bytearray(b"\x00")
        for x in range(width):
            row += dark if edge_row or x < frame or x >= width - frame else light
        rows.append(bytes(row))
    raw = b"".join(rows)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def product_page(
    *, name: str, description: str, images: list[str], price: str, regular_price: str, url: str
) -> str:
    """A shop page with JSON-LD (name, pictures, price, rating, brand) and a struck-out old price."""
    data = {
        "@context": "https://schema.org",
        "@type": "Product",
        "name": name,
        "description": description,
        "image": images,
        "sku": "LMP-200",
        "brand": {"@type": "Brand", "name": "Lumen & Co"},
        "aggregateRating": {
            "@type": "AggregateRating",
            "ratingValue": "4.6",
            "bestRating": "5",
            "reviewCount": 128,
        },
        "offers": {
            "@type": "Offer",
            "price": price,
            "priceCurrency": "EUR",
            "availability": "https://schema.org/InStock",
            "url": url,
        },
    }
    # The JSON is embedded as script data: "<" is escaped so that no text can close the script element.
    payload = json.dumps(data).replace("<", "\\u003c")
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Desk lamp | Console Test Shop</title>
<script type="application/ld+json">{payload}</script></head>
<body><nav class="breadcrumb"><a href="/">Home</a> › <a href="/lighting">Lighting</a> › Desk lamps</nav>
<main><h1>{html.escape(name)}</h1>
<div class="price"><span class="price-now">€{price}</span> <s class="price-old">€{regular_price}</s></div>
<ul class="features"><li>Warm to daylight white in five steps</li><li>Aluminium arm that holds any angle</li>
<li>USB-C port in the base to charge a phone</li></ul>
</main></body></html>"""


@contextmanager
def prodex_serve(data_dir: Path, **settings: str) -> Iterator[ServerProcess]:
    """Run `prodex serve --host 127.0.0.1 --port 0` with a clean PRODEX_* environment and the given
    settings (``fetch_allowed_hosts="..."`` -> ``PRODEX_FETCH_ALLOWED_HOSTS``); stop it afterwards."""
    env = clean_env(PRODEX_DATA_DIR=str(data_dir))
    env.update({f"PRODEX_{name.upper()}": value for name, value in settings.items()})
    with prodex_server(env, data_dir) as server:
        yield server
