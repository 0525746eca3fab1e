"""The database schema as SQLAlchemy Core tables (the Alembic migrations build exactly this).

Money-like balances are integers (credits); product prices are decimal strings as extracted.
Every JSON column holds plain JSON (lists of strings, media dicts, the ``source`` map).
"""

from __future__ import annotations

from typing import Any, get_args, get_origin

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
    true,
)

from prodex.extract.model import Product

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

#: Product fields stored as NOT NULL text ("" when absent), as the JoggAI contract returns them.
REQUIRED_TEXT_FIELDS = frozenset({"url", "name", "description", "target_audience"})
#: Product fields with a short, bounded text format (a decimal string, a code, a tag).
SHORT_TEXT_FIELDS: dict[str, int] = {
    "price": 64,
    "regular_price": 64,
    "currency": 8,
    "availability": 64,
    "rating_value": 32,
    "rating_best": 32,
    "gender": 16,
    "age_group": 16,
    "language": 64,
}


def product_column(name: str, annotation: object) -> Column[Any]:
    """The column of one :class:`~prodex.extract.model.Product` field, from its declared type:
    lists, dicts and models as JSON, integers as integers, text as text (bounded where the
    field's format is short)."""
    if get_origin(annotation) in (list, dict):
        return Column(name, JSON, nullable=False)
    if int in get_args(annotation):
        return Column(name, BigInteger, nullable=True)
    if name in REQUIRED_TEXT_FIELDS:
        return Column(name, Text, nullable=False, server_default="")
    if name in SHORT_TEXT_FIELDS:
        return Column(name, String(SHORT_TEXT_FIELDS[name]), nullable=True)
    return Column(name, Text, nullable=True)


#: The stored product fields, in declaration order (every Product field is a column).
PRODUCT_FIELDS: tuple[str, ...] = tuple(Product.model_fields)

products = Table(
    "products",
    metadata,
    Column("seq", BigId, primary_key=True, autoincrement=True),
    Column("id", String(32), nullable=False, unique=True),
    Column("account_id", BigId, ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False),
    *(product_column(name, info.annotation) for name, info in Product.model_fields.items()),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Index("ix_products_account_id_seq", "account_id", "seq"),
)

