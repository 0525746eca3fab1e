"""The analyzer renders an application shell in Chromium when PRODEX_RENDER allows it.

Same fake public network as the other rendering tests (see conftest.py): the guard runs with its
real public-only policy and nothing leaves the machine.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator

import pytest

from prodex.analysis.analyzer import Analyzer, RenderMode
from prodex.analysis.workers import ExtractionPool
from prodex.errors import RenderingUnavailable
from prodex.fetch.render import Renderer
from render.render_helpers import public_url
from render.spa_shop import PRODUCT_NAME, PRODUCT_PRICE, SpaShop

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def pool() -> Iterator[ExtractionPool]:
    """A small thread pool for extraction."""
    pool = ExtractionPool(workers=1, kind="thread")
    yield pool
    pool.close()


def _analyzer(renderer: Renderer, pool: ExtractionPool, mode: RenderMode) -> Analyzer:
    return Analyzer(renderer.fetcher, pool, renderer=renderer, render_mode=mode)


async def test_auto_renders_a_shell_and_finds_the_product(
    spa_shop: SpaShop, make_renderer: Callable[..., Renderer], pool: ExtractionPool
) -> None:
    url = public_url(spa_shop, f"/p/analysis-{uuid.uuid4().hex[:8]}")
    analysis = await _analyzer(make_renderer(), pool, "auto").analyze(url)
    assert analysis.rendered is True
    assert analysis.product.name == PRODUCT_NAME
    assert analysis.product.price == PRODUCT_PRICE
    assert analysis.product.images


@pytest.mark.parametrize("mode", ["always", "auto"])
async def test_always_or_asked_renders_up_front(
    mode: RenderMode, spa_shop: SpaShop, make_renderer: Callable[..., Renderer], pool: ExtractionPool
) -> None:
    url = public_url(spa_shop, f"/p/always-{uuid.uuid4().hex[:8]}")
    analysis = await _analyzer(make_renderer(), pool, mode).analyze(url, render=(mode == "auto"))
    assert analysis.rendered is True
    assert analysis.product.name == PRODUCT_NAME


async def test_off_refuses_a_shell_clearly(
    spa_shop: SpaShop, make_renderer: Callable[..., Renderer], pool: ExtractionPool
) -> None:
    url = public_url(spa_shop, f"/p/off-{uuid.uuid4().hex[:8]}")
    with pytest.raises(RenderingUnavailable, match="switched off"):
        await _analyzer(make_renderer(), pool, "off").analyze(url)
