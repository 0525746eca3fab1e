"""Rendering limits: time, memory, DOM size, request budget; a fresh context for every page.

A page that never finishes loading, or whose script never stops, is cut at ``render_timeout`` with a
clear error, and the pool renders the next page normally (a hung browser is replaced). The time
assertions only check that the cut happened long before the stalled server would have answered.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable

import pytest
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from prodex.errors import BodyTooLarge, UnusablePage, UpstreamTimeout
from prodex.extract import extract_product, is_product
from prodex.fetch.render import Renderer
from render.render_helpers import public_url
from render.spa_shop import PRODUCT_NAME, SpaShop

pytestmark = pytest.mark.browser


def _slug() -> str:
    return f"jacket-{uuid.uuid4().hex[:8]}"


async def _renders_a_product(renderer: Renderer, shop: SpaShop) -> None:
    """The renderer still works: it renders the shop's product."""
    page = await renderer.render(public_url(shop, f"/p/{_slug()}"))
    assert extract_product(page.body, page.final_url).name == PRODUCT_NAME


@pytest.mark.parametrize(
    "path",
    ["/p/slow?delay=120", "/script-stalls", "/busy"],
    ids=["document-never-arrives", "script-never-arrives", "script-never-stops"],
)
async def test_a_page_that_never_finishes_is_cut_at_the_render_timeout(
    path: str, spa_shop: SpaShop, make_renderer: Callable[..., Renderer]
) -> None:
    renderer = make_renderer(render_timeout=3.0)
    started = time.monotonic()
    with pytest.raises(
        UpstreamTimeout, match=r"did not finish rendering within 3 s \(PRODEX_RENDER_TIMEOUT\)"
    ):
        await renderer.render(public_url(spa_shop, path))
    assert time.monotonic() - started < 60  # the server would have stalled for 120 s (or forever)
    await _renders_a_product(renderer, spa_shop)


async def test_a_page_that_needs_too_much_memory_is_stopped(
    spa_shop: SpaShop, make_renderer: Callable[..., Renderer]
) -> None:
    """The JavaScript heap limit (V8 --max-old-space-size) stops a page that allocates without end."""
    renderer = make_renderer(render_js_heap_mb=64, render_timeout=30.0)
    with pytest.raises(UnusablePage, match="PRODEX_RENDER_JS_HEAP_MB"):
        await renderer.render(public_url(spa_shop, "/hog"))
    await _renders_a_product(renderer, spa_shop)


async def test_a_rendered_dom_over_the_limit_is_refused(
    spa_shop: SpaShop, make_renderer: Callable[..., Renderer]
) -> None:
    renderer = make_renderer(render_max_html_bytes=1024 * 1024)
    with pytest.raises(BodyTooLarge, match="rendered page is larger than the allowed 1024 KiB"):
        await renderer.render(public_url(spa_shop, "/big-dom?kib=2048"))
    page = await renderer.render(public_url(spa_shop, "/big-dom?kib=512"))
    assert 512 * 1000 < len(page.body) <= 1024 * 1024


async def test_the_request_budget_stops_a_page(
    spa_shop: SpaShop, make_renderer: Callable[..., Renderer]
) -> None:
    """With a budget of two requests (the page and its stylesheet) the script is never loaded."""
    slug = _slug()
    page = await make_renderer(render_max_requests=2).render(public_url(spa_shop, f"/p/{slug}"))
    assert not is_product(extract_product(page.body, page.final_url))
    assert spa_shop.hits(f"/p/{slug}") == 1
    assert spa_shop.hits(f"/api/product.json?slug={slug}") == 0


@pytest.mark.parametrize("same_render", [False, True], ids=["next-render", "same-render-control"])
async def test_each_page_gets_a_fresh_context(
    same_render: bool, spa_shop: SpaShop, make_renderer: Callable[..., Renderer]
) -> None:
    """Cookies (set by script and by HTTP) and localStorage of one render are invisible to the next,
    although both run in the same browser process (pool of one). Within one render they persist
    (the control), so the first case would fail if contexts were reused."""
    renderer = make_renderer(render_pool_size=1)
    if same_render:
        page = await renderer.render(public_url(spa_shop, "/storage/write?then=/storage/read"))
    else:
        await renderer.render(public_url(spa_shop, "/storage/write"))
        page = await renderer.render(public_url(spa_shop, "/storage/read"))
    tree = HTMLParser(page.text)
    cookies, storage = tree.css_first("#cookies").text(), tree.css_first("#storage").text()
    if same_render:
        assert sorted(cookies.split("; ")) == [
            "http_cookie=from-http",
            "script_cookie=from-script",
            "second_cookie=also-http",
        ]
        assert storage == "storage-write"
    else:
        assert (cookies, storage) == ("none", "none")
    assert renderer.browsers_running == 1
