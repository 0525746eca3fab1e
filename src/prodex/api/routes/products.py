"""``/v2/product`` and ``/v2/products``: create (by hand; URL analysis plugs in), update, read,
list and delete products of the calling account."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request

from prodex.api.deps import (
    API_KEY_SECURITY,
    CallerDep,
    PageQuery,
    current_caller,
    json_body,
    media_base_url,
    parse_body,
    url_analyzer_of,
    webhook_events_of,
)
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
from prodex.errors import AnalysisUnavailable, ExtractionUnavailable, FetchError
from prodex.service.product_media import create_manual_with_media, update_with_media
from prodex.webhooks.events import PRODUCT_CREATED, PRODUCT_FAILED

router = APIRouter(tags=["Product"])

ProductIdPath = Annotated[
    str, Path(min_length=1, max_length=MAX_PRODUCT_ID_LENGTH, description="Product id.")
]
NO_URL_ANALYSIS = (
    "URL analysis is switched off on this server; create the product by hand with name, "
    "description, target_audience and media instead."
)


@router.post(
    "/v2/product",
    summary="Create Product V2",
    response_model=Envelope[ProductInfo],
    responses=error_responses(400, 402, 413),
    openapi_extra=API_KEY_SECURITY | json_body(ProductCreate),
)
async def create_product(request: Request) -> EnvelopeResponse:
    """Create a product from a product page ``url``, or by hand (``name`` required without ``url``).

    With ``url``, the page is fetched and analysed (one analysis costs the plan's credits,
    refunded when it fails); hand-entered fields win over extracted ones. When URL analysis is
    switched off (PRODEX_URL_ANALYSIS=false), a request with ``url`` answers 40000 and nothing
    is charged. With a media store (PRODEX_MEDIA_STORE, on by default), the media of a URL
    create, and of a manual create with ``store_media``, are fetched, checked and stored; the
    answer's ``media_dropped`` lists what was not kept.
    """
    caller = await current_caller(request)
    body = await parse_body(request, ProductCreate)
    url = body.url or ""
    if url:
        url_analyzer = url_analyzer_of(request)
        if url_analyzer is None:
            raise AnalysisUnavailable(NO_URL_ANALYSIS)
        events = webhook_events_of(request)
        try:
            record = await url_analyzer(
                request=request,
                principal=caller.principal,
                url=url,
                manual=body.manual_fields(),
                render=body.render,
                media_base_url=media_base_url(request),
            )
        except (FetchError, ExtractionUnavailable) as exc:  # the page could not become a product
            if events is not None:
                failure = {"url": url, "code": exc.code, "msg": exc.msg}
                await events.emit(caller.account_id, PRODUCT_FAILED, failure)
            raise
        info = product_info(record)
        if events is not None:
            await events.emit(caller.account_id, PRODUCT_CREATED, info)
        return ok(info)
    if body.store_media and caller.services.media is not None:
        record = await create_manual_with_media(
            caller.services.products,
            caller.services.media,
            caller.account_id,
            body.manual_fields(),
            media_base_url(request),
        )
    else:
        record = await caller.services.products.acreate_manual(caller.account_id, body.manual_fields())
    return ok(product_info(record))


@router.put(
    "/v2/product",
    summary="Update Product V2",
    response_model=Envelope[ProductInfo],
    responses=error_responses(400, 404, 413),
    openapi_extra=API_KEY_SECURITY | json_body(ProductUpdate),
)
async def update_product(request: Request) -> EnvelopeResponse:
    """Replace the given fields (name, description, target_audience, media) of a product.

    With ``store_media`` and a media store, new media are fetched, checked and stored (see
    ``POST /v2/product``); media the product no longer uses are released either way.
    """
    caller = await current_caller(request)
    body = await parse_body(request, ProductUpdate)
    services = caller.services
    if body.store_media and services.media is not None:
        record = await update_with_media(
            services.products,
            services.media,
            services.database,
            caller.account_id,
            body.product_id,
            body.manual_fields(),
            media_base_url(request),
        )
    else:
        record = await services.database.run(
            services.products.update, caller.account_id, body.product_id, body.manual_fields()
        )
    return ok(product_info(record))


@router.get(
    "/v2/product/{product_id}",
    summary="Get Product (addition)",
    response_model=Envelope[ProductInfo],
    responses=error_responses(400, 404),
    openapi_extra=API_KEY_SECURITY,
)
async def get_product(product_id: ProductIdPath, caller: CallerDep) -> EnvelopeResponse:
    """One product of the calling account."""
    services = caller.services
    record = await services.database.run(services.products.get, caller.account_id, product_id)
    return ok(product_info(record))


@router.get(
    "/v2/products",
    summary="List Products (addition)",
    response_model=Envelope[ProductPage],
    responses=error_responses(400),
    openapi_extra=API_KEY_SECURITY,
)
async def list_products(
    caller: CallerDep,
    page: PageQuery = 1,
    page_size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE, description="Products per page.")] = 20,
) -> EnvelopeResponse:
    """The calling account's products, newest first, with the total count."""
    services = caller.services
    items, total = await services.database.run(
        services.products.page, caller.account_id, page=page, page_size=page_size
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
    openapi_extra=API_KEY_SECURITY,
)
async def delete_product(product_id: ProductIdPath, caller: CallerDep) -> EnvelopeResponse:
    """Delete one product of the calling account."""
    services = caller.services
    await services.database.run(services.products.delete, caller.account_id, product_id)
    return ok({"product_id": product_id})
