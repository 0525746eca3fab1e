"""Initial schema: accounts, API keys, the credit ledger and products.

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _big_id() -> sa.types.TypeEngine[int]:
    """A 64-bit id that SQLite also auto-increments."""
    return sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _timestamp(name: str, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    """Create the four tables and their indexes."""
    op.create_table(
        "accounts",
        sa.Column("id", _big_id(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=320), server_default="", nullable=False),
        sa.Column("plan", sa.String(length=64), nullable=False),
        sa.Column("credits", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("api_enabled", sa.Boolean(), server_default=sa.true(), nullable=False),
        _timestamp("created_at"),
        _timestamp("updated_at"),
        sa.CheckConstraint("credits >= 0", name=op.f("ck_accounts_credits_not_negative")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accounts")),
    )
    op.create_table(
        "api_keys",
        sa.Column("id", _big_id(), autoincrement=True, nullable=False),
        sa.Column("account_id", _big_id(), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("label", sa.String(length=100), server_default="", nullable=False),
        _timestamp("created_at"),
        _timestamp("revoked_at", nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_api_keys_account_id_accounts"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_keys")),
        sa.UniqueConstraint("key_hash", name=op.f("uq_api_keys_key_hash")),
    )
    op.create_index(op.f("ix_api_keys_account_id"), "api_keys", ["account_id"])
    op.create_table(
        "credit_ledger",
        sa.Column("id", _big_id(), autoincrement=True, nullable=False),
        sa.Column("account_id", _big_id(), nullable=False),
        sa.Column("delta", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=200), server_default="", nullable=False),
        sa.Column("ref", sa.String(length=200), server_default="", nullable=False),
        sa.Column("refund_of", _big_id(), nullable=True),
        sa.Column("balance_after", sa.BigInteger(), nullable=False),
        _timestamp("created_at"),
        sa.CheckConstraint("kind IN ('grant', 'charge', 'refund')", name=op.f("ck_credit_ledger_kind_known")),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_credit_ledger_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["refund_of"], ["credit_ledger.id"], name=op.f("fk_credit_ledger_refund_of_credit_ledger")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credit_ledger")),
        sa.UniqueConstraint("refund_of", name=op.f("uq_credit_ledger_refund_of")),
    )
    op.create_index(op.f("ix_credit_ledger_account_id"), "credit_ledger", ["account_id"])
    op.create_table(
        "products",
        sa.Column("seq", _big_id(), autoincrement=True, nullable=False),
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("account_id", _big_id(), nullable=False),
        sa.Column("url", sa.Text(), server_default="", nullable=False),
        sa.Column("name", sa.Text(), server_default="", nullable=False),
        sa.Column("description", sa.Text(), server_default="", nullable=False),
        sa.Column("target_audience", sa.Text(), server_default="", nullable=False),
        sa.Column("media", sa.JSON(), nullable=False),
        sa.Column("selling_points", sa.JSON(), nullable=False),
        sa.Column("price", sa.String(length=64), nullable=True),
        sa.Column("currency", sa.String(length=8), nullable=True),
        sa.Column("brand", sa.Text(), nullable=True),
        sa.Column("sku", sa.Text(), nullable=True),
        sa.Column("gtin", sa.Text(), nullable=True),
        sa.Column("mpn", sa.Text(), nullable=True),
        sa.Column("availability", sa.String(length=64), nullable=True),
        sa.Column("category", sa.Text(), nullable=True),
        sa.Column("breadcrumbs", sa.JSON(), nullable=False),
        sa.Column("language", sa.String(length=64), nullable=True),
        sa.Column("canonical_url", sa.Text(), nullable=True),
        sa.Column("source", sa.JSON(), nullable=False),
        _timestamp("created_at"),
        _timestamp("updated_at"),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_products_account_id_accounts"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_products")),
        sa.UniqueConstraint("id", name=op.f("uq_products_id")),
    )
    op.create_index("ix_products_account_id_seq", "products", ["account_id", "seq"])


def downgrade() -> None:
    """Drop every table of this revision."""
    op.drop_index("ix_products_account_id_seq", table_name="products")
    op.drop_table("products")
    op.drop_index(op.f("ix_credit_ledger_account_id"), table_name="credit_ledger")
    op.drop_table("credit_ledger")
    op.drop_index(op.f("ix_api_keys_account_id"), table_name="api_keys")
    op.drop_table("api_keys")
    op.drop_table("accounts")
