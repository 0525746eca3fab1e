"""Storage: SQLAlchemy 2 tables, the database handle, repositories and Alembic migrations.

Public surface: :class:`~prodex.store.db.Database` (engine + transactions) and
:func:`~prodex.store.migrate.upgrade_database` (bring the schema to the newest revision).
"""

from __future__ import annotations

from prodex.store.db import Database
from prodex.store.migrate import upgrade_database

__all__ = ["Database", "upgrade_database"]
