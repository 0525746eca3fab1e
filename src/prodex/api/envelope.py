"""The response envelope of the JoggAI v2 contract: ``{"code", "msg", "data", "rid"}``.

Every response of the API, success or error, is an :class:`EnvelopeResponse`, serialised with
orjson. The business code is also left in the ASGI scope so metrics and logs can count it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from prodex.api.logs import request_id_var

SUCCESS_CODE = 0
SUCCESS_MSG = "Success"
#: Key of the business code in ``scope["state"]``.
BUSINESS_CODE_KEY = "prodex_business_code"


class EnvelopeResponse(Response):
    """A JSON response in the contract's envelope, carrying the request id as ``rid``."""

    media_type = "application/json"

    def __init__(
        self,
        data: Any = None,
        *,
        code: int = SUCCESS_CODE,
        msg: str = SUCCESS_MSG,
        status_code: int = 200,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.code = code
        body = orjson.dumps({"code": code, "msg": msg, "data": data, "rid": request_id_var.get()})
        super().__init__(content=body, status_code=status_code, headers=headers)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Record the business code in the scope, then send the response."""
        scope.setdefault("state", {})[BUSINESS_CODE_KEY] = self.code
        await super().__call__(scope, receive, send)


def ok(data: Any = None) -> EnvelopeResponse:
    """A success envelope (code 0, HTTP 200) around ``data``."""
    return EnvelopeResponse(data)
