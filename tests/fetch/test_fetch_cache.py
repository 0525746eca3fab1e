"""The page cache (TTL, entry and byte bounds, LRU order) and single-flight sharing, without a network."""

from __future__ import annotations

import asyncio

import pytest

from prodex.errors import UpstreamTimeout
from prodex.fetch.cache import PageCache, SingleFlight
from prodex.fetch.concurrency import FetchLimiter
from prodex.fetch.page import FetchedPage


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def page(name: str, size: int = 100) -> FetchedPage:
    url = f"https://shop.example.com/{name}"
    return FetchedPage(url, url, 200, {}, b"x" * size, "text/html", None)


def test_entries_expire_after_the_ttl() -> None:
    clock = Clock()
    cache = PageCache(ttl=10, max_entries=10, max_bytes=10**6, clock=clock)
    cache.put("a", page("a"))
    clock.now += 9.9
    assert cache.get("a") is not None
    clock.now += 0.1
    assert cache.get("a") is None
    assert len(cache) == 0 and cache.size_bytes == 0


def test_entry_bound_evicts_the_least_recently_used() -> None:
    cache = PageCache(ttl=60, max_entries=2, max_bytes=10**6)
    cache.put("a", page("a"))
    cache.put("b", page("b"))
    assert cache.get("a") is not None  # a is now more recent than b
    cache.put("c", page("c"))
    assert cache.get("b") is None
    assert cache.get("a") is not None and cache.get("c") is not None


def test_byte_bound_evicts_and_refuses_oversized_pages() -> None:
    one = page("one", 1000)
    cache = PageCache(ttl=60, max_entries=100, max_bytes=3 * one.size)
    for name in "abcd":
        cache.put(name, page(name, 1000))
    assert cache.get("a") is None and len(cache) == 3
    assert cache.size_bytes <= 3 * one.size
    cache.put("huge", page("huge", 10_000))
    assert cache.get("huge") is None and len(cache) == 3


@pytest.mark.parametrize(("ttl", "entries", "size"), [(0, 10, 10**6), (60, 0, 10**6), (60, 10, 0)])
def test_zero_budgets_turn_the_cache_off(ttl: float, entries: int, size: int) -> None:
    cache = PageCache(ttl=ttl, max_entries=entries, max_bytes=size)
    cache.put("a", page("a"))
    assert cache.get("a") is None and not cache.enabled


async def test_single_flight_shares_results_and_errors() -> None:
    flights = SingleFlight()
    started = 0

    async def fetch_ok() -> FetchedPage:
        nonlocal started
        started += 1
        await asyncio.sleep(0.05)
        return page("ok")

    results = await asyncio.gather(*(flights.run("k", fetch_ok) for _ in range(10)))
    assert started == 1 and all(r is results[0] for r in results)
    assert len(flights) == 0

    async def fetch_fail() -> FetchedPage:
        nonlocal started
        started += 1
        await asyncio.sleep(0.05)
        raise UpstreamTimeout()

    outcomes = await asyncio.gather(*(flights.run("k", fetch_fail) for _ in range(5)), return_exceptions=True)
    assert started == 2 and all(isinstance(o, UpstreamTimeout) for o in outcomes)


async def test_a_cancelled_caller_does_not_cancel_the_others() -> None:
    flights = SingleFlight()

    async def slow() -> FetchedPage:
        await asyncio.sleep(0.1)
        return page("slow")

    first = asyncio.create_task(flights.run("k", slow))
    second = asyncio.create_task(flights.run("k", slow))
    await asyncio.sleep(0.01)
    first.cancel()
    assert (await second).url.endswith("/slow")
    assert first.cancelled()


async def test_limiter_tracks_hosts_only_while_in_use() -> None:
    limiter = FetchLimiter(max_total=10, max_per_host=2)
    running = 0
    peak = 0

    async def use(host: str) -> None:
        nonlocal running, peak
        async with limiter.slot(host):
            running += 1
            peak = max(peak, running)
            await asyncio.sleep(0.02)
            running -= 1

    await asyncio.gather(*(use("a") for _ in range(6)))
    assert peak == 2
    assert limiter.active_hosts == 0


def test_page_size_counts_the_decoded_text() -> None:
    url = "https://shop.example.com/p"
    plain = FetchedPage(url, url, 200, {}, "Größe ".encode() * 1000, "text/html", None)
    decoded = FetchedPage(url, url, 200, {}, "Größe ".encode() * 1000, "text/html", None)
    assert decoded.text.startswith("Größe")
    assert decoded.size > plain.size + 6000
    assert decoded.size == decoded.size  # stable once computed
