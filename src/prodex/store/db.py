"""The database handle: one engine and its connection pool, read and write transactions.

SQLite is tuned for a small server: WAL journal (readers never block the writer),
``synchronous=NORMAL`` (durable at checkpoints, safe with WAL), foreign keys on, a busy timeout,
and write transactions that start with ``BEGIN IMMEDIATE`` so two writers queue on the lock
instead of failing to upgrade a read lock. PostgreSQL uses a pooled psycopg 3 connection.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.pool import StaticPool

_BEGIN_OPTION = "prodex_sqlite_begin"
SQLITE_BUSY_TIMEOUT_SECONDS = 30.0


def _json_dumps(value: Any) -> str:
    """Serialise a JSON column value with orjson (SQLAlchemy wants ``str``)."""
    return orjson.dumps(value).decode()


class Database:
    """An engine for one database URL, with read and write transactions tuned per backend."""

    def __init__(self, url: str, *, pool_size: int = 10) -> None:
        self.url = make_url(url)
        self.is_sqlite = self.url.get_backend_name() == "sqlite"
        self.engine = self._create_engine(pool_size)
        self._writer: Engine = (
            self.engine.execution_options(**{_BEGIN_OPTION: "IMMEDIATE"}) if self.is_sqlite else self.engine
        )

    def _create_engine(self, pool_size: int) -> Engine:
        common: dict[str, Any] = {"json_serializer": _json_dumps, "json_deserializer": orjson.loads}
        if not self.is_sqlite:
            return create_engine(
                self.url,
                pool_size=pool_size,
                max_overflow=pool_size,
                pool_pre_ping=True,
                pool_recycle=1800,
                **common,
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
        with self._writer.begin() as conn:
            yield conn

    def ping(self) -> None:
        """Run a trivial query; raises when the database cannot be reached."""
        with self.engine.connect() as conn:
            conn.execute(text("SELECT 1"))

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    """Hand transaction control to SQLAlchemy and set the per-connection pragmas."""
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
    finally:
        cursor.close()


def _sqlite_on_begin(conn: Connection) -> None:
    """Start the transaction ourselves: ``BEGIN IMMEDIATE`` for writers, plain ``BEGIN`` for readers."""
    mode = conn.get_execution_options().get(_BEGIN_OPTION, "")
    conn.exec_driver_sql(f"BEGIN {mode}".strip())
