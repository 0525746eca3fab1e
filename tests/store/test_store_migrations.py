"""Alembic migrations on SQLite and PostgreSQL: they build exactly the declared schema, run
twice harmlessly, go down and up again, and survive several processes migrating at once."""

from __future__ import annotations

import threading
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from prodex.store.db import Database
from prodex.store.migrate import (
    current_revision,
    downgrade_database,
    head_revision,
    own_schema_object,
    upgrade_database,
)
from prodex.store.tables import metadata

TABLES = {"accounts", "api_keys", "credit_ledger", "products", "import_jobs", "import_items", "queue_jobs"}


def test_upgrade_builds_exactly_the_declared_schema(fresh_database_url: str) -> None:
    database = Database(fresh_database_url)
    try:
        assert current_revision(database) is None
        upgrade_database(database)
        assert current_revision(database) == head_revision()
        with database.read() as conn:
            assert set(inspect(conn).get_table_names()) >= TABLES
            context = MigrationContext.configure(conn, opts={"include_name": own_schema_object})
            differences = compare_metadata(context, metadata)
        assert differences == []
    finally:
        database.dispose()


def test_upgrade_is_idempotent_and_downgrade_removes_every_table(fresh_database_url: str) -> None:
    database = Database(fresh_database_url)
    try:
        upgrade_database(database)
        upgrade_database(database)
        downgrade_database(database, "base")
        assert current_revision(database) is None
        with database.read() as conn:
            assert TABLES.isdisjoint(inspect(conn).get_table_names())
        upgrade_database(database)
        assert current_revision(database) == head_revision()
    finally:
        database.dispose()


def test_concurrent_upgrades_from_several_starts_do_not_collide(fresh_database_url: str) -> None:
    errors: list[BaseException] = []
    barrier = threading.Barrier(4)

    def migrate() -> None:
        database = Database(fresh_database_url, pool_size=1)
        try:
            barrier.wait()
            upgrade_database(database)
        except BaseException as exc:
            errors.append(exc)
        finally:
            database.dispose()

    threads = [threading.Thread(target=migrate) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    database = Database(fresh_database_url)
    try:
        assert current_revision(database) == head_revision()
    finally:
        database.dispose()


def test_sqlite_connections_use_wal_normal_sync_and_foreign_keys(tmp_path: object) -> None:
    database = Database(f"sqlite:///{tmp_path}/tuned.db")
    try:
        with database.read() as conn:
            assert conn.execute(text("PRAGMA journal_mode")).scalar_one() == "wal"
            assert conn.execute(text("PRAGMA synchronous")).scalar_one() == 1  # NORMAL
            assert conn.execute(text("PRAGMA foreign_keys")).scalar_one() == 1
    finally:
        database.dispose()


def test_the_balance_cannot_go_below_zero_even_by_hand(fresh_database_url: str) -> None:
    """The CHECK constraint backs up the guarded charge."""
    import pytest
    from sqlalchemy.exc import IntegrityError

    from prodex.service.accounts import Accounts
    from prodex.settings import Settings

    database = Database(fresh_database_url)
    try:
        upgrade_database(database)
        account, _ = Accounts(database, Settings()).create(name="check", credits=1)
        with pytest.raises(IntegrityError), database.write() as conn:
            conn.execute(text("UPDATE accounts SET credits = -1 WHERE id = :id"), {"id": account.id})
        with database.read() as conn:
            assert (
                conn.execute(text("SELECT credits FROM accounts WHERE id = :id"), {"id": account.id}).scalar()
                == 1
            )
    finally:
        database.dispose()


def _open_together(url: str, openers: int) -> tuple[list[str], list[BaseException]]:
    """Open ``openers`` databases on ``url`` at the same moment; each reads its journal mode."""
    barrier = threading.Barrier(openers)
    modes: list[str] = []
    errors: list[BaseException] = []

    def open_and_read_mode() -> None:
        database = Database(url, pool_size=1)
        try:
            barrier.wait()
            with database.read() as conn:
                modes.append(conn.execute(text("PRAGMA journal_mode")).scalar_one())
        except BaseException as exc:
            errors.append(exc)
        finally:
            database.dispose()

    threads = [threading.Thread(target=open_and_read_mode) for _ in range(openers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return modes, errors


def test_several_processes_opening_a_new_sqlite_file_together_all_get_wal(tmp_path: Path) -> None:
    """The first connection switches a new file to WAL; the others, opening at that moment, wait for
    it instead of failing with "database is locked" (SQLite refuses the switch without calling its
    busy handler). Fifty new files make the race all but certain to show on the old code."""
    for attempt in range(50):
        modes, errors = _open_together(f"sqlite:///{tmp_path}/opened-together-{attempt}.db", openers=4)
        assert errors == []
        assert modes == ["wal"] * 4
