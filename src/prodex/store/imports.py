"""Repository of imports, their items and the per-host politeness rows (SQL only; rules live in
:mod:`prodex.service.imports`). Every read of an import is scoped to its account."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, bindparam, case, exists, func, insert, or_, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from prodex.store.records import from_columns
from prodex.store.tables import accounts, import_hosts, import_items, import_jobs

#: Item states that are over (the import is complete when every item is in one of them).
FINAL_ITEM_STATES = ("done", "failed", "cancelled")


@dataclass(frozen=True, slots=True)
class ImportRecord:
    """An import as stored (its counts come from its items, see :func:`item_counts`)."""

    id: str
    account_id: int
    source_kind: str
    source: str
    url_pattern: str | None
    render: bool
    status: str
    total: int
    error_code: int | None
    error_msg: str | None
    created_at: datetime
    updated_at: datetime
    finished_at: datetime | None

    @classmethod
    def from_row(cls, row: Any) -> ImportRecord:
        """Build from a row of ``import_jobs``."""
        return from_columns(cls, row)


@dataclass(frozen=True, slots=True)
class ItemRecord:
    """One URL of an import and where it stands."""

    id: int
    job_id: str
    position: int
    url: str
    host: str
    lane: int
    status: str
    attempts: int
    product_id: str | None
    error_code: int | None
    error_msg: str | None
    charge_id: int | None
    job_ref: str | None

    @classmethod
    def from_row(cls, row: Any) -> ItemRecord:
        """Build from a row of ``import_items``."""
        return from_columns(cls, row)


@dataclass(frozen=True, slots=True)
class NewItem:
    """An item to insert: its URL and host, and an error when it is refused before it starts."""

    url: str
    host: str
    error_code: int | None = None
    error_msg: str | None = None


def insert_import(
    conn: Connection,
    *,
    job_id: str,
    account_id: int,
    source_kind: str,
    source: str,
    url_pattern: str | None,
    render: bool,
    now: datetime,
) -> None:
    """Insert a queued import without items."""
    conn.execute(
        insert(import_jobs).values(
            id=job_id,
            account_id=account_id,
            source_kind=source_kind,
            source=source,
            url_pattern=url_pattern,
            render=render,
            status="queued",
            total=0,
            created_at=now,
            updated_at=now,
        )
    )


def insert_items(
    conn: Connection, job_id: str, items: Sequence[NewItem], now: datetime, *, lanes: int = 1
) -> None:
    """Add items after the import's last one (refused ones as ``failed``) and count them in
    ``total``; the ``k``-th item of a host goes to lane ``k mod lanes`` of that host."""
    start = int(
        conn.execute(
            select(func.coalesce(func.max(import_items.c.position), -1)).where(
                import_items.c.job_id == job_id
            )
        ).scalar_one()
    )
    per_host: dict[str, int] = {
        str(host): int(count)
        for host, count in conn.execute(
            select(import_items.c.host, func.count())
            .where(import_items.c.job_id == job_id)
            .group_by(import_items.c.host)
        )
    }
    ordinals: list[int] = []
    for item in items:
        ordinals.append(per_host.get(item.host, 0))
        per_host[item.host] = ordinals[-1] + 1
    rows = [
        {
            "job_id": job_id,
            "position": start + 1 + n,
            "url": item.url,
            "host": item.host[:255],
            "lane": ordinals[n] % max(1, lanes),
            "status": "failed" if item.error_code is not None else "queued",
            "attempts": 0,
            "error_code": item.error_code,
            "error_msg": item.error_msg,
            "finished_at": now if item.error_code is not None else None,
        }
        for n, item in enumerate(items)
    ]
    if rows:
        conn.execute(insert(import_items), rows)
    conn.execute(
        update(import_jobs)
        .where(import_jobs.c.id == job_id)
        .values(total=import_jobs.c.total + len(rows), updated_at=now)
    )


def queued_items(conn: Connection, job_id: str) -> list[ItemRecord]:
    """The import's items that wait to start, in order."""
    rows = conn.execute(
        select(import_items)
        .where(import_items.c.job_id == job_id, import_items.c.status == "queued")
        .order_by(import_items.c.position)
    )
    return [ItemRecord.from_row(row) for row in rows]


