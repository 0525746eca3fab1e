"""A supervised pool of worker processes: one task per worker at a time, each under a CPU budget.

Unlike :class:`concurrent.futures.ProcessPoolExecutor` (which breaks for good when one worker
dies), every worker here is watched on its own:

- a worker that dies (killed, out of memory, segfault) fails only the task it held, with
  :class:`WorkerDied`, and is replaced at once;
- a task whose caller is cancelled (the analysis deadline, a client that went away, shut-down)
  kills its worker, which is replaced: no abandoned task keeps a CPU busy;
- a task that passes its CPU budget is ended by the kernel inside the worker (SIGPROF, see
  :mod:`prodex.analysis.worker_main`) and fails with :class:`CpuBudgetExceeded`;
- :meth:`ProcessPool.aclose` stops and reaps every worker.

Workers are fresh interpreters (``python -m prodex.analysis.worker_main``, no fork of a process
that runs threads and an event loop, no re-import of the caller's main module) started from the
event loop's thread: children of the server process itself (no fork server left behind) that die
with it. Each is watched through a pidfd (readable when the process ends), so a worker killed
while idle is replaced at once too.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.reduction import ForkingPickler
from typing import Any, TypeVar

from prodex.analysis import worker_main

log = logging.getLogger(__name__)
T = TypeVar("T")
START_TIMEOUT = 60.0
STOP_TIMEOUT = 2.0
RESTART_BACKOFF_MAX = 10.0
#: A task message this small is written from the event loop (a worker's socket buffer takes it at
#: once); a larger one from a thread, so that the loop never waits for a worker to read.
INLINE_SEND_BYTES = 32 * 1024


class WorkerDied(Exception):
    """The worker running the task ended before answering (killed, out of memory, crashed)."""

    def __init__(self, pid: int | None, exitcode: int | None) -> None:
        self.pid, self.exitcode = pid, exitcode
        super().__init__(f"worker {pid} ended with exit code {exitcode} during the task")


class CpuBudgetExceeded(WorkerDied):
    """The task used more CPU time than its budget; the kernel ended its worker."""


class PoolUnavailable(Exception):
    """No worker can run a task (workers cannot start, or the pool is closed)."""


@dataclass(frozen=True)
class PoolStatus:
    """A snapshot of the pool for /healthz and tests."""

    size: int
    ready: int
    busy: int
    starting: int
    replaced: int
    closed: bool
    start_error: str | None

    @property
    def can_run(self) -> bool:
        """Whether a task can run now or as soon as a starting worker is ready."""
        if self.closed:
            return False
        return self.ready + self.busy > 0 or (self.starting > 0 and self.start_error is None)


class _Worker:
    """One worker process, the parent's end of its socket, and a pidfd that tells its end."""

    def __init__(self, process: subprocess.Popen[bytes], conn: Connection, pidfd: int) -> None:
        self.process, self.conn, self.pidfd = process, conn, pidfd
        self.pid: int = process.pid
        self.exited: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.busy = False
        self.ready = False
        self.sending: asyncio.Future[None] | None = None
        """A send running in a thread: the socket is closed only once it is over."""

    def close_socket(self) -> None:
        """Close the parent's end of the socket, after any send in flight (never under a thread
        still writing to its descriptor, which another connection could reuse)."""
        if self.sending is not None and not self.sending.done():
            self.sending.add_done_callback(lambda _: self.conn.close())
        else:
            self.conn.close()

    @property
    def alive(self) -> bool:
        return not self.exited.done()

    @property
    def exitcode(self) -> int | None:
        """The exit code (negative: the signal that ended it), once it ended."""
        return self.process.poll()


