"""Group commit for any write: requests made at the same moment share one transaction.

:class:`TransactionGroups` collects the requests its callers make while its previous transaction
runs and hands them, as one list, to a function that does them all in one write transaction
(``run_group(conn, requests) -> results``, one result per request, in order). Under load the
per-transaction cost (a connection, BEGIN and COMMIT, and on PostgreSQL a thread hop and the round
trips) is then paid once per group, and a hot row (an account's balance) is locked once per group
instead of once per request. One group runs at a time, so groups grow with the load. A caller
gets its result only after the transaction committed. When a group fails, each of its requests
is run once more alone, so one bad request fails only its own caller.

A caller cancelled before a group took its request withdraws it (it never runs). A caller
cancelled while its group runs does not stop the group: ``on_abandoned(result)`` is then called
with what its request did, to undo it (say, put a started item back in the queue).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine, Sequence
from typing import Any, Generic, TypeVar, cast

from sqlalchemy import Connection

from prodex.store.db import Database

log = logging.getLogger(__name__)
Request = TypeVar("Request")
Result = TypeVar("Result")


class TransactionGroups(Generic[Request, Result]):
    """Runs concurrent requests in shared write transactions (see the module docstring)."""

    def __init__(
        self,
        database: Database,
        run_group: Callable[[Connection, Sequence[Request]], list[Result]],
        *,
        max_group: int = 256,
        on_abandoned: Callable[[Result], Coroutine[Any, Any, None]] | None = None,
    ) -> None:
        self._database = database
        self._run_group = run_group
        self._max_group = max_group
        self._on_abandoned = on_abandoned
        self._pending: list[tuple[Request, asyncio.Future[Result]]] = []
        self._writer: asyncio.Task[None] | None = None
        self._undoing: set[asyncio.Task[None]] = set()

    async def run(self, request: Request) -> Result:
        """Run ``request`` in the next group; its result once the group committed."""
        future: asyncio.Future[Result] = asyncio.get_running_loop().create_future()
        self._pending.append((request, future))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write(), name="prodex-transaction-groups")
        try:
            return await asyncio.shield(future)
        except asyncio.CancelledError:
            if not self._withdraw(future):  # its group runs: undo what it did once it committed
                future.add_done_callback(self._abandoned)
            raise

    def _withdraw(self, future: asyncio.Future[Result]) -> bool:
        """Take a caller's request out of the pending ones when no group has taken it yet (it then
        never runs); whether it was still pending."""
        for n, (_request, pending) in enumerate(self._pending):
            if pending is future:
                del self._pending[n]
                future.cancel()
                return True
        return False

    async def _write(self) -> None:
        """Run the pending requests, a group at a time, until none is left. When the writer itself
        ends on anything but an ``Exception`` (cancelled, say), every caller it still holds or that
        waits gets an error instead of waiting for ever (its request may or may not have committed)."""
        group: list[tuple[Request, asyncio.Future[Result]]] = []
        try:
            while self._pending:
                group = self._pending[: self._max_group]
                del self._pending[: self._max_group]
                await self._write_group(group)
                await _let_answered_callers_run()
        except BaseException as error:
            stopped = RuntimeError(f"the writer of the transaction groups stopped: {error!r}")
            pending, self._pending = self._pending, []
            for _request, future in group + pending:
                _settle(future, error=stopped)
            raise

    async def _write_group(self, group: list[tuple[Request, asyncio.Future[Result]]]) -> None:
        """Run one group in one transaction (each request alone when it fails) and answer its callers."""
        try:
            results = await self._database.run_in_transaction(self._run_group, [r for r, _ in group])
        except Exception as error:
            if len(group) == 1:
                _settle(group[0][1], error=error)
                return
            log.warning("a group of %d writes failed; running each alone", len(group), exc_info=True)
            await self._one_by_one(group)
            return
        for (_request, future), result in zip(group, results, strict=True):
            _settle(future, result=result)

    async def _one_by_one(self, group: list[tuple[Request, asyncio.Future[Result]]]) -> None:
        for request, future in group:
            try:
                (result,) = await self._database.run_in_transaction(self._run_group, [request])
            except Exception as error:
                _settle(future, error=error)
            else:
                _settle(future, result=result)

    def _abandoned(self, future: asyncio.Future[Result]) -> None:
        """A caller went away: undo what its request did, once the group committed."""
        if self._on_abandoned is None or future.cancelled() or future.exception() is not None:
            return
        task = asyncio.get_running_loop().create_task(self._on_abandoned(future.result()))
        self._undoing.add(task)
        task.add_done_callback(self._undoing.discard)


#: Loop turns between answering a group's callers and starting the next group: an answer reaches
#: its caller through its shielded future, then its task (two turns).
ANSWER_TURNS = 2


async def _let_answered_callers_run() -> None:
    """Let the callers the last group answered run before the next group starts: a caller that
    makes its next request at once (an import lane stores an item, then claims its next) joins
    that group instead of waiting for it to end."""
    for _turn in range(ANSWER_TURNS):
        await asyncio.sleep(0)


def _settle(
    future: asyncio.Future[Result], *, result: Result | None = None, error: BaseException | None = None
) -> None:
    """Answer a caller with ``result`` or ``error`` (nothing when the caller's future is done)."""
    if future.done():
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(cast(Result, result))
