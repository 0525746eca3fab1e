"""``/v2/endpoint``, ``/v2/endpoints`` and ``/v2/events``: JoggAI's webhook endpoint calls, and
``/v2/endpoint/{endpoint_id}/deliveries`` (an addition): what was sent and every attempt."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request

from prodex.api.deps import API_KEY_SECURITY, CallerDep, PageQuery, current_caller, json_body, parse_body
from prodex.api.envelope import EnvelopeResponse, ok
from prodex.api.routes.docs import error_responses
from prodex.api.schemas import MAX_PAGE_SIZE, Envelope
from prodex.api.webhook_schemas import (
    DeletedEndpoint,
    DeliveryPage,
    EndpointCreate,
    EndpointInfo,
    EndpointList,
    EndpointUpdate,
    EventList,
    delivery_info,
    endpoint_info,
)
from prodex.webhooks.events import EVENTS

router = APIRouter(tags=["Webhook"])

EndpointIdPath = Annotated[str, Path(min_length=1, max_length=64, description="Webhook endpoint id.")]


@router.post(
    "/v2/endpoint",
    summary="Add Webhook Endpoint",
    response_model=Envelope[EndpointInfo],
    responses=error_responses(400, 413),
    openapi_extra=API_KEY_SECURITY | json_body(EndpointCreate),
)
async def add_endpoint(request: Request) -> EnvelopeResponse:
    """Add an endpoint that receives the subscribed events; the answer carries the generated
    ``secret`` that signs every delivery. At most 20 endpoints per account (40000 beyond)."""
    caller = await current_caller(request)
    body = await parse_body(request, EndpointCreate)
    services = caller.services
    endpoint = await services.database.run(
        services.webhooks.create, caller.account_id, url=body.url, events=body.events, status=body.status
    )
    return ok(endpoint_info(endpoint, caller.principal.account_name))


@router.get(
    "/v2/endpoints",
    summary="List Webhook Endpoints",
    response_model=Envelope[EndpointList],
    responses=error_responses(),
    openapi_extra=API_KEY_SECURITY,
)
async def list_endpoints(caller: CallerDep) -> EnvelopeResponse:
    """Every webhook endpoint of the account, oldest first."""
    services = caller.services
    endpoints = await services.database.run(services.webhooks.all, caller.account_id)
    name = caller.principal.account_name
    return ok({"endpoints": [endpoint_info(endpoint, name) for endpoint in endpoints]})


@router.put(
    "/v2/endpoint/{endpoint_id}",
    summary="Update Webhook Endpoint",
    response_model=Envelope[EndpointInfo],
    responses=error_responses(400, 404, 413),
    openapi_extra=API_KEY_SECURITY | json_body(EndpointUpdate),
)
async def update_endpoint(
    endpoint_id: EndpointIdPath, caller: CallerDep, request: Request
) -> EnvelopeResponse:
    """Change the URL, status or events of an endpoint (the secret stays); takes effect at once:
    a disabled endpoint's pending deliveries are cancelled when their next attempt is due."""
    body = await parse_body(request, EndpointUpdate)
    services = caller.services
    endpoint = await services.database.run(
        services.webhooks.update, caller.account_id, endpoint_id, body.changes()
    )
    return ok(endpoint_info(endpoint, caller.principal.account_name))


@router.delete(
    "/v2/endpoint/{endpoint_id}",
    summary="Delete Webhook Endpoint",
    response_model=Envelope[DeletedEndpoint],
    responses=error_responses(400, 404),
    openapi_extra=API_KEY_SECURITY,
)
async def delete_endpoint(endpoint_id: EndpointIdPath, caller: CallerDep) -> EnvelopeResponse:
    """Delete an endpoint with its deliveries (attempts still due are dropped)."""
    services = caller.services
    await services.database.run(services.webhooks.delete, caller.account_id, endpoint_id)
    return ok({"endpoint_id": endpoint_id})


@router.get(
    "/v2/endpoint/{endpoint_id}/deliveries",
    summary="List Webhook Deliveries (addition)",
    response_model=Envelope[DeliveryPage],
    responses=error_responses(400, 404),
    openapi_extra=API_KEY_SECURITY,
)
async def list_deliveries(
    endpoint_id: EndpointIdPath,
    caller: CallerDep,
    page: PageQuery = 1,
    page_size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE, description="Deliveries per page.")] = 20,
) -> EnvelopeResponse:
    """The endpoint's deliveries, newest first, each with its status and every attempt."""
    services = caller.services
    items, total = await services.database.run(
        services.webhooks.deliveries, caller.account_id, endpoint_id, page=page, page_size=page_size
    )
    return ok(
        {
            "deliveries": [delivery_info(item) for item in items],
            "total": total,
            "page": page,
            "page_size": page_size,
        }
    )


@router.get(
    "/v2/events",
    summary="List Webhook Events",
    response_model=Envelope[EventList],
    responses=error_responses(),
    openapi_extra=API_KEY_SECURITY,
)
async def list_events(caller: CallerDep) -> EnvelopeResponse:
    """The events an endpoint may subscribe to (prodex's product events)."""
    return ok({"events": list(EVENTS)})
