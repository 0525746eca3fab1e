"""``/v2/user``: the account behind the key and its remaining credits."""

from __future__ import annotations

from fastapi import APIRouter

from prodex.api.deps import API_KEY_SECURITY, CallerDep
from prodex.api.envelope import EnvelopeResponse, ok
from prodex.api.routes.docs import error_responses
from prodex.api.schemas import Envelope, RemainingQuota, WhoAmI

router = APIRouter(tags=["User"])


@router.get(
    "/v2/user/whoami",
    summary="Get Current User Information",
    response_model=Envelope[WhoAmI],
    responses=error_responses(),
    openapi_extra=API_KEY_SECURITY,
)
async def whoami(caller: CallerDep) -> EnvelopeResponse:
    """The account behind the API key."""
    services = caller.services
    account = await services.database.run(services.accounts.get, caller.account_id)
    return ok(
        {"email": account.email, "username": account.name, "account_id": account.id, "plan": account.plan}
    )


@router.get(
    "/v2/user/remaining_quota",
    summary="Get Remaining Quota",
    response_model=Envelope[RemainingQuota],
    responses=error_responses(),
    openapi_extra=API_KEY_SECURITY,
)
async def remaining_quota(caller: CallerDep) -> EnvelopeResponse:
    """The account's remaining credits (one URL analysis costs the plan's credits per analysis)."""
    services = caller.services
    balance = await services.database.run(services.credits.balance, caller.account_id)
    return ok({"remaining_quota": balance})