def queued_lanes(conn: Connection, job_id: str) -> list[tuple[str, int]]:
    """The ``(host, lane)`` pairs of the import that have items waiting, first waiting first."""
    rows = conn.execute(
        select(import_items.c.host, import_items.c.lane)
        .where(import_items.c.job_id == job_id, import_items.c.status == "queued")
        .group_by(import_items.c.host, import_items.c.lane)
        .order_by(func.min(import_items.c.position))
    )
    return [(str(host), int(lane)) for host, lane in rows]


@dataclass(frozen=True, slots=True)
class LaneItem:
    """The item a lane runs next, with what its run needs from its import and account."""

    item: ItemRecord
    account_id: int
    plan: str
    render: bool
    import_status: str


#: An item of the lane left running: its job was cut off (a crash, a shut-down) and the lane's job
#: that runs now takes it up again (the lane's queue lock lets one job of a lane run at a time;
#: on PostgreSQL a job cut off at shut-down runs again under a new id).
_RESUMED = import_items.c.status == "running"
#: Built once (the claim runs for every item): the lane's next item with its import and account.
_CLAIM = (
    select(
        import_items,
        import_jobs.c.account_id,
        import_jobs.c.render,
        import_jobs.c.status.label("import_status"),
        accounts.c.plan,
    )
    .join(import_jobs, import_jobs.c.id == import_items.c.job_id)
    .join(accounts, accounts.c.id == import_jobs.c.account_id)
    .where(
        import_items.c.job_id == bindparam("job_id"),
        import_items.c.host == bindparam("host"),
        import_items.c.lane == bindparam("lane"),
        or_(import_items.c.status == "queued", _RESUMED),
        import_items.c.id != bindparam("in_flight"),
    )
    .order_by(case((_RESUMED, 0), else_=1), import_items.c.position)
    .limit(1)
    .with_for_update(of=import_items)
)


#: ``in_flight`` when the lane's job runs no other item (item ids start at 1).
NO_ITEM = 0


def claim_lane_item(
    conn: Connection, job_id: str, host: str, lane: int, in_flight: int = NO_ITEM
) -> LaneItem | None:
    """The item a lane's job runs now, locked until the end of the transaction (PostgreSQL), with
    its import's account, plan and options, in one statement: the lane's item left running by a
    job that was cut off (it runs again), else the lane's first waiting item; ``None`` when the
    lane is over (or its import's account is gone). ``in_flight`` is the lane's item that this job
    still runs (analysing it, or storing its product): never taken up again."""
    params = {"job_id": job_id, "host": host, "lane": lane, "in_flight": in_flight}
    row = conn.execute(_CLAIM, params).first()
    return _lane_item(row) if row is not None else None


#: PostgreSQL: :data:`_CLAIM` for many lanes in one statement, in the order given (``%(...)s``
#: parameters: the lanes' import ids, hosts and numbers as three arrays). Each lane's item is locked
#: as :data:`_CLAIM` locks it, the lanes one after the other in that order.
_CLAIM_LANES = """
SELECT i.id, i.job_id, i.position, i.url, i.host, i.lane, i.status, i.attempts, i.product_id,
       i.error_code, i.error_msg, i.charge_id, i.job_ref, l.n AS lane_index,
       j.account_id, j.render, j.status AS import_status, a.plan
FROM unnest(%(job_ids)s::varchar[], %(hosts)s::varchar[], %(lanes)s::integer[], %(in_flight)s::bigint[])
     WITH ORDINALITY AS l(job_id, host, lane, in_flight, n)
CROSS JOIN LATERAL (
    SELECT * FROM import_items
    WHERE import_items.job_id = l.job_id AND import_items.host = l.host
      AND import_items.lane = l.lane AND import_items.status IN ('queued', 'running')
      AND import_items.id <> l.in_flight
    ORDER BY import_items.status <> 'running', import_items.position
    LIMIT 1
    FOR UPDATE
) AS i
JOIN import_jobs AS j ON j.id = i.job_id
JOIN accounts AS a ON a.id = j.account_id
ORDER BY l.n
"""


def claim_lane_items(conn: Connection, lanes: Sequence[tuple[str, str, int, int]]) -> list[LaneItem | None]:
    """:func:`claim_lane_item` for each lane ``(job_id, host, lane, in_flight)``, in order: on
    PostgreSQL in one statement (one round trip for any number of lanes), on SQLite one statement
    per lane."""
    if conn.dialect.name == "sqlite":
        return [claim_lane_item(conn, *lane) for lane in lanes]
    found: list[LaneItem | None] = [None] * len(lanes)
    if not lanes:
        return found
    params = {
        "job_ids": [lane[0] for lane in lanes],
        "hosts": [lane[1] for lane in lanes],
        "lanes": [lane[2] for lane in lanes],
        "in_flight": [lane[3] for lane in lanes],
    }
    for row in conn.exec_driver_sql(_CLAIM_LANES, params):
        found[int(row.lane_index) - 1] = _lane_item(row)
    return found


