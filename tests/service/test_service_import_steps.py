"""The transactions of import items against cancels, crashes and concurrent lanes, on SQLite and
PostgreSQL (issue #14): an item is never lost nor charged twice, a cancelled import refunds
every item that did not end, and cancel never refunds an item that runs.

Each test plays the steps of :mod:`prodex.service.import_steps` as the runner's jobs would, with
every host turn due at once."""

from __future__ import annotations

import asyncio
import random
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from itertools import pairwise

import pytest
from sqlalchemy import Connection, event

from prodex.errors import ProdexError, UpstreamClientError
from prodex.extract.model import Product
from prodex.jobs import EventHub
from prodex.service import import_steps as steps
from prodex.service.accounts import Accounts
from prodex.service.clock import utcnow
from prodex.service.credits import Credits
from prodex.service.import_runner import ImportRunner
from prodex.service.imports import cancel_within
from prodex.service.slots import AnalysisSlots
from prodex.settings import Settings
from prodex.store import imports as repo
from prodex.store.db import Database

COST = 3
CREDITS = 100


@dataclass(frozen=True)
class Import:
    """An import of ``shop``'s items made for one test, and its account."""

    database: Database
    account_id: int
    job_id: str
    host: str

    def claim(self, job_ref: str, *, lane: int = 0, times: int = 1) -> list[steps.Claim | None]:
        """The claims of ``times`` requests of the lane in one group."""
        request = steps.ClaimRequest((self.job_id, self.host, lane), job_ref)
        with self.database.write() as conn:
            return steps.claim_group(conn, [request] * times, due, cost_of)

    def items(self) -> list[repo.ItemRecord]:
        with self.database.read() as conn:
            return repo.page_items(conn, self.job_id, limit=100, offset=0, status=None)

    def status(self) -> str:
        with self.database.read() as conn:
            record = repo.get_import(conn, None, self.job_id)
        assert record is not None
        return record.status

    def cancel(self) -> bool:
        with self.database.write() as conn:
            return cancel_within(conn, self.account_id, self.job_id)

    def requeue(self, item_id: int) -> None:
        with self.database.write() as conn:
            steps.requeue(conn, item_id)

    def balance(self) -> int:
        credits = Credits(self.database)
        balance = credits.balance(self.account_id)
        assert credits.ledger_total(self.account_id) == balance
        return balance

    def refunded(self, charge_id: int) -> bool:
        return any(e.refund_of == charge_id for e in Credits(self.database).entries(self.account_id))


def due(_conn: Connection, counts: Mapping[str, int]) -> dict[str, list[float]]:
    """Every turn is due now."""
    return {host: [0.0] * count for host, count in counts.items()}


def cost_of(_plan: str) -> int:
    return COST


@pytest.fixture
def make_import(database: Database, settings: Settings) -> Callable[..., Import]:
    """An import of ``items`` URLs of a host of its own, on ``lanes`` lanes, for a new account."""

    def make(items: int = 1, lanes: int = 1, plan: str = "gold") -> Import:
        account, _key = Accounts(database, settings).create(name="steps", plan=plan, credits=CREDITS)
        job_id, host = uuid.uuid4().hex[:16], f"{uuid.uuid4().hex[:8]}.shop.test"
        with database.write() as conn:
            repo.insert_import(
                conn,
                job_id=job_id,
                account_id=account.id,
                source_kind="urls",
                source="",
                url_pattern=None,
                render=False,
                now=utcnow(),
            )
            new = [repo.NewItem(f"https://{host}/p{n}", host) for n in range(items)]
            repo.insert_items(conn, job_id, new, utcnow(), lanes=lanes)
        return Import(database, account.id, job_id, host)

    return make


def started(claims: list[steps.Claim | None]) -> steps.Claim:
    (claim,) = claims
    assert claim is not None and claim.started
    return claim


def test_an_item_put_back_after_its_import_was_cancelled_is_cancelled_and_refunded(
    make_import: Callable[..., Import],
) -> None:
    """Finding 1: a 429, a shut-down or an abandoned claim puts a running item back after the cancel."""
    imp = make_import()
    claim = started(imp.claim("J1"))
    assert imp.cancel()
    assert imp.items()[0].status == "running"  # running items finish
    imp.requeue(claim.item.id)
    (item,) = imp.items()
    assert item.status == "cancelled" and item.charge_id is not None and imp.refunded(item.charge_id)
    assert imp.balance() == CREDITS
    assert imp.claim("J2") == [None]


