"""Bring a database schema up to date with the Alembic migrations shipped in the package.

Safe to call from several processes at once: on PostgreSQL the migration runs under a
transaction-scoped advisory lock, on SQLite inside a ``BEGIN IMMEDIATE`` transaction.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text

from prodex.store.db import Database

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
#: Arbitrary constant key of the PostgreSQL advisory lock that serialises migrations.
_ADVISORY_LOCK_KEY = 0x70726F646578  # "prodex"


#: Tables, indexes and types of the job-queue library (procrastinate) live beside prodex's own
#: in PostgreSQL; migration 0004 creates them, and the schema comparison leaves them out.
FOREIGN_PREFIX = "procrastinate_"


def own_schema_object(name: str | None, type_: str, parent_names: object) -> bool:
    """Whether a database object is prodex's own (Alembic's ``include_name`` hook)."""
    return not (name or "").startswith(FOREIGN_PREFIX)


def alembic_config() -> Config:
    """An Alembic configuration pointing at the packaged migrations (no alembic.ini needed)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def head_revision() -> str:
    """The newest revision shipped with this version of prodex."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:
        raise RuntimeError("no migrations found")
    return head


def current_revision(database: Database) -> str | None:
    """The revision the database is at, or ``None`` when it has never been migrated."""
    with database.read() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade_database(database: Database, revision: str = "head") -> None:
    """Migrate ``database`` up to ``revision`` (default: the newest); a no-op when already there."""
    if revision == "head" and current_revision(database) == head_revision():
        return
    _run(database, "upgrade", revision)


def downgrade_database(database: Database, revision: str) -> None:
    """Migrate ``database`` down to ``revision`` (``"base"`` removes every table)."""
    _run(database, "downgrade", revision)


def _run(database: Database, direction: str, revision: str) -> None:
    config = alembic_config()
    with database.write() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _ADVISORY_LOCK_KEY})
        config.attributes["connection"] = conn
        if direction == "upgrade":
            command.upgrade(config, revision)
        else:
            command.downgrade(config, revision)
