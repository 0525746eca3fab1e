"""Alembic environment: runs migrations on the connection :mod:`prodex.store.migrate` hands over."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from prodex.store.db import Database
from prodex.store.migrate import own_schema_object
from prodex.store.tables import metadata


def _run(connection: Connection) -> None:
    """Configure Alembic for ``connection`` and run the pending migrations."""
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_name=own_schema_object,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations() -> None:
    """Entry point called by Alembic: use the given connection, or open ``sqlalchemy.url``."""
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = context.config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("set sqlalchemy.url or pass a connection in config.attributes")
    database = Database(url, pool_size=1)
    try:
        with database.write() as conn:
            _run(conn)
    finally:
        database.dispose()


if context.is_offline_mode():
    raise RuntimeError("offline (SQL script) migrations are not supported; run `prodex serve` or the CLI")
run_migrations()