def _readable(fd: int) -> asyncio.Future[None]:
    """A future that completes once ``fd`` is readable (its reader is removed then)."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future[None] = loop.create_future()

    def ready() -> None:
        loop.remove_reader(fd)
        if not future.done():
            future.set_result(None)

    loop.add_reader(fd, ready)
    future.add_done_callback(lambda _: loop.remove_reader(fd))
    return future


def _consume(future: asyncio.Future[None]) -> None:
    """Retrieve the outcome of a send whose caller may have gone (no "never retrieved" warning)."""
    if not future.cancelled():
        future.exception()


class ProcessPool:
    """``size`` supervised worker processes (see the module docstring)."""

    def __init__(self, size: int, warm_up: str = "") -> None:
        """``warm_up``: ``"module:function"`` each worker calls once before it reports ready."""
        self.size = max(1, size)
        self._warm_up = warm_up
        self._workers: set[_Worker] = set()
        self._idle: list[_Worker] = []
        self._idle_changed = asyncio.Event()
        self._starting = 0
        self._replaced = 0
        self._start_error: str | None = None
        self._failures = 0
        self._closed = False
        self._slots = asyncio.Semaphore(self.size)
        self._tasks: set[asyncio.Task[None]] = set()

    # --- state -----------------------------------------------------------------------------------

    def status(self) -> PoolStatus:
        """How many workers are ready, busy and starting, and why the last start failed, if so."""
        live = [w for w in self._workers if w.alive and w.ready]
        busy = sum(1 for w in live if w.busy)
        return PoolStatus(
            size=self.size,
            ready=len(live) - busy,
            busy=busy,
            starting=self._starting,
            replaced=self._replaced,
            closed=self._closed,
            start_error=self._start_error,
        )

    def pids(self) -> list[int]:
        """The process ids of the live workers."""
        return [w.pid for w in self._workers if w.alive and w.pid is not None]

    # --- starting and replacing workers -----------------------------------------------------------

    async def start(self) -> None:
        """Start workers up to the pool's size and wait until they are ready, or one failed to
        start (it is retried in the background, with a growing pause)."""
        self._fill()
        while self._starting and not self._closed and not self._failures:
            self._idle_changed.clear()
            await self._idle_changed.wait()

    def _fill(self) -> None:
        """Start workers until live + starting reaches the size (in background tasks)."""
        if self._closed:
            return
        missing = self.size - self._starting - sum(1 for w in self._workers if w.alive and w.ready)
        for _ in range(missing):
            self._starting += 1
            task = asyncio.get_running_loop().create_task(self._start_one(), name="prodex-worker-start")
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _start_one(self) -> None:
        try:
            if self._failures:  # back off while starts keep failing
                await asyncio.sleep(min(RESTART_BACKOFF_MAX, 0.25 * 2 ** min(self._failures, 6)))
            worker = self._spawn()
            try:
                await self._await_ready(worker)
            except BaseException:
                self._kill(worker)
                worker.close_socket()
                raise
        except asyncio.CancelledError:
            self._starting -= 1
            self._idle_changed.set()
            raise
        except Exception as exc:
            self._starting -= 1
            self._failures += 1
            self._start_error = str(exc) or type(exc).__name__
            log.error("extraction worker did not start: %s", self._start_error)
            self._idle_changed.set()
            self._fill()
            return
        self._starting -= 1
        self._failures, self._start_error = 0, None
        worker.ready = True
        self._release(worker)

    def _spawn(self) -> _Worker:
        parent_end, child_end = socket.socketpair()
        command = [sys.executable, "-m", worker_main.__name__, str(child_end.fileno()), str(os.getpid())]
        try:
            # from the event loop's thread: the worker's PR_SET_PDEATHSIG follows this thread
            process = subprocess.Popen(  # noqa: S603 (our own interpreter and module)
                [*command, self._warm_up] if self._warm_up else command,
                pass_fds=[child_end.fileno()],
                stdin=subprocess.DEVNULL,
            )
        finally:
            child_end.close()
        pidfd = os.pidfd_open(process.pid)
        worker = _Worker(process, Connection(parent_end.detach()), pidfd)
        self._workers.add(worker)
        asyncio.get_running_loop().add_reader(pidfd, self._on_exit, worker)
        return worker

    async def _await_ready(self, worker: _Worker) -> None:
        answer = _readable(worker.conn.fileno())
        try:
            async with asyncio.timeout(START_TIMEOUT):
                await asyncio.wait({answer, worker.exited}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            answer.cancel()
        try:
            status, value = worker.conn.recv()
        except (EOFError, OSError) as exc:
            raise RuntimeError(f"the worker ended during start-up (exit code {worker.exitcode})") from exc
        if status != "ready":
            raise RuntimeError(f"the worker's warm-up failed: {value}")

    def _on_exit(self, worker: _Worker) -> None:
        """The worker's process ended (its pidfd became readable): forget it, start another."""
        asyncio.get_running_loop().remove_reader(worker.pidfd)
        if not worker.exited.done():
            worker.exited.set_result(None)
        with contextlib.suppress(ValueError):
            self._idle.remove(worker)
        self._reap(worker)
        if not self._closed and worker.ready:
            self._replaced += 1
            self._fill()
        self._idle_changed.set()

    def _reap(self, worker: _Worker) -> None:
        worker.process.wait()  # the pidfd is readable: the child is gone, this only reaps it
        self._workers.discard(worker)
        if worker.ready:  # a starting worker's last words are read by _start_one, which closes it
            worker.close_socket()
        os.close(worker.pidfd)

    def _kill(self, worker: _Worker) -> None:
        if worker.alive:
            with contextlib.suppress(ProcessLookupError):
                signal.pidfd_send_signal(worker.pidfd, signal.SIGKILL)

    def _release(self, worker: _Worker) -> None:
        worker.busy = False
        if worker.alive and not self._closed:
            self._idle.append(worker)
        self._idle_changed.set()

    # --- running tasks ----------------------------------------------------------------------------

    async def _take(self) -> _Worker:
        """An idle live worker, waiting for one; PoolUnavailable when none can start."""
        while True:
            if self._closed:
                raise PoolUnavailable("the extraction pool is shutting down")
            while self._idle:
                worker = self._idle.pop()
                if worker.alive and worker.exitcode is None:  # (its end may not be handled yet)
                    worker.busy = True
                    return worker
            self._fill()
            if not self.status().can_run:
                raise PoolUnavailable(f"no extraction worker can start ({self._start_error})")
            self._idle_changed.clear()
            await self._idle_changed.wait()

    async def run(self, function: Callable[..., T], *args: Any, cpu_budget: float = 0.0) -> T:
        """``function(*args)`` in a worker, under ``cpu_budget`` seconds of CPU (0: none).

        Raises what the function raised, :class:`CpuBudgetExceeded`, :class:`WorkerDied` or
        :class:`PoolUnavailable`. Cancelling the caller kills the worker (it is replaced).
        """
        async with self._slots:
            worker = await self._take()
            try:
                status, value = await self._exchange(worker, (function, args, cpu_budget))
            except BaseException:
                self._kill(worker)
                raise
            self._release(worker)
        if status == "error":
            raise value
        return value  # type: ignore[no-any-return]

    async def _exchange(self, worker: _Worker, message: tuple[Any, ...]) -> tuple[str, Any]:
        data = ForkingPickler.dumps(message)
        try:
            if len(data) <= INLINE_SEND_BYTES:  # an idle worker's empty socket takes it at once
                worker.conn.send_bytes(data)
            else:  # megabytes: a thread writes them while the worker reads
                worker.sending = asyncio.ensure_future(asyncio.to_thread(worker.conn.send_bytes, data))
                worker.sending.add_done_callback(_consume)
                await asyncio.shield(worker.sending)
        except (OSError, EOFError, ValueError):
            await worker.exited
            raise self._died(worker) from None
        answer = _readable(worker.conn.fileno())
        try:
            await asyncio.wait({answer, worker.exited}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            answer.cancel()
        if answer.done() or worker.conn.poll():
            try:
                reply: tuple[str, Any] = worker.conn.recv()
                return reply
            except (EOFError, OSError):
                pass
        await worker.exited
        raise self._died(worker)

    def _died(self, worker: _Worker) -> WorkerDied:
        code = worker.exitcode
        if code == -worker_main.BUDGET_SIGNAL:
            return CpuBudgetExceeded(worker.pid, code)
        log.warning("extraction worker %s died during a task (exit code %s); replaced", worker.pid, code)
        return WorkerDied(worker.pid, code)

    # --- stopping ---------------------------------------------------------------------------------

    async def aclose(self) -> None:
        """Stop every worker: idle ones end on end-of-file, busy ones are killed; all are reaped."""
        self._closed = True
        self._idle_changed.set()
        starting = list(self._tasks)
        for task in starting:
            task.cancel()  # a worker being started is killed
        await asyncio.gather(*starting, return_exceptions=True)
        for worker in list(self._workers):
            if worker.busy or not worker.ready:
                self._kill(worker)
            worker.close_socket()  # an idle worker ends on end-of-file
        waiting = [w.exited for w in self._workers if w.alive]
        if waiting:
            _, pending = await asyncio.wait(waiting, timeout=STOP_TIMEOUT)
            if pending:
                for worker in list(self._workers):
                    self._kill(worker)
                await asyncio.wait([w.exited for w in self._workers if w.alive], timeout=STOP_TIMEOUT)
        self._idle.clear()

    def close(self) -> None:
        """Stop every worker at once, without an event loop (kill and reap)."""
        self._closed = True
        for worker in list(self._workers):
            self._kill(worker)
            worker.process.wait()
            with contextlib.suppress(Exception):
                asyncio.get_running_loop().remove_reader(worker.pidfd)
            worker.close_socket()
            os.close(worker.pidfd)
        self._workers.clear()
        self._idle.clear()
