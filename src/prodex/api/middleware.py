"""The request-context middleware (pure ASGI, outermost): request id, metrics, access log, and
the last-resort 50000 answer for unexpected errors.

- Request id: the client's ``X-Request-ID`` when it is a sane token (1-64 of ``A-Za-z0-9._:-``),
  otherwise a new random one; set in :data:`prodex.api.logs.request_id_var`, returned in the
  ``X-Request-ID`` header and, by :class:`~prodex.api.envelope.EnvelopeResponse`, as ``rid``.
- Request bodies are bounded (``PRODEX_API_MAX_BODY_BYTES``; ``body_limits`` by path, such as
  ``PRODEX_IMPORT_MAX_BODY_BYTES`` for an import's URL list): a larger ``Content-Length`` is
  refused with 40000/413 before the app runs, a longer streamed body fails with the same answer.
- Rate-limit headers that the auth dependency left in ``scope["state"]`` are added to the response.
- ``POST``/``PUT /v2/product`` go straight to their endpoints (:mod:`prodex.api.direct`).
- Every request is counted in :class:`~prodex.api.metrics.HttpMetrics` under its route template
  (``/v2/product/{product_id}``, or ``unmatched``) and logged once on ``prodex.access``.
"""

from __future__ import annotations

import logging
import random
import re
import time
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from prodex.api.direct import DirectRoutes
from prodex.api.envelope import BUSINESS_CODE_KEY
from prodex.api.errors import http_error_response, internal_error_response
from prodex.api.logs import request_id_var
from prodex.api.metrics import HttpMetrics

REQUEST_ID_HEADER = "x-request-id"
#: ``scope["state"]`` keys shared with the rest of the API.
RATE_LIMIT_HEADERS_KEY = "prodex_ratelimit_headers"
ACCOUNT_ID_KEY = "prodex_account_id"

_BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_VALID_REQUEST_ID = re.compile(r"[A-Za-z0-9._:\-]{1,64}")
access_log = logging.getLogger("prodex.access")
error_log = logging.getLogger("prodex.api")


def request_id_from(scope: Scope) -> str:
    """The client's request id when it is acceptable, else a new random one."""
    for name, value in scope.get("headers", ()):
        if name == b"x-request-id":
            candidate: str = value.decode("latin-1")
            if _VALID_REQUEST_ID.fullmatch(candidate):
                return candidate
            break
    # 128 random bits from the interpreter's generator, without a system call per request:
    # a request id must be unique, not unpredictable (it grants nothing).
    return f"{random.getrandbits(128):032x}"


def declared_length(scope: Scope) -> int:
    """The request's ``Content-Length`` (0 when absent or not a number)."""
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return 0
    return 0


#: Framework pages that have no API route object but a fixed path (bounded label values).
FIXED_PATHS = frozenset({"/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc"})


def route_template(scope: Scope) -> str:
    """The path template of the route that served the request, or ``unmatched``."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    if isinstance(path, str):
        return path
    raw: str = scope.get("path", "")
    return raw if raw in FIXED_PATHS else "unmatched"


class RequestContextMiddleware:
    """Wraps every HTTP request: request id, rate-limit headers, metrics, access log, 500 guard."""

    def __init__(
        self,
        app: ASGIApp,
        metrics: HttpMetrics,
        max_body_bytes: int,
        direct_routes: DirectRoutes | None = None,
        body_limits: dict[str, int] | None = None,
    ) -> None:
        self.app = app
        self.metrics = metrics
        self.max_body_bytes = max_body_bytes
        self.body_limits = body_limits or {}
        self.direct_routes = direct_routes or DirectRoutes()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve one ASGI request (other scope types pass straight through)."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started_at = time.perf_counter()
        request_id = request_id_from(scope)
        token = request_id_var.set(request_id)
        state: dict[str, Any] = scope.setdefault("state", {})
        response_status = 500
        response_started = False

        async def send_with_context(message: Message) -> None:
            nonlocal response_status, response_started
            if message["type"] == "http.response.start":
                response_started = True
                response_status = message["status"]
                headers = list(message.get("headers", ()))
                headers.append((b"x-request-id", request_id.encode()))
                headers.extend(state.get(RATE_LIMIT_HEADERS_KEY, ()))
                message = {**message, "headers": headers}
            await send(message)

        body_bytes = 0
        body_limit = self.body_limits.get(scope["path"], self.max_body_bytes)

        async def receive_bounded() -> Message:
            nonlocal body_bytes
            message = await receive()
            if message["type"] == "http.request":
                body_bytes += len(message.get("body", b""))
                if body_bytes > body_limit:
                    raise HTTPException(status_code=413)
            return message

        try:
            if scope["method"] not in _BODY_METHODS:
                await self.app(scope, receive, send_with_context)
            elif declared_length(scope) > body_limit:
                await http_error_response(HTTPException(status_code=413))(scope, receive, send_with_context)
            else:
                target: ASGIApp = self.direct_routes.match(scope) or self.app
                await target(scope, receive_bounded, send_with_context)
        except ClientDisconnect:
            # The client went away (or was cut off by a read deadline) before its body arrived:
            # nobody is left to answer.
            response_status = 499
        except Exception:
            error_log.exception(
                "unhandled error while serving %s %s", scope.get("method"), route_template(scope)
            )
            if response_started:
                raise
            await internal_error_response()(scope, receive, send_with_context)
        finally:
            elapsed = time.perf_counter() - started_at
            route = route_template(scope)
            code = state.get(BUSINESS_CODE_KEY)
            method = scope.get("method", "")
            self.metrics.observe(method, route, response_status, code, elapsed)
            access_log.info(
                "request",
                extra={
                    "fields": {
                        "method": method,
                        "route": route,
                        "path": scope.get("path", ""),
                        "status": response_status,
                        "code": code,
                        "ms": round(elapsed * 1000, 3),
                        "account_id": state.get(ACCOUNT_ID_KEY),
                    }
                },
            )
            request_id_var.reset(token)
