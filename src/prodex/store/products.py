"""Repository of products. Every query is scoped to one account: another account's product
behaves exactly like a product that does not exist."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select, update

from prodex.extract.model import Product
from prodex.store.records import ProductRecord, media_to_json
from prodex.store.tables import products


def product_values(product: Product) -> dict[str, Any]:
    """The column values that hold an extracted or hand-entered :class:`Product`."""
    return {
        "url": product.url,
        "name": product.name or "",
        "description": product.description or "",
        "target_audience": product.target_audience,
        "media": [media_to_json(m) for m in product.media],
        "selling_points": list(product.selling_points),
        "price": product.price,
        "currency": product.currency,
        "brand": product.brand,
        "sku": product.sku,
        "gtin": product.gtin,
        "mpn": product.mpn,
        "availability": product.availability,
        "category": product.category,
        "breadcrumbs": list(product.breadcrumbs),
        "language": product.language,
        "canonical_url": product.canonical_url,
        "source": dict(product.source),
    }


#: One constant statement: SQLAlchemy compiles it once and reuses it for every insert.
_INSERT_PRODUCT = insert(products)


def insert_products(
    conn: Connection, items: list[tuple[str, int, Product]], now: datetime
) -> list[ProductRecord]:
    """Insert ``(product_id, account_id, product)`` items in one statement execution.

    Returns the stored records, built from what was written (no read-back).
    """
    conn.execute(
        _INSERT_PRODUCT,
        [
            {
                "id": pid,
                "account_id": account_id,
                "created_at": now,
                "updated_at": now,
                **product_values(product),
            }
            for pid, account_id, product in items
        ],
    )
    return [_record(pid, account_id, product, now) for pid, account_id, product in items]


def insert_product(
    conn: Connection, *, product_id: str, account_id: int, product: Product, now: datetime
) -> ProductRecord:
    """Insert one product for the account under ``product_id``; returns the stored record."""
    return insert_products(conn, [(product_id, account_id, product)], now)[0]


def _record(product_id: str, account_id: int, product: Product, now: datetime) -> ProductRecord:
    return ProductRecord(
        id=product_id,
        account_id=account_id,
        url=product.url,
        name=product.name or "",
        description=product.description or "",
        target_audience=product.target_audience,
        created_at=now,
        updated_at=now,
        media=list(product.media),
        selling_points=list(product.selling_points),
        price=product.price,
        currency=product.currency,
        brand=product.brand,
        sku=product.sku,
        gtin=product.gtin,
        mpn=product.mpn,
        availability=product.availability,
        category=product.category,
        breadcrumbs=list(product.breadcrumbs),
        language=product.language,
        canonical_url=product.canonical_url,
        source=dict(product.source),
    )


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
