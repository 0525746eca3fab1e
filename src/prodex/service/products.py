"""Products: create by hand or from an extracted :class:`~prodex.extract.model.Product`, update,
read, list and delete, always within one account.

Product ids are 16 URL-safe characters from :func:`secrets.token_urlsafe` (96 random bits):
opaque and not enumerable. Fields given by hand are recorded in ``source`` as ``"manual"``.
"""

from __future__ import annotations

import base64
import os
import re
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING

from prodex.errors import InvalidParameter, RecordNotFound
from prodex.extract.model import Media, Product
from prodex.media.keys import key_of, with_stored_details
from prodex.service.clock import utcnow
from prodex.store import products as repo
from prodex.store.db import Database
from prodex.store.group_insert import GroupedProductInserter
from prodex.store.records import ProductRecord, media_to_json

if TYPE_CHECKING:
    from prodex.media.library import MediaLibrary

MANUAL_SOURCE = "manual"
#: Every id :func:`new_product_id` can make matches this; anything else cannot exist.
PRODUCT_ID_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,64}")


#: Ids drawn per call to the operating system's random source (one getrandom(2) per 256 ids).
_IDS_PER_DRAW = 256
_drawn_ids: list[str] = []


def new_product_id() -> str:
    """A fresh opaque product id: 16 URL-safe characters, 96 bits from :mod:`secrets`.

    Ids are drawn from the OS's random source 256 at a time (one system call instead of one
    per product) and handed out once each; a forked child forgets the parent's undrawn ids.
    """
    try:
        return _drawn_ids.pop()
    except IndexError:
        block = secrets.token_bytes(12 * _IDS_PER_DRAW)
        ids = [base64.urlsafe_b64encode(block[i : i + 12]).decode() for i in range(0, len(block), 12)]
        _drawn_ids.extend(ids[1:])
        return ids[0]


os.register_at_fork(after_in_child=_drawn_ids.clear)


@dataclass(frozen=True, slots=True)
class ManualFields:
    """The fields a client can enter by hand; ``None`` means "not given"."""

    name: str | None = None
    description: str | None = None
    target_audience: str | None = None
    media: list[Media] | None = None

    def given(self) -> dict[str, object]:
        """The fields that were given, by name."""
        values = {
            "name": self.name,
            "description": self.description,
            "target_audience": self.target_audience,
            "media": self.media,
        }
        return {name: value for name, value in values.items() if value is not None}


def merge_manual(extracted: Product, manual: ManualFields) -> Product:
    """``extracted`` with every non-empty hand-entered field taking its place ("given by hand wins").

    Empty strings and empty media lists do not erase what was extracted. ``source`` records
    ``"manual"`` for every field taken from ``manual``.
    """
    updates: dict[str, object] = {}
    source = dict(extracted.source)
    for name, value in manual.given().items():
        if value in ("", []):
            continue
        updates[name] = value
        source[name] = MANUAL_SOURCE
    updates["source"] = source
    return extracted.model_copy(update=updates)


def manual_product(fields: ManualFields) -> Product:
    """The product a client entered by hand; ``name`` is required and must not be blank."""
    if fields.name is None or not fields.name.strip():
        raise InvalidParameter("name: required when no url is given (1 to 500 characters).", field="name")
    given = fields.given()
    return Product(
        url="",
        name=fields.name,
        description=fields.description or "",
        target_audience=fields.target_audience or "",
        media=fields.media or [],
        source={name: MANUAL_SOURCE for name, value in given.items() if value not in ("", [])},
    )


