"""The transactions of one import item, each a synchronous function of an open write transaction
(run with ``database.run_in_transaction``); the order and the rules are
:mod:`prodex.service.import_runner`'s.

- :func:`claim_group`: for several lanes at once, each lane's next item, its host's turn booked
  and, when the turn is due, the item started (marked running and charged) in the same
  transaction: one transaction for the items that concurrent lanes start (see
  :class:`prodex.store.grouped.TransactionGroups`), with one debit per account;
- :func:`start`: start an item whose turn had to be waited for;
- :func:`store_group`: the products stored and the items ``done``, for several items at once;
- :func:`write_group`: the claims and the stores of concurrent lanes in one transaction;
- :func:`fail`: the charge refunded and the item ``failed``;
- :func:`requeue`: a started item back in the queue, its charge kept.

An item's charge is taken when it starts and recorded on it (``charge_id``), so a run that
starts it again (its worker died, or the shop answered 429/503) never charges again. An item of a
cancelled import that did not end (queued again with its charge, or left running by a job that
was cut off) is cancelled and refunded by the step that finds it: the claim of its lane, or the
requeue.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace

from sqlalchemy import Connection

from prodex.errors import ProdexError
from prodex.extract.model import Product
from prodex.service.clock import utcnow
from prodex.service.credits import charge_many_within, charge_within, refund_within
from prodex.store import imports as repo
from prodex.store import products as product_repo

CHARGE_REASON = "import-item"
CANCELLED_REASON = "import-item cancelled"
#: The charge of an item: ``cost_of(plan_name)`` credits.
CostOf = Callable[[str], int]
#: Books host turns: ``book(conn, {host: count})`` -> each host's next ``count`` turns (epoch times).
Book = Callable[[Connection, Mapping[str, int]], dict[str, list[float]]]


@dataclass(frozen=True, slots=True)
class Claim:
    """An item a lane runs now: its booked turn, and whether it started (or why it cannot)."""

    lane_item: repo.LaneItem
    turn: float
    started: bool = False
    error: ProdexError | None = None
    """Why the item cannot start (18020: not enough credit; nothing was charged)."""
    job_ref: str = ""
    """The queue job that started it (when :attr:`started`)."""

    @property
    def item(self) -> repo.ItemRecord:
        """The item as it was before this run started it."""
        return self.lane_item.item


@dataclass(frozen=True, slots=True)
class ClaimRequest:
    """A lane asks for its next item: the lane ``(job_id, host, lane)`` and the queue job
    running it (the caller holds one of the account's analysis slots)."""

    lane: tuple[str, str, int]
    job_ref: str
    in_flight: int = repo.NO_ITEM
    """The lane's item that the job still runs (analysing it, or storing its product): never
    taken up again."""


def claim_group(
    conn: Connection, requests: Sequence[ClaimRequest], book: Book, cost_of: CostOf
) -> list[Claim | None]:
    """For each request, the lane's next item with its host's turn booked by ``book(conn, {host:
    count})`` (on PostgreSQL one statement for every lane of the group, one for every host) and,
    when the turn is due, the item started (running and charged); ``None`` when the lane is over
    (or its import was cancelled), and for a second request of a lane already in the group (one
    item is claimed, and charged, once: the lane goes on in the first request's job). One
    transaction for concurrent lanes: items and hosts are locked in one order and each account's
    charges are one debit, so two workers' groups never wait on each other in a circle and an
    account's row is locked once per group."""
    order = sorted(range(len(requests)), key=lambda n: requests[n].lane[1:])
    firsts = _first_of_each_lane(requests, order)
    by_host: dict[str, list[tuple[int, repo.LaneItem]]] = {}
    lanes = [(*requests[n].lane, requests[n].in_flight) for n in firsts]
    refunds: Refunds = {}
    for n, found in zip(firsts, _lane_items(conn, lanes, refunds), strict=True):
        if found is not None:
            by_host.setdefault(requests[n].lane[1], []).append((n, found))
    claims: list[Claim | None] = [None] * len(requests)
    turns = book(conn, {host: len(claimed) for host, claimed in by_host.items()}) if by_host else {}
    for host, claimed in by_host.items():
        for (n, found), turn in zip(claimed, turns[host], strict=True):
            claims[n] = Claim(found, turn)
    now = time.time()
    due = [n for n in order if (claim := claims[n]) is not None and claim.turn <= now]
    started = _start_group(conn, [(_claimed(claims[n]), requests[n].job_ref) for n in due], cost_of, refunds)
    for n, claim in zip(due, started, strict=True):
        claims[n] = claim
    return claims


def _first_of_each_lane(requests: Sequence[ClaimRequest], order: Sequence[int]) -> list[int]:
    """The positions in ``order`` of each lane's first request (a lane's later ones get nothing)."""
    lanes: set[tuple[str, str, int]] = set()
    firsts: list[int] = []
    for n in order:
        if requests[n].lane not in lanes:
            lanes.add(requests[n].lane)
            firsts.append(n)
    return firsts


def _lane_items(
    conn: Connection, lanes: Sequence[tuple[str, str, int, int]], refunds: Refunds
) -> list[repo.LaneItem | None]:
    """:func:`_lane_item` for each lane ``(job_id, host, lane, in_flight)``, in order: every lane's
    item claimed at once (one statement on PostgreSQL); a lane whose item is in a cancelled import
    goes on alone. The charges of the items it cancels are left in ``refunds``."""
    found = repo.claim_lane_items(conn, lanes)
    for n, lane_item in enumerate(found):
        if lane_item is not None and lane_item.import_status == "cancelled":
            _cancel_in_group(conn, lane_item, refunds)
            found[n] = _lane_item(conn, lanes[n][:3], lanes[n][3], refunds)
    return found


def _lane_item(
    conn: Connection, lane: tuple[str, str, int], in_flight: int, refunds: Refunds | None = None
) -> repo.LaneItem | None:
    """The lane's next item to run (see :func:`repo.claim_lane_item`; ``in_flight``: the item the
    lane's job still runs), locked; ``None`` when the lane is over. The items it finds in a
    cancelled import (queued again with a charge, or left running by a job that was cut off) are
    cancelled on the way, their charges refunded (or left in ``refunds``)."""
    job_id, host, lane_number = lane
    while (found := repo.claim_lane_item(conn, job_id, host, lane_number, in_flight)) is not None:
        if found.import_status != "cancelled":
            return found
        _cancel_in_group(conn, found, refunds)
    return None


#: The charges of cancelled items to refund, by account: a group refunds them with its charges,
#: accounts in one order after the hosts (refunding as it finds them would lock an account's row
#: before the hosts' rows, against the order every group keeps).
Refunds = dict[int, list[int]]


def _cancel(conn: Connection, item: repo.ItemRecord, refund_later: list[int] | None = None) -> None:
    """Cancel an item of a cancelled import that did not end, refunding the charge it holds (now,
    or by its group when ``refund_later``, its account's list of :data:`Refunds`, is given)."""
    if item.charge_id is not None:
        if refund_later is None:
            refund_within(conn, item.charge_id, CANCELLED_REASON)
        else:
            refund_later.append(item.charge_id)
    repo.update_item(conn, item.id, status="cancelled", finished_at=utcnow())


def _cancel_in_group(conn: Connection, found: repo.LaneItem, refunds: Refunds | None) -> None:
    """:func:`_cancel` a claimed item, its refund left to its group when ``refunds`` is given."""
    _cancel(conn, found.item, refunds.setdefault(found.account_id, []) if refunds is not None else None)


def _claimed(claim: Claim | None) -> Claim:
    assert claim is not None
    return claim


def _start_group(
    conn: Connection, claims: Sequence[tuple[Claim, str]], cost_of: CostOf, refunds: Refunds
) -> list[Claim]:
    """Mark the claimed items running and charge those whose run holds no charge yet (one debit
    per account, accounts in one order, each account's ``refunds`` first)."""
    now = utcnow()
    for job_id in sorted({c.item.job_id for c, _ref in claims if c.lane_item.import_status == "queued"}):
        repo.mark_running(conn, job_id, now)
    charges = _charge_group(conn, [claim for claim, _ref in claims], cost_of, refunds)
    results: list[Claim] = []
    rows: list[dict[str, object]] = []
    for (claim, job_ref), charge in zip(claims, charges, strict=True):
        if isinstance(charge, ProdexError):  # 18020 (nothing was charged for it)
            results.append(replace(claim, error=charge))
            continue
        item = claim.item
        rows.append(
            {"item_id": item.id, "charge_id": charge, "job_ref": job_ref, "attempts": item.attempts + 1}
        )
        results.append(replace(claim, started=True, job_ref=job_ref))
    repo.start_items(conn, rows, now)
    return results


def _charge_group(
    conn: Connection, claims: Sequence[Claim], cost_of: CostOf, refunds: Refunds
) -> list[int | ProdexError]:
    """Each claimed item's charge: the one its run holds, else a new one; the accounts in one
    order, each account's ``refunds`` made before its charges."""
    charges: list[int | ProdexError] = [c.item.charge_id or 0 for c in claims]
    by_account: dict[int, list[int]] = {}
    for n, claim in enumerate(claims):
        if claim.item.charge_id is None:
            by_account.setdefault(claim.lane_item.account_id, []).append(n)
    for account_id in sorted(by_account.keys() | refunds.keys()):
        for charge_id in refunds.get(account_id, ()):
            refund_within(conn, charge_id, CANCELLED_REASON)
        positions = by_account.get(account_id)
        if not positions:
            continue
        wanted = [_charge_of(claims[n], cost_of) for n in positions]
        for n, charge in zip(positions, charge_many_within(conn, account_id, wanted), strict=True):
            charges[n] = charge
    return charges


def _charge_of(claim: Claim, cost_of: CostOf) -> tuple[int, str, str]:
    item = claim.item
    return cost_of(claim.lane_item.plan), CHARGE_REASON, f"import:{item.job_id}:{item.position}"


def start(
    conn: Connection, request: ClaimRequest, item_id: int, turn: float, cost_of: CostOf
) -> Claim | None:
    """Start the item ``item_id`` that ``request`` claimed, after its turn came (a claim that was
    not due); ``None`` when it may not run any more (cancelled meanwhile: then cancelled and
    refunded here, when it held a charge)."""
    job_ref = request.job_ref
    found = _lane_item(conn, request.lane, request.in_flight)
    if found is None or found.item.id != item_id:
        return None
    return _started(conn, found, turn, job_ref, cost_of)


def _started(conn: Connection, found: repo.LaneItem, turn: float, job_ref: str, cost_of: CostOf) -> Claim:
    """Mark the item running and charge it (unless its run holds a charge already)."""
    item = found.item
    now = utcnow()
    if found.import_status == "queued":
        repo.mark_running(conn, item.job_id, now)
    charge_id = item.charge_id
    if charge_id is None:  # the account's row stays locked from here to the commit: keep it last
        try:
            ref = f"import:{item.job_id}:{item.position}"
            charge_id = charge_within(conn, found.account_id, cost_of(found.plan), CHARGE_REASON, ref)
        except ProdexError as error:  # 18020 (nothing was charged)
            return Claim(found, turn, error=error)
    repo.update_item(
        conn,
        item.id,
        status="running",
        charge_id=charge_id,
        job_ref=job_ref,
        attempts=item.attempts + 1,
        started_at=now,
    )
    return Claim(found, turn, started=True, job_ref=job_ref)


@dataclass(frozen=True, slots=True)
class StoreRequest:
    """An item's product to store (under ``product_id``, for ``account_id``)."""

    item_id: int
    account_id: int
    product: Product
    product_id: str


def store_group(conn: Connection, requests: Sequence[StoreRequest]) -> list[str | None]:
    """Mark the items done and store their products; returns the product ids, ``None`` for an
    item that no longer runs (ended or put back meanwhile: nothing is stored for it, nor twice for
    one item). On PostgreSQL two statements for any number of items. (The import is marked done
    when a lane finds nothing left to run: see ``ImportRunner.complete``.)"""
    kept: dict[int, StoreRequest] = {}
    for request in requests:
        kept.setdefault(request.item_id, request)
    now = utcnow()
    ended = repo.end_running_items(conn, [(r.item_id, r.product_id) for r in kept.values()], now)
    stored = [r for r in kept.values() if r.item_id in ended]
    if stored:
        product_repo.insert_products(conn, [(r.product_id, r.account_id, r.product) for r in stored], now)
    return [r.product_id if r.item_id in ended and kept[r.item_id] is r else None for r in requests]


#: A write of an import's lanes: a claim of a lane's next item, or an item's product to store.
LaneWrite = ClaimRequest | StoreRequest
#: What a write gives: a claim (``None`` when the lane is over), a stored product's id (``None``
#: when the item no longer runs).
WriteResult = Claim | str | None


def write_group(
    conn: Connection, requests: Sequence[LaneWrite], book: Book, cost_of: CostOf
) -> list[WriteResult]:
    """The results of concurrent lanes' claims and stores, in order, in one transaction: the
    stores first (:func:`store_group`: they lock only their own items, running ones), then the
    claims (:func:`claim_group`: items, hosts, then accounts, each in one order). Two workers'
    groups therefore still take their locks in one order; and the claims and the stores that
    meet in a group cost one transaction instead of two."""
    results: list[WriteResult] = [None] * len(requests)
    stores = [(n, store) for n, store in enumerate(requests) if isinstance(store, StoreRequest)]
    claims = [(n, claim) for n, claim in enumerate(requests) if isinstance(claim, ClaimRequest)]
    if stores:
        stored = store_group(conn, [store for _n, store in stores])
        for (n, _store), product_id in zip(stores, stored, strict=True):
            results[n] = product_id
    if claims:
        claimed = claim_group(conn, [claim for _n, claim in claims], book, cost_of)
        for (n, _claim), found in zip(claims, claimed, strict=True):
            results[n] = found
    return results


def fail(conn: Connection, item_id: int, code: int, msg: str) -> repo.ItemRecord | None:
    """Refund the item's charge and mark it failed; ``None`` when the item had ended already."""
    item = repo.get_item(conn, item_id, lock=True)
    if item is None or item.status in repo.FINAL_ITEM_STATES:
        return None
    if item.charge_id is not None:
        refund_within(conn, item.charge_id, "import-item failed")
    repo.update_item(conn, item_id, status="failed", error_code=code, error_msg=msg, finished_at=utcnow())
    return item


def requeue(conn: Connection, item_id: int, job_ref: str | None = None, *, ran: bool = True) -> None:
    """Put a started item back in the queue, keeping its charge (it runs again later); nothing
    when it no longer runs (or runs for another job than ``job_ref``, when given: its lane's next
    job took it up). ``ran=False``: the item was started but never analysed (claimed ahead, or its
    claim was cut off), so the run its start counted is given back. When its import was cancelled
    meanwhile, the item is cancelled and its charge refunded instead (the import's row is read
    locked: a cancel either committed before, or finds the item queued after)."""
    item = repo.get_item(conn, item_id, lock=True)
    if item is None or item.status != "running" or job_ref not in (None, item.job_ref):
        return
    record = repo.get_import(conn, None, item.job_id, lock=True)
    if record is not None and record.status == "cancelled":
        _cancel(conn, item)
        return
    attempts = item.attempts if ran else max(item.attempts - 1, 0)
    repo.update_item(conn, item_id, status="queued", attempts=attempts)