def _lane_item(row: Any) -> LaneItem:
    """A claimed item with its import's account, plan and options, from a claim's row."""
    return LaneItem(
        item=ItemRecord.from_row(row),
        account_id=int(row.account_id),
        plan=str(row.plan),
        render=bool(row.render),
        import_status=str(row.import_status),
    )


def get_import(
    conn: Connection, account_id: int | None, job_id: str, *, lock: bool = False
) -> ImportRecord | None:
    """The import ``job_id`` of the account (any account when ``account_id`` is ``None``)."""
    query = select(import_jobs).where(import_jobs.c.id == job_id)
    if account_id is not None:
        query = query.where(import_jobs.c.account_id == account_id)
    if lock:
        query = query.with_for_update()
    row = conn.execute(query).first()
    return ImportRecord.from_row(row) if row is not None else None


def list_imports(conn: Connection, account_id: int, *, limit: int, offset: int) -> list[ImportRecord]:
    """The account's imports, newest first."""
    rows = conn.execute(
        select(import_jobs)
        .where(import_jobs.c.account_id == account_id)
        .order_by(import_jobs.c.seq.desc())
        .limit(limit)
        .offset(offset)
    )
    return [ImportRecord.from_row(row) for row in rows]


def count_imports(conn: Connection, account_id: int) -> int:
    """How many imports the account has."""
    return int(
        conn.execute(
            select(func.count()).select_from(import_jobs).where(import_jobs.c.account_id == account_id)
        ).scalar_one()
    )


def item_counts(conn: Connection, job_ids: Iterable[str]) -> dict[str, dict[str, int]]:
    """Items per status of each import: ``{job_id: {status: count}}``."""
    ids = list(job_ids)
    counts: dict[str, dict[str, int]] = {job_id: {} for job_id in ids}
    if not ids:
        return counts
    rows = conn.execute(
        select(import_items.c.job_id, import_items.c.status, func.count())
        .where(import_items.c.job_id.in_(ids))
        .group_by(import_items.c.job_id, import_items.c.status)
    )
    for job_id, status, count in rows:
        counts[job_id][status] = int(count)
    return counts


def page_items(
    conn: Connection, job_id: str, *, limit: int, offset: int, status: str | None
) -> list[ItemRecord]:
    """Items of an import in order, optionally of one status."""
    query = select(import_items).where(import_items.c.job_id == job_id)
    if status is not None:
        query = query.where(import_items.c.status == status)
    rows = conn.execute(query.order_by(import_items.c.position).limit(limit).offset(offset))
    return [ItemRecord.from_row(row) for row in rows]


def count_items(conn: Connection, job_id: str, status: str | None) -> int:
    """How many items an import has (of one status when given)."""
    query = select(func.count()).select_from(import_items).where(import_items.c.job_id == job_id)
    if status is not None:
        query = query.where(import_items.c.status == status)
    return int(conn.execute(query).scalar_one())


def get_item(conn: Connection, item_id: int, *, lock: bool = False) -> ItemRecord | None:
    """One item, optionally locked until the end of the transaction (PostgreSQL)."""
    query = select(import_items).where(import_items.c.id == item_id)
    if lock:
        query = query.with_for_update()
    row = conn.execute(query).first()
    return ItemRecord.from_row(row) if row is not None else None


def update_item(conn: Connection, /, item_id: int, **values: object) -> None:
    """Set columns of one item."""
    conn.execute(update(import_items).where(import_items.c.id == item_id).values(**values))


#: PostgreSQL: mark items running, one statement for any number (``%(...)s`` parameters: arrays
#: of item ids, charge ids, job refs and attempts, and the start time).
_START_ITEMS = """
UPDATE import_items AS i
SET status = 'running', charge_id = s.charge_id, job_ref = s.job_ref, attempts = s.attempts,
    started_at = %(now)s
FROM unnest(%(ids)s::bigint[], %(charges)s::bigint[], %(refs)s::varchar[], %(attempts)s::integer[])
     AS s(id, charge_id, job_ref, attempts)
WHERE i.id = s.id
"""


