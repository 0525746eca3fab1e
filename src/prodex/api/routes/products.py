"""``/v2/product`` and ``/v2/products``: create (by hand; URL analysis plugs in), update, read,
list and delete products of the calling account."""

from __future__ import annotations

from typing import Annotated

import anyio.to_thread
from fastapi import APIRouter, Path, Query, Request

from prodex.api.deps import PrincipalDep, ProductsDep, UrlAnalyzerDep
from prodex.api.envelope import EnvelopeResponse, ok
from prodex.api.routes.docs import error_responses
from prodex.api.schemas import (
    MAX_PAGE_SIZE,
    MAX_PRODUCT_ID_LENGTH,
    DeletedProduct,
    Envelope,
    ProductCreate,
    ProductInfo,
    ProductPage,
    ProductUpdate,
    product_info,
)
from prodex.errors import AnalysisUnavailable

router = APIRouter(tags=["Product"])

ProductIdPath = Annotated[
    str, Path(min_length=1, max_length=MAX_PRODUCT_ID_LENGTH, description="Product id.")
]
NO_URL_ANALYSIS = (
    "URL analysis is not available in this build; create the product by hand with name, "
    "description, target_audience and media instead."
)


@router.post(
    "/v2/product",
    summary="Create Product V2",
    response_model=Envelope[ProductInfo],
    responses=error_responses(400, 402, 413),
)
async def create_product(
    body: ProductCreate,
    request: Request,
    principal: PrincipalDep,
    products: ProductsDep,
    url_analyzer: UrlAnalyzerDep,
) -> EnvelopeResponse:
    """Create a product from a product page ``url``, or by hand (``name`` required without ``url``).

    Hand-entered fields win over extracted ones. Without URL analysis in this build, a request
    with ``url`` answers 40000 and nothing is charged.
    """
    url = (body.url or "").strip()
    if url:
        if url_analyzer is None:
            raise AnalysisUnavailable(NO_URL_ANALYSIS)
        record = await url_analyzer(
            request=request, principal=principal, url=url, manual=body.manual_fields()
        )
    else:
        record = await anyio.to_thread.run_sync(
            products.create_manual, principal.account_id, body.manual_fields()
        )
    return ok(product_info(record))


@router.put(
    "/v2/product",
    summary="Update Product V2",
    response_model=Envelope[ProductInfo],
    responses=error_responses(400, 404, 413),
)
async def update_product(
    body: ProductUpdate, principal: PrincipalDep, products: ProductsDep
) -> EnvelopeResponse:
    """Replace the given fields (name, description, target_audience, media) of a product."""
    record = await anyio.to_thread.run_sync(
        products.update, principal.account_id, body.product_id, body.manual_fields()
    )
    return ok(product_info(record))


@router.get(
    "/v2/product/{product_id}",
    summary="Get Product (addition)",
    response_model=Envelope[ProductInfo],
    responses=error_responses(400, 404),
)
async def get_product(
    product_id: ProductIdPath, principal: PrincipalDep, products: ProductsDep
) -> EnvelopeResponse:
    """One product of the calling account."""
    record = await anyio.to_thread.run_sync(products.get, principal.account_id, product_id)
    return ok(product_info(record))


@router.get(
    "/v2/products",
    summary="List Products (addition)",
    response_model=Envelope[ProductPage],
    responses=error_responses(400),
)
async def list_products(
    principal: PrincipalDep,
    products: ProductsDep,
    page: Annotated[int, Query(ge=1, le=1_000_000, description="Page number, from 1.")] = 1,
    page_size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE, description="Products per page.")] = 20,
) -> EnvelopeResponse:
    """The calling account's products, newest first, with the total count."""
    items, total = await anyio.to_thread.run_sync(
        lambda: products.page(principal.account_id, page=page, page_size=page_size)
    )
    return ok(
        {
            "products": [product_info(item) for item in items],
            "total": total,
            "page": page,
            "page_size": page_size,
        }
    )


@router.delete(
    "/v2/product/{product_id}",
    summary="Delete Product (addition)",
    response_model=Envelope[DeletedProduct],
    responses=error_responses(400, 404),
)
async def delete_product(
    product_id: ProductIdPath, principal: PrincipalDep, products: ProductsDep
) -> EnvelopeResponse:
    """Delete one product of the calling account."""
    await anyio.to_thread.run_sync(products.delete, principal.account_id, product_id)
    return ok({"product_id": product_id})
