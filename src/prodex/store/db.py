"""The database handle: one engine and its connection pool, read and write transactions.

SQLite is tuned for a small server: WAL journal (readers never block the writer),
``synchronous=NORMAL`` (durable at checkpoints, safe with WAL), foreign keys on, a busy timeout,
and write transactions that start with ``BEGIN IMMEDIATE`` so two writers queue on the lock
instead of failing to upgrade a read lock. Within one process, SQLite writers also take turns on
a lock: SQLite allows one writer at a time anyway, and queueing in Python avoids SQLite's
sleep-and-retry busy handler (which made writers wait tens of milliseconds under load).
PostgreSQL uses pooled psycopg 3 connections: SQLAlchemy's pool for the synchronous engine, and
for the bulk inserts of the event loop a psycopg_pool of asyncio connections in autocommit mode.
"""

from __future__ import annotations

import asyncio
import contextvars
import sqlite3
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager, contextmanager, nullcontext
from functools import partial
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, TypeVar

import orjson
import psycopg
from psycopg_pool import AsyncConnectionPool
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.pool import StaticPool

P = ParamSpec("P")
T = TypeVar("T")

_BEGIN_OPTION = "prodex_sqlite_begin"
#: How long a SQLite call waits for another process's write lock before failing. SQLite calls run on
#: the event loop (see :meth:`Database.run`), so this also bounds how long the loop can stall.
SQLITE_BUSY_TIMEOUT_SECONDS = 5.0
#: How long a PostgreSQL bulk insert waits for a connection of the asyncio pool before failing (a
#: failed group fails all its requests at once: see prodex.store.group_insert).
ASYNC_POOL_TIMEOUT_SECONDS = 5.0


def _json_dumps(value: Any) -> str:
    """Serialise a JSON column value with orjson (SQLAlchemy wants ``str``)."""
    return orjson.dumps(value).decode()


