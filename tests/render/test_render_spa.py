"""Rendering a single-page shop: the product only exists after its script runs.

Static extraction of the shell finds no product; the rendered DOM gives the name, price and images.
Every request of the browser arrives through prodex's fetcher (its User-Agent, the checked address),
images are never downloaded, and the page is fetched once when the fetcher is shared.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest

from fixtures.fetching import PUBLIC_IP, LoopbackDialer, make_settings
from prodex.errors import UpstreamClientError, URLRefused
from prodex.extract import extract_product, is_product
from prodex.fetch import Fetcher
from prodex.fetch.render import Renderer
from render.render_helpers import PRIVATE_IP, SHOP_HOST, public_url
from render.spa_shop import PRODUCT_IMAGES, PRODUCT_NAME, PRODUCT_PRICE, SpaShop

pytestmark = pytest.mark.browser


def _slug() -> str:
    return f"jacket-{uuid.uuid4().hex[:8]}"


async def test_static_extraction_finds_nothing_rendered_extraction_finds_the_product(
    spa_shop: SpaShop, make_renderer: Callable[..., Renderer]
) -> None:
    slug = _slug()
    url = public_url(spa_shop, f"/p/{slug}")
    renderer = make_renderer()

    static = await renderer.fetcher.fetch(url)
    static_product = extract_product(static.body, static.final_url)
    assert not is_product(static_product)
    assert static_product.name != PRODUCT_NAME
    assert static_product.price is None and not static_product.images

    rendered = await renderer.render(url)
    assert rendered.content_type == "text/html"
    assert rendered.final_url == url
    product = extract_product(rendered.body, rendered.final_url)
    assert is_product(product)
    assert product.name == PRODUCT_NAME
    assert product.price == PRODUCT_PRICE
    assert [m.url for m in product.images] == [
        f"http://{SHOP_HOST}:{spa_shop.port}/img/{slug}-{view}.jpg" for view in PRODUCT_IMAGES
    ]


async def test_every_request_of_the_browser_goes_through_the_fetcher(
    spa_shop: SpaShop, make_renderer: Callable[..., Renderer], dialer: LoopbackDialer
) -> None:
    slug = _slug()
    renderer = make_renderer()
    await renderer.render(public_url(spa_shop, f"/p/{slug}"))

    # Images, media and fonts are never downloaded.
    assert spa_shop.hits_under(f"/img/{slug}") == 0
    # The shell, its stylesheet and script, and the API call all arrived, each sent by prodex's
    # fetcher (its User-Agent, not HeadlessChrome's) over a connection to the checked address.
    api = spa_shop.requests_for(f"/api/product.json?slug={slug}")
    page = spa_shop.requests_for(f"/p/{slug}")
    assert len(api) == 1 and len(page) == 1
    user_agent = renderer.settings.fetch_user_agent
    assert all(r.headers["user-agent"] == user_agent for r in api + page)
    assert "HeadlessChrome" not in api[0].headers["user-agent"]
    assert api[0].headers["referer"] == public_url(spa_shop, f"/p/{slug}")
    assert dialer.dialled and {address for address, _port in dialer.dialled} == {PUBLIC_IP}


async def test_a_shared_fetcher_fetches_the_page_once(spa_shop: SpaShop, browser_ready: None) -> None:
    """The static attempt and the render share the fetcher: its cache serves the page to the browser."""
    slug = _slug()
    url = spa_shop.url(f"/p/{slug}")
    settings = make_settings(
        fetch_allow_private=True, fetch_allowed_hosts=[f"127.0.0.1:{spa_shop.port}"], render_pool_size=1
    )
    async with Fetcher(settings) as fetcher, Renderer(settings, fetcher=fetcher) as renderer:
        await fetcher.fetch(url)
        rendered = await renderer.render(url)
    assert extract_product(rendered.body, rendered.final_url).name == PRODUCT_NAME
    assert spa_shop.hits(f"/p/{slug}") == 1


async def test_a_script_navigation_ends_on_the_new_page(
    spa_shop: SpaShop, make_renderer: Callable[..., Renderer]
) -> None:
    slug = _slug()
    rendered = await make_renderer().render(public_url(spa_shop, f"/navigate?to=/p/{slug}"))
    assert rendered.url == public_url(spa_shop, f"/navigate?to=/p/{slug}")
    assert rendered.final_url == public_url(spa_shop, f"/p/{slug}")
    assert extract_product(rendered.body, rendered.final_url).name == PRODUCT_NAME


async def test_a_script_navigation_to_a_refused_address_is_refused(
    spa_shop: SpaShop, make_renderer: Callable[..., Renderer], dialer: LoopbackDialer
) -> None:
    target = f"http://{PRIVATE_IP}:{spa_shop.port}/p/{_slug()}"
    with pytest.raises(URLRefused, match="private"):
        await make_renderer().render(public_url(spa_shop, f"/navigate?to={target}"))
    assert all(address != PRIVATE_IP for address, _port in dialer.dialled)


async def test_error_statuses_and_refused_urls_raise_typed_errors(
    spa_shop: SpaShop, make_renderer: Callable[..., Renderer]
) -> None:
    renderer = make_renderer()
    with pytest.raises(UpstreamClientError) as caught:
        await renderer.render(public_url(spa_shop, "/gone"))
    assert caught.value.upstream_status == 404
    for url in ("file:///etc/passwd", f"http://127.0.0.1:{spa_shop.port}/p/x", "javascript:alert(1)"):
        with pytest.raises(URLRefused):
            await renderer.render(url)
    assert spa_shop.hits_under("/p/x") == 0
