"""The product brief and the offer: Google category, gender, age group, list price and discount,
rating and reviews, variants and specifications.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NEW_COLUMNS: tuple[tuple[str, sa.types.TypeEngine[Any]], ...] = (
    ("regular_price", sa.String(64)),
    ("discount_percent", sa.BigInteger()),
    ("rating_value", sa.String(32)),
    ("rating_best", sa.String(32)),
    ("review_count", sa.BigInteger()),
    ("google_category", sa.Text()),
    ("google_category_id", sa.BigInteger()),
    ("gender", sa.String(16)),
    ("age_group", sa.String(16)),
)
NEW_LISTS = ("variants", "specifications")


def upgrade() -> None:
    with op.batch_alter_table("products") as batch:
        for name, column_type in NEW_COLUMNS:
            batch.add_column(sa.Column(name, column_type, nullable=True))
        for name in NEW_LISTS:
            # existing rows get an empty list; new rows always write one
            batch.add_column(sa.Column(name, sa.JSON(), nullable=False, server_default="[]"))
    with op.batch_alter_table("products") as batch:
        for name in NEW_LISTS:
            batch.alter_column(name, server_default=None, existing_type=sa.JSON(), existing_nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("products") as batch:
        for name in (*NEW_LISTS, *(name for name, _ in reversed(NEW_COLUMNS))):
            batch.drop_column(name)
