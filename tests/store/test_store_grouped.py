"""Group commit for any write: concurrent requests share a transaction, a failed group is run again
request by request, and a caller that went away gets its request undone."""

from __future__ import annotations

import asyncio
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


async def test_a_caller_that_went_away_gets_its_request_undone(database: Database) -> None:
    undone: list[str] = []

    async def undo(result: str) -> None:
        undone.append(result)

    groups = TransactionGroups(database, Recorder(), on_abandoned=undo)
    caller = asyncio.create_task(groups.run("gone"))
    await asyncio.sleep(0)  # the caller waits for its group
    caller.cancel()
    with pytest.raises(asyncio.CancelledError):
        await caller
    assert await groups.run("next") == "NEXT"
    await asyncio.sleep(0)
    assert undone == ["GONE"]


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