#: Which stored media file (``<sha256>.<ext>``, see :mod:`prodex.media`) each product uses. A file
#: is shared by every product with the same picture; it is deleted when its last link goes.
#: A link is written before its file is published and before its product is stored (so a file
#: in use always has a link); ``product_id`` is therefore not a foreign key.
media_links = Table(
    "media_links",
    metadata,
    Column("product_id", String(32), nullable=False),
    Column("media_key", String(80), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    PrimaryKeyConstraint("product_id", "media_key", name="pk_media_links"),
    Index("ix_media_links_media_key", "media_key"),
)

#: The embedded job queue (SQLite; PostgreSQL deployments use procrastinate's own tables instead,
#: see prodex.jobs). Times are epoch seconds: only the queue compares them.
queue_jobs = Table(
    "queue_jobs",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("task", String(100), nullable=False),
    Column("payload", JSON, nullable=False),
    Column("lock", String(200), nullable=True),
    Column("status", String(8), nullable=False),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("run_after", Float, nullable=False),
    Column("worker", String(64), nullable=True),
    Column("heartbeat_at", Float, nullable=True),
    Column("error", Text, nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    CheckConstraint("status IN ('todo', 'doing', 'failed')", name="status_known"),
    Index("ix_queue_jobs_status_run_after", "status", "run_after"),
    Index("ix_queue_jobs_lock_status", "lock", "status"),
)

#: An import: many product URLs (given, from a sitemap or from a store) analysed as one job.
import_jobs = Table(
    "import_jobs",
    metadata,
    Column("seq", BigId, primary_key=True, autoincrement=True),
    Column("id", String(32), nullable=False, unique=True),
    Column("account_id", BigId, ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False),
    Column("source_kind", String(16), nullable=False),
    Column("source", Text, nullable=False, server_default=""),
    Column("url_pattern", Text, nullable=True),
    Column("render", Boolean, nullable=False, server_default=false()),
    Column("status", String(16), nullable=False),
    Column("total", Integer, nullable=False, server_default="0"),
    Column("error_code", Integer, nullable=True),
    Column("error_msg", Text, nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True), nullable=True),
    CheckConstraint("status IN ('queued', 'running', 'done', 'cancelled')", name="status_known"),
    Index("ix_import_jobs_account_id_seq", "account_id", "seq"),
)

#: One URL of an import; ``charge_id`` is the ledger charge of its current run (taken once, kept
#: across a crash or a 429/503 pause, refunded when the item fails or is cancelled); ``job_ref``
#: is the queue job running it (a crashed job that runs again may resume it, a duplicate may not).
import_items = Table(
    "import_items",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("job_id", String(32), ForeignKey("import_jobs.id", ondelete="CASCADE"), nullable=False),
    Column("position", Integer, nullable=False),
    Column("url", Text, nullable=False),
    Column("host", String(255), nullable=False),
    Column("lane", Integer, nullable=False, server_default="0"),
    Column("status", String(16), nullable=False),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("product_id", String(32), nullable=True),
    Column("error_code", Integer, nullable=True),
    Column("error_msg", Text, nullable=True),
    Column("charge_id", BigId, ForeignKey("credit_ledger.id"), nullable=True, unique=True),
    Column("job_ref", String(64), nullable=True),
    Column("started_at", DateTime(timezone=True), nullable=True),
    Column("finished_at", DateTime(timezone=True), nullable=True),
    CheckConstraint("status IN ('queued', 'running', 'done', 'failed', 'cancelled')", name="status_known"),
    Index("ix_import_items_job_id_position", "job_id", "position", unique=True),
    Index("ix_import_items_job_id_status", "job_id", "status"),
    Index("ix_import_items_job_id_host_lane", "job_id", "host", "lane"),
)

#: Politeness towards one shop host, shared by every worker: when the next analysis may start
#: (epoch seconds) and how much slower than the configured interval (after a 429 or 503).
import_hosts = Table(
    "import_hosts",
    metadata,
    Column("host", String(255), primary_key=True),
    Column("next_start", Float, nullable=False),
    Column("slowdown", Float, nullable=False, server_default="1"),
)

#: Webhook endpoints of an account (JoggAI's ``/v2/endpoint``); ``events`` is a list of event names.
webhook_endpoints = Table(
    "webhook_endpoints",
    metadata,
    Column("seq", BigId, primary_key=True, autoincrement=True),
    Column("id", String(40), nullable=False, unique=True),
    Column("account_id", BigId, ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False),
    Column("url", Text, nullable=False),
    Column("secret", String(64), nullable=False),
    Column("status", String(16), nullable=False),
    Column("events", JSON, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    CheckConstraint("status IN ('enabled', 'disabled')", name="status_known"),
    Index("ix_webhook_endpoints_account_id_seq", "account_id", "seq"),
)

#: One event for one endpoint: the exact body that is signed and sent, and where its attempts stand.
webhook_deliveries = Table(
    "webhook_deliveries",
    metadata,
    Column("seq", BigId, primary_key=True, autoincrement=True),
    Column("id", String(40), nullable=False, unique=True),
    Column("endpoint_id", String(40), ForeignKey("webhook_endpoints.id", ondelete="CASCADE"), nullable=False),
    Column("event", String(64), nullable=False),
    Column("event_id", String(40), nullable=False),
    Column("payload", Text, nullable=False),
    Column("status", String(16), nullable=False),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("next_attempt_at", DateTime(timezone=True), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    CheckConstraint("status IN ('pending', 'delivered', 'failed', 'cancelled')", name="status_known"),
    Index("ix_webhook_deliveries_endpoint_id_seq", "endpoint_id", "seq"),
    UniqueConstraint("endpoint_id", "event_id", name="uq_webhook_deliveries_endpoint_id_event_id"),
)

#: Every attempt of a delivery: when, how long, the receiver's status or what went wrong.
webhook_attempts = Table(
    "webhook_attempts",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column(
        "delivery_id", String(40), ForeignKey("webhook_deliveries.id", ondelete="CASCADE"), nullable=False
    ),
    Column("number", Integer, nullable=False),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("duration_ms", Integer, nullable=False),
    Column("status_code", Integer, nullable=True),
    Column("error", Text, nullable=False, server_default=""),
    Column("response_body", Text, nullable=False, server_default=""),
    UniqueConstraint("delivery_id", "number", name="uq_webhook_attempts_delivery_id_number"),
)
