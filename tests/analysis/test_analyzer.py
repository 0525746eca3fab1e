"""The analyzer over real HTTP on 127.0.0.1: product pages, listings, shells, non-product pages."""

from __future__ import annotations

import pytest

from fixtures.analysis_pages import APP_SHELL, ARTICLE, listing_page
from fixtures.pages import PRODUCT_CURRENCY, PRODUCT_NAME, PRODUCT_PRICE
from fixtures.shop_server import ShopServer
from prodex.analysis.analyzer import Analyzer
from prodex.analysis.workers import ExtractionPool
from prodex.errors import BotWall, NoProductFound, RenderingUnavailable, UpstreamClientError
from prodex.fetch import Fetcher


async def test_product_page_gives_its_product(
    shop_server: ShopServer, local_fetcher: Fetcher, thread_pool: ExtractionPool
) -> None:
    analysis = await Analyzer(local_fetcher, thread_pool).analyze(shop_server.url("/product/analyzer-basic"))
    assert analysis.product.name == f"{PRODUCT_NAME} (analyzer-basic)"
    assert analysis.product.price == PRODUCT_PRICE
    assert analysis.product.currency == PRODUCT_CURRENCY
    assert analysis.product.images, "the gallery was found"
    assert analysis.rendered is False
    assert analysis.page.final_url.endswith("/product/analyzer-basic")


async def test_listing_is_refused_as_no_product(
    shop_server: ShopServer, local_fetcher: Fetcher, thread_pool: ExtractionPool
) -> None:
    url = shop_server.serve("analyzer/mugs", listing_page())
    with pytest.raises(NoProductFound, match="list of products"):
        await Analyzer(local_fetcher, thread_pool).analyze(url)


async def test_article_is_refused_as_no_product(
    shop_server: ShopServer, local_fetcher: Fetcher, thread_pool: ExtractionPool
) -> None:
    url = shop_server.serve("analyzer/blog", ARTICLE)
    with pytest.raises(NoProductFound, match="No product was found"):
        await Analyzer(local_fetcher, thread_pool).analyze(url)


@pytest.mark.parametrize("mode", ["off", "auto"])
async def test_app_shell_without_renderer_says_rendering_is_needed(
    mode: str, shop_server: ShopServer, local_fetcher: Fetcher, thread_pool: ExtractionPool
) -> None:
    url = shop_server.serve(f"analyzer/shell-{mode}", APP_SHELL)
    analyzer = Analyzer(local_fetcher, thread_pool, renderer=None, render_mode=mode)  # type: ignore[arg-type]
    with pytest.raises(RenderingUnavailable, match="JavaScript") as caught:
        await analyzer.analyze(url)
    assert caught.value.status == 422
    assert ("switched off" in caught.value.msg) == (mode == "off")


async def test_render_request_without_renderer_is_refused_before_fetching(
    shop_server: ShopServer, local_fetcher: Fetcher, thread_pool: ExtractionPool
) -> None:
    url = shop_server.url("/product/analyzer-render-asked")
    with pytest.raises(RenderingUnavailable):
        await Analyzer(local_fetcher, thread_pool).analyze(url, render=True)
    assert shop_server.hits("/product/analyzer-render-asked") == 0


async def test_bot_wall_and_shop_errors_pass_through(
    shop_server: ShopServer, local_fetcher: Fetcher, thread_pool: ExtractionPool
) -> None:
    analyzer = Analyzer(local_fetcher, thread_pool)
    with pytest.raises(BotWall):
        await analyzer.analyze(shop_server.url("/botwall/amazon"))
    with pytest.raises(UpstreamClientError) as caught:
        await analyzer.analyze(shop_server.url("/status/404"))
    assert caught.value.upstream_status == 404


async def test_platform_data_reaches_the_extractor(
    shop_server: ShopServer, local_fetcher: Fetcher, thread_pool: ExtractionPool
) -> None:
    seen: list[str] = []

    async def no_platform(fetcher: Fetcher, page: object) -> dict[str, object]:
        seen.append(getattr(page, "final_url", ""))
        return {}

    analyzer = Analyzer(local_fetcher, thread_pool, platform_data=no_platform)
    analysis = await analyzer.analyze(shop_server.url("/product/analyzer-platform"))
    assert seen == [analysis.page.final_url]
    assert analysis.product.name == f"{PRODUCT_NAME} (analyzer-platform)"
