"""The queue interface both backends implement: defer jobs, run a worker until told to stop."""

from __future__ import annotations

import asyncio
import logging
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from prodex.jobs.registry import Resources, TaskRegistry

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Deferral:
    """One job to run: the task's name, its JSON payload, the earliest time it may start (``None``:
    now) and an optional lock (jobs with the same lock never run at the same time, and run in the
    order they were deferred)."""

    task: str
    payload: Mapping[str, Any]
    run_at: datetime | None = None
    lock: str | None = None


@dataclass(frozen=True, slots=True)
class WorkerOptions:
    """How a worker runs: jobs at once, heartbeat period, when a silent worker's jobs are taken
    back, how often to look for jobs deferred by other processes, and the shut-down grace."""

    concurrency: int = 10
    heartbeat_seconds: float = 5.0
    stalled_seconds: float = 30.0
    poll_seconds: float = 0.5
    shutdown_grace_seconds: float = 10.0


class JobQueue(ABC):
    """A durable job queue over the tasks of a :class:`TaskRegistry`."""

    backend: str = ""

    def __init__(self, registry: TaskRegistry) -> None:
        self.registry = registry

    @abstractmethod
    async def open(self) -> None:
        """Connect (called once before use)."""

    @abstractmethod
    async def aclose(self) -> None:
        """Release connections (after every worker stopped)."""

    async def defer(
        self,
        task: str,
        payload: Mapping[str, Any],
        *,
        run_at: datetime | None = None,
        lock: str | None = None,
    ) -> str:
        """Queue one job of ``task`` with a JSON ``payload``; returns the job's id."""
        ids = await self.defer_many([Deferral(task, payload, run_at, lock)])
        return ids[0]

    @abstractmethod
    async def defer_many(self, deferrals: Sequence[Deferral]) -> list[str]:
        """Queue several jobs in one transaction; returns their ids, in order."""

    @abstractmethod
    async def run_worker(self, resources: Resources, options: WorkerOptions, stop: asyncio.Event) -> None:
        """Run jobs (``options.concurrency`` at once) until ``stop`` is set, then let the running
        ones finish within ``options.shutdown_grace_seconds``; a job cut off then runs again later."""

    @abstractmethod
    async def pending(self) -> int:
        """How many jobs wait or run (not yet succeeded or given up)."""

    def check_task(self, name: str) -> None:
        """Raise :class:`KeyError` for a task name the registry does not know."""
        if name not in self.registry.tasks:
            raise KeyError(f"no task {name!r} is registered")