class Products:
    """The product store of every account, one account at a time.

    Synchronous methods hold a database connection (call them from threads, the CLI, tests, or
    through :meth:`prodex.store.db.Database.run`); the ``a``-prefixed methods are for the event
    loop and group concurrent inserts into one transaction. With a media ``library``, deleting a
    product or replacing its media releases the stored files no other product uses.
    """

    def __init__(self, database: Database, library: MediaLibrary | None = None) -> None:
        self._database = database
        self._inserter = GroupedProductInserter(database)
        self.library = library

    def create_manual(self, account_id: int, fields: ManualFields) -> ProductRecord:
        """Create a product entered by hand; ``name`` is required and must not be blank."""
        return self.store(account_id, manual_product(fields))

    async def acreate_manual(self, account_id: int, fields: ManualFields) -> ProductRecord:
        """:meth:`create_manual` for async code (grouped commit)."""
        return await self.astore(account_id, manual_product(fields))

    def create_from_extracted(
        self, account_id: int, extracted: Product, manual: ManualFields
    ) -> ProductRecord:
        """Store an extracted product merged with the hand-entered fields (see :func:`merge_manual`)."""
        return self.store(account_id, merge_manual(extracted, manual))

    async def acreate_from_extracted(
        self, account_id: int, extracted: Product, manual: ManualFields
    ) -> ProductRecord:
        """:meth:`create_from_extracted` for async code (grouped commit)."""
        return await self.astore(account_id, merge_manual(extracted, manual))

    async def astore(self, account_id: int, product: Product, product_id: str | None = None) -> ProductRecord:
        """:meth:`store` for async code: concurrent stores share one transaction. ``product_id``:
        an id drawn beforehand with :func:`new_product_id` (media are linked to it first)."""
        return await self._inserter.insert(product_id or new_product_id(), account_id, product)

    def store(self, account_id: int, product: Product) -> ProductRecord:
        """Store ``product`` as a new product of the account, under a fresh id."""
        with self._database.write_single() as conn:
            return repo.insert_product(
                conn, product_id=new_product_id(), account_id=account_id, product=product, now=utcnow()
            )

    def update(self, account_id: int, product_id: str, fields: ManualFields) -> ProductRecord:
        """Replace the given fields of the account's product (media is replaced as a whole; a
        stored copy given back by its URL alone keeps its details and its file)."""
        _check_id(product_id)
        if fields.name is not None and not fields.name.strip():
            raise InvalidParameter("name: must not be blank.", field="name")
        given = fields.given()
        with self._database.write() as conn:
            current = repo.get_product(conn, account_id, product_id, lock=True)
            if current is None:
                raise RecordNotFound(_not_found(product_id))
            if not given:
                return current
            source = dict(current.product.source)
            values: dict[str, object] = {}
            kept_keys: set[str] = set()
            for name, value in given.items():
                if name == "media":
                    assert isinstance(value, list)
                    media = with_stored_details(value, current.product.media)
                    kept_keys = {key for key in map(key_of, media) if key}
                    values["media"] = [media_to_json(m) for m in media]
                else:
                    values[name] = value
                if value in ("", []):
                    source.pop(name, None)
                else:
                    source[name] = MANUAL_SOURCE
            values["source"] = source
            updated = repo.update_product(conn, account_id, product_id, values, utcnow())
        if updated is None:
            raise RecordNotFound(_not_found(product_id))
        if self.library is not None and fields.media is not None:
            self.library.release(product_id, kept_keys)
        return updated

    def get(self, account_id: int, product_id: str) -> ProductRecord:
        """The account's product; :class:`RecordNotFound` when absent or owned by another account."""
        _check_id(product_id)
        with self._database.read() as conn:
            product = repo.get_product(conn, account_id, product_id)
        if product is None:
            raise RecordNotFound(_not_found(product_id))
        return product

    def page(self, account_id: int, *, page: int, page_size: int) -> tuple[list[ProductRecord], int]:
        """One page (1-based) of the account's products, newest first, and the total count."""
        with self._database.read() as conn:
            total = repo.count_products(conn, account_id)
            items = (
                repo.list_products(conn, account_id, limit=page_size, offset=(page - 1) * page_size)
                if (page - 1) * page_size < total
                else []
            )
        return items, total

    def delete(self, account_id: int, product_id: str) -> None:
        """Delete the account's product; :class:`RecordNotFound` when absent."""
        _check_id(product_id)
        with self._database.write() as conn:
            if not repo.delete_product(conn, account_id, product_id):
                raise RecordNotFound(_not_found(product_id))
        if self.library is not None:
            self.library.release(product_id)


def _check_id(product_id: str) -> None:
    """Answer "not found" at once for a string that cannot be a product id (no query needed)."""
    if not PRODUCT_ID_PATTERN.fullmatch(product_id):
        raise RecordNotFound(_not_found(product_id))


def _not_found(product_id: str) -> str:
    if not PRODUCT_ID_PATTERN.fullmatch(product_id):
        return "Product not found."
    return f"Product {product_id!r} not found."
