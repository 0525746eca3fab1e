"""A local single-page shop for the rendering tests and benchmark: real HTTP on 127.0.0.1 (port 0).

Its product pages are application shells: the HTML carries a header, a "Loading…" placeholder and a
script; the script fetches ``/api/product.json`` and only then builds the title, the price, the
description, the gallery and the buy button into the DOM. Static extraction finds no product there.

It reuses the fixture shop's server (request counting and recording, ``?delay=<s>`` on any path,
uvicorn in a background thread) with its own routes::

    /p/<slug>                    the shell page; /static/app.js builds the product; /static/app.css
    /api/product.json?slug=      the product as JSON (images under /img/, counted: never fetched)
    /probe?target=<url>&...      a page whose script requests every ``target`` (fetch) and writes
                                 "ok <status>" or "blocked" per URL into <li data-target=...>
    /storage/write?then=<path>   sets cookies (HTTP and script) and localStorage, then may navigate
    /storage/read                shows the cookies and localStorage the page can see
    /script-stalls               a page whose script never arrives (the load event never fires)
    /busy                        a page whose script loops forever
    /hog                         a page whose script allocates memory until it is stopped
    /big-dom?kib=<n>             a page whose script builds about <n> KiB of DOM
    /websocket, /popup, /frame, /navigate?to=<path>, /gone (a 404 shell)
    /set-cookie                  an API answer that sets two cookies
    /echo                        the request's method, body and headers as JSON (GET, POST, PUT)

Run it alone with ``PYTHONPATH=tests .venv/bin/python -m render.spa_shop`` (prints its base URL).
"""

from __future__ import annotations

import html
import json
import time
from urllib.parse import quote

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from fixtures.shop_server import JPEG_BYTES, ShopServer

PRODUCT_NAME = "Trailblazer 2 Insulated Hiking Jacket"
PRODUCT_PRICE = "149.95"
PRODUCT_CURRENCY = "USD"
PRODUCT_IMAGES = ("front", "back", "detail")

SHELL = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Northwind Outfitters</title>
<link rel="stylesheet" href="/static/app.css">
</head>
<body>
<header class="site-header"><a class="logo" href="/">Northwind Outfitters</a>
<nav><a href="/c/jackets">Jackets</a> <a href="/c/boots">Boots</a> <a href="/cart">Cart (0)</a></nav>
</header>
<div id="app"><p class="loading">Loading…</p></div>
<noscript>Please enable JavaScript to shop at Northwind Outfitters.</noscript>
<footer>© Northwind Outfitters</footer>
<script src="/static/app.js" defer></script>
</body>
</html>
"""

APP_JS = """
(async () => {
  const slug = location.pathname.split('/').pop();
  const response = await fetch('/api/product.json?slug=' + encodeURIComponent(slug));
  const product = await response.json();
  const app = document.getElementById('app');
  app.textContent = '';
  const main = document.createElement('main');
  main.className = 'product-page';
  const gallery = document.createElement('div');
  gallery.className = 'product-gallery';
  for (const src of product.images) {
    const img = document.createElement('img');
    img.src = src;
    img.alt = product.name;
    img.width = 1200;
    img.height = 1200;
    gallery.appendChild(img);
  }
  const info = document.createElement('section');
  info.className = 'product-info';
  const title = document.createElement('h1');
  title.className = 'product-title';
  title.textContent = product.name;
  const price = document.createElement('div');
  price.className = 'product-price';
  const amount = document.createElement('span');
  amount.className = 'price';
  amount.textContent = '$' + product.price;
  price.appendChild(amount);
  const description = document.createElement('div');
  description.className = 'product-description';
  description.textContent = product.description;
  const buy = document.createElement('button');
  buy.className = 'add-to-cart';
  buy.textContent = 'Add to cart';
  info.append(title, price, description, buy);
  main.append(gallery, info);
  app.appendChild(main);
  document.title = product.name + ' | Northwind Outfitters';
})();
"""

APP_CSS = "body{font-family:sans-serif}.product-gallery img{max-width:100%}"

PROBE_JS = """
(async () => {
  const list = document.getElementById('results');
  for (const target of JSON.parse(document.getElementById('targets').textContent)) {
    const item = document.createElement('li');
    item.dataset.target = target;
    try {
      const response = await fetch(target, {mode: 'no-cors'});
      item.textContent = 'ok ' + response.status;
    } catch (error) {
      item.textContent = 'blocked';
    }
    list.appendChild(item);
  }
  document.body.dataset.done = 'yes';
})();
"""


def _page(title: str, body: str) -> HTMLResponse:
    """A small HTML page."""
    return HTMLResponse(
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
        f"</head><body>{body}</body></html>"
    )


def product_data(slug: str) -> dict[str, object]:
    """The product the shop's API serves for ``slug`` (image paths relative to the shop)."""
    return {
        "slug": slug,
        "name": PRODUCT_NAME,
        "price": PRODUCT_PRICE,
        "currency": PRODUCT_CURRENCY,
        "description": (
            "A warm, packable jacket with recycled synthetic insulation, a water-repellent shell "
            "and two zippered hand pockets. Built for cold trail mornings."
        ),
        "images": [f"/img/{slug}-{view}.jpg" for view in PRODUCT_IMAGES],
    }


