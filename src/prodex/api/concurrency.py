"""Requests served at once, bounded: the outermost ASGI wrapper of ``prodex serve``.

uvicorn's ``limit_concurrency`` answers 503 when its count of connections OR of requests reaches
the limit, so idle and half-open connections (which cost almost nothing) crowd out requests.
prodex bounds connections in the protocol (:mod:`prodex.api.http_guard`, which makes room by
closing the longest-waiting one) and requests here: while ``limit`` requests are being served,
one more is answered at once with 503 (as uvicorn answers it: plain text, ``Connection: close``).
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

_UNAVAILABLE_BODY = b"Service Unavailable"
_UNAVAILABLE_HEADERS = [
    (b"content-type", b"text/plain; charset=utf-8"),
    (b"content-length", str(len(_UNAVAILABLE_BODY)).encode()),
    (b"connection", b"close"),
]


class ConcurrencyLimit:
    """At most ``limit`` HTTP requests inside ``app`` at once; more answer 503 immediately."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit
        self.active = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve one ASGI scope (lifespan and other scope types pass straight through)."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self.active >= self.limit:
            await send({"type": "http.response.start", "status": 503, "headers": _UNAVAILABLE_HEADERS})
            await send({"type": "http.response.body", "body": _UNAVAILABLE_BODY})
            return
        self.active += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.active -= 1
