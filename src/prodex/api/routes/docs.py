"""OpenAPI descriptions of the error responses, shared by the routers."""

from __future__ import annotations

from typing import Any

from prodex.api.schemas import Envelope, ErrorData

_RATE_HEADERS = {
    "Retry-After": {"description": "Seconds to wait before retrying.", "schema": {"type": "integer"}},
    "X-RateLimit-Limit": {"description": "Requests allowed per minute.", "schema": {"type": "integer"}},
    "X-RateLimit-Remaining": {"description": "Requests left in the window.", "schema": {"type": "integer"}},
    "X-RateLimit-Reset": {
        "description": "Epoch seconds when the window resets.",
        "schema": {"type": "integer"},
    },
}

_ERRORS: dict[int, dict[str, Any]] = {
    400: {"model": Envelope[ErrorData], "description": "40000: a parameter is missing or invalid."},
    401: {"model": Envelope[None], "description": "10105: missing or unknown x-api-key."},
    402: {"model": Envelope[None], "description": "18020: insufficient credit."},
    403: {"model": Envelope[None], "description": "18025: key revoked or API access disabled."},
    404: {"model": Envelope[None], "description": "10104: record not found (or another account's)."},
    413: {"model": Envelope[None], "description": "40000: request body too large."},
    414: {"model": Envelope[None], "description": "40000: request line (the path and query) too long."},
    431: {"model": Envelope[None], "description": "40000: request headers too large or too many."},
    429: {
        "model": Envelope[None],
        "description": "42900: rate limit exceeded; 42901: too many URL analyses at once.",
        "headers": _RATE_HEADERS,
    },
    500: {"model": Envelope[None], "description": "50000: system error."},
}


ALWAYS = (401, 403, 414, 429, 431, 500)
"""Statuses any call may get: authentication, the HTTP guard's request-head limits, rate
limits, system errors."""


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The ``responses=`` entries for the given error statuses (plus those of :data:`ALWAYS`)."""
    wanted = sorted({*statuses, *ALWAYS})
    return {status: _ERRORS[status] for status in wanted}


def public_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The error ``responses=`` of a route without an API key: ``statuses``, the request-head
    limits and system errors."""
    return {status: _ERRORS[status] for status in sorted({*statuses, 414, 431, 500})}


def transport_responses() -> dict[int | str, dict[str, Any]]:
    """The request-head limits any route may answer (for routes without an API key)."""
    return {status: _ERRORS[status] for status in (414, 431)}
