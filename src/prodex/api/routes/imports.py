"""``/v2/products/import...`` (additions): import many product URLs, a sitemap or a whole store as
one job; read it with its items, list the account's imports, retry the failed items, cancel."""

from __future__ import annotations

from typing import Annotated, cast

from fastapi import APIRouter, Path, Query, Request

from prodex.api.deps import API_KEY_SECURITY, CallerDep, PageQuery, current_caller, json_body, parse_body
from prodex.api.envelope import EnvelopeResponse, ok
from prodex.api.import_schemas import (
    MAX_ITEMS_PAGE_SIZE,
    ImportCreate,
    ImportInfo,
    ImportPage,
    ItemStatus,
    import_info,
)
from prodex.api.routes.docs import error_responses
from prodex.api.schemas import MAX_PAGE_SIZE, Envelope
from prodex.errors import AnalysisUnavailable
from prodex.service.imports import NO_ANALYSIS_MSG, Imports

router = APIRouter(tags=["Product"])
JobIdPath = Annotated[str, Path(min_length=1, max_length=32, description="Import id (job_id).")]


def imports_of(request: Request) -> Imports:
    """The app's import service; 40000 when URL analysis is off (nothing can be imported)."""
    imports = cast("Imports | None", getattr(request.app.state, "imports", None))
    if imports is None:
        raise AnalysisUnavailable(NO_ANALYSIS_MSG)
    return imports


@router.post(
    "/v2/products/import",
    summary="Import Products (addition)",
    response_model=Envelope[ImportInfo],
    responses=error_responses(400, 413),
    openapi_extra=API_KEY_SECURITY | json_body(ImportCreate),
)
async def create_import(request: Request) -> EnvelopeResponse:
    """Import ``urls``, the product pages of a ``sitemap_url`` or every product of a ``store_url``.

    Answers at once with ``job_id``, ``status`` and ``total``; each item is then analysed as
    ``POST /v2/product`` with its URL would be (credits charged when it starts, refunded when it
    fails or is cancelled; the plan's concurrent analyses; politeness per shop host).
    """
    caller = await current_caller(request)
    body = await parse_body(request, ImportCreate)
    view = await imports_of(request).create(caller.account_id, body.source())
    return ok(import_info(view))


@router.get(
    "/v2/products/import/{job_id}",
    summary="Get Import (addition)",
    response_model=Envelope[ImportInfo],
    responses=error_responses(400, 404),
    openapi_extra=API_KEY_SECURITY,
)
async def get_import(
    request: Request,
    job_id: JobIdPath,
    caller: CallerDep,
    page: PageQuery = 1,
    page_size: Annotated[int, Query(ge=1, le=MAX_ITEMS_PAGE_SIZE, description="Items per page.")] = 100,
    status: Annotated[ItemStatus | None, Query(description="Only items in this status.")] = None,
) -> EnvelopeResponse:
    """An import of the calling account: status, counts, and a page of its items in order."""
    view = await imports_of(request).get(
        caller.account_id, job_id, page=page, page_size=page_size, status=status
    )
    return ok(import_info(view, page=page, page_size=page_size))


@router.get(
    "/v2/products/imports",
    summary="List Imports (addition)",
    response_model=Envelope[ImportPage],
    responses=error_responses(400),
    openapi_extra=API_KEY_SECURITY,
)
async def list_imports(
    request: Request,
    caller: CallerDep,
    page: PageQuery = 1,
    page_size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE, description="Imports per page.")] = 20,
) -> EnvelopeResponse:
    """The calling account's imports, newest first, with their counts."""
    views, total = await imports_of(request).page(caller.account_id, page=page, page_size=page_size)
    return ok(
        {"imports": [import_info(v) for v in views], "total": total, "page": page, "page_size": page_size}
    )


@router.post(
    "/v2/products/import/{job_id}/retry",
    summary="Retry Failed Import Items (addition)",
    response_model=Envelope[ImportInfo],
    responses=error_responses(400, 404),
    openapi_extra=API_KEY_SECURITY,
)
async def retry_import(request: Request, job_id: JobIdPath, caller: CallerDep) -> EnvelopeResponse:
    """Queue the failed items of the import again (only those; each is charged when it starts)."""
    return ok(import_info(await imports_of(request).retry(caller.account_id, job_id)))


@router.delete(
    "/v2/products/import/{job_id}",
    summary="Cancel Import (addition)",
    response_model=Envelope[ImportInfo],
    responses=error_responses(400, 404),
    openapi_extra=API_KEY_SECURITY,
)
async def cancel_import(request: Request, job_id: JobIdPath, caller: CallerDep) -> EnvelopeResponse:
    """Cancel the items that have not started (items running finish; nothing is charged for the
    cancelled ones). A finished import is left as it is."""
    return ok(import_info(await imports_of(request).cancel(caller.account_id, job_id)))
