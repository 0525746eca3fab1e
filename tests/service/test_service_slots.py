"""Per-account URL-analysis slots: one more than the plan allows answers 42901/429."""

from __future__ import annotations

from contextlib import AsyncExitStack

import pytest

from prodex.errors import ConcurrencyLimited
from prodex.service.slots import AnalysisSlots


async def test_one_more_than_the_limit_is_refused_and_slots_come_back() -> None:
    slots = AnalysisSlots()
    async with AsyncExitStack() as stack:
        await stack.enter_async_context(slots.acquire(1, limit=2))
        await stack.enter_async_context(slots.acquire(1, limit=2))
        assert slots.in_use(1) == 2
        with pytest.raises(ConcurrencyLimited) as caught:
            await stack.enter_async_context(slots.acquire(1, limit=2))
        assert (caught.value.code, caught.value.status, caught.value.retry_after) == (42901, 429, 1)
        async with slots.acquire(2, limit=2):  # another account is not affected
            assert slots.in_use(2) == 1
    assert slots.in_use(1) == 0
    with pytest.raises(RuntimeError):
        async with slots.acquire(1, limit=1):
            raise RuntimeError("analysis failed")
    async with slots.acquire(1, limit=1):  # a failed analysis gave its slot back
        assert slots.in_use(1) == 1