class Database:
    """An engine for one database URL, with read and write transactions tuned per backend."""

    def __init__(self, url: str, *, pool_size: int = 10) -> None:
        self.url = make_url(url)
        self.is_sqlite = self.url.get_backend_name() == "sqlite"
        self.engine = self._create_engine(pool_size)
        self._executor: ThreadPoolExecutor | None = None
        self._pool_size = pool_size
        self._async_pool: AsyncConnectionPool[psycopg.AsyncConnection[Any]] | None = None
        self._async_pool_lock = asyncio.Lock()
        self._writer: Engine = (
            self.engine.execution_options(**{_BEGIN_OPTION: "IMMEDIATE"}) if self.is_sqlite else self.engine
        )
        self._write_turn = threading.Lock() if self.is_sqlite else None
        self._autocommit: Engine = (
            self._writer if self.is_sqlite else self.engine.execution_options(isolation_level="AUTOCOMMIT")
        )

    def _create_engine(self, pool_size: int) -> Engine:
        common: dict[str, Any] = {"json_serializer": _json_dumps, "json_deserializer": orjson.loads}
        if not self.is_sqlite:
            # No pre-ping: it doubles the round trips of a short transaction. A connection that died
            # (server restart) fails one request with 50000 and is then replaced by the pool.
            return create_engine(
                self.url, pool_size=pool_size, max_overflow=pool_size, pool_recycle=300, **common
            )
        database = self.url.database or ""
        in_memory = database in ("", ":memory:")
        if not in_memory:
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            self.url,
            connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_SECONDS},
            **(
                {"poolclass": StaticPool}
                if in_memory
                else {"pool_size": pool_size, "max_overflow": pool_size}
            ),
            **common,
        )
        event.listen(engine, "connect", _sqlite_on_connect)
        event.listen(engine, "begin", _sqlite_on_begin)
        return engine

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A connection inside a read transaction (rolled back at the end)."""
        with self.engine.connect() as conn, conn.begin():
            yield conn

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """A connection inside a write transaction, committed on success, rolled back on error."""
        with self._write_turn or nullcontext(), self._writer.begin() as conn:
            yield conn

    @contextmanager
    def write_single(self) -> Iterator[Connection]:
        """A connection for ONE write statement, which is atomic on its own.

        PostgreSQL runs it in autocommit mode (one round trip instead of BEGIN, statement,
        COMMIT); SQLite runs it like :meth:`write`.
        """
        if self.is_sqlite:
            with self.write() as conn:
                yield conn
            return
        with self._autocommit.connect() as conn:
            yield conn

    async def run(self, function: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Run a synchronous database function from async code, the cheapest safe way per backend.

        SQLite calls run inline on the event loop: they are short, CPU-bound library calls and
        a thread hop costs more than the call itself (in this process, writers take turns on a
        lock; only a writer in another process can make a call wait, at most the busy timeout).
        PostgreSQL calls run in this database's thread pool (one thread per pooled connection),
        so the event loop keeps serving while a query waits for the server. The caller's context
        variables (the request id for logs) are carried over.
        """
        if self.is_sqlite:
            return function(*args, **kwargs)
        if self._executor is None:
            self._executor = ThreadPoolExecutor(
                max_workers=self._pool_size * 2, thread_name_prefix="prodex-db"
            )
        context = contextvars.copy_context()
        call = partial(context.run, function, *args, **kwargs)
        return await asyncio.get_running_loop().run_in_executor(self._executor, call)

    async def run_in_transaction(
        self, function: Callable[Concatenate[Connection, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """Run ``function(connection, *args, **kwargs)`` in one write transaction, from async code
        (the cheapest safe way per backend, as :meth:`run`)."""

        def in_transaction() -> T:
            with self.write() as conn:
                return function(conn, *args, **kwargs)

        return await self.run(in_transaction)

    @asynccontextmanager
    async def async_autocommit(self) -> AsyncIterator[psycopg.AsyncConnection[Any]]:
        """A pooled psycopg asyncio connection in autocommit mode (PostgreSQL only), for ONE
        statement that is atomic on its own, such as a COPY: the statement waits for the server
        without a thread and without holding the event loop, and costs no BEGIN and COMMIT round
        trips. The pool (half of ``pool_size``, at least 2) opens on first use, in the running loop.
        """
        if self.is_sqlite:
            raise RuntimeError("SQLite has no asyncio connections here; use write() or run_in_transaction()")
        pool = self._async_pool or await self._open_async_pool()
        async with pool.connection() as conn:
            yield conn

    async def _open_async_pool(self) -> AsyncConnectionPool[psycopg.AsyncConnection[Any]]:
        async with self._async_pool_lock:
            if self._async_pool is None:
                pool: AsyncConnectionPool[psycopg.AsyncConnection[Any]] = AsyncConnectionPool(
                    self.url.set(drivername="postgresql").render_as_string(hide_password=False),
                    min_size=1,
                    max_size=max(2, self._pool_size // 2),
                    max_lifetime=300,
                    # A group of inserts waits at most this long for a connection (database down or busy).
                    timeout=ASYNC_POOL_TIMEOUT_SECONDS,
                    kwargs={"autocommit": True},
                    open=False,
                    name="prodex-async",
                )
                await pool.open()
                self._async_pool = pool
            return self._async_pool

    async def aclose_async_pool(self) -> None:
        """Close the asyncio pool (in the loop it was opened in: its tasks belong to that loop);
        the next asyncio statement opens a new one in the loop it runs in."""
        if self._async_pool is not None:
            pool, self._async_pool = self._async_pool, None
            await pool.close()

    async def adispose(self) -> None:
        """Close every pooled connection, the asyncio pool's included."""
        await self.aclose_async_pool()
        self.dispose()

    def ping(self) -> None:
        """Run a trivial query; raises when the database cannot be reached."""
        with self.engine.connect() as conn:
            conn.execute(text("SELECT 1"))

    def dispose(self) -> None:
        """Close the synchronous engine's pooled connections and stop the thread pool (the asyncio
        pool belongs to its event loop: :meth:`adispose` closes it too)."""
        if self._executor is not None:
            self._executor.shutdown(wait=True)
            self._executor = None
        self.engine.dispose()


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    """Hand transaction control to SQLAlchemy and set the per-connection pragmas."""
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        _switch_to_wal(cursor)
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
    finally:
        cursor.close()


def _switch_to_wal(cursor: sqlite3.Cursor) -> None:
    """Put the database file in WAL mode, waiting for other connections as a busy timeout would.

    The mode is stored in the file, so only the first connection to a new file changes it. SQLite
    refuses that change at once ("database is locked", its busy handler is not called) while
    another connection holds the file, which happens when several processes open a new database
    together: the change is retried until :data:`SQLITE_BUSY_TIMEOUT_SECONDS` has passed.
    """
    deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT_SECONDS
    pause = 0.005
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() + pause > deadline:
                raise
        time.sleep(pause)
        pause = min(pause * 2, 0.1)


def _sqlite_on_begin(conn: Connection) -> None:
    """Start the transaction ourselves: ``BEGIN IMMEDIATE`` for writers, plain ``BEGIN`` for readers.

    Sent straight to the driver connection (the documented recipe's ``exec_driver_sql`` costs a
    full statement execution per transaction).
    """
    mode = conn.get_execution_options().get(_BEGIN_OPTION)
    conn.connection.driver_connection.execute("BEGIN IMMEDIATE" if mode else "BEGIN")  # type: ignore[union-attr]
