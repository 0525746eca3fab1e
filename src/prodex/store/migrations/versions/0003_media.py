"""Media: which stored media file each product uses (media_links).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "media_links",
        sa.Column("product_id", sa.String(32), nullable=False),
        sa.Column("media_key", sa.String(80), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("product_id", "media_key", name="pk_media_links"),
    )
    op.create_index("ix_media_links_media_key", "media_links", ["media_key"])


def downgrade() -> None:
    op.drop_index("ix_media_links_media_key", table_name="media_links")
    op.drop_table("media_links")
