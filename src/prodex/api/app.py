"""The app factory: :func:`create_app` builds the FastAPI application.

Shared objects live on ``app.state`` and are created in the lifespan (start-up/shut-down):
``settings``, ``metrics``, ``database``, ``accounts``, ``credits``, ``products``,
``authenticator``, ``rate_limiter``, ``slots`` (URL-analysis slots), ``services`` (all of these in
one :class:`~prodex.api.deps.Services`, what routes use), ``health_checks`` (name -> async check)
``url_analyzer`` (the URL flow, :class:`~prodex.service.analysis.UrlAnalysisService`; ``None`` when
PRODEX_URL_ANALYSIS is false), ``renderer`` (the Chromium renderer, when rendering is on),
``background`` (the job queue, its tasks and events: :mod:`prodex.service.background`; a worker
runs in the process unless PRODEX_JOBS_WORKER is false), and ``webhook_events``
(:class:`~prodex.webhooks.WebhookEvents`, the product events' emitter, from the background).
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

import anyio.to_thread
from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.telemetry import TelemetryConfig
from pydantic import BaseModel
from starlette.routing import Route

from prodex import __version__
from prodex.analysis.analyzer import Analyzer
from prodex.analysis.runtime import analysis_runtime, pool_health
from prodex.api.deps import API_KEY_SCHEME, Services
from prodex.api.direct import DirectRoutes
from prodex.api.errors import ROUTES_STATE_KEY, install_error_handlers
from prodex.api.import_schemas import ImportCreate
from prodex.api.logs import configure_logging
from prodex.api.metrics import HttpMetrics
from prodex.api.middleware import RequestContextMiddleware
from prodex.api.ratelimit import AccountRateLimiter, FailedAuthLimiter
from prodex.api.routes import apidocs, imports, media, ops, products, user, webhooks
from prodex.api.schemas import ProductCreate, ProductUpdate
from prodex.api.webhook_schemas import EndpointCreate, EndpointUpdate
from prodex.console import router as console_router
from prodex.fetch import Fetcher
from prodex.gc_tuning import long_running
from prodex.jobs import worker_options
from prodex.media.library import MediaLibrary
from prodex.media.service import MediaService
from prodex.media.stores import open_media_store
from prodex.service.accounts import Accounts
from prodex.service.analysis import UrlAnalysisService
from prodex.service.background import build_background
from prodex.service.credits import Credits
from prodex.service.imports import Imports
from prodex.service.keys import ApiKeyAuthenticator
from prodex.service.products import Products
from prodex.service.slots import AnalysisSlots
from prodex.service.webhooks import WebhookEndpoints
from prodex.settings import Settings, get_settings
from prodex.store.db import Database
from prodex.store.migrate import upgrade_database
from prodex.webhooks import WebhookEvents

DRAIN_SECONDS = 5.0
"""At shut-down, how long cancelled URL analyses may take to refund before the database closes."""
NO_OPENTELEMETRY: TelemetryConfig = {"tracing": False, "metrics": False, "logs": False}
DESCRIPTION = """
A self-hosted, JoggAI v2 compatible Product API. Authenticate with the `x-api-key` header.

Every response is `{"code", "msg", "data", "rid"}`; `code` 0 means success. Business codes:
10104 not found (404), 10105 invalid API key (401), 18020 insufficient credit (402), 18025 no
permission (403), 40000 parameter error (400; 413 for a too large body), 42900 rate limited (429),
42901 too many URL analyses at once (429), 50000 system error (500/502/504).
"""


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Open the database (migrating it), build the services; close them at shut-down."""
    settings: Settings = app.state.settings
    database = Database(settings.effective_database_url, pool_size=settings.db_pool_size)
    await anyio.to_thread.run_sync(upgrade_database, database)
    app.state.database = database
    app.state.accounts = Accounts(database, settings)
    app.state.credits = Credits(database)
    store = await anyio.to_thread.run_sync(open_media_store, settings)
    library = MediaLibrary(database, store) if store is not None else None
    app.state.products = Products(database, library)
    app.state.authenticator = ApiKeyAuthenticator(database, settings.api_auth_cache_seconds)
    app.state.rate_limiter = AccountRateLimiter(settings.rate_limit_storage, settings.rate_limit_key_prefix)
    app.state.slots = AnalysisSlots()
    app.state.services = Services(
        settings=settings,
        database=database,
        accounts=app.state.accounts,
        credits=app.state.credits,
        products=app.state.products,
        slots=app.state.slots,
        authenticator=app.state.authenticator,
        rate_limiter=app.state.rate_limiter,
        auth_failures=FailedAuthLimiter(app.state.rate_limiter, settings.api_auth_failures_per_minute),
        webhooks=WebhookEndpoints(database, settings),
    )
    app.state.media = None

    async def check_database() -> str | None:
        await database.run(database.ping)
        return None

    app.state.health_checks["database"] = check_database
    async with AsyncExitStack() as stack:
        stack.push_async_callback(database.adispose)
        fetcher: Fetcher | None = None
        analyzer: Analyzer | None = None
        if settings.url_analysis:
            runtime = await stack.enter_async_context(analysis_runtime(settings))
            analyzer = runtime.analyzer
            app.state.renderer = runtime.renderer
            app.state.health_checks["workers"] = pool_health(runtime.pool)
            fetcher = runtime.fetcher
        if library is not None:
            if fetcher is None:  # media of manual products only: a fetcher of their own
                fetcher = await stack.enter_async_context(Fetcher(settings))
            app.state.media = MediaService(settings, fetcher, library)
            await anyio.to_thread.run_sync(app.state.media.sweep)
            stack.push_async_callback(app.state.media.aclose)
            app.state.services = dataclasses.replace(app.state.services, media=app.state.media)
        if settings.url_analysis:
            app.state.url_analyzer = UrlAnalysisService(
                settings,
                runtime.analyzer,
                database,
                app.state.credits,
                app.state.products,
                app.state.slots,
                media=app.state.media,
            )
        background = build_background(
            settings,
            database,
            credits=app.state.credits,
            products=app.state.products,
            slots=app.state.slots,
            analyzer=analyzer,
            media=app.state.media,
        )
        app.state.background = background
        app.state.webhook_events = background.resources.get(WebhookEvents)
        queue = await background.open()
        stack.push_async_callback(background.aclose)
        if analyzer is not None:
            app.state.imports = Imports(
                settings, database, queue, background.import_runner, analyzer.fetcher.guard
            )
        if settings.jobs_worker:
            await stack.enter_async_context(background.worker(worker_options(settings), restart=True))
        # Everything built so far lives as long as the app (see prodex.gc_tuning: most young
        # collections found nothing to free, about 6 % of a product creation's instructions).
        try:
            with long_running():
                yield
        finally:
            if app.state.url_analyzer is not None:  # cut-off analyses refund before the database closes
                await app.state.url_analyzer.drain(DRAIN_SECONDS)


