"""Repository of the embedded job queue (``queue_jobs``), used on SQLite (see prodex.jobs.sql_queue).

Times are seconds since the epoch (floats): the queue compares them, nothing else reads them.
A job is ``todo`` (waiting until ``run_after``), ``doing`` (claimed by ``worker``, which refreshes
``heartbeat_at``) or ``failed`` (given up; kept with its error). A job that succeeded is deleted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, delete, exists, func, insert, or_, select, update

from prodex.store.tables import queue_jobs

MAX_ERROR_CHARS = 2000


@dataclass(frozen=True, slots=True)
class QueuedJob:
    """A claimed job: id, task name, payload, and how many times it ran before."""

    id: int
    task: str
    payload: dict[str, Any]
    attempts: int


def insert_jobs(
    conn: Connection, rows: Sequence[tuple[str, dict[str, Any], float, str | None]], now: datetime
) -> list[int]:
    """Insert ``(task, payload, run_after, lock)`` rows as ``todo`` in one statement (call in a write
    transaction: SQLite's single writer numbers them in order); returns their ids in order."""
    if not rows:
        return []
    before = int(conn.execute(select(func.coalesce(func.max(queue_jobs.c.id), 0))).scalar_one())
    conn.execute(
        insert(queue_jobs),
        [
            {
                "task": task,
                "payload": payload,
                "lock": lock,
                "status": "todo",
                "attempts": 0,
                "run_after": run_after,
                "created_at": now,
            }
            for task, payload, run_after, lock in rows
        ],
    )
    ids = conn.execute(select(queue_jobs.c.id).where(queue_jobs.c.id > before).order_by(queue_jobs.c.id))
    return [int(i) for i in ids.scalars()][: len(rows)]


def claim_jobs(conn: Connection, worker: str, limit: int, now: float) -> list[QueuedJob]:
    """Mark up to ``limit`` due jobs ``doing`` for ``worker`` (call in a write transaction).

    A job with a lock is due only when no job of the same lock runs and none was queued before it.
    """
    other = queue_jobs.alias("other")
    blocked = exists().where(
        other.c.lock == queue_jobs.c.lock,
        or_(other.c.status == "doing", and_(other.c.status == "todo", other.c.id < queue_jobs.c.id)),
    )
    rows = conn.execute(
        select(queue_jobs.c.id, queue_jobs.c.task, queue_jobs.c.payload, queue_jobs.c.attempts)
        .where(
            queue_jobs.c.status == "todo",
            queue_jobs.c.run_after <= now,
            or_(queue_jobs.c.lock.is_(None), ~blocked),
        )
        .order_by(queue_jobs.c.id)
        .limit(limit)
    ).all()
    if not rows:
        return []
    conn.execute(
        update(queue_jobs)
        .where(queue_jobs.c.id.in_([row.id for row in rows]), queue_jobs.c.status == "todo")
        .values(status="doing", worker=worker, heartbeat_at=now)
    )
    return [QueuedJob(int(r.id), r.task, dict(r.payload), int(r.attempts)) for r in rows]


def finish_job(conn: Connection, job_id: int) -> None:
    """Forget a job that succeeded."""
    conn.execute(delete(queue_jobs).where(queue_jobs.c.id == job_id))


def reschedule_job(conn: Connection, job_id: int, run_after: float, *, count_attempt: bool) -> None:
    """Put a job back to ``todo`` until ``run_after`` (a failed attempt, or a cut-off run)."""
    values: dict[str, Any] = {"status": "todo", "worker": None, "run_after": run_after}
    if count_attempt:
        values["attempts"] = queue_jobs.c.attempts + 1
    conn.execute(update(queue_jobs).where(queue_jobs.c.id == job_id).values(**values))


def fail_job(conn: Connection, job_id: int, error: str) -> None:
    """Give a job up: ``failed`` with its last error."""
    conn.execute(
        update(queue_jobs)
        .where(queue_jobs.c.id == job_id)
        .values(
            status="failed", worker=None, attempts=queue_jobs.c.attempts + 1, error=error[:MAX_ERROR_CHARS]
        )
    )


def beat(conn: Connection, worker: str, now: float) -> None:
    """Refresh the heartbeat of every job ``worker`` runs."""
    conn.execute(
        update(queue_jobs)
        .where(queue_jobs.c.worker == worker, queue_jobs.c.status == "doing")
        .values(heartbeat_at=now)
    )


def requeue_stalled(conn: Connection, older_than: float) -> int:
    """Give the jobs of silent workers (no heartbeat since ``older_than``) back to the queue;
    counted as an attempt. Returns how many."""
    result = conn.execute(
        update(queue_jobs)
        .where(queue_jobs.c.status == "doing", queue_jobs.c.heartbeat_at < older_than)
        .values(status="todo", worker=None, attempts=queue_jobs.c.attempts + 1)
    )
    return int(result.rowcount or 0)


def count_pending(conn: Connection) -> int:
    """How many jobs are ``todo`` or ``doing``."""
    return int(
        conn.execute(
            select(func.count()).select_from(queue_jobs).where(queue_jobs.c.status.in_(("todo", "doing")))
        ).scalar_one()
    )
