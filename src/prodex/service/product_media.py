"""Products entered or edited by hand whose media prodex is asked to store (``store_media``):
the same media step as a create from a URL (see :mod:`prodex.media.service`)."""

from __future__ import annotations

from dataclasses import replace

from prodex.media.keys import key_of, with_stored_details
from prodex.media.service import MediaService
from prodex.service.products import ManualFields, Products, manual_product, new_product_id
from prodex.store.db import Database
from prodex.store.records import ProductRecord


async def create_manual_with_media(
    products: Products, media: MediaService, account_id: int, fields: ManualFields, base_url: str
) -> ProductRecord:
    """Create a product entered by hand, its media fetched, checked and stored first."""
    product = manual_product(fields)
    prepared = await media.prepare(product.media, base_url)
    product = product.model_copy(update={"media": prepared.media})
    product_id = new_product_id()
    return await media.store_product(
        product_id, prepared, lambda: products.astore(account_id, product, product_id)
    )


async def update_with_media(
    products: Products,
    media: MediaService,
    database: Database,
    account_id: int,
    product_id: str,
    fields: ManualFields,
    base_url: str,
) -> ProductRecord:
    """Update a product, the new media fetched, checked and stored first (media the product
    already has as stored copies are kept as they are, without fetching them again)."""
    if fields.media is None:
        return await database.run(products.update, account_id, product_id, fields)
    current = await database.run(products.get, account_id, product_id)
    given = with_stored_details(fields.media, current.product.media)
    known = {item.url: item for item in given if key_of(item)}
    prepared = await media.prepare(given, base_url, known)
    stored_fields = replace(fields, media=prepared.media)
    return await media.store_product(
        product_id,
        prepared,
        lambda: database.run(products.update, account_id, product_id, stored_fields),
    )