#: Request bodies parsed by :func:`prodex.api.deps.parse_body`, documented in the components.
REQUEST_BODIES: tuple[type[BaseModel], ...] = (
    ProductCreate,
    ProductUpdate,
    ImportCreate,
    EndpointCreate,
    EndpointUpdate,
)


def _openapi_without_422(app: FastAPI) -> Callable[[], dict[str, Any]]:
    """The app's OpenAPI builder: no automatic 422 responses (we answer 400), plus the request
    bodies and the ``apiKeyAuth`` scheme that the routes reference."""

    def build() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
                tags=app.openapi_tags,
            )
            for item in schema.get("paths", {}).values():
                for operation in item.values():
                    if isinstance(operation, dict):
                        operation.get("responses", {}).pop("422", None)
            components = schema.setdefault("components", {})
            schemas = components.setdefault("schemas", {})
            for unused in ("HTTPValidationError", "ValidationError"):
                schemas.pop(unused, None)
            for model in REQUEST_BODIES:
                body = model.model_json_schema(ref_template="#/components/schemas/{model}")
                schemas.update(body.pop("$defs", {}))
                schemas[model.__name__] = body
            components.setdefault("securitySchemes", {})["apiKeyAuth"] = API_KEY_SCHEME
            app.openapi_schema = schema
        return app.openapi_schema

    return build


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the API application for ``settings`` (default: from the environment)."""
    settings = settings or get_settings()
    configure_logging(settings.log_level, settings.log_json)
    metrics = HttpMetrics()
    app = FastAPI(
        title="prodex Product API",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        # A trailing-slash redirect carries the path only (prodex.api.errors.slash_redirect):
        # Starlette's would echo the client's Host header into Location.
        redirect_slashes=False,
        # /docs and /redoc come from prodex.api.routes.apidocs (local files, no CDN).
        docs_url=None,
        redoc_url=None,
        # prodex exports Prometheus metrics, not OpenTelemetry: skip FastAPI's per-request checks.
        telemetry=NO_OPENTELEMETRY,
        openapi_tags=[
            {"name": "Product", "description": "Product management operations"},
            {"name": "User", "description": "User account operations"},
            {"name": "Media", "description": "Stored copies of products' media (no API key)"},
            {"name": "Webhook", "description": "Webhook endpoint management for event notifications"},
            {"name": "Operations", "description": "Health and metrics"},
        ],
    )
    app.state.settings = settings
    app.state.metrics = metrics
    app.state.health_checks = {}
    app.state.url_analyzer = None
    app.state.imports = None
    app.state.webhook_events = None
    install_error_handlers(app)
    direct_routes = DirectRoutes()  # (products.router is included below without a prefix)
    for method in ("POST", "PUT"):
        direct_routes.add(products.router, method, "/v2/product")
    app.add_middleware(
        RequestContextMiddleware,
        metrics=metrics,
        max_body_bytes=settings.api_max_body_bytes,
        direct_routes=direct_routes,
        body_limits={"/v2/products/import": settings.import_max_body_bytes},
    )
    routers = (
        products.router,
        imports.router,
        user.router,
        webhooks.router,
        media.router,
        ops.router,
        apidocs.router,
        console_router,
    )
    for router in routers:
        app.include_router(router)
    # Every route, flat, for the Allow header and the trailing-slash redirect (prodex.api.errors).
    own = [route for router in routers for route in router.routes]
    setattr(app.state, ROUTES_STATE_KEY, [*own, *(r for r in app.router.routes if isinstance(r, Route))])
    app.openapi = _openapi_without_422(app)  # type: ignore[method-assign]
    return app
