"""The sample shop of `prodex demo`: product pages written as shops write them (JSON-LD, a gallery,
a feature list, breadcrumbs) and real PNG pictures made at start-up, served by uvicorn on
127.0.0.1 in a background thread."""

from __future__ import annotations

import html
import json
import socket
import struct
import threading
import time
import zlib
from dataclasses import dataclass
from functools import lru_cache

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route


@dataclass(frozen=True)
class DemoProduct:
    """One product of the sample shop."""

    slug: str
    name: str
    description: str
    features: tuple[str, ...]
    price: str
    brand: str
    sku: str
    category: str
    pictures: tuple[tuple[int, int, tuple[int, int, int]], ...]
    """Width, height and colour of each picture."""


PRODUCTS: dict[str, DemoProduct] = {
    p.slug: p
    for p in (
        DemoProduct(
            slug="kettle",
            name="Glass Kettle 1.7 L",
            description="A quiet electric kettle with a borosilicate glass body and a soft blue light "
            "while it boils.\n\nIt switches itself off when the water boils or the kettle is lifted.",
            features=(
                "Boils 1.7 litres in under four minutes",
                "Borosilicate glass body with a blue light ring",
                "Automatic shut-off and boil-dry protection",
            ),
            price="49.90",
            brand="Prodex Home",
            sku="PH-KET-17",
            category="Kettles",
            pictures=((800, 800, (90, 150, 220)), (800, 600, (70, 120, 190)), (600, 800, (140, 190, 235))),
        ),
        DemoProduct(
            slug="teapot",
            name="Stoneware Teapot 0.9 L",
            description="A hand-glazed stoneware teapot with a stainless steel infuser for loose tea.",
            features=(
                "Holds 0.9 litres, four cups",
                "Removable stainless steel infuser",
                "Dishwasher safe glaze",
            ),
            price="34.00",
            brand="Prodex Home",
            sku="PH-TEA-09",
            category="Teapots",
            pictures=((800, 800, (200, 120, 80)), (800, 600, (170, 100, 60))),
        ),
    )
}


@lru_cache(maxsize=32)
def solid_png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A PNG of one colour with a darker frame."""
    dark = bytes(max(0, c - 60) for c in rgb)
    frame = max(2, min(width, height) // 16)
    inner = dark * frame + bytes(rgb) * (width - 2 * frame) + dark * frame
    edge = b"\x00" + dark * width
    middle = b"\x00" + inner
    raw = edge * frame + middle * (height - 2 * frame) + edge * frame

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    body = chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")
    return b"\x89PNG\r\n\x1a\n" + body


def product_page(product: DemoProduct, base_url: str) -> str:
    """The product's page as a shop would write it."""
    images = [f"{base_url}/img/{product.slug}-{i + 1}.png" for i in range(len(product.pictures))]
    data = {
        "@context": "https://schema.org",
        "@type": "Product",
        "name": product.name,
        "description": product.description,
        "image": images,
        "sku": product.sku,
        "brand": {"@type": "Brand", "name": product.brand},
        "offers": {
            "@type": "Offer",
            "price": product.price,
            "priceCurrency": "EUR",
            "availability": "https://schema.org/InStock",
            "url": f"{base_url}/products/{product.slug}",
        },
    }
    payload = json.dumps(data).replace("<", "\\u003c")
    name = html.escape(product.name)
    gallery = "\n".join(f'<img src="{src}" alt="{name}">' for src in images)
    features = "\n".join(f"<li>{html.escape(line)}</li>" for line in product.features)
    paragraphs = "\n".join(f"<p>{html.escape(p)}</p>" for p in product.description.split("\n\n"))
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{name} | Prodex Demo Shop</title>
<meta property="og:title" content="{name}"><meta property="og:type" content="product">
<meta property="og:image" content="{images[0]}">
<script type="application/ld+json">{payload}</script></head>
<body><nav class="breadcrumb"><a href="/">Home</a> › <a href="/kitchen">Kitchen</a> ›
{html.escape(product.category)}</nav>
<main><h1>{name}</h1><div class="gallery">{gallery}</div>
<p class="price">€{product.price}</p>
<h2>Highlights</h2><ul class="features">{features}</ul>
<div class="description">{paragraphs}</div></main></body></html>"""


def demo_shop_app() -> Starlette:
    """The sample shop as an ASGI app: ``/`` lists the products, ``/products/<slug>``, ``/img/<file>``."""

    def base_url(request: Request) -> str:
        return f"{request.url.scheme}://{request.url.netloc}"

    async def index(request: Request) -> Response:
        links = "".join(
            f'<li><a href="/products/{p.slug}">{html.escape(p.name)}</a></li>' for p in PRODUCTS.values()
        )
        return HTMLResponse(
            f"<!DOCTYPE html><title>Prodex Demo Shop</title><h1>Demo shop</h1><ul>{links}</ul>"
        )

    async def product(request: Request) -> Response:
        found = PRODUCTS.get(request.path_params["slug"])
        if found is None:
            return HTMLResponse("<h1>Not found</h1>", status_code=404)
        return HTMLResponse(product_page(found, base_url(request)))

    async def image(request: Request) -> Response:
        slug, _, rest = request.path_params["name"].rpartition("-")
        found = PRODUCTS.get(slug)
        number = rest.removesuffix(".png")
        if found is None or not number.isdigit() or not 1 <= int(number) <= len(found.pictures):
            return Response(status_code=404)
        width, height, rgb = found.pictures[int(number) - 1]
        return Response(solid_png(width, height, rgb), media_type="image/png")

    return Starlette(
        routes=[Route("/", index), Route("/products/{slug}", product), Route("/img/{name}", image)]
    )


class DemoShop:
    """The sample shop served on 127.0.0.1 by uvicorn in a daemon thread (``start`` / ``stop``)."""

    host = "127.0.0.1"

    def __init__(self, port: int = 0) -> None:
        self.port = port
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>``."""
        return f"http://{self.host}:{self.port}"

    def url(self, slug: str) -> str:
        """The page of the product ``slug``."""
        return f"{self.base_url}/products/{slug}"

    def start(self) -> DemoShop:
        """Bind the port (0 picks a free one) and serve; returns when the shop answers."""
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, self.port))
        self.port = sock.getsockname()[1]
        # log_config=None: leave the logging of the process (the API server's) as it is.
        config = uvicorn.Config(demo_shop_app(), log_config=None, access_log=False, lifespan="off")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [sock]}, name="prodex-demo-shop", daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the demo shop did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        """Stop serving and wait for the thread."""
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
