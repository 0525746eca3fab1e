"""The transactions of one import item, each a synchronous function of an open write transaction
(run with ``database.run_in_transaction``); the order and the rules are
:mod:`prodex.service.import_runner`'s.

- :func:`claim`: the lane's next item, its host's turn booked and, when the turn is due and the
  caller holds an analysis slot, the item started (marked running and charged) in the same
  transaction: one transaction per item on the common path;
- :func:`start`: start an item whose turn had to be waited for;
- :func:`store`: the product stored and the item ``done``;
- :func:`fail`: the charge refunded and the item ``failed``;
- :func:`requeue`: a started item back in the queue, its charge kept.

An item's charge is taken when it starts and recorded on it (``charge_id``), so a run that
starts it again (its worker died, or the shop answered 429/503) never charges again.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Connection

from prodex.errors import ProdexError
from prodex.extract.model import Product
from prodex.service.clock import utcnow
from prodex.service.credits import charge_within, refund_within
from prodex.store import imports as repo
from prodex.store import products as product_repo

CHARGE_REASON = "import-item"
#: The charge of an item: ``cost_of(plan_name)`` credits.
CostOf = Callable[[str], int]


@dataclass(frozen=True, slots=True)
class Claim:
    """An item a lane runs now: its booked turn, and whether it started (or why it cannot)."""

    lane_item: repo.LaneItem
    turn: float
    started: bool = False
    error: ProdexError | None = None
    """Why the item cannot start (18020: not enough credit; nothing was charged)."""

    @property
    def item(self) -> repo.ItemRecord:
        """The item as it was before this run started it."""
        return self.lane_item.item


def claim(
    conn: Connection,
    lane: tuple[str, str, int],
    job_ref: str,
    book: Callable[[Connection, str], float],
    cost_of: CostOf,
    *,
    slot_held: bool,
) -> Claim | None:
    """Take the next item of the lane ``(job_id, host, lane)`` for the queue job ``job_ref`` and
    book its host's turn with ``book``; start it at once when the turn is due and ``slot_held``.
    ``None`` when the lane is over (or its import was cancelled)."""
    job_id, host, lane_number = lane
    found = repo.claim_lane_item(conn, job_id, host, lane_number, job_ref)
    if found is None or found.import_status == "cancelled":
        return None
    turn = book(conn, host)
    if not slot_held or turn > time.time():
        return Claim(found, turn)
    return _started(conn, found, turn, job_ref, cost_of)


def start(
    conn: Connection, lane: tuple[str, str, int], item_id: int, job_ref: str, turn: float, cost_of: CostOf
) -> Claim | None:
    """Start the lane's item ``item_id`` after its turn came (a claim that was not due); ``None``
    when it may not run any more (cancelled meanwhile)."""
    job_id, host, lane_number = lane
    found = repo.claim_lane_item(conn, job_id, host, lane_number, job_ref)
    if found is None or found.item.id != item_id or found.import_status == "cancelled":
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
    return Claim(found, turn, started=True)


def store(conn: Connection, item_id: int, account_id: int, product: Product, product_id: str) -> str:
    """Store the item's product and mark the item done; returns the product id. (The import is
    marked done when a lane finds nothing left to run: see ``ImportRunner.complete``.)"""
    now = utcnow()
    product_repo.insert_product(conn, product_id=product_id, account_id=account_id, product=product, now=now)
    repo.update_item(conn, item_id, status="done", product_id=product_id, finished_at=now)
    return product_id


def fail(conn: Connection, item_id: int, code: int, msg: str) -> repo.ItemRecord | None:
    """Refund the item's charge and mark it failed; ``None`` when the item had ended already."""
    item = repo.get_item(conn, item_id, lock=True)
    if item is None or item.status in repo.FINAL_ITEM_STATES:
        return None
    if item.charge_id is not None:
        refund_within(conn, item.charge_id, "import-item failed")
    repo.update_item(conn, item_id, status="failed", error_code=code, error_msg=msg, finished_at=utcnow())
    return item


def requeue(conn: Connection, item_id: int) -> None:
    """Put a started item back in the queue, keeping its charge (it runs again later)."""
    repo.update_item(conn, item_id, status="queued")
