"""Imports and the job queue: import jobs and items, per-host politeness, the embedded queue's
table, and on PostgreSQL procrastinate's schema (its tables, functions and triggers).

Revision ID: 0004
Revises: 0002
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "queue_jobs",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("task", sa.String(100), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("lock", sa.String(200), nullable=True),
        sa.Column("status", sa.String(8), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("run_after", sa.Float(), nullable=False),
        sa.Column("worker", sa.String(64), nullable=True),
        sa.Column("heartbeat_at", sa.Float(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("status IN ('todo', 'doing', 'failed')", name=op.f("ck_queue_jobs_status_known")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_queue_jobs")),
    )
    op.create_index("ix_queue_jobs_status_run_after", "queue_jobs", ["status", "run_after"])
    op.create_index("ix_queue_jobs_lock_status", "queue_jobs", ["lock", "status"])
    op.create_table(
        "import_jobs",
        sa.Column("seq", BigId, autoincrement=True, nullable=False),
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("account_id", BigId, nullable=False),
        sa.Column("source_kind", sa.String(16), nullable=False),
        sa.Column("source", sa.Text(), nullable=False, server_default=""),
        sa.Column("url_pattern", sa.Text(), nullable=True),
        sa.Column("render", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("error_code", sa.Integer(), nullable=True),
        sa.Column("error_msg", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('queued', 'running', 'done', 'cancelled')", name=op.f("ck_import_jobs_status_known")
        ),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_import_jobs_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_import_jobs")),
        sa.UniqueConstraint("id", name=op.f("uq_import_jobs_id")),
    )
    op.create_index("ix_import_jobs_account_id_seq", "import_jobs", ["account_id", "seq"])
    op.create_table(
        "import_items",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("job_id", sa.String(32), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("host", sa.String(255), nullable=False),
        sa.Column("lane", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("product_id", sa.String(32), nullable=True),
        sa.Column("error_code", sa.Integer(), nullable=True),
        sa.Column("error_msg", sa.Text(), nullable=True),
        sa.Column("charge_id", BigId, nullable=True),
        sa.Column("job_ref", sa.String(64), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('queued', 'running', 'done', 'failed', 'cancelled')",
            name=op.f("ck_import_items_status_known"),
        ),
        sa.ForeignKeyConstraint(
            ["job_id"],
            ["import_jobs.id"],
            name=op.f("fk_import_items_job_id_import_jobs"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["charge_id"], ["credit_ledger.id"], name=op.f("fk_import_items_charge_id_credit_ledger")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_items")),
        sa.UniqueConstraint("charge_id", name=op.f("uq_import_items_charge_id")),
    )
    op.create_index("ix_import_items_job_id_position", "import_items", ["job_id", "position"], unique=True)
    op.create_index("ix_import_items_job_id_status", "import_items", ["job_id", "status"])
    op.create_index("ix_import_items_job_id_host_lane", "import_items", ["job_id", "host", "lane"])
    op.create_table(
        "import_hosts",
        sa.Column("host", sa.String(255), nullable=False),
        sa.Column("next_start", sa.Float(), nullable=False),
        sa.Column("slowdown", sa.Float(), nullable=False, server_default="1"),
        sa.PrimaryKeyConstraint("host", name=op.f("pk_import_hosts")),
    )
    if op.get_bind().dialect.name == "postgresql":
        from prodex.jobs.pg_queue import LOCK_ORDER_INDEX, procrastinate_schema

        op.get_bind().exec_driver_sql(procrastinate_schema())
        op.get_bind().exec_driver_sql(LOCK_ORDER_INDEX)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        from prodex.jobs.pg_queue import PROCRASTINATE_DROP

        op.get_bind().exec_driver_sql(PROCRASTINATE_DROP)
    op.drop_table("import_hosts")
    op.drop_index("ix_import_items_job_id_host_lane", "import_items")
    op.drop_index("ix_import_items_job_id_status", "import_items")
    op.drop_index("ix_import_items_job_id_position", "import_items")
    op.drop_table("import_items")
    op.drop_index("ix_import_jobs_account_id_seq", "import_jobs")
    op.drop_table("import_jobs")
    op.drop_index("ix_queue_jobs_lock_status", "queue_jobs")
    op.drop_index("ix_queue_jobs_status_run_after", "queue_jobs")
    op.drop_table("queue_jobs")
