"""Alembic migrations of the prodex schema, shipped inside the package (see :mod:`prodex.store.migrate`)."""