def start_items(conn: Connection, rows: Sequence[dict[str, object]], now: datetime) -> None:
    """Mark items running (one statement for many): each row gives ``item_id``, ``charge_id``,
    ``job_ref`` and ``attempts``."""
    if not rows:
        return
    if conn.dialect.name != "sqlite":
        params = {
            "ids": [row["item_id"] for row in rows],
            "charges": [row["charge_id"] for row in rows],
            "refs": [row["job_ref"] for row in rows],
            "attempts": [row["attempts"] for row in rows],
            "now": now,
        }
        conn.exec_driver_sql(_START_ITEMS, params)
        return
    conn.execute(
        update(import_items)
        .where(import_items.c.id == bindparam("item_id"))
        .values(
            status="running",
            charge_id=bindparam("charge_id"),
            job_ref=bindparam("job_ref"),
            attempts=bindparam("attempts"),
            started_at=now,
        ),
        list(rows),
    )


def running_items(conn: Connection, item_ids: Sequence[int]) -> set[int]:
    """Which of the items are running, locked until the end of the transaction (PostgreSQL)."""
    if not item_ids:
        return set()
    query = (
        select(import_items.c.id)
        .where(import_items.c.id.in_(sorted(set(item_ids))), import_items.c.status == "running")
        .order_by(import_items.c.id)
        .with_for_update()
    )
    return {int(item_id) for item_id in conn.execute(query).scalars()}


def end_items(conn: Connection, rows: Sequence[dict[str, object]], now: datetime) -> None:
    """Mark running items done with their products (one statement for many): each row gives
    ``item_id`` and ``product_id``; an item that no longer runs is left as it is."""
    if not rows:
        return
    conn.execute(
        update(import_items)
        .where(import_items.c.id == bindparam("item_id"), import_items.c.status == "running")
        .values(status="done", product_id=bindparam("product_id"), finished_at=now),
        list(rows),
    )


#: PostgreSQL: mark the running ones of some items done with their products, in one statement
#: that returns their ids (``%(...)s`` parameters: arrays of item ids and product ids, the end
#: time). The items are locked in the order of their ids first (as :func:`running_items` locks
#: them), so two transactions that end items never wait on each other in a circle.
_END_RUNNING = """
UPDATE import_items AS i
SET status = 'done', product_id = e.product_id, finished_at = %(now)s
FROM (SELECT id FROM import_items WHERE id = ANY(%(ids)s::bigint[]) AND status = 'running'
      ORDER BY id FOR UPDATE) AS running
JOIN unnest(%(ids)s::bigint[], %(products)s::varchar[]) AS e(id, product_id) ON e.id = running.id
WHERE i.id = running.id AND i.status = 'running'
RETURNING i.id
"""


def end_running_items(conn: Connection, ended: Sequence[tuple[int, str]], now: datetime) -> set[int]:
    """Mark the running ones of the items ``(item_id, product_id)`` (each item once) done with
    their products; returns their ids. An item that no longer runs is left as it is. PostgreSQL:
    one statement; SQLite: :func:`running_items` then :func:`end_items`."""
    if not ended:
        return set()
    if conn.dialect.name != "sqlite":
        params = {"ids": [i for i, _p in ended], "products": [p for _i, p in ended], "now": now}
        return {int(item_id) for (item_id,) in conn.exec_driver_sql(_END_RUNNING, params)}
    running = running_items(conn, [item_id for item_id, _product_id in ended])
    end_items(conn, [{"item_id": i, "product_id": p} for i, p in ended if i in running], now)
    return running


def set_import(conn: Connection, /, job_id: str, now: datetime, **values: object) -> None:
    """Set columns of one import."""
    conn.execute(update(import_jobs).where(import_jobs.c.id == job_id).values(updated_at=now, **values))


def cancel_queued(conn: Connection, job_id: str, now: datetime) -> list[int]:
    """Cancel the items that have not started, in one ``UPDATE ... RETURNING``; returns the charges
    they held (items queued again after a 429/503 keep theirs), for the caller to refund: exactly
    the items this statement cancelled, so an item that started meanwhile is never refunded.

    On PostgreSQL an item locked by a lane's job that is starting it is skipped (``SKIP LOCKED``):
    the cancel never waits for an item while it holds the import's row (the lane's job locks the
    item first and then the import, to mark it running); the lane's job either starts it (it then
    runs to its end) or, still queued, finds it in a cancelled import and cancels it itself."""
    queued = and_(import_items.c.job_id == job_id, import_items.c.status == "queued")
    unlocked = select(import_items.c.id).where(queued).with_for_update(skip_locked=True)
    result = conn.execute(
        update(import_items)
        .where(queued, import_items.c.id.in_(unlocked))
        .values(status="cancelled", finished_at=now)
        .returning(import_items.c.charge_id)
    )
    return [int(charge) for charge in result.scalars() if charge is not None]


