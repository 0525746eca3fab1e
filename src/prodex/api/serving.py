"""How ``prodex serve`` runs the app under uvicorn: the options, the protocol and the wrappers.

One place for what the CLI, the benchmarks and the tests' live servers share: uvicorn's httptools
protocol guarded by :mod:`prodex.api.http_guard` (request head limits, read deadlines, connection
limit with eviction), its keep-alive timeout, and the app wrapped in
:class:`~prodex.api.concurrency.ConcurrencyLimit` (requests served at once). uvicorn's own
``limit_concurrency`` is not used: it counts connections too, so idle and half-open connections
would turn new requests away.
"""

from __future__ import annotations

from typing import Any

from starlette.types import ASGIApp

from prodex.api.concurrency import ConcurrencyLimit
from prodex.api.http_guard import GuardedHttpToolsProtocol, guarded_protocol, http_limits
from prodex.settings import Settings, get_settings


def uvicorn_options(settings: Settings, *, in_process: bool = True) -> dict[str, Any]:
    """uvicorn ``Config`` options for serving prodex with ``settings``.

    ``in_process=False`` is for server processes that uvicorn spawns (``--workers``): they get
    the protocol class that reads its limits from the environment's settings.
    """
    protocol = guarded_protocol(http_limits(settings)) if in_process else GuardedHttpToolsProtocol
    return {
        "log_config": None,
        "access_log": False,
        "server_header": False,
        "limit_concurrency": None,
        "timeout_keep_alive": settings.http_keep_alive_timeout,
        "http": protocol,
    }


def server_app(app: ASGIApp, settings: Settings) -> ASGIApp:
    """``app`` bounded to ``PRODEX_HTTP_MAX_CONCURRENT_REQUESTS`` requests at once."""
    return ConcurrencyLimit(app, settings.http_max_concurrent_requests)


def create_server_app() -> ASGIApp:
    """The factory of server processes spawned by uvicorn: prodex's app from the environment."""
    from prodex.api.app import create_app

    settings = get_settings()
    return server_app(create_app(settings), settings)
