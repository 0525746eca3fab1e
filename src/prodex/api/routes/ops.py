"""Operations endpoints: ``/healthz`` and ``/metrics`` (no API key; keep them on a trusted network)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import cast

from fastapi import APIRouter, Request
from starlette.responses import Response

from prodex.api.envelope import EnvelopeResponse
from prodex.api.metrics import HttpMetrics
from prodex.api.routes.docs import transport_responses
from prodex.api.schemas import Envelope, Health
from prodex.errors import Unhealthy
from prodex.fetch.render import render_health

router = APIRouter(tags=["Operations"])
log = logging.getLogger("prodex.health")

#: A health check: an async callable that raises when its component is unusable; it may return a
#: summary starting with ``ok`` (shown instead of ``ok``). :class:`~prodex.errors.Unhealthy`
#: carries a message safe to show; any other exception shows as ``error``.
HealthCheck = Callable[[], Awaitable[str | None]]


@router.get(
    "/healthz",
    summary="Health",
    response_model=Envelope[Health],
    responses={
        503: {"model": Envelope[Health], "description": "50000: a component is failing."},
        **transport_responses(),
    },
)
async def healthz(request: Request) -> EnvelopeResponse:
    """Check every component (the database, and any check in ``app.state.health_checks``).

    When rendering is enabled, ``render`` says ``available`` or ``unavailable: <reason>``
    (failing only with ``PRODEX_RENDER=always``); the renderer in ``app.state.renderer``, if any,
    also reports a Chromium that would not start.
    """
    checks = cast(dict[str, HealthCheck], request.app.state.health_checks)
    components: dict[str, str] = {}
    for name, check in checks.items():
        try:
            components[name] = await check() or "ok"
        except Unhealthy as exc:
            log.warning("health check %s failed: %s", name, exc)
            components[name] = f"error: {exc}"
        except Exception:
            log.exception("health check %s failed", name)
            components[name] = "error"
    healthy = all(value.startswith("ok") for value in components.values())
    render = render_health(request.app.state.settings, getattr(request.app.state, "renderer", None))
    if render is not None and "render" not in components:
        components["render"] = render.text
        healthy = healthy and not render.failing
    data = {"status": "ok" if healthy else "error", "components": components}
    if healthy:
        return EnvelopeResponse(data)
    return EnvelopeResponse(data, code=50000, msg="A component is failing.", status_code=503)


@router.get(
    "/metrics",
    summary="Prometheus metrics",
    response_class=Response,
    responses={
        200: {"content": {"text/plain": {"schema": {"type": "string"}}}, "description": "Metrics."},
        **transport_responses(),
    },
)
async def metrics(request: Request) -> Response:
    """Request counts by route, status and business code, and request latency, in Prometheus format."""
    registry = cast(HttpMetrics, request.app.state.metrics)
    return Response(registry.render(), media_type=HttpMetrics.content_type)
