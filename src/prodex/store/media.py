"""Repository of media links: which stored media file (its key) each product uses."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, func, select

from prodex.store.tables import media_links, products


def lock_keys(conn: Connection, keys: Iterable[str]) -> None:
    """Hold, until the transaction ends, a lock on each media key (in one order, so two
    transactions never wait on each other): a file is never linked while it is being deleted.
    On PostgreSQL a transaction advisory lock per key; SQLite's write transactions already run one
    at a time (``BEGIN IMMEDIATE``)."""
    if conn.dialect.name != "postgresql":
        return
    for key in sorted(set(keys)):
        conn.execute(select(func.pg_advisory_xact_lock(func.hashtext(key))))


def add_links(conn: Connection, product_id: str, keys: Iterable[str], now: datetime) -> list[str]:
    """Link the product to each of ``keys`` it is not linked to yet; the keys newly linked."""
    wanted = set(keys)
    if not wanted:
        return []
    lock_keys(conn, wanted)
    present = set(
        conn.execute(
            select(media_links.c.media_key).where(
                media_links.c.product_id == product_id, media_links.c.media_key.in_(wanted)
            )
        ).scalars()
    )
    new = sorted(wanted - present)
    if new:
        conn.execute(
            media_links.insert(),
            [{"product_id": product_id, "media_key": key, "created_at": now} for key in new],
        )
    return new


def remove_links(conn: Connection, product_id: str, keep: Collection[str] = ()) -> list[str]:
    """Unlink the product from every key but ``keep``; the keys unlinked."""
    linked = set(
        conn.execute(select(media_links.c.media_key).where(media_links.c.product_id == product_id)).scalars()
    )
    gone = sorted(linked - set(keep))
    if gone:
        conn.execute(
            delete(media_links).where(
                media_links.c.product_id == product_id, media_links.c.media_key.in_(gone)
            )
        )
    return gone


def unused_keys(conn: Connection, keys: Iterable[str]) -> list[str]:
    """Those of ``keys`` that no product is linked to."""
    wanted = set(keys)
    if not wanted:
        return []
    used = set(
        conn.execute(
            select(media_links.c.media_key).where(media_links.c.media_key.in_(wanted)).distinct()
        ).scalars()
    )
    return sorted(wanted - used)


def linked_keys(conn: Connection, product_id: str) -> list[str]:
    """The keys the product is linked to."""
    return sorted(
        conn.execute(select(media_links.c.media_key).where(media_links.c.product_id == product_id)).scalars()
    )


def stored_media(conn: Connection, product_id: str) -> list[dict[str, Any]] | None:
    """The stored media items (JSON) of the product ``product_id`` of any account; ``None``
    when there is no such product."""
    row = conn.execute(select(products.c.media).where(products.c.id == product_id)).first()
    return list(row[0]) if row is not None else None


def remove_orphan_links(conn: Connection, before: datetime) -> list[str]:
    """Remove the links written before ``before`` whose product does not exist (a create cut off
    between linking and storing); the keys they pointed to."""
    orphans = conn.execute(
        select(media_links.c.product_id, media_links.c.media_key).where(
            media_links.c.created_at < before, media_links.c.product_id.not_in(select(products.c.id))
        )
    ).all()
    for product_id, key in orphans:
        conn.execute(
            delete(media_links).where(media_links.c.product_id == product_id, media_links.c.media_key == key)
        )
    return sorted({key for _product_id, key in orphans})