@pytest.mark.parametrize("job_ref", ["J1", "J2"])
def test_an_item_of_a_killed_job_in_a_cancelled_import_is_cancelled_and_refunded(
    make_import: Callable[..., Import], job_ref: str
) -> None:
    """Finding 2: the job runs again (same id on SQLite, a new one on PostgreSQL) after the cancel."""
    imp = make_import(items=2)
    claim = started(imp.claim("J1"))
    assert imp.cancel()
    assert imp.claim(job_ref) == [None]
    items = imp.items()
    assert [i.status for i in items] == ["cancelled", "cancelled"]
    assert claim.item.id == items[0].id and items[0].charge_id is not None
    assert imp.refunded(items[0].charge_id)
    assert imp.balance() == CREDITS
    assert imp.status() == "cancelled"


def test_a_group_refunds_cancelled_items_after_booking_its_hosts(make_import: Callable[..., Import]) -> None:
    """A group locks items, then hosts, then accounts: the refund of an item it finds in a
    cancelled import is made with the group's charges, after the hosts are booked (refunding it
    when found locked an account's row before the hosts' rows, against every other group's
    order: two workers' groups could wait on each other)."""
    cancelled = make_import()
    started(cancelled.claim("J1"))
    assert cancelled.cancel()
    live = make_import()
    events: list[str] = []

    def book(conn: Connection, counts: Mapping[str, int]) -> dict[str, list[float]]:
        events.append("hosts")
        return due(conn, counts)

    def note_accounts(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        if statement.lstrip().upper().startswith("UPDATE ACCOUNTS"):
            events.append("account")

    requests = [
        steps.ClaimRequest((cancelled.job_id, cancelled.host, 0), "J2"),
        steps.ClaimRequest((live.job_id, live.host, 0), "J3"),
    ]
    event.listen(live.database.engine, "before_cursor_execute", note_accounts)
    try:
        with live.database.write() as conn:
            claims = steps.claim_group(conn, requests, book, cost_of)
    finally:
        event.remove(live.database.engine, "before_cursor_execute", note_accounts)
    assert claims[0] is None and claims[1] is not None and claims[1].started
    assert events == ["hosts", "account", "account"]  # the refund, then the charge
    assert cancelled.balance() == CREDITS and live.balance() == CREDITS - COST
    assert [i.status for i in cancelled.items()] == ["cancelled"]


def test_cancel_never_refunds_an_item_that_starts_meanwhile(make_import: Callable[..., Import]) -> None:
    """Finding 3: an item queued again with its charge starts while the cancel runs (PostgreSQL:
    the cancel must not refund a charge it read before the item started)."""
    imp = make_import()
    first = started(imp.claim("J1"))
    imp.requeue(first.item.id)  # a 429: queued again, charge kept
    locked = threading.Event()
    results: list[steps.Claim | None] = []

    def start_again() -> None:
        request = steps.ClaimRequest((imp.job_id, imp.host, 0), "J2")
        with imp.database.write() as conn:
            results.extend(steps.claim_group(conn, [request], due, cost_of))
            locked.set()
            time.sleep(0.5)  # the cancel runs now, the item locked and started but not committed

    thread = threading.Thread(target=start_again)
    thread.start()
    assert locked.wait(10)
    imp.cancel()
    thread.join(10)
    assert started(results).item.id == first.item.id
    (item,) = imp.items()
    assert item.status == "running" and item.charge_id is not None
    assert not imp.refunded(item.charge_id)
    assert imp.balance() == CREDITS - COST


@pytest.mark.parametrize("started_before", [False, True])
def test_cancel_and_a_claim_do_not_wait_on_each_other(
    make_import: Callable[..., Import], started_before: bool
) -> None:
    """Finding 5 (PostgreSQL): a lane's claim locks its item, then the import (to mark it running,
    when none of its items started before) and the account; the cancel locks the import, the
    items it cancels and the account (refunding an item queued again with its charge)."""
    imp = make_import(items=2, lanes=2)
    if started_before:
        first = started(imp.claim("J1"))
        imp.requeue(first.item.id)  # queued again with its charge: the cancel refunds it
    locked = threading.Event()
    errors: list[BaseException] = []

    def book_slowly(conn: Connection, counts: Mapping[str, int]) -> dict[str, list[float]]:
        locked.set()  # the lane's item is locked, the import and the account not yet
        time.sleep(0.5)
        return due(conn, counts)

    def claim_lane_one() -> None:
        try:
            with imp.database.write() as conn:
                request = steps.ClaimRequest((imp.job_id, imp.host, 1), "J3")
                started(steps.claim_group(conn, [request], book_slowly, cost_of))
        except BaseException as error:
            errors.append(error)
            locked.set()

    thread = threading.Thread(target=claim_lane_one)
    thread.start()
    assert locked.wait(10)
    try:
        assert imp.cancel()
    except Exception as error:
        errors.append(error)
    thread.join(10)
    assert errors == []
    # the item being started when the cancel came runs to its end, charged; the other is refunded
    assert [i.status for i in imp.items()] == ["cancelled", "running"]
    assert imp.balance() == CREDITS - COST
    assert imp.status() == "cancelled"


def test_a_lanes_new_job_resumes_the_item_a_cut_off_job_left_running(
    make_import: Callable[..., Import],
) -> None:
    """Finding 4: on PostgreSQL a job cut off at shut-down is deferred again under a new id."""
    imp = make_import()
    first = started(imp.claim("J1"))
    again = started(imp.claim("J2"))
    assert again.item.id == first.item.id
    (item,) = imp.items()
    assert item.status == "running" and item.job_ref == "J2" and item.attempts == 2
    assert imp.balance() == CREDITS - COST  # charged once


def test_two_requests_of_one_lane_in_a_group_claim_and_charge_once(
    make_import: Callable[..., Import],
) -> None:
    """Finding 6."""
    imp = make_import(items=2)
    claims = imp.claim("J1", times=2)
    assert sum(1 for c in claims if c is not None and c.started) == 1
    assert [i.status for i in imp.items()] == ["running", "queued"]
    assert imp.balance() == CREDITS - COST


def test_an_item_that_no_longer_runs_is_not_stored(make_import: Callable[..., Import]) -> None:
    """Finding 8: storing ends an item only from ``running`` (and stores nothing else)."""
    imp = make_import()
    claim = started(imp.claim("J1"))
    assert imp.cancel()
    imp.requeue(claim.item.id)  # cancelled and refunded
    request = steps.StoreRequest(claim.item.id, imp.account_id, Product(url=claim.item.url), "p-gone")
    with imp.database.write() as conn:
        assert steps.store_group(conn, [request]) == [None]
    (item,) = imp.items()
    assert item.status == "cancelled" and item.product_id is None


async def test_a_product_that_cannot_be_stored_fails_its_item_with_a_refund(
    make_import: Callable[..., Import], settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Finding 8: an error storing the product fails the item (50000) and refunds it."""
    imp = make_import()
    runner = ImportRunner(settings, imp.database, AnalysisSlots(), None, EventHub(), lambda: None)  # type: ignore[arg-type,return-value]

    async def product_of(url: str, render: bool) -> Product:
        return Product(url=url, name="stored never")

    async def store(request: steps.StoreRequest) -> str | None:
        raise RuntimeError("the products table is gone")

    monkeypatch.setattr(runner, "_product_of", product_of)
    monkeypatch.setattr(runner._writes, "run", store)
    claim = started(imp.claim("J1"))
    product = await runner._analyse(claim)
    assert isinstance(product, Product)
    await runner._finish(claim, product)
    (item,) = imp.items()
    assert item.status == "failed" and item.error_code == ProdexError.code
    assert imp.balance() == CREDITS


async def test_a_stopping_worker_starts_no_new_item(
    make_import: Callable[..., Import], settings: Settings
) -> None:
    """Finding 4: once the worker stops, a lane's job claims nothing more and the lane goes on in
    its next job."""
    imp = make_import()
    runner = ImportRunner(settings, imp.database, AnalysisSlots(), None, EventHub(), lambda: None)  # type: ignore[arg-type,return-value]
    runner.stopping = True
    assert await runner.run_lane(imp.job_id, imp.host, 0, "J1") == 0.0
    assert [i.status for i in imp.items()] == ["queued"]
    assert imp.balance() == CREDITS


def test_a_claim_never_takes_up_the_item_whose_end_its_lane_is_writing(
    make_import: Callable[..., Import],
) -> None:
    """A lane stores an item's product while it claims its next item: that claim skips the item
    (still running until its store commits) and starts the next one; a later job's claim, which
    writes no end, takes a running item up again (its job was cut off)."""
    imp = make_import(items=3)
    first = started(imp.claim("J1"))
    lane = (imp.job_id, imp.host, 0)
    with imp.database.write() as conn:
        (second,) = steps.claim_group(conn, [steps.ClaimRequest(lane, "J1", first.item.id)], due, cost_of)
    assert second is not None and second.started and second.item.position == 1
    assert [i.status for i in imp.items()] == ["running", "running", "queued"]
    assert started(imp.claim("J2")).item.position == 0
    assert imp.balance() == CREDITS - 2 * COST


async def test_a_lane_fetches_its_next_item_while_the_last_ones_product_is_stored(
    make_import: Callable[..., Import], settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A lane's next item is claimed and analysed before the last item's product is stored (the
    shop's requests follow each other without waiting for the database); every item ends done,
    charged once, and the import is done."""
    imp = make_import(items=3, plan="wide")
    unpaced = settings.model_copy(update={"import_host_interval_seconds": 0.0})
    runner = ImportRunner(unpaced, imp.database, AnalysisSlots(), None, EventHub(), lambda: None)  # type: ignore[arg-type,return-value]
    analysed: list[str] = []
    stored: list[str] = []
    store, analysed_more = runner._store, asyncio.Condition()

    async def product_of(url: str, render: bool) -> Product:
        async with analysed_more:
            analysed.append(url)
            analysed_more.notify_all()
        return Product(url=url, name="a thing")

    async def store_once_the_next_item_is_analysed(request: steps.StoreRequest) -> str:
        wanted = min(len(stored) + 2, 3)  # the last item has no next
        async with asyncio.timeout(5), analysed_more:  # the old lane stored first: it timed out
            await analysed_more.wait_for(lambda: len(analysed) >= wanted)
        stored.append(request.product.url)
        return await store(request)

    monkeypatch.setattr(runner, "_product_of", product_of)
    monkeypatch.setattr(runner, "_store", store_once_the_next_item_is_analysed)
    assert await runner.run_lane(imp.job_id, imp.host, 0, "J1") is None
    assert [i.status for i in imp.items()] == ["done"] * 3
    assert stored == analysed
    assert imp.balance() == CREDITS - 3 * COST
    assert imp.status() == "done"


async def test_a_lane_claims_its_next_item_ahead_and_puts_it_back_when_its_job_stops(
    make_import: Callable[..., Import], settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While a lane's item is analysed, its next item is claimed (running and charged); a job that
    stops before running that item puts it back in the queue with its charge, and the lane's next
    job runs it without charging it again."""
    imp = make_import(items=2, plan="wide")
    unpaced = settings.model_copy(update={"import_host_interval_seconds": 0.0})
    runner = ImportRunner(unpaced, imp.database, AnalysisSlots(), None, EventHub(), lambda: None)  # type: ignore[arg-type,return-value]

    claim, second_claimed = runner._claim, asyncio.Event()

    async def claim_noted(request: steps.ClaimRequest) -> steps.Claim | None:
        claimed = await claim(request)
        if claimed is not None and claimed.item.url.endswith("/p1"):
            second_claimed.set()
        return claimed

    async def product_of(url: str, render: bool) -> Product:
        if url.endswith("/p0"):
            async with asyncio.timeout(5):  # the old lane claimed after the analysis: timed out
                await second_claimed.wait()
            assert [i.status for i in imp.items()] == ["running", "running"]
            runner.stopping = True
        return Product(url=url, name="a thing")

    monkeypatch.setattr(runner, "_claim", claim_noted)
    monkeypatch.setattr(runner, "_product_of", product_of)
    assert await runner.run_lane(imp.job_id, imp.host, 0, "J1") == 0.0
    first, second = imp.items()
    assert (first.status, second.status) == ("done", "queued") and second.charge_id is not None
    assert imp.balance() == CREDITS - 2 * COST
    runner.stopping = False
    assert await runner.run_lane(imp.job_id, imp.host, 0, "J2") is None
    assert [i.status for i in imp.items()] == ["done", "done"]
    assert imp.balance() == CREDITS - 2 * COST
    assert runner.slots.in_use(imp.account_id) == 0


def test_a_group_claims_each_lanes_own_next_item(make_import: Callable[..., Import]) -> None:
    """Several lanes in one group (one claim statement on PostgreSQL): each lane gets its own next
    item, started and charged once; a lane without items gets nothing."""
    imp = make_import(items=3, lanes=2)  # lane 0: items 0 and 2; lane 1: item 1
    other = make_import(items=1)
    requests = [
        steps.ClaimRequest((imp.job_id, imp.host, 1), "J1"),
        steps.ClaimRequest((other.job_id, other.host, 0), "J2"),
        steps.ClaimRequest((imp.job_id, imp.host, 0), "J3"),
        steps.ClaimRequest((imp.job_id, imp.host, 5), "J4"),  # no such lane
    ]
    with imp.database.write() as conn:
        claims = steps.claim_group(conn, requests, due, cost_of)
    positions = [(c.item.job_id, c.item.position, c.job_ref) if c is not None else None for c in claims]
    assert positions == [(imp.job_id, 1, "J1"), (other.job_id, 0, "J2"), (imp.job_id, 0, "J3"), None]
    assert all(c is not None and c.started for c in claims[:3])
    assert [i.status for i in imp.items()] == ["running", "running", "queued"]
    assert imp.balance() == CREDITS - 2 * COST and other.balance() == CREDITS - COST


def test_a_group_stores_each_running_item_once(make_import: Callable[..., Import]) -> None:
    """Several items stored in one group (two statements on PostgreSQL): each running item ends
    with its product; a second request for an item in the group stores nothing."""
    imp = make_import(items=2, lanes=2)
    first, second = (started(imp.claim(f"J{lane}", lane=lane)) for lane in (0, 1))
    requests = [
        steps.StoreRequest(first.item.id, imp.account_id, Product(url=first.item.url), "p-first"),
        steps.StoreRequest(second.item.id, imp.account_id, Product(url=second.item.url), "p-second"),
        steps.StoreRequest(first.item.id, imp.account_id, Product(url=first.item.url), "p-again"),
    ]
    with imp.database.write() as conn:
        assert steps.store_group(conn, requests) == ["p-first", "p-second", None]
    assert [(i.status, i.product_id) for i in imp.items()] == [("done", "p-first"), ("done", "p-second")]


def lane_runner(imp: Import, settings: Settings, **update: object) -> ImportRunner:
    """A runner of the import's lanes with ``settings`` changed by ``update``."""
    tuned = settings.model_copy(update=update)
    return ImportRunner(tuned, imp.database, AnalysisSlots(), None, EventHub(), lambda: None)  # type: ignore[arg-type,return-value]


async def test_an_item_claimed_ahead_and_put_back_keeps_its_attempts(
    make_import: Callable[..., Import], settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An item claimed ahead and put back (the item before it was answered 429) was never
    fetched: its run is not counted, so every item gets PRODEX_IMPORT_ITEM_ATTEMPTS requests."""
    imp = make_import(items=3, plan="wide")
    runner = lane_runner(imp, settings, import_host_interval_seconds=0.0, import_max_slowdown=1.0)
    fetched: Counter[str] = Counter()

    async def product_of(url: str, render: bool) -> Product:
        fetched[url.rsplit("/", 1)[1]] += 1
        await asyncio.sleep(0.05)  # the claim ahead commits meanwhile
        raise UpstreamClientError("Too many requests", upstream_status=429)

    monkeypatch.setattr(runner, "_product_of", product_of)
    for n in range(20):
        if await runner.run_lane(imp.job_id, imp.host, 0, f"J{n}") is None:
            break
    assert [i.status for i in imp.items()] == ["failed"] * 3
    attempts = settings.import_item_attempts
    assert dict(fetched) == {"p0": attempts, "p1": attempts, "p2": attempts}
    assert imp.balance() == CREDITS


async def test_the_lanes_last_item_put_back_after_a_429_still_runs(
    make_import: Callable[..., Import], settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A lane whose last item went back to the queue with no pause (no interval, no slowdown
    allowed) is not over: the item runs again and the import ends done."""
    imp = make_import(items=1, plan="wide")
    runner = lane_runner(imp, settings, import_host_interval_seconds=0.0, import_max_slowdown=1.0)
    answers = iter([429])

    async def product_of(url: str, render: bool) -> Product:
        if next(answers, None) == 429:
            raise UpstreamClientError("Too many requests", upstream_status=429)
        return Product(url=url, name="a thing")

    monkeypatch.setattr(runner, "_product_of", product_of)
    for n in range(5):
        if await runner.run_lane(imp.job_id, imp.host, 0, f"J{n}") is None:
            break
    assert [i.status for i in imp.items()] == ["done"]
    assert imp.status() == "done"


async def test_two_starts_on_a_host_keep_the_interval_whatever_the_analyses_take(
    make_import: Callable[..., Import], settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PRODEX_IMPORT_HOST_INTERVAL_SECONDS apart, two lanes' analyses of slow and fast pages: no
    turn is booked ahead on a spaced host (a turn booked while the item before is analysed would
    be spent long before the fetch)."""
    imp = make_import(items=4, lanes=2, plan="wide")
    interval = 0.3
    runner = lane_runner(imp, settings, import_host_interval_seconds=interval)
    starts: list[tuple[float, str]] = []
    takes = {"p0": 1.0, "p1": 0.7, "p2": 0.1, "p3": 0.1}

    async def product_of(url: str, render: bool) -> Product:
        name = url.rsplit("/", 1)[1]
        starts.append((time.time(), name))
        await asyncio.sleep(takes[name])
        return Product(url=url, name="a thing")

    monkeypatch.setattr(runner, "_product_of", product_of)
    await asyncio.gather(*(runner.run_lane(imp.job_id, imp.host, lane, f"J{lane}") for lane in (0, 1)))
    assert [i.status for i in imp.items()] == ["done"] * 4
    starts.sort()
    gaps = [round(later - earlier, 3) for (earlier, _), (later, _) in pairwise(starts)]
    assert all(gap >= interval - 0.05 for gap in gaps), gaps


async def test_a_lane_holds_one_slot_per_analysis(
    make_import: Callable[..., Import], settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An item claimed ahead holds no slot of the plan until it runs (the API shares the slots:
    the account's POST /v2/product would answer 42901 for the whole import)."""
    imp = make_import(items=3, plan="wide")
    runner = lane_runner(imp, settings, import_host_interval_seconds=0.0)
    in_use: list[int] = []

    async def product_of(url: str, render: bool) -> Product:
        await asyncio.sleep(0.1)  # the claim ahead commits meanwhile
        in_use.append(runner.slots.in_use(imp.account_id))
        return Product(url=url, name="a thing")

    monkeypatch.setattr(runner, "_product_of", product_of)
    assert await runner.run_lane(imp.job_id, imp.host, 0, "J1") is None
    assert in_use == [1, 1, 1]
    assert runner.slots.in_use(imp.account_id) == 0


async def test_a_cancel_during_an_analysis_stops_the_lane_after_it(
    make_import: Callable[..., Import], settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An import cancelled while a lane analyses an item: the item claimed ahead meanwhile is not
    fetched; it is cancelled and refunded, as a waiting item is."""
    imp = make_import(items=3, plan="wide")
    runner = lane_runner(imp, settings, import_host_interval_seconds=0.0)
    fetched: list[str] = []

    async def product_of(url: str, render: bool) -> Product:
        fetched.append(url.rsplit("/", 1)[1])
        await asyncio.sleep(0.2)  # the claim ahead commits meanwhile
        if len(fetched) == 1:
            assert imp.cancel()
        return Product(url=url, name="a thing")

    monkeypatch.setattr(runner, "_product_of", product_of)
    assert await runner.run_lane(imp.job_id, imp.host, 0, "J1") is None
    assert fetched == ["p0"]
    assert [i.status for i in imp.items()] == ["done", "cancelled", "cancelled"]
    assert imp.balance() == CREDITS - COST


async def test_a_job_ends_after_its_last_items_end_even_when_putting_back_fails(
    make_import: Callable[..., Import], settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A job whose put-back of its claim ahead fails (the database away) still waits for its last
    item's store before it ends: no item is left running behind a job that ended."""
    imp = make_import(items=3, plan="wide")
    runner = lane_runner(imp, settings, import_host_interval_seconds=0.0)
    store, run_in_transaction = runner._store, imp.database.run_in_transaction

    async def product_of(url: str, render: bool) -> Product:
        await asyncio.sleep(0.05)  # the claim ahead commits meanwhile
        if url.endswith("/p1"):
            runner.stopping = True
        return Product(url=url, name="a thing")

    async def slow_store(request: steps.StoreRequest) -> str:
        if request.product.url.endswith("/p1"):
            await asyncio.sleep(0.5)
        return await store(request)

    async def no_put_back(fn: Callable[..., object], *args: object, **kwargs: object) -> object:
        if fn is steps.requeue:
            raise OSError("the database went away for a moment")
        return await run_in_transaction(fn, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(runner, "_product_of", product_of)
    monkeypatch.setattr(runner, "_store", slow_store)
    monkeypatch.setattr(imp.database, "run_in_transaction", no_put_back)
    with pytest.raises(OSError):
        await runner.run_lane(imp.job_id, imp.host, 0, "J1")
    assert [i.status for i in imp.items()][:2] == ["done", "done"]


@pytest.mark.parametrize(("plan", "lanes"), [("gold", 2), ("wide", 1), ("wide", 2)])
@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("cancel", [False, True])
async def test_lanes_keep_their_invariants_through_random_failures(
    make_import: Callable[..., Import],
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    plan: str,
    lanes: int,
    seed: int,
    cancel: bool,
) -> None:
    """Two workers run an import's lanes in jobs that the shop answers 429 at random, that stop or
    are cut off at random, with a cancel or without: every item ends (none left queued or
    running), each is charged at most once and the balance pays exactly the items done, no item
    and no lane ever runs two analyses at once, and no plan slot stays taken. (Written by a review
    of the lanes' claim ahead: it found a lane taken for over while its last item was queued.)"""
    rnd = random.Random(seed)
    imp = make_import(items=10, lanes=lanes, plan=plan)
    runners = [
        lane_runner(
            imp, settings, import_host_interval_seconds=0.0, import_max_slowdown=1.0, import_item_attempts=6
        )
        for _ in range(2)
    ]
    analysing: Counter[str] = Counter()
    lane_analysing: Counter[int] = Counter()
    most = {"item": 0, "lane": 0}

    def unreliable(runner: ImportRunner) -> None:
        store = runner._store

        async def product_of(url: str, render: bool) -> Product:
            lane = int(url.rsplit("p", 1)[1]) % lanes
            analysing[url] += 1
            lane_analysing[lane] += 1
            most["item"] = max(most["item"], analysing[url])
            most["lane"] = max(most["lane"], lane_analysing[lane])
            try:
                await asyncio.sleep(rnd.uniform(0, 0.03))
                if rnd.random() < 0.15:
                    raise UpstreamClientError("Too many requests", upstream_status=429)
                if rnd.random() < 0.05:
                    runner.stopping = True
                return Product(url=url, name="a thing")
            finally:
                analysing[url] -= 1
                lane_analysing[lane] -= 1

        async def slow_store(request: steps.StoreRequest) -> str:
            await asyncio.sleep(rnd.uniform(0, 0.02))
            return await store(request)

        monkeypatch.setattr(runner, "_product_of", product_of)
        monkeypatch.setattr(runner, "_store", slow_store)

    for runner in runners:
        unreliable(runner)
    over: set[int] = set()
    for job in range(60):
        if cancel and job == 5:
            imp.cancel()
        left = [lane for lane in range(lanes) if lane not in over]
        if not left:
            break
        for runner in runners:
            runner.stopping = False
        picked = {lane: rnd.choice(runners) for lane in left}
        jobs = {
            lane: asyncio.ensure_future(runner.run_lane(imp.job_id, imp.host, lane, f"J{job}-{lane}"))
            for lane, runner in picked.items()
        }
        if rnd.random() < 0.3:  # a shut-down cuts the jobs off
            await asyncio.sleep(rnd.uniform(0.0, 0.06))
            for running_job in jobs.values():
                running_job.cancel()
        results = await asyncio.gather(*jobs.values(), return_exceptions=True)
        for lane, result in zip(jobs, results, strict=True):
            if result is None:
                over.add(lane)
            elif isinstance(result, BaseException) and not isinstance(result, asyncio.CancelledError):
                raise result
    assert over == set(range(lanes))
    statuses = Counter(i.status for i in imp.items())
    assert statuses["running"] == 0 and statuses["queued"] == 0, statuses
    assert imp.balance() == CREDITS - COST * statuses["done"], statuses
    entries = Credits(imp.database).entries(imp.account_id)
    charges = Counter(e.ref for e in entries if e.refund_of is None and e.ref)
    assert max(charges.values(), default=1) == 1, charges
    assert imp.status() in ("done", "cancelled")
    assert most["item"] <= 1 and most["lane"] <= 1, most
    assert all(runner.slots.in_use(imp.account_id) == 0 for runner in runners)


async def test_no_item_claimed_ahead_runs_after_a_cancel_made_while_it_waited_for_its_slot(
    make_import: Callable[..., Import], settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One slot (the gold plan): the item claimed ahead waits for the slot the item before it
    holds while its product is stored, and the import is cancelled meanwhile; the check that it
    may run comes after it holds its slot, so it is not fetched. (From the second review.)"""
    imp = make_import(items=3, plan="gold")
    runner = lane_runner(imp, settings, import_host_interval_seconds=0.0)
    fetched: list[str] = []
    store = runner._store

    async def product_of(url: str, render: bool) -> Product:
        fetched.append(url.rsplit("/", 1)[1])
        await asyncio.sleep(0.1)  # the claim ahead commits meanwhile
        return Product(url=url, name="a thing")

    async def cancel_while_storing(request: steps.StoreRequest) -> str:
        if request.product.url.endswith("/p0"):
            await asyncio.sleep(0.2)  # the lane waits for the slot this store holds
            assert await imp.database.run_in_transaction(cancel_within, imp.account_id, imp.job_id)
        return await store(request)

    monkeypatch.setattr(runner, "_product_of", product_of)
    monkeypatch.setattr(runner, "_store", cancel_while_storing)
    assert await runner.run_lane(imp.job_id, imp.host, 0, "J1") is None
    assert fetched == ["p0"]
    assert [i.status for i in imp.items()] == ["done", "cancelled", "cancelled"]
    assert imp.balance() == CREDITS - COST
    assert runner.slots.in_use(imp.account_id) == 0


async def test_a_job_cut_off_while_it_checks_its_claim_ahead_puts_that_item_back(
    make_import: Callable[..., Import], settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A job cut off (shut-down) while it reads whether its item claimed ahead may run puts the
    item back, its run not counted, and gives its slot back. (From the second review.)"""
    imp = make_import(items=2, plan="wide")
    runner = lane_runner(imp, settings, import_host_interval_seconds=0.0)
    may_run_ahead, reading = runner._may_run_ahead, asyncio.Event()

    async def slow_check(claimed: steps.Claim) -> bool:
        reading.set()
        await asyncio.sleep(5)  # the database's pool is busy
        return await may_run_ahead(claimed)

    async def product_of(url: str, render: bool) -> Product:
        await asyncio.sleep(0.1)  # the claim ahead commits meanwhile
        return Product(url=url, name="a thing")

    monkeypatch.setattr(runner, "_may_run_ahead", slow_check)
    monkeypatch.setattr(runner, "_product_of", product_of)
    job = asyncio.create_task(runner.run_lane(imp.job_id, imp.host, 0, "J1"))
    await asyncio.wait_for(reading.wait(), 5)
    job.cancel()
    with pytest.raises(asyncio.CancelledError):
        await job
    first, second = imp.items()
    assert first.status == "done"
    assert (second.status, second.attempts) == ("queued", 0) and second.charge_id is not None
    assert runner.slots.in_use(imp.account_id) == 0


async def test_a_claim_ahead_dropped_in_its_group_is_never_put_back_behind_the_jobs_next_claim(
    make_import: Callable[..., Import], settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An item fails while the claim ahead of the next one runs in its group: the lane waits for
    that claim and puts the item back before it claims afresh (a claim cut off in its group was
    put back later, by a task, after the lane's next claim had taken the item up again: the item
    went back to the queue during its analysis and was fetched twice). (From the second review.)"""
    imp = make_import(items=3, plan="wide")
    runner = lane_runner(imp, settings, import_host_interval_seconds=0.0)
    run_in_transaction = imp.database.run_in_transaction
    ahead_in_group, release = asyncio.Event(), asyncio.Event()
    fetched: Counter[str] = Counter()

    def claims_ahead(args: tuple[object, ...]) -> bool:
        requests = args[0] if args and isinstance(args[0], list) else []
        return any(isinstance(r, steps.ClaimRequest) and r.in_flight != repo.NO_ITEM for r in requests)

    async def slow_ahead_group(fn: Callable[..., object], *args: object, **kwargs: object) -> object:
        if fn is steps.requeue and kwargs.get("ran") is False:
            await asyncio.sleep(0.3)  # the put-back is slow
        elif not ahead_in_group.is_set() and claims_ahead(args):
            ahead_in_group.set()
            await release.wait()  # the claim ahead's group runs
        return await run_in_transaction(fn, *args, **kwargs)  # type: ignore[arg-type]

    async def product_of(url: str, render: bool) -> Product:
        name = url.rsplit("/", 1)[1]
        fetched[name] += 1
        if name == "p0":
            await ahead_in_group.wait()
            asyncio.get_running_loop().call_later(0.1, release.set)
            raise ProdexError()  # fails at once (not a 429)
        await asyncio.sleep(0.5)
        return Product(url=url, name="a thing")

    monkeypatch.setattr(imp.database, "run_in_transaction", slow_ahead_group)
    monkeypatch.setattr(runner, "_product_of", product_of)
    for n in range(5):
        if await runner.run_lane(imp.job_id, imp.host, 0, f"J{n}") is None:
            break
    assert [i.status for i in imp.items()] == ["failed", "done", "done"]
    assert dict(fetched) == {"p0": 1, "p1": 1, "p2": 1}
