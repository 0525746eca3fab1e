"""Repository of products. Every query is scoped to one account: another account's product
behaves exactly like a product that does not exist."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import lru_cache
from typing import Any

import orjson
import psycopg
from psycopg import sql as psycopg_sql
from pydantic import BaseModel
from sqlalchemy import JSON, Connection, Dialect, delete, func, insert, select, update

from prodex.extract.model import Product
from prodex.store.records import ProductRecord
from prodex.store.tables import PRODUCT_FIELDS, REQUIRED_TEXT_FIELDS, products

#: The columns :func:`insert_products` writes, in the order of its rows (``seq`` is generated).
INSERT_COLUMNS: tuple[str, ...] = ("id", "account_id", *PRODUCT_FIELDS, "created_at", "updated_at")


@lru_cache(maxsize=8)
def _insert_sql(dialect: Dialect) -> str:
    """SQLAlchemy's INSERT of :data:`INSERT_COLUMNS` for ``dialect``, compiled once, with
    positional parameters (the same SQL Core sends, casts included, without RETURNING)."""
    make_dialect: Callable[..., Dialect] = type(dialect)
    positional = dialect if dialect.positional else make_dialect(paramstyle="format")
    compiled = insert(products).inline().compile(dialect=positional, column_keys=list(INSERT_COLUMNS))
    if list(compiled.positiontup or ()) != list(INSERT_COLUMNS):
        raise RuntimeError("the products insert's parameters are not in INSERT_COLUMNS order")
    return compiled.string


def _json_text(value: Any) -> str:
    return orjson.dumps(value).decode()


def _stored_text(value: str | None) -> str:
    return value or ""


def _json_column(value: list[Any] | dict[str, Any]) -> str:
    """A list or dict field as JSON text (models as their JSON dicts)."""
    if isinstance(value, list) and value and isinstance(value[0], BaseModel):
        return _json_text([item.model_dump(mode="json") for item in value])
    return _json_text(value)


def _writer(name: str) -> Callable[[Any], Any]:
    """How one product field's value is written to its column."""
    column = products.c[name]
    if isinstance(column.type, JSON):
        return _json_column
    if name in REQUIRED_TEXT_FIELDS:
        return _stored_text
    return _as_is


def _as_is(value: Any) -> Any:
    return value


#: ``(field name, writer)`` for every product column, in :data:`INSERT_COLUMNS` order.
_FIELD_WRITERS: tuple[tuple[str, Callable[[Any], Any]], ...] = tuple(
    (name, _writer(name)) for name in PRODUCT_FIELDS
)


def product_row(product_id: str, account_id: int, product: Product, when: object) -> tuple[Any, ...]:
    """The values of :data:`INSERT_COLUMNS` for one product (JSON columns as JSON text, both
    times ``when`` as the driver takes them)."""
    values = product.__dict__
    return (
        product_id,
        account_id,
        *[write(values[name]) for name, write in _FIELD_WRITERS],
        when,
        when,
    )


def insert_products(
    conn: Connection, items: list[tuple[str, int, Product]], now: datetime
) -> list[ProductRecord]:
    """Insert ``(product_id, account_id, product)`` items in one statement execution.

    The hot path of product creation, so the statement goes to the driver as a prepared SQL
    string with plain tuples: SQLAlchemy Core's per-row parameter processing cost more than the
    insert. The SQL is Core's own statement compiled once (:func:`_insert_sql`), and values are
    written as Core writes them: JSON as text serialised once with orjson (PostgreSQL casts it),
    on SQLite the time in the dialect's storage format (its bind processor, once per call).
    Returns the stored records, built from what was written (no read-back).
    """
    dialect = conn.dialect
    when: object = now
    if dialect.name == "sqlite":
        when = _sqlite_datetime(dialect)(now)
    rows = [product_row(pid, account_id, product, when) for pid, account_id, product in items]
    conn.exec_driver_sql(_insert_sql(dialect), rows)
    return [_record(pid, account_id, product, now) for pid, account_id, product in items]


#: PostgreSQL's bulk load of :data:`INSERT_COLUMNS` (text format: JSON as text, as inserted).
_COPY_PRODUCTS = psycopg_sql.SQL("COPY {} ({}) FROM STDIN").format(
    psycopg_sql.Identifier(products.name),
    psycopg_sql.SQL(", ").join(map(psycopg_sql.Identifier, INSERT_COLUMNS)),
)


async def copy_products(
    conn: psycopg.AsyncConnection[Any], items: list[tuple[str, int, Product]], now: datetime
) -> list[ProductRecord]:
    """PostgreSQL: :func:`insert_products` as one ``COPY ... FROM STDIN`` on a psycopg asyncio
    connection: one statement for any number of rows, formatted by psycopg in C (an executemany
    sends each row through psycopg's pipeline, with its own syscalls). On a connection in
    autocommit mode the COPY is its own transaction: every row is stored, or none."""
    async with conn.cursor() as cursor, cursor.copy(_COPY_PRODUCTS) as copy:
        for pid, account_id, product in items:
            await copy.write_row(product_row(pid, account_id, product, now))
    return [_record(pid, account_id, product, now) for pid, account_id, product in items]


@lru_cache(maxsize=8)
def _sqlite_datetime(dialect: Dialect) -> Callable[[datetime], str]:
    """SQLAlchemy's SQLite bind processor of the ``created_at`` column (its storage format)."""
    processor = products.c.created_at.type.dialect_impl(dialect).bind_processor(dialect)
    assert processor is not None
    return processor


def insert_product(
    conn: Connection, *, product_id: str, account_id: int, product: Product, now: datetime
) -> ProductRecord:
    """Insert one product for the account under ``product_id``; returns the stored record."""
    return insert_products(conn, [(product_id, account_id, product)], now)[0]


def _record(product_id: str, account_id: int, product: Product, now: datetime) -> ProductRecord:
    return ProductRecord(product_id, account_id, now, now, product)


def get_product(
    conn: Connection, account_id: int, product_id: str, *, lock: bool = False
) -> ProductRecord | None:
    """The account's product ``product_id``, or ``None`` (also when another account owns it)."""
    query = select(products).where(products.c.id == product_id, products.c.account_id == account_id)
    if lock:
        query = query.with_for_update()
    row = conn.execute(query).first()
    return ProductRecord.from_row(row) if row is not None else None


def update_product(
    conn: Connection, account_id: int, product_id: str, values: dict[str, Any], now: datetime
) -> ProductRecord | None:
    """Set columns of the account's product; the updated record, or ``None`` when absent."""
    row = conn.execute(
        update(products)
        .where(products.c.id == product_id, products.c.account_id == account_id)
        .values(updated_at=now, **values)
        .returning(*products.c)
    ).first()
    return ProductRecord.from_row(row) if row is not None else None


def delete_product(conn: Connection, account_id: int, product_id: str) -> bool:
    """Delete the account's product; ``False`` when it does not exist for this account."""
    result = conn.execute(
        delete(products).where(products.c.id == product_id, products.c.account_id == account_id)
    )
    return result.rowcount == 1


def list_products(conn: Connection, account_id: int, *, limit: int, offset: int) -> list[ProductRecord]:
    """One page of the account's products, newest first."""
    rows = conn.execute(
        select(products)
        .where(products.c.account_id == account_id)
        .order_by(products.c.seq.desc())
        .limit(limit)
        .offset(offset)
    )
    return [ProductRecord.from_row(row) for row in rows]


def count_products(conn: Connection, account_id: int) -> int:
    """How many products the account has."""
    return int(
        conn.execute(
            select(func.count()).select_from(products).where(products.c.account_id == account_id)
        ).scalar_one()
    )
