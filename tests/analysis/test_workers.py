"""The extraction pool: same results as a direct call, and real worker processes that are
replaced when they die, killed when their caller gives up, bounded in CPU, and all stopped at close."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections.abc import AsyncIterator

import pytest

from fixtures.pages import product_page
from fixtures.processes import children_of
from prodex.analysis import workers
from prodex.analysis.page_work import analyse_page
from prodex.analysis.runtime import pool_health
from prodex.analysis.supervisor import ProcessPool
from prodex.analysis.workers import ExtractionPool
from prodex.errors import ExtractionUnavailable, Unhealthy
from prodex.extract import PageKind, extract_product

URL = "https://shop.example.com/product/kettle"
#: 840 KB whose plain parse takes about 30 s of CPU (lexbor walks its stack of open elements).
HOSTILE = "<html><body><h1>Deep</h1>" + "<div><span><b>" * 60_000


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(") ", 1)[1][0] != "Z"
    except FileNotFoundError:
        return False


async def _wait_for(condition: object, seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "condition not reached in time"
        await asyncio.sleep(0.05)


@pytest.fixture
async def pool() -> AsyncIterator[ExtractionPool]:
    """Two worker processes, started and warmed up; stopped (and checked stopped) afterwards."""
    pool = ExtractionPool(workers=2, kind="process")
    await pool.start()
    pids = pool.worker_pids()
    yield pool
    pids += pool.worker_pids()
    await pool.aclose()
    assert not [pid for pid in pids if _alive(pid)], "every worker is stopped at close"


@pytest.mark.parametrize("kind", ["process", "thread"])
async def test_pool_extracts_like_a_direct_call(kind: workers.PoolKind) -> None:
    html = product_page("https://shop.example.com")
    pool = ExtractionPool(workers=2, kind=kind)
    try:
        await pool.start()
        pooled = await pool.extract(html, URL)
        analysis = await pool.analyse(html, URL)
    finally:
        await pool.aclose()
    direct = extract_product(html, URL)
    assert pooled == direct
    assert analysis == analyse_page(html, URL)
    assert analysis.kind is PageKind.PRODUCT and not analysis.bounded
    assert pooled.name, "the page's product was found"


async def test_workers_are_other_processes(pool: ExtractionPool) -> None:
    pids = pool.worker_pids()
    assert len(pids) == 2 and os.getpid() not in pids
    assert set(pids) <= children_of(os.getpid()), "children of this process"


async def test_a_killed_idle_worker_is_replaced(pool: ExtractionPool) -> None:
    victim = pool.worker_pids()[0]
    os.kill(victim, signal.SIGKILL)
    await _wait_for(lambda: victim not in pool.worker_pids() and len(pool.worker_pids()) == 2)
    status = pool.status()
    assert status is not None and status.replaced == 1 and status.can_run
    assert (await pool.analyse("<h1>Lamp</h1>", URL)).product.name == "Lamp"


async def test_a_worker_killed_during_a_task_fails_that_task_once(pool: ExtractionPool) -> None:
    pool.cpu_budget = 60.0  # keep the worker busy on the hostile page
    task = asyncio.create_task(pool.analyse(HOSTILE, URL))
    await _wait_for(lambda: (s := pool.status()) is not None and s.busy == 1)
    busy = pool.worker_pids()
    for pid in busy:
        os.kill(pid, signal.SIGKILL)
    with pytest.raises(ExtractionUnavailable) as failure:
        await task
    assert failure.value.retryable and failure.value.status == 503
    assert "retry" in failure.value.msg
    pool.cpu_budget = workers.DEFAULT_CPU_BUDGET
    await _wait_for(lambda: (s := pool.status()) is not None and s.replaced == 2)
    results = await asyncio.gather(*(pool.analyse(f"<h1>Lamp {i}</h1>", URL) for i in range(4)))
    assert [r.product.name for r in results] == [f"Lamp {i}" for i in range(4)]
    assert not set(busy) & set(pool.worker_pids())


async def test_a_cancelled_task_kills_its_worker(pool: ExtractionPool) -> None:
    pool.cpu_budget = 60.0
    task = asyncio.create_task(pool.analyse(HOSTILE, URL))
    await _wait_for(lambda: (s := pool.status()) is not None and s.busy == 1)
    before = set(pool.worker_pids())
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await _wait_for(lambda: len(before - set(pool.worker_pids())) == 1)
    gone = before - set(pool.worker_pids())
    assert not [pid for pid in gone if _alive(pid)], "the overrunning worker is not left running"
    await _wait_for(lambda: len(pool.worker_pids()) == 2)


async def test_a_page_over_the_cpu_budget_is_analysed_bounded(pool: ExtractionPool) -> None:
    started = time.monotonic()
    analysis = await pool.analyse(HOSTILE, URL)
    assert analysis.bounded
    assert analysis.product.name == "Deep"
    assert time.monotonic() - started < 30, "not the half minute of CPU an unbounded parse takes"


async def test_workers_that_cannot_start_make_the_pool_unavailable() -> None:
    broken = ProcessPool(1, warm_up="prodex.analysis.page_work:no_such_function")
    try:
        await broken.start()
        status = broken.status()
        assert not status.can_run and status.start_error and "no_such_function" in status.start_error
    finally:
        await broken.aclose()
    pool = ExtractionPool(workers=1, kind="process")
    pool._processes = ProcessPool(1, warm_up="prodex.analysis.page_work:no_such_function")
    try:
        with pytest.raises(ExtractionUnavailable):
            await pool.analyse("<h1>Lamp</h1>", URL)
        with pytest.raises(Unhealthy, match="no extraction worker can run"):
            await pool_health(pool)()  # /healthz answers 503
    finally:
        await pool.aclose()


async def test_the_health_check_reports_the_pool(pool: ExtractionPool) -> None:
    summary = await pool_health(pool)()
    assert summary == "ok: 2 ready, 0 busy, 0 starting of 2; 0 replaced"
    await pool.aclose()
    with pytest.raises(Unhealthy):
        await pool_health(pool)()


async def test_closed_thread_pool_restarts_on_demand() -> None:
    pool = ExtractionPool(workers=1, kind="thread")
    pool.close()
    product = await pool.extract("<html><body><h1>Lamp</h1></body></html>", URL)
    pool.close()
    assert product.url == URL