def requeue_failed(conn: Connection, job_id: str) -> int:
    """Queue the failed items again (their charges were refunded: a new run charges anew)."""
    result = conn.execute(
        update(import_items)
        .where(import_items.c.job_id == job_id, import_items.c.status == "failed")
        .values(
            status="queued", error_code=None, error_msg=None, charge_id=None, attempts=0, finished_at=None
        )
    )
    return int(result.rowcount or 0)


def has_unfinished_items(conn: Connection, job_id: str) -> bool:
    """Whether an item of the import waits or runs (no lock: see :func:`complete_if_over`)."""
    unfinished = exists().where(
        import_items.c.job_id == job_id, import_items.c.status.in_(("queued", "running"))
    )
    return bool(conn.execute(select(unfinished)).scalar())


def complete_if_over(conn: Connection, job_id: str, now: datetime) -> bool:
    """Mark a queued or running import ``done`` when none of its items waits or runs; whether
    this call did it (exactly one caller wins).

    Call it after items ended (the import runner calls it when a lane finds nothing left to run,
    after the lane's last item committed). It locks the import's row first: on PostgreSQL (read
    committed) the last two lanes ending at once would each still see the other one's item
    unfinished if they checked inside the transactions that ended them; with the lock, the later
    one re-reads after the earlier one committed and sees every item ended. (Answering early while
    an item is ``queued`` is not safe for that reason.)
    """
    conn.execute(select(import_jobs.c.id).where(import_jobs.c.id == job_id).with_for_update())
    unfinished = exists().where(
        import_items.c.job_id == job_id, import_items.c.status.in_(("queued", "running"))
    )
    result = conn.execute(
        update(import_jobs)
        .where(
            import_jobs.c.id == job_id,
            import_jobs.c.status.in_(("queued", "running")),
            ~unfinished,
        )
        .values(status="done", finished_at=now, updated_at=now)
    )
    return bool(result.rowcount)


def mark_running(conn: Connection, job_id: str, now: datetime) -> None:
    """A queued import starts running (its first item started)."""
    conn.execute(
        update(import_jobs)
        .where(import_jobs.c.id == job_id, import_jobs.c.status == "queued")
        .values(status="running", updated_at=now)
    )


#: Built once (it runs for every group of items): book ``:count`` turns spaced ``:interval`` apart,
#: or ``:slow_spacing * slowdown`` on a slowed host, from the host's next start or ``:now``.
_BOOK_TURNS = (
    update(import_hosts)
    .where(import_hosts.c.host == bindparam("b_host"))
    .values(
        next_start=case(
            (import_hosts.c.next_start > bindparam("now"), import_hosts.c.next_start), else_=bindparam("now")
        )
        + bindparam("count")
        * case(
            (import_hosts.c.slowdown <= 1, bindparam("interval")),
            else_=bindparam("slow_spacing") * import_hosts.c.slowdown,
        )
    )
    .returning(import_hosts.c.next_start, import_hosts.c.slowdown)
)


def host_turns(
    conn: Connection, host: str, count: int, interval: float, now: float, *, slow_floor: float
) -> tuple[list[float], float]:
    """Book the next ``count`` starts on ``host`` at once (call in a write transaction): returns
    their epoch times, ``interval`` apart or ``max(interval, slow_floor) * slowdown`` on a slowed
    host, and the host's slowdown. One ``UPDATE ... RETURNING`` (the row stays locked
    to the end of the transaction); a new host's row is created first."""
    slow_spacing = max(interval, slow_floor)
    params = {
        "b_host": host,
        "now": float(now),
        "count": count,
        "interval": float(interval),
        "slow_spacing": float(slow_spacing),
    }
    row = conn.execute(_BOOK_TURNS, params).first()
    if row is None:
        _host_row(conn, host)
        row = conn.execute(_BOOK_TURNS, params).one()
    return _booked(row, count, interval, slow_spacing)


