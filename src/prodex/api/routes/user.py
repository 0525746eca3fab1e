"""``/v2/user``: the account behind the key and its remaining credits."""

from __future__ import annotations

import anyio.to_thread
from fastapi import APIRouter

from prodex.api.deps import AccountsDep, CreditsDep, PrincipalDep
from prodex.api.envelope import EnvelopeResponse, ok
from prodex.api.routes.docs import error_responses
from prodex.api.schemas import Envelope, RemainingQuota, WhoAmI

router = APIRouter(tags=["User"])


@router.get(
    "/v2/user/whoami",
    summary="Get Current User Information",
    response_model=Envelope[WhoAmI],
    responses=error_responses(),
)
async def whoami(principal: PrincipalDep, accounts: AccountsDep) -> EnvelopeResponse:
    """The account behind the API key."""
    account = await anyio.to_thread.run_sync(accounts.get, principal.account_id)
    return ok(
        {"email": account.email, "username": account.name, "account_id": account.id, "plan": account.plan}
    )


@router.get(
    "/v2/user/remaining_quota",
    summary="Get Remaining Quota",
    response_model=Envelope[RemainingQuota],
    responses=error_responses(),
)
async def remaining_quota(principal: PrincipalDep, credits: CreditsDep) -> EnvelopeResponse:
    """The account's remaining credits (one URL analysis costs the plan's credits per analysis)."""
    balance = await anyio.to_thread.run_sync(credits.balance, principal.account_id)
    return ok({"remaining_quota": balance})
