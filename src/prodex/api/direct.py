"""Direct routes: the body routes served straight from the request-context middleware.

``POST`` and ``PUT /v2/product`` take nothing from FastAPI but the request: they authenticate,
read and validate their JSON body themselves (:mod:`prodex.api.deps`). For them, the part of
FastAPI's per-request machinery inside the user middleware (route matching over every route,
the request/response wrapper, dependency solving, the exception and exit-stack middlewares)
adds only time: about a third of the server CPU of a product created by hand, measured with
``bench/bench_api.py`` (SQLite, server CPU per create: 195-209 us before, 134-140 us after).
FastAPI's outer middlewares (server errors, telemetry, body limit) still run, as for every
request. :class:`DirectRoutes` maps exactly those methods and paths to their endpoints;
:class:`~prodex.api.middleware.RequestContextMiddleware` sends a matching request there, and
turns the endpoint's errors into envelopes with the same function as the app's exception
handlers (:func:`~prodex.api.errors.handled_error_response`).

The routes stay registered with FastAPI, so the OpenAPI document and ``/docs`` describe them as
before, and whatever does not match exactly (another method, a trailing slash, an app mounted
under a ``root_path``) takes FastAPI's route as usual.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import APIRouter
from fastapi.routing import APIRoute
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from prodex.api.errors import handled_error_response

#: An endpoint that takes only the request and returns its response.
RequestEndpoint = Callable[[Request], Awaitable[Response]]


class DirectRoute:
    """One endpoint served directly, with the FastAPI route that documents it."""

    def __init__(self, route: APIRoute, endpoint: RequestEndpoint) -> None:
        self.route = route
        self.endpoint = endpoint

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve one request: the endpoint's response, or the envelope of its handled error."""
        # Metrics and logs label requests with the route template, as for a routed request.
        scope["route"] = self.route
        try:
            response = await self.endpoint(Request(scope, receive))
        except Exception as exc:
            handled = handled_error_response(exc)
            if handled is None:
                raise  # unexpected: the middleware logs it and answers 50000
            response = handled
        await response(scope, receive, send)


def _takes_only_the_request(route: APIRoute) -> bool:
    dependant = route.dependant
    return (
        not route.dependencies
        and not dependant.dependencies
        and dependant.request_param_name is not None
        and not (
            dependant.path_params
            or dependant.query_params
            or dependant.header_params
            or dependant.cookie_params
            or dependant.body_params
        )
    )


class DirectRoutes:
    """``(method, path) -> DirectRoute`` for the endpoints served past FastAPI's routing."""

    def __init__(self) -> None:
        self._routes: dict[tuple[str, str], DirectRoute] = {}

    def add(self, router: APIRouter, method: str, path: str) -> None:
        """Serve ``method path`` of ``router`` directly.

        The router must be included in the app without a prefix, and the endpoint must take only
        the request: a route with dependencies or parameters needs FastAPI to resolve them, and
        is refused here (``ValueError``) rather than served without them.
        """
        for route in router.routes:
            if isinstance(route, APIRoute) and route.path == path and method in (route.methods or ()):
                if not _takes_only_the_request(route):
                    raise ValueError(f"{method} {path} has dependencies or parameters: route it normally")
                self._routes[(method, path)] = DirectRoute(route, route.endpoint)
                return
        raise LookupError(f"no route {method} {path} in the router")

    def match(self, scope: Scope) -> DirectRoute | None:
        """The direct route for this HTTP request, or ``None`` (FastAPI routes it)."""
        if scope.get("root_path"):
            return None
        return self._routes.get((scope["method"], scope["path"]))