def _booked(row: Any, count: int, interval: float, slow_spacing: float) -> tuple[list[float], float]:
    """The ``count`` turns a booking returned (its host's new ``next_start`` and ``slowdown``)."""
    slowdown = float(row.slowdown)
    step = interval if slowdown <= 1 else slow_spacing * slowdown
    last = float(row.next_start)
    return [last - (count - n) * step for n in range(count)], slowdown


#: PostgreSQL: :data:`_BOOK_TURNS` for many hosts in one statement (``%(...)s`` parameters: arrays
#: of hosts and counts, and the times). The hosts' rows are locked in the order of their names
#: first, so two transactions that book turns never wait on each other in a circle.
_BOOK_HOSTS = """
UPDATE import_hosts AS h
SET next_start = GREATEST(h.next_start, %(now)s)
    + c.count * CASE WHEN h.slowdown <= 1 THEN %(interval)s ELSE %(slow_spacing)s * h.slowdown END
FROM (SELECT host FROM import_hosts WHERE host = ANY(%(hosts)s::varchar[]) ORDER BY host FOR UPDATE)
     AS locked
JOIN unnest(%(hosts)s::varchar[], %(counts)s::integer[]) AS c(host, count) ON c.host = locked.host
WHERE h.host = locked.host
RETURNING h.host, h.next_start, h.slowdown
"""


MAX_KNOWN_HOSTS = 100_000
_KNOWN_HOSTS: dict[str, set[str]] = {}
"""Per database (its URL): the hosts whose politeness row this process has seen (rows are never
deleted). A booking of known hosts only takes one statement; one with a new host books host by
host in the order of their names, so that two bookings lock rows in one order."""


def _known_hosts(conn: Connection) -> set[str]:
    """The hosts known to have a row in ``conn``'s database (forgotten when too many)."""
    known = _KNOWN_HOSTS.setdefault(str(conn.engine.url), set())
    if len(known) > MAX_KNOWN_HOSTS:
        known.clear()
    return known


def hosts_turns(
    conn: Connection, counts: Mapping[str, int], interval: float, now: float, *, slow_floor: float
) -> dict[str, tuple[list[float], float]]:
    """:func:`host_turns` for several hosts at once, ``{host: count}``, in the order of their
    names: on PostgreSQL one statement when every host's row is known to exist. A new host's row is
    created while the hosts before it are locked, so a group with a new host (and SQLite) books
    one host after the other: the one statement would lock the existing rows first and the new
    one after them, and two workers booking the same hosts could wait on each other in a circle."""
    hosts = sorted(counts)
    known = _known_hosts(conn) if conn.dialect.name != "sqlite" else set()
    if not hosts or not known.issuperset(hosts):
        booked = {
            host: host_turns(conn, host, counts[host], interval, now, slow_floor=slow_floor) for host in hosts
        }
        if conn.dialect.name != "sqlite":
            known.update(hosts)  # (were the transaction rolled back, a missing row is booked alone below)
        return booked
    slow_spacing = max(interval, slow_floor)
    params = {
        "hosts": hosts,
        "counts": [counts[host] for host in hosts],
        "now": float(now),
        "interval": float(interval),
        "slow_spacing": float(slow_spacing),
    }
    booked = {
        str(row.host): _booked(row, counts[row.host], interval, slow_spacing)
        for row in conn.exec_driver_sql(_BOOK_HOSTS, params)
    }
    for host in hosts:
        if host not in booked:
            booked[host] = host_turns(conn, host, counts[host], interval, now, slow_floor=slow_floor)
    return booked


def set_host_pace(conn: Connection, host: str, slowdown: float, not_before: float | None = None) -> None:
    """Set a host's slowdown, and push its next start to ``not_before`` when that is later."""
    row = _host_row(conn, host)
    next_start = max(float(row.next_start), not_before or 0.0)
    conn.execute(
        update(import_hosts)
        .where(import_hosts.c.host == host)
        .values(slowdown=slowdown, next_start=next_start)
    )


def _host_row(conn: Connection, host: str) -> Any:
    """The host's politeness row, locked (created first when the host is new; concurrent
    creations of one host are harmless)."""
    query = select(import_hosts.c.next_start, import_hosts.c.slowdown).where(import_hosts.c.host == host)
    row = conn.execute(query.with_for_update()).first()
    if row is None:
        new = (
            sqlite_insert(import_hosts) if conn.dialect.name == "sqlite" else postgresql_insert(import_hosts)
        )
        conn.execute(new.values(host=host, next_start=0.0, slowdown=1.0).on_conflict_do_nothing())
        row = conn.execute(query.with_for_update()).one()
    return row
