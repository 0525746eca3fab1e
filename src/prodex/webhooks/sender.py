"""One delivery attempt on the wire: a signed POST through prodex's fetcher, within the time limit.

The fetcher is the only code in prodex that opens connections, so a delivery goes through the
same URL guard as a shop's page, checked when the attempt is made (an endpoint whose host now
resolves to a private address is refused then, without a connection): the guard parses the URL,
applies the allow-list and the address policy, resolves the host and dials only a checked address.
Redirects are not followed (a 3xx answer is a failure), the receiver has
``PRODEX_WEBHOOK_TIMEOUT_SECONDS`` (5 s) for the whole exchange, and at most
``PRODEX_WEBHOOK_MAX_RESPONSE_BYTES`` of its answer are read.
"""

from __future__ import annotations

import asyncio
import re
import time
from dataclasses import dataclass
from datetime import datetime

from prodex import __version__
from prodex.errors import BodyTooLarge, ProdexError, Unreachable, UpstreamServerError, URLRefused
from prodex.fetch.fetcher import Fetcher
from prodex.service.clock import utcnow
from prodex.settings import Settings
from prodex.webhooks.signing import SIGNATURE_HEADER, sign

USER_AGENT = f"prodex-Webhook/{__version__}"
EVENT_HEADER = "X-Webhook-Event"
DELIVERY_HEADER = "X-Webhook-Delivery"
#: How much of the receiver's answer is kept with the attempt (characters).
KEPT_RESPONSE_CHARS = 1000
_UNSTORABLE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


@dataclass(frozen=True, slots=True)
class SendResult:
    """What one attempt gave: the receiver's status (``None`` when none came) or the error."""

    started_at: datetime
    duration_ms: int
    status_code: int | None = None
    error: str = ""
    response_body: str = ""

    @property
    def delivered(self) -> bool:
        """Whether the receiver confirmed with a 2xx status."""
        return self.status_code is not None and 200 <= self.status_code < 300


def _kept_text(body: bytes) -> str:
    """The start of an answer as text any database stores (no NUL or control characters)."""
    text = body[: KEPT_RESPONSE_CHARS * 4].decode("utf-8", errors="replace")[:KEPT_RESPONSE_CHARS]
    return _UNSTORABLE.sub("\ufffd", text)


def _failure(exc: ProdexError) -> str:
    """The attempt's error in words, about the receiver (the fetcher's words speak of a shop)."""
    if isinstance(exc, URLRefused):
        return f"Refused by the URL guard: {exc.msg}"
    if isinstance(exc, BodyTooLarge):
        return "The receiver's answer was larger than the allowed size."
    if isinstance(exc, UpstreamServerError):
        return "The receiver broke the HTTP exchange."
    if isinstance(exc, Unreachable):
        return "Could not connect to the receiver (DNS, connection or TLS failure)."
    return "The request to the receiver failed."


class WebhookSender:
    """Sends signed event bodies; owns a :class:`~prodex.fetch.fetcher.Fetcher` (see :meth:`aclose`)."""

    def __init__(self, settings: Settings, fetcher: Fetcher | None = None) -> None:
        self.timeout = settings.webhook_timeout_seconds
        self.max_response_bytes = settings.webhook_max_response_bytes
        self.fetcher = fetcher or Fetcher(settings)

    async def aclose(self) -> None:
        """Close the fetcher's connections."""
        await self.fetcher.aclose()

    async def send(self, *, url: str, secret: str, event: str, delivery_id: str, body: str) -> SendResult:
        """POST ``body`` to ``url`` signed with ``secret``; never raises for the receiver's faults."""
        raw = body.encode("utf-8")
        headers = {
            "Content-Type": "application/json",
            EVENT_HEADER: event,
            DELIVERY_HEADER: delivery_id,
            SIGNATURE_HEADER: sign(secret, raw),
        }
        started_at = utcnow()
        clock = time.monotonic()
        status: int | None = None
        error = ""
        kept = ""
        try:
            async with asyncio.timeout(self.timeout):
                page = await self.fetcher.fetch_resource(
                    url,
                    method="POST",
                    headers=headers,
                    body=raw,
                    max_bytes=self.max_response_bytes,
                    user_agent=USER_AGENT,
                )
        except TimeoutError:
            error = f"The receiver did not answer within {self.timeout:g} s."
        except ProdexError as exc:
            error = _failure(exc)
        else:
            status = page.status
            kept = _kept_text(page.body)
            if not 200 <= status < 300:
                error = f"The receiver answered HTTP {status}; a 2xx status confirms a delivery."
        duration_ms = int((time.monotonic() - clock) * 1000)
        return SendResult(started_at, duration_ms, status, error, kept)
