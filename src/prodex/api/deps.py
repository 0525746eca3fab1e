"""FastAPI dependencies: typed access to the app's shared objects, and the authenticated,
rate-limited caller (``Annotated`` aliases, as in the FastAPI project template)."""

from __future__ import annotations

from typing import Annotated, Any, Protocol, cast

from fastapi import Depends, Request, Security
from fastapi.security import APIKeyHeader

from prodex.api.middleware import ACCOUNT_ID_KEY, RATE_LIMIT_HEADERS_KEY
from prodex.api.ratelimit import AccountRateLimiter, RateLimitExceeded
from prodex.service.accounts import Accounts
from prodex.service.credits import Credits
from prodex.service.keys import ApiKeyAuthenticator, Principal
from prodex.service.products import ManualFields, Products
from prodex.service.slots import AnalysisSlots
from prodex.settings import Settings
from prodex.store.db import Database
from prodex.store.records import ProductRecord

api_key_header = APIKeyHeader(
    name="x-api-key",
    scheme_name="apiKeyAuth",
    description="The API key of the account (`prodex accounts create` prints one).",
    auto_error=False,
)


class UrlAnalyzer(Protocol):
    """Creates a product from a product page URL (plugged in at ``app.state.url_analyzer``).

    Receives the request, the authenticated caller, the URL and the hand-entered fields (which
    win over extracted ones); charges, analyses and stores, and returns the stored product or
    raises a :class:`~prodex.errors.ProdexError`.
    """

    async def __call__(
        self, *, request: Request, principal: Principal, url: str, manual: ManualFields
    ) -> ProductRecord: ...


def _state(request: Request) -> Any:
    return request.app.state


def get_settings_dep(request: Request) -> Settings:
    """The app's settings."""
    return cast(Settings, _state(request).settings)


def get_database(request: Request) -> Database:
    """The app's database handle."""
    return cast(Database, _state(request).database)


def get_products(request: Request) -> Products:
    """The product service."""
    return cast(Products, _state(request).products)


def get_credits(request: Request) -> Credits:
    """The credits service."""
    return cast(Credits, _state(request).credits)


def get_accounts(request: Request) -> Accounts:
    """The accounts service."""
    return cast(Accounts, _state(request).accounts)


def get_slots(request: Request) -> AnalysisSlots:
    """The per-account URL-analysis slots."""
    return cast(AnalysisSlots, _state(request).slots)


def get_url_analyzer(request: Request) -> UrlAnalyzer | None:
    """The URL analyzer, or ``None`` when URL analysis is not available in this build."""
    return cast("UrlAnalyzer | None", getattr(_state(request), "url_analyzer", None))


async def current_principal(
    request: Request, api_key: Annotated[str | None, Security(api_key_header)]
) -> Principal:
    """The account behind ``x-api-key``, after counting the request against its plan's rate limit.

    Raises 10105 (missing/unknown key), 18025 (revoked key, API access disabled) or 42900
    (rate limit; the ``X-RateLimit-*`` headers are set on every authenticated response).
    """
    state = _state(request)
    authenticator = cast(ApiKeyAuthenticator, state.authenticator)
    principal = await authenticator.authenticate(api_key)
    scope_state = request.scope.setdefault("state", {})
    scope_state[ACCOUNT_ID_KEY] = principal.account_id
    plan = cast(Settings, state.settings).plan(principal.plan)
    limiter = cast(AccountRateLimiter, state.rate_limiter)
    try:
        window = await limiter.hit(principal.account_id, plan.requests_per_minute)
    except RateLimitExceeded as exc:
        scope_state[RATE_LIMIT_HEADERS_KEY] = exc.state.headers()
        raise
    scope_state[RATE_LIMIT_HEADERS_KEY] = window.headers()
    return principal


PrincipalDep = Annotated[Principal, Depends(current_principal)]
SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
DatabaseDep = Annotated[Database, Depends(get_database)]
ProductsDep = Annotated[Products, Depends(get_products)]
CreditsDep = Annotated[Credits, Depends(get_credits)]
AccountsDep = Annotated[Accounts, Depends(get_accounts)]
SlotsDep = Annotated[AnalysisSlots, Depends(get_slots)]
UrlAnalyzerDep = Annotated["UrlAnalyzer | None", Depends(get_url_analyzer)]
