"""Group commit for any write: concurrent requests share a transaction, a failed group is run again
request by request, and a caller that went away gets its request undone."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from sqlalchemy import Connection, text

from prodex.store.db import Database
from prodex.store.grouped import TransactionGroups


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    db = Database(f"sqlite:///{tmp_path / 'grouped.db'}", pool_size=2)
    yield db
    db.dispose()


class Recorder:
    """A group function that records the groups it ran and fails on the request ``"bad"``."""

    def __init__(self) -> None:
        self.groups: list[list[str]] = []

    def __call__(self, conn: Connection, requests: Sequence[str]) -> list[str]:
        self.groups.append(list(requests))
        conn.execute(text("SELECT 1"))
        if "bad" in requests:
            raise ValueError("a bad request")
        return [request.upper() for request in requests]


async def test_concurrent_requests_share_one_transaction(database: Database) -> None:
    recorder = Recorder()
    groups = TransactionGroups(database, recorder)
    results = await asyncio.gather(*(groups.run(f"r{n}") for n in range(5)))
    assert results == [f"R{n}" for n in range(5)]
    assert recorder.groups == [[f"r{n}" for n in range(5)]]


async def test_a_failed_group_fails_only_its_bad_request(database: Database) -> None:
    recorder = Recorder()
    groups = TransactionGroups(database, recorder)
    results = await asyncio.gather(
        groups.run("a"), groups.run("bad"), groups.run("c"), return_exceptions=True
    )
    assert results[0] == "A" and results[2] == "C"
    assert isinstance(results[1], ValueError)
    assert recorder.groups == [["a", "bad", "c"], ["a"], ["bad"], ["c"]]


class Blocking(Recorder):
    """A recorder whose group with ``"first"`` waits (in its database thread) until released,
    and which records what is undone for callers that went away."""

    def __init__(self) -> None:
        super().__init__()
        self.release = threading.Event()
        self.undone: list[str] = []

    async def undo(self, result: str) -> None:
        self.undone.append(result)

    def __call__(self, conn: Connection, requests: Sequence[str]) -> list[str]:
        if "first" in requests:
            self.release.wait(10)
        return super().__call__(conn, requests)


@pytest.fixture
def threaded_database(postgres_database_url: str) -> Iterator[Database]:
    """PostgreSQL, whose calls run in threads: a group can be made to wait while callers come."""
    db = Database(postgres_database_url, pool_size=2)
    yield db
    db.dispose()


async def test_a_caller_gone_while_its_group_ran_gets_its_request_undone(threaded_database: Database) -> None:
    recorder = Blocking()
    groups = TransactionGroups(threaded_database, recorder, on_abandoned=recorder.undo)
    caller = asyncio.create_task(groups.run("first"))
    await asyncio.sleep(0.1)  # its group runs (and waits)
    caller.cancel()
    with pytest.raises(asyncio.CancelledError):
        await caller
    recorder.release.set()
    assert await groups.run("next") == "NEXT"
    await asyncio.sleep(0)
    assert recorder.undone == ["FIRST"]
    assert recorder.groups == [["first"], ["next"]]


async def test_a_caller_gone_before_its_group_withdraws_its_request(threaded_database: Database) -> None:
    """A request whose caller is cancelled before a group took it never runs: a lane's job cut
    off while its claim waited does not leave that claim to meet a later job's claim of the same
    lane in one group (the second claim of a lane in a group gets nothing)."""
    recorder = Blocking()
    groups = TransactionGroups(threaded_database, recorder, on_abandoned=recorder.undo)
    first = asyncio.create_task(groups.run("first"))
    await asyncio.sleep(0.1)  # the first group runs (and waits)
    gone = asyncio.create_task(groups.run("gone"))
    await asyncio.sleep(0.05)  # waits for the next group
    gone.cancel()
    with pytest.raises(asyncio.CancelledError):
        await gone
    recorder.release.set()
    assert await first == "FIRST"
    assert await groups.run("next") == "NEXT"
    assert recorder.groups == [["first"], ["next"]]
    assert recorder.undone == []


class Fatal(BaseException):
    """Not an ``Exception``: what the writer's own ``except Exception`` does not catch."""


async def test_callers_get_an_error_when_the_writer_dies(database: Database) -> None:
    def run_group(conn: Connection, requests: Sequence[str]) -> list[str]:
        raise Fatal

    groups = TransactionGroups(database, run_group)
    results = await asyncio.wait_for(
        asyncio.gather(groups.run("a"), groups.run("b"), return_exceptions=True), 5
    )
    assert all(isinstance(result, RuntimeError) for result in results)
