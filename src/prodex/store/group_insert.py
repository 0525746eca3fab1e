"""Group commit for product inserts: products created at the same moment share one transaction.

Under load, the per-transaction cost (connection, BEGIN/COMMIT, statement set-up, and on
PostgreSQL the round trips and the commit flush) dominates a one-row insert.
:class:`GroupedProductInserter` collects the inserts requested during one turn of the event loop
and writes them in one transaction with one statement (SQLite: an executemany of the prepared
INSERT; PostgreSQL: one COPY, atomic on its own, on a pooled asyncio connection in autocommit
mode, so no BEGIN and COMMIT round trips); every caller gets its answer
only after that transaction committed, so nothing is acknowledged before it is durable. One
group is written at a time: the inserts that arrive meanwhile form the next group, so groups grow
with the load (more groups in flight would make them smaller and each insert dearer).
If a group fails on a row's data (a constraint, a bad value), its items are retried one by one,
so one bad row fails only its own request; any other failure (the database unreachable, a pool
timeout) fails the whole group at once: retrying each row would only repeat the wait.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import UTC, datetime

import psycopg
import sqlalchemy.exc

from prodex.extract.model import Product
from prodex.store import products as repo
from prodex.store.db import Database
from prodex.store.records import ProductRecord

log = logging.getLogger("prodex.store")


ROW_ERRORS: tuple[type[Exception], ...] = (
    sqlalchemy.exc.IntegrityError,
    sqlalchemy.exc.DataError,
    psycopg.IntegrityError,
    psycopg.DataError,
)


def is_row_error(exc: Exception) -> bool:
    """Whether a failed insert failed on one row's data (retrying the rows alone isolates it)."""
    return isinstance(exc, ROW_ERRORS)


@dataclass(slots=True)
class _Pending:
    product_id: str
    account_id: int
    product: Product
    future: asyncio.Future[ProductRecord]


class GroupedProductInserter:
    """Inserts products from async code, grouping concurrent inserts into one transaction."""

    def __init__(self, database: Database, max_group: int = 128, max_in_flight: int = 1) -> None:
        self._database = database
        self._max_group = max_group
        self._max_in_flight = max_in_flight
        self._pending: list[_Pending] = []
        self._in_flight = 0
        self._scheduled = False
        self._tasks: set[asyncio.Task[None]] = set()
        self._loop: asyncio.AbstractEventLoop | None = None

    async def insert(self, product_id: str, account_id: int, product: Product) -> ProductRecord:
        """Store ``product`` under ``product_id`` for the account; returns once it is committed."""
        loop = self._loop
        if loop is None or not (self._scheduled or self._in_flight):
            # On Python 3.11 each asyncio.get_running_loop() makes a getpid(2) system call.
            # While a group is pending or being written, the loop is the one it runs on.
            loop = self._loop = asyncio.get_running_loop()
        future: asyncio.Future[ProductRecord] = loop.create_future()
        self._pending.append(_Pending(product_id, account_id, product, future))
        if not self._scheduled:
            # Start writing at the next turn of the loop, so this turn's inserts join the group.
            self._scheduled = True
            loop.call_soon(self._start_groups)
        return await future

    def _start_groups(self) -> None:
        self._scheduled = False
        while self._pending and self._in_flight < self._max_in_flight:
            group = self._pending[: self._max_group]
            del self._pending[: self._max_group]
            self._in_flight += 1
            task = asyncio.get_running_loop().create_task(self._write_group(group))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _write_group(self, group: list[_Pending]) -> None:
        try:
            try:
                records = await self._write(group)
            except Exception as exc:
                if len(group) == 1 or not is_row_error(exc):
                    for item in group:
                        if not item.future.done():
                            item.future.set_exception(exc)
                    return
                log.warning("a group of %d product inserts failed; retrying one by one", len(group))
                for item in group:
                    await self._write_alone(item)
                return
            for item, record in zip(group, records, strict=True):
                if not item.future.done():
                    item.future.set_result(record)
        finally:
            self._in_flight -= 1
            if self._pending:
                self._start_groups()

    async def _write_alone(self, item: _Pending) -> None:
        try:
            (record,) = await self._write([item])
        except Exception as exc:
            if not item.future.done():
                item.future.set_exception(exc)
            return
        if not item.future.done():
            item.future.set_result(record)

    async def _write(self, group: list[_Pending]) -> list[ProductRecord]:
        items = [(item.product_id, item.account_id, item.product) for item in group]
        now = datetime.now(UTC)
        if self._database.is_sqlite:
            return await self._database.run_in_transaction(repo.insert_products, items, now)
        async with self._database.async_autocommit() as conn:
            return await repo.copy_products(conn, items, now)
