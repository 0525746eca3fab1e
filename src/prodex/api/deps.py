"""What the routes need from the app: the authenticated, rate-limited caller, the shared services,
the request body, and the URL-analysis seam.

Routes with path or query parameters take ONE dependency, :data:`CallerDep` (``Annotated``
alias, as in the FastAPI project template): FastAPI resolves it before it validates those
parameters, so a caller without a valid key learns nothing about them. It is ``async def`` and
reads the ``x-api-key`` header itself, because each extra FastAPI dependency, a plain ``def`` one
above all (run in the thread pool), costs time on every request. The body routes (``POST`` and
``PUT /v2/product``) have no such parameters and call ``await current_caller(request)`` first
thing instead: the same check in the same order, without FastAPI's dependency resolution (a
second level of it cost about 5 % of a product creation). The OpenAPI document declares the
``apiKeyAuth`` scheme on every route (:data:`API_KEY_SECURITY`). Bodies are read with
:func:`parse_body` (pydantic parses the raw JSON bytes in one pass) after authentication, so a
caller without a valid key learns nothing about the body rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Protocol, TypeVar, cast

from fastapi import Depends, Query, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError

from prodex.api.middleware import ACCOUNT_ID_KEY, RATE_LIMIT_HEADERS_KEY
from prodex.api.ratelimit import AccountRateLimiter, FailedAuthLimiter, RateLimitExceeded
from prodex.api.schemas import MAX_PAGE
from prodex.errors import InvalidApiKey
from prodex.media.service import MediaService
from prodex.service.accounts import Accounts
from prodex.service.credits import Credits
from prodex.service.keys import ApiKeyAuthenticator, Principal
from prodex.service.products import ManualFields, Products
from prodex.service.slots import AnalysisSlots
from prodex.service.webhooks import WebhookEndpoints
from prodex.settings import Settings
from prodex.store.db import Database
from prodex.store.records import ProductRecord
from prodex.webhooks.emitter import WebhookEvents

API_KEY_HEADER = "x-api-key"
#: The security scheme of the JoggAI contract, declared on every v2 route (``openapi_extra``).
API_KEY_SECURITY: dict[str, Any] = {"security": [{"apiKeyAuth": []}]}
API_KEY_SCHEME: dict[str, Any] = {
    "type": "apiKey",
    "in": "header",
    "name": API_KEY_HEADER,
    "description": "The API key of the account (`prodex accounts create` prints one).",
}

ModelT = TypeVar("ModelT", bound=BaseModel)

PageQuery = Annotated[int, Query(ge=1, le=MAX_PAGE, description="Page number, from 1.")]
"""The ``page`` query parameter of every paginated list (with its own ``page_size``)."""


class UrlAnalyzer(Protocol):
    """Creates a product from a product page URL (plugged in at ``app.state.url_analyzer``).

    Receives the request, the authenticated caller, the URL and the hand-entered fields (which
    win over extracted ones); charges, analyses and stores, and returns the stored product or
    raises a :class:`~prodex.errors.ProdexError`.
    """

    async def __call__(
        self,
        *,
        request: Request,
        principal: Principal,
        url: str,
        manual: ManualFields,
        render: bool = False,
        media_base_url: str = "",
    ) -> ProductRecord: ...


@dataclass(frozen=True, slots=True)
class Services:
    """The app's shared service objects, built once in the lifespan (``app.state.services``)."""

    settings: Settings
    database: Database
    accounts: Accounts
    credits: Credits
    products: Products
    slots: AnalysisSlots
    authenticator: ApiKeyAuthenticator
    rate_limiter: AccountRateLimiter
    auth_failures: FailedAuthLimiter
    webhooks: WebhookEndpoints
    media: MediaService | None = None


@dataclass(frozen=True, slots=True)
class Caller:
    """The authenticated, rate-limited caller of a v2 route, and the app's services."""

    principal: Principal
    services: Services

    @property
    def account_id(self) -> int:
        """The caller's account id."""
        return self.principal.account_id


def services_of(request: Request) -> Services:
    """The app's services."""
    return cast(Services, request.app.state.services)


def media_base_url(request: Request) -> str:
    """Where stored media are served: PRODEX_PUBLIC_BASE_URL, else the address of this request."""
    configured = services_of(request).settings.public_base_url
    return configured or str(request.base_url)


def url_analyzer_of(request: Request) -> UrlAnalyzer | None:
    """The URL analyzer plugged in at ``app.state.url_analyzer``, or ``None`` (not in this build)."""
    return cast("UrlAnalyzer | None", getattr(request.app.state, "url_analyzer", None))


def webhook_events_of(request: Request) -> WebhookEvents | None:
    """The webhook emitter at ``app.state.webhook_events`` (``None`` before start-up)."""
    return cast("WebhookEvents | None", getattr(request.app.state, "webhook_events", None))


async def _look_up(services: Services, raw_key: str | None, request: Request) -> Principal:
    """Authenticate a key that is not remembered, within the client address's failure budget:
    an address over it is answered 42900 before any database look-up, and every missing or
    unknown key counts against it."""
    address = request.client.host if request.client else "unknown"
    await services.auth_failures.check(address)
    try:
        return await services.authenticator.authenticate(raw_key)
    except InvalidApiKey:
        await services.auth_failures.failed(address)
        raise


async def current_caller(request: Request) -> Caller:
    """The account behind ``x-api-key``, after counting the request against its plan's rate limit.

    Raises 10105 (missing/unknown key), 18025 (revoked key, API access disabled) or 42900
    (rate limit; the ``X-RateLimit-*`` headers are set on every authenticated response; also
    when the client's address has failed to authenticate ``PRODEX_API_AUTH_FAILURES_PER_MINUTE``
    times in the current minute).
    """
    services = services_of(request)
    raw_key = request.headers.get(API_KEY_HEADER)
    principal = services.authenticator.cached(raw_key)
    if principal is None:
        principal = await _look_up(services, raw_key, request)
    scope_state = request.scope.setdefault("state", {})
    scope_state[ACCOUNT_ID_KEY] = principal.account_id
    plan = services.settings.plan(principal.plan)
    try:
        window = await services.rate_limiter.hit(principal.account_id, plan.requests_per_minute)
    except RateLimitExceeded as exc:
        scope_state[RATE_LIMIT_HEADERS_KEY] = exc.state.headers()
        raise
    if window is not None:
        scope_state[RATE_LIMIT_HEADERS_KEY] = window.headers()
    return Caller(principal=principal, services=services)


async def parse_body(request: Request, model: type[ModelT]) -> ModelT:
    """The JSON body validated as ``model``; invalid JSON or fields answer 40000 naming the field."""
    raw = await request.body()
    try:
        return model.model_validate_json(raw)
    except ValidationError as exc:
        errors = exc.errors(include_url=False, include_input=False, include_context=True)
        raise RequestValidationError([{**e, "loc": ("body", *e["loc"])} for e in errors]) from None


def json_body(model: type[BaseModel]) -> dict[str, Any]:
    """``openapi_extra`` declaring ``model`` as the required JSON request body of a route."""
    return {
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{model.__name__}"}}},
        }
    }


CallerDep = Annotated[Caller, Depends(current_caller)]
