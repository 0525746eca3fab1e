"""Every error mapped to the envelope, in this one place.

======================================  ======  =====  ==========================================
What went wrong                          code    HTTP   notes
======================================  ======  =====  ==========================================
request field invalid or missing         40000   400    ``msg`` = "<field>: <problem>", ``data.field``
                                                        and ``data.errors`` list every problem
body not JSON / not an object            40000   400    field ``body``
body larger than PRODEX_API_MAX_BODY..   40000   413
method not allowed on a path             40000   405    ``Allow`` lists every method of the path
``url`` given (no URL analysis yet)      40000   400    :class:`~prodex.errors.AnalysisUnavailable`
missing or unknown ``x-api-key``         10105   401    :class:`~prodex.errors.InvalidApiKey`
revoked key, account without API access  18025   403    :class:`~prodex.errors.NoPermission`
not enough credits                       18020   402    :class:`~prodex.errors.InsufficientCredit`
product absent or another account's      10104   404    :class:`~prodex.errors.RecordNotFound`
no such endpoint                         10104   404
plan's requests per minute exceeded      42900   429    ``Retry-After``, ``X-RateLimit-*``
too many URL analyses at once            42901   429    ``Retry-After``
any :class:`~prodex.errors.ProdexError`  its     its    its ``code``/``status``/``msg`` (see errors.py)
anything unexpected                      50000   500    generic message; details only in the log
======================================  ======  =====  ==========================================

No response ever carries a stack trace, an exception text of an unexpected error or an internal
address. The last row is produced by :class:`prodex.api.middleware.RequestContextMiddleware`.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Match

from prodex.api.envelope import EnvelopeResponse
from prodex.errors import InvalidParameter, ProdexError, RateLimited, RecordNotFound

log = logging.getLogger("prodex.api.errors")

_MAX_REPORTED_ERRORS = 20
INTERNAL_ERROR = ProdexError()


def error_response(exc: ProdexError, headers: dict[str, str] | None = None) -> EnvelopeResponse:
    """The envelope for a prodex error: its code, HTTP status and client-safe message."""
    data: dict[str, Any] | None = None
    all_headers = dict(headers or {})
    if isinstance(exc, InvalidParameter) and exc.field:
        data = {"field": exc.field, "errors": [{"field": exc.field, "msg": exc.msg}]}
    if isinstance(exc, RateLimited):
        all_headers["Retry-After"] = str(exc.retry_after)
    return EnvelopeResponse(data, code=exc.code, msg=exc.msg, status_code=exc.status, headers=all_headers)


def internal_error_response() -> EnvelopeResponse:
    """The 50000/500 envelope for an unexpected error (nothing internal in it)."""
    return error_response(INTERNAL_ERROR)


def field_name(loc: tuple[Any, ...] | list[Any]) -> str:
    """A pydantic error location as a field path: ``("body", "media", 0, "url")`` -> ``media[0].url``."""
    parts = list(loc)
    if parts and parts[0] in ("body", "query", "path", "header", "cookie") and len(parts) > 1:
        parts = parts[1:]
    name = ""
    for part in parts:
        if isinstance(part, int):
            name += f"[{part}]"
        else:
            name += f".{part}" if name else str(part)
    return name or "body"


def _problem(error: dict[str, Any]) -> str:
    kind = error.get("type", "")
    if kind == "json_invalid":
        detail = (error.get("ctx") or {}).get("error", "")
        position = [part for part in error.get("loc", ()) if isinstance(part, int)]
        where = f" at character {position[0]}" if position else ""
        return f"invalid JSON{where} ({detail})" if detail else f"invalid JSON{where}"
    if kind == "missing":
        return "field required"
    msg = str(error.get("msg", "invalid value"))
    return msg.removeprefix("Value error, ")


def validation_error_response(exc: RequestValidationError) -> EnvelopeResponse:
    """40000/400 naming every invalid field and what is wrong with it (never FastAPI's 422)."""
    errors = [
        {
            "field": "body" if error.get("type") == "json_invalid" else field_name(error.get("loc", ())),
            "msg": _problem(error),
        }
        for error in exc.errors()[:_MAX_REPORTED_ERRORS]
    ]
    if not errors:
        errors = [{"field": "body", "msg": "invalid request"}]
    first = errors[0]
    msg = f"{first['field']}: {first['msg']}"
    if len(errors) > 1:
        msg += f" (and {len(errors) - 1} more problem(s), see data.errors)"
    return EnvelopeResponse(
        {"field": first["field"], "errors": errors}, code=InvalidParameter.code, msg=msg, status_code=400
    )


def http_error_response(exc: StarletteHTTPException) -> EnvelopeResponse:
    """The envelope for a framework HTTP error (unknown path, wrong method, body too large)."""
    status = exc.status_code
    headers = dict(exc.headers or {})
    if status == 404:
        return EnvelopeResponse(
            None, code=RecordNotFound.code, msg="Not found: no such endpoint.", status_code=404
        )
    if status == 405:
        return EnvelopeResponse(
            None,
            code=InvalidParameter.code,
            msg="Method not allowed on this path.",
            status_code=405,
            headers=headers,
        )
    if status == 413:
        return EnvelopeResponse(
            None, code=InvalidParameter.code, msg="Request body too large.", status_code=413
        )
    if status < 500:
        return EnvelopeResponse(
            None, code=InvalidParameter.code, msg=str(exc.detail)[:200], status_code=status
        )
    return internal_error_response()


def handled_error_response(exc: Exception) -> Response | None:
    """The envelope for an error the API answers on purpose (a prodex error, invalid input, a
    framework HTTP error), or ``None`` for an unexpected one (the middleware answers 50000)."""
    if isinstance(exc, ProdexError):
        if exc.status >= 500:
            log.warning("request failed: %s", exc.msg, exc_info=type(exc) is ProdexError)
        return error_response(exc)
    if isinstance(exc, RequestValidationError):
        return validation_error_response(exc)
    if isinstance(exc, StarletteHTTPException):
        return http_error_response(exc)
    return None


#: ``app.state`` key of every route of the app, flat (set by :func:`prodex.api.app.create_app`).
ROUTES_STATE_KEY = "flat_routes"


def _routes(request: Request) -> list[BaseRoute]:
    """The app's routes, flat: FastAPI nests the routes of included routers."""
    routes: list[BaseRoute] = getattr(request.app.state, ROUTES_STATE_KEY, None) or request.app.router.routes
    return routes


def slash_redirect(request: Request) -> Response | None:
    """A 307 to the same path with its trailing slash toggled, when a route has that path.

    Starlette's own redirect (``redirect_slashes``) builds an absolute URL from the client's
    ``Host`` header; this one sends the path alone (``Location: /v2/product``), so the client's
    ``Host`` never comes back in a header (the app is built with ``redirect_slashes=False``).
    """
    path: str = request.scope.get("path", "")
    if path in ("", "/"):
        return None
    toggled = path.rstrip("/") if path.endswith("/") else path + "/"
    probe = {**request.scope, "path": toggled}
    if not any(route.matches(probe)[0] != Match.NONE for route in _routes(request)):
        return None
    location = "/" + (request.scope.get("root_path", "") + toggled).lstrip("/")
    query = request.scope.get("query_string", b"")
    if query:
        location += "?" + query.decode("latin-1")
    return RedirectResponse(location, status_code=307)


def allowed_methods(request: Request) -> str:
    """Every method some route serves on the request's path, for ``Allow`` (Starlette names only
    the methods of the first route matching the path: ``POST`` for ``/v2/product``, without ``PUT``)."""
    methods: set[str] = set()
    for route in _routes(request):
        if route.matches(request.scope)[0] != Match.NONE:
            methods.update(getattr(route, "methods", None) or ())
    return ", ".join(sorted(methods))


async def _on_handled_error(request: Request, exc: Exception) -> Response:
    if isinstance(exc, StarletteHTTPException) and exc.status_code == 404:
        redirect = slash_redirect(request)
        if redirect is not None:
            return redirect
    if isinstance(exc, StarletteHTTPException) and exc.status_code == 405:
        allow = allowed_methods(request)
        if allow:
            exc = StarletteHTTPException(405, headers={**(exc.headers or {}), "Allow": allow})
    response = handled_error_response(exc)
    assert response is not None, "registered only for the error types handled_error_response maps"
    return response


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers that turn prodex, validation and HTTP errors into envelopes."""
    for error_type in (ProdexError, RequestValidationError, StarletteHTTPException):
        app.add_exception_handler(error_type, _on_handled_error)
