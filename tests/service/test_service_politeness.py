"""Per-host politeness shared through the database: turns at least the interval apart, a slowed
host spaced further, and eased back after successes."""

from __future__ import annotations

import asyncio
import time
import uuid

from prodex.service.politeness import SLOW_FLOOR_SECONDS, HostPace, lane_lock
from prodex.settings import Settings
from prodex.store.db import Database


async def test_turns_on_one_host_are_the_interval_apart(database: Database) -> None:
    pace = HostPace(Settings(import_host_interval_seconds=0.1), database)
    host = f"shop-{uuid.uuid4().hex[:8]}.example"
    started: list[float] = []

    async def one() -> None:
        await pace.turn(host)
        started.append(time.monotonic())

    began = time.monotonic()
    await asyncio.gather(*(one() for _ in range(5)))
    # the last of five turns is booked four intervals after the first (wake-ups may come late,
    # never early)
    assert max(started) - began >= 0.39
    other = time.monotonic()
    await pace.turn(f"other-{host}")  # another host does not wait behind this one's turns
    assert time.monotonic() - other < 0.3


async def test_a_slowed_host_is_spaced_further_then_eased(database: Database) -> None:
    pace = HostPace(Settings(import_host_interval_seconds=0.0, import_max_slowdown=4), database)
    host = f"slow-{uuid.uuid4().hex[:8]}.example"
    await pace.turn(host)
    assert await pace.slowed(host) == SLOW_FLOOR_SECONDS * 2
    assert await pace.slowed(host) == SLOW_FLOOR_SECONDS * 4
    assert await pace.slowed(host) == SLOW_FLOOR_SECONDS * 4  # capped by import_max_slowdown
    began = time.monotonic()
    await pace.turn(host)
    assert time.monotonic() - began >= SLOW_FLOOR_SECONDS * 4 - 0.1
    await pace.eased(host)
    await pace.eased(host)
    await pace.turn(host)  # booked right after the slowed one
    began = time.monotonic()
    await pace.turn(host)
    assert time.monotonic() - began < 0.1  # back to the configured interval (0)


def test_a_lane_is_a_lock_per_host() -> None:
    assert lane_lock("shop.example", 2) == "import-host:shop.example:2"


async def test_several_hosts_are_booked_at_once_each_on_its_own_pace(database: Database) -> None:
    """One booking for several hosts (one statement on PostgreSQL): a host seen before goes on
    after its booked turns, a slowed one is spaced by its slowdown, a new one starts now."""
    pace = HostPace(Settings(import_host_interval_seconds=0.1, import_max_slowdown=4), database)
    tag = uuid.uuid4().hex[:8]
    seen, slowed, new = f"seen-{tag}.example", f"slowed-{tag}.example", f"new-{tag}.example"
    await pace.turn(seen)
    await pace.turn(slowed)
    await pace.slowed(slowed)  # spaced max(0.1, floor) * 2 from now on
    began = time.time()
    turns = await database.run_in_transaction(pace.book_hosts, {new: 2, seen: 3, slowed: 2})
    assert sorted(turns) == sorted([new, seen, slowed])
    assert [len(turns[host]) for host in (new, seen, slowed)] == [2, 3, 2]
    for host, spacing in ((new, 0.1), (seen, 0.1), (slowed, SLOW_FLOOR_SECONDS * 2)):
        gaps = [later - earlier for earlier, later in zip(turns[host], turns[host][1:], strict=False)]
        assert all(abs(gap - spacing) < 1e-6 for gap in gaps), (host, gaps)
    assert turns[new][0] <= began + 0.5  # a new host starts at once
    assert turns[seen][0] >= began - 0.01  # after the turn booked before (at most 0.1 s ago)
    assert turns[slowed][0] >= began + SLOW_FLOOR_SECONDS * 2 - 0.2  # after the slow-down pause


async def test_a_booking_of_known_hosts_goes_on_after_the_turns_booked_before(database: Database) -> None:
    """A group with a new host books host by host (rows locked in the order of their names); once
    every host's row is known, one booking (one statement on PostgreSQL) books them all, each
    after its own turns booked before."""
    pace = HostPace(Settings(import_host_interval_seconds=0.1), database)
    tag = uuid.uuid4().hex[:8]
    hosts = [f"{name}-{tag}.example" for name in ("alpha", "beta", "gamma")]
    first = await database.run_in_transaction(pace.book_hosts, dict.fromkeys(hosts, 2))
    again = await database.run_in_transaction(pace.book_hosts, dict.fromkeys(hosts, 1))
    assert sorted(again) == sorted(hosts)
    for host in hosts:
        assert len(again[host]) == 1
        assert abs(again[host][0] - (first[host][-1] + 0.1)) < 1e-6  # the interval after the last
