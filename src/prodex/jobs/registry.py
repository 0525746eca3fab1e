"""Tasks by name: what a job runs, its retry policy, and what a running job is told.

A task is ``async def handler(context: JobContext, payload: dict[str, Any]) -> None``. It runs at
least once per deferral (a job cut off by a crash or a shut-down runs again), so a handler must be
idempotent: do nothing the second time for work that is already done.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

T = TypeVar("T")


class RetryLater(Exception):
    """Raised by a handler to run the job again after ``seconds`` (counts as a failed attempt)."""

    def __init__(self, seconds: float, reason: str = "") -> None:
        self.seconds = max(0.0, seconds)
        super().__init__(reason or f"retry in {self.seconds:g} s")


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often and when a failed job runs again.

    A job runs at most ``attempts`` times; after its n-th failure (n from 1) it waits
    ``min(first_delay * factor ** (n - 1), max_delay)`` seconds. ``RetryLater(seconds)`` from the
    handler overrides the wait of that failure (still within ``attempts``).
    """

    attempts: int = 1
    first_delay: float = 1.0
    factor: float = 2.0
    max_delay: float = 3600.0

    def delay_after(self, failures: int, error: BaseException) -> float | None:
        """Seconds to wait before the next run after ``failures`` failures, or ``None`` (give up)."""
        if failures >= self.attempts:
            return None
        if isinstance(error, RetryLater):
            return error.seconds
        return float(min(self.first_delay * self.factor ** (failures - 1), self.max_delay))


NO_RETRY = RetryPolicy(attempts=1)


class Resources:
    """The objects a worker hands to its jobs, looked up by type (``context.get(ImportRunner)``)."""

    def __init__(self, *objects: object) -> None:
        self._by_type: dict[type, object] = {type(item): item for item in objects}

    def add(self, item: object) -> None:
        """Make ``item`` available to jobs under its own type."""
        self._by_type[type(item)] = item

    def get(self, kind: type[T]) -> T:
        """The object of type ``kind``; :class:`LookupError` when the worker has none."""
        item = self._by_type.get(kind)
        if item is None:
            raise LookupError(f"this worker has no {kind.__name__}")
        assert isinstance(item, kind)
        return item


@dataclass(frozen=True, slots=True)
class JobContext:
    """What a running job knows: its id, task, attempt (1 for the first run) and the worker's
    resources."""

    job_id: str
    task: str
    attempt: int
    resources: Resources

    def get(self, kind: type[T]) -> T:
        """The worker's resource of type ``kind`` (see :class:`Resources`)."""
        return self.resources.get(kind)


Handler = Callable[[JobContext, dict[str, Any]], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Task:
    """A registered task: its name, handler and retry policy."""

    name: str
    handler: Handler
    retry: RetryPolicy = NO_RETRY


@dataclass
class TaskRegistry:
    """The tasks a queue knows, by name; register them before the queue opens."""

    tasks: dict[str, Task] = field(default_factory=dict)

    def register(self, name: str, handler: Handler, *, retry: RetryPolicy = NO_RETRY) -> Task:
        """Register ``handler`` under ``name`` (once; a second registration of a name fails)."""
        if name in self.tasks:
            raise ValueError(f"task {name!r} is already registered")
        if not name or len(name) > 100:
            raise ValueError("a task name has 1 to 100 characters")
        task = Task(name=name, handler=handler, retry=retry)
        self.tasks[name] = task
        return task

    def task(self, name: str, *, retry: RetryPolicy = NO_RETRY) -> Callable[[Handler], Handler]:
        """Decorator form of :meth:`register`."""

        def decorate(handler: Handler) -> Handler:
            self.register(name, handler, retry=retry)
            return handler

        return decorate

    def get(self, name: str) -> Task:
        """The task called ``name``; :class:`KeyError` when it is not registered."""
        return self.tasks[name]

    def names(self) -> Mapping[str, Task]:
        """Every registered task by name."""
        return dict(self.tasks)
