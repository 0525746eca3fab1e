"""The extraction pool gives exactly what a direct call gives, from worker processes or threads."""

from __future__ import annotations

import os

import pytest

from fixtures.pages import product_page
from prodex.analysis import workers
from prodex.analysis.workers import ExtractionPool
from prodex.extract import extract_product

URL = "https://shop.example.com/product/kettle"


@pytest.mark.parametrize("kind", ["process", "thread"])
async def test_pool_extracts_like_a_direct_call(kind: workers.PoolKind) -> None:
    html = product_page("https://shop.example.com")
    pool = ExtractionPool(workers=2, kind=kind)
    try:
        await pool.start()
        pooled = await pool.extract(html, URL)
        pooled_bytes = await pool.extract(html.encode("utf-8"), URL)
    finally:
        pool.close()
    direct = extract_product(html, URL)
    assert pooled == direct
    assert pooled_bytes == direct
    assert pooled.name, "the page's product was found"


async def test_process_pool_runs_in_other_processes() -> None:
    pool = ExtractionPool(workers=2, kind="process")
    try:
        await pool.start()
        assert pool._executor is not None
        pids = {await pool._loop_call(workers._warm_up) for _ in range(4)}
    finally:
        pool.close()
    assert os.getpid() not in pids


async def test_closed_pool_restarts_on_demand() -> None:
    pool = ExtractionPool(workers=1, kind="thread")
    pool.close()
    product = await pool.extract("<html><body><h1>Lamp</h1></body></html>", URL)
    pool.close()
    assert product.url == URL