class SpaShop(ShopServer):
    """The single-page shop (see the module docstring); ``url()``, ``hits()`` as for the fixture shop."""

    def __init__(self) -> None:
        super().__init__(dataset_dir=None)

    def _app(self) -> Starlette:
        async def shell(request: Request) -> Response:
            return HTMLResponse(SHELL)

        async def app_js(request: Request) -> Response:
            return Response(APP_JS, media_type="text/javascript")

        async def app_css(request: Request) -> Response:
            return Response(APP_CSS, media_type="text/css")

        async def product_json(request: Request) -> Response:
            slug = request.query_params.get("slug", "jacket")
            return JSONResponse(product_data(slug))

        async def image(request: Request) -> Response:
            return Response(JPEG_BYTES, media_type="image/jpeg")

        async def probe(request: Request) -> Response:
            targets = json.dumps(request.query_params.getlist("target")).replace("</", "<\\/")
            return _page(
                "Probe",
                f'<ul id="results"></ul><script type="application/json" id="targets">{targets}</script>'
                f"<script>{PROBE_JS}</script>",
            )

        async def storage_write(request: Request) -> Response:
            then = json.dumps(request.query_params.get("then", ""))
            script = (
                "document.cookie = 'script_cookie=from-script; path=/';"
                "localStorage.setItem('seen', 'storage-write');"
                f"const then = {then};"
                "fetch('/set-cookie').then(() => { if (then) location.href = then; });"
            )
            return _page("Write", f"<p>writing</p><script>{script}</script>")

        async def storage_read(request: Request) -> Response:
            script = (
                "document.getElementById('cookies').textContent = document.cookie || 'none';"
                "document.getElementById('storage').textContent = localStorage.getItem('seen') || 'none';"
            )
            return _page("Read", f'<p id="cookies"></p><p id="storage"></p><script>{script}</script>')

        async def set_cookie(request: Request) -> Response:
            response = JSONResponse({"ok": True})
            response.set_cookie("http_cookie", "from-http", path="/")
            response.set_cookie(
                "second_cookie", "also-http", path="/", expires="Wed, 01 Jan 2031 00:00:00 GMT"
            )
            return response

        async def echo(request: Request) -> Response:
            body = await request.body()
            return JSONResponse(
                {
                    "method": request.method,
                    "body": body.decode("utf-8", "replace"),
                    "headers": {k.lower(): v for k, v in request.headers.items()},
                }
            )

        async def script_stalls(request: Request) -> Response:
            return _page("Stalls", '<h1>Waiting</h1><script src="/static/app.js?delay=120"></script>')

        async def busy(request: Request) -> Response:
            return _page("Busy", "<h1>Busy</h1><script>while (true) {}</script>")

        async def hog(request: Request) -> Response:
            script = "const kept = []; while (true) { kept.push(new Array(1000000).fill(Math.random())); }"
            return _page("Hog", f"<h1>Hog</h1><script>{script}</script>")

        async def big_dom(request: Request) -> Response:
            kib = int(request.query_params.get("kib", "2048"))
            script = (
                f"const block = '<p>' + 'x'.repeat(1000) + '</p>'; let out = '';"
                f"for (let i = 0; i < {kib}; i++) out += block;"
                "document.getElementById('big').innerHTML = out;"
            )
            return _page("Big", f'<div id="big"></div><script>{script}</script>')

        async def websocket(request: Request) -> Response:
            script = (
                "const ws = new WebSocket('ws://' + location.host + '/socket');"
                "ws.onopen = () => { document.getElementById('ws').textContent = 'open'; };"
                "ws.onclose = () => { document.getElementById('ws').textContent = 'closed'; };"
            )
            return _page("Socket", f'<p id="ws">pending</p><script>{script}</script>')

        async def popup(request: Request) -> Response:
            script = (
                "const opened = window.open('/popup-target');"
                "document.getElementById('popup').textContent = opened ? 'opened' : 'refused';"
                "const link = document.createElement('a'); link.href = '/popup-link'; link.target = '_blank';"
                "document.body.appendChild(link); link.click();"
            )
            return _page("Popup", f'<p id="popup"></p><script>{script}</script>')

        async def frame(request: Request) -> Response:
            return _page("Frame", '<h1>Frame</h1><iframe src="/framed"></iframe>')

        async def navigate(request: Request) -> Response:
            to = request.query_params.get("to", "/p/jacket")
            return _page("Moving", f"<script>location.href = {json.dumps(to)};</script>")

        async def gone(request: Request) -> Response:
            return HTMLResponse(SHELL, status_code=404)

        async def anything(request: Request) -> Response:
            return _page("Other", f"<p>{html.escape(request.url.path)}</p>")

        return Starlette(
            routes=[
                Route("/p/{slug}", shell),
                Route("/static/app.js", app_js),
                Route("/static/app.css", app_css),
                Route("/api/product.json", product_json),
                Route("/img/{name}", image),
                Route("/probe", probe),
                Route("/storage/write", storage_write),
                Route("/storage/read", storage_read),
                Route("/set-cookie", set_cookie),
                Route("/echo", echo, methods=["GET", "POST", "PUT"]),
                Route("/script-stalls", script_stalls),
                Route("/busy", busy),
                Route("/hog", hog),
                Route("/big-dom", big_dom),
                Route("/websocket", websocket),
                Route("/popup", popup),
                Route("/frame", frame),
                Route("/navigate", navigate),
                Route("/gone", gone),
                Route("/{path:path}", anything),
            ]
        )


def probe_path(*targets: str) -> str:
    """The path of a probe page that requests each of ``targets`` from its script."""
    return "/probe?" + "&".join(f"target={quote(t, safe='')}" for t in targets)


def main() -> None:
    """Serve the single-page shop until interrupted; prints the base URL on the first line."""
    with SpaShop() as shop:
        print(shop.base_url, flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
