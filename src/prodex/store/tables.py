"""The database schema as SQLAlchemy Core tables (the Alembic migrations build exactly this).

Money-like balances are integers (credits); product prices are decimal strings as extracted.
Every JSON column holds plain JSON (lists of strings, media dicts, the ``source`` map).
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    true,
)

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)

#: A 64-bit integer primary key that SQLite also auto-increments (it needs ``INTEGER``).
BigId = BigInteger().with_variant(Integer(), "sqlite")

accounts = Table(
    "accounts",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("name", String(200), nullable=False),
    Column("email", String(320), nullable=False, server_default=""),
    Column("plan", String(64), nullable=False),
    Column("credits", BigInteger, nullable=False, server_default="0"),
    Column("api_enabled", Boolean, nullable=False, server_default=true()),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    CheckConstraint("credits >= 0", name="credits_not_negative"),
)

api_keys = Table(
    "api_keys",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("account_id", BigId, ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("key_hash", String(64), nullable=False, unique=True),
    Column("prefix", String(16), nullable=False),
    Column("label", String(100), nullable=False, server_default=""),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("revoked_at", DateTime(timezone=True), nullable=True),
)

credit_ledger = Table(
    "credit_ledger",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("account_id", BigId, ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("delta", BigInteger, nullable=False),
    Column("kind", String(16), nullable=False),
    Column("reason", String(200), nullable=False, server_default=""),
    Column("ref", String(200), nullable=False, server_default=""),
    Column("refund_of", BigId, ForeignKey("credit_ledger.id"), nullable=True, unique=True),
    Column("balance_after", BigInteger, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    CheckConstraint("kind IN ('grant', 'charge', 'refund')", name="kind_known"),
)

products = Table(
    "products",
    metadata,
    Column("seq", BigId, primary_key=True, autoincrement=True),
    Column("id", String(32), nullable=False, unique=True),
    Column("account_id", BigId, ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False),
    Column("url", Text, nullable=False, server_default=""),
    Column("name", Text, nullable=False, server_default=""),
    Column("description", Text, nullable=False, server_default=""),
    Column("target_audience", Text, nullable=False, server_default=""),
    Column("media", JSON, nullable=False),
    Column("selling_points", JSON, nullable=False),
    Column("price", String(64), nullable=True),
    Column("currency", String(8), nullable=True),
    Column("brand", Text, nullable=True),
    Column("sku", Text, nullable=True),
    Column("gtin", Text, nullable=True),
    Column("mpn", Text, nullable=True),
    Column("availability", String(64), nullable=True),
    Column("category", Text, nullable=True),
    Column("breadcrumbs", JSON, nullable=False),
    Column("language", String(64), nullable=True),
    Column("canonical_url", Text, nullable=True),
    Column("source", JSON, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Index("ix_products_account_id_seq", "account_id", "seq"),
)
