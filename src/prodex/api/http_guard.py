"""The HTTP/1.1 connection guard of ``prodex serve``: bounded request heads, read deadlines, and
room for new clients however many connections sit idle or half-open.

uvicorn's httptools protocol bounds none of this: llhttp has no limit on the size of a request
line or a header, httptools gathers a header's value by concatenation until it ends (a 64 MB
header held the event loop for seconds and its memory for good), a new connection that sends
nothing or half a request is kept for ever (uvicorn's keep-alive timeout only starts after a
response), and uvicorn's ``limit_concurrency`` counts connections, so enough half-open
connections turn every new request into a 503. :class:`GuardedHttpToolsProtocol` is uvicorn's
public protocol class (through :class:`~prodex.api.server.CoalescingHttpToolsProtocol`) with its
asyncio ``Protocol`` methods and httptools parser callbacks extended, each calling the original:

- **Request head size**: the request target is at most ``max_request_line_bytes`` (else 414),
  the request line and headers together at most ``max_header_bytes`` (counted on the bytes
  received, before the parser gathers them, so at most one more read of the socket is ever
  buffered) and at most ``max_headers`` header fields (else 431). The answer is the JSON
  envelope (code 40000) with ``Connection: close``.
- **Read deadlines**: a request's line and headers must arrive within ``header_timeout`` seconds
  of the connection's start (or of the request's first byte on a kept-alive connection), else
  408 and the connection is closed; its body within ``body_timeout`` seconds of the headers, else
  the connection is closed (the application sees the client disconnect). Deadlines are timers
  armed only while a head or body is incomplete, so a request that arrives whole costs none.
- **Room for new clients**: at most ``max_connections`` open connections per server process.
  When a new connection would exceed it, the connection that has waited longest for a request
  (idle keep-alive, or sending a request head too slowly) is closed to make room; only when
  every connection is busy with a request is the new one closed. Requests served at once are
  bounded separately (:class:`~prodex.api.concurrency.ConcurrencyLimit`, 503).

Idle keep-alive connections are closed by uvicorn's own ``timeout_keep_alive``.
"""

from __future__ import annotations

import asyncio
import logging
import random
import resource
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, ClassVar

import orjson

from prodex.api.server import CoalescingHttpToolsProtocol
from prodex.settings import Settings, get_settings

log = logging.getLogger("prodex.http")

REASONS = {
    408: "Request Timeout",
    414: "URI Too Long",
    431: "Request Header Fields Too Large",
}


@dataclass(frozen=True, slots=True)
class HttpLimits:
    """What one connection may send and how long it may take (see the module docstring)."""

    max_request_line_bytes: int = 8192
    max_header_bytes: int = 32 * 1024
    max_headers: int = 100
    header_timeout: float = 10.0
    body_timeout: float = 30.0
    max_connections: int = 2048


class RequestRejected(Exception):
    """Raised from a parser callback to stop parsing a request the limits refuse."""


def rejection_bytes(status: int, msg: str) -> bytes:
    """A complete ``Connection: close`` response carrying the JSON envelope (code 40000)."""
    body = orjson.dumps({"code": 40000, "msg": msg, "data": None, "rid": f"{random.getrandbits(128):032x}"})
    head = (
        f"HTTP/1.1 {status} {REASONS[status]}\r\n"
        "content-type: application/json\r\n"
        f"content-length: {len(body)}\r\n"
        "connection: close\r\n\r\n"
    )
    return head.encode("ascii") + body


@lru_cache(maxsize=1)
def _limits_from_environment() -> HttpLimits:
    """The limits of the environment's settings, read once per process."""
    return http_limits(get_settings())


#: File descriptors kept for everything but client connections (database, workers, logs...).
RESERVED_FILE_DESCRIPTORS = 256


def connection_ceiling(configured: int) -> int:
    """``configured``, lowered to what the process's open-file limit leaves for connections."""
    soft, _hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        return configured
    return max(2, min(configured, soft - RESERVED_FILE_DESCRIPTORS))


def http_limits(settings: Settings) -> HttpLimits:
    """The :class:`HttpLimits` of the ``PRODEX_HTTP_*`` settings (connections within the
    process's open-file limit)."""
    return HttpLimits(
        max_request_line_bytes=settings.http_max_request_line_bytes,
        max_header_bytes=settings.http_max_header_bytes,
        max_headers=settings.http_max_headers,
        header_timeout=settings.http_header_timeout,
        body_timeout=settings.http_body_timeout,
        max_connections=connection_ceiling(settings.http_max_connections),
    )


class GuardedHttpToolsProtocol(CoalescingHttpToolsProtocol):
    """uvicorn's httptools protocol with bounded request heads, read deadlines and eviction.

    ``limits`` (a class attribute, see :func:`guarded_protocol`) defaults to the ``PRODEX_HTTP_*``
    settings of the environment, which is what server processes started by uvicorn read too.
    """

    limits: ClassVar[HttpLimits | None] = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._limits = type(self).limits or _limits_from_environment()
        self._raw_transport: asyncio.Transport | None = None
        self._in_head = True  # reading a request line and headers (or waiting for one)
        self._head_bytes = 0
        self._url_bytes = 0
        self._header_count = 0
        self._header_bytes = 0
        self._body_pending = False
        self._open_requests = 0
        self._messages_completed = 0
        self._rejection: tuple[int, str] | None = None
        self._deadline: asyncio.TimerHandle | None = None
        #: Since when the connection waits for a request (None while one is being served).
        self.waiting_since: float | None = None

    # --- asyncio Protocol -----------------------------------------------------------------

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        """Register the connection, make room when over the limit, start the head deadline."""
        super().connection_made(transport)
        self._raw_transport = transport
        self.waiting_since = self.loop.time()
        if len(self.server_state.connections) > self._limits.max_connections:
            self._make_room()
        if not transport.is_closing():
            self._arm(self._limits.header_timeout)

    def data_received(self, data: bytes) -> None:
        """Feed the parser; refuse a head over the size limit; arm a deadline when incomplete."""
        if self._rejection is not None:
            return
        completed = self._messages_completed
        super().data_received(data)
        if self._rejection is not None or self.transport.is_closing():
            return
        if self._in_head:
            # A request that ended within this read: the rest of it (if any) starts the next head,
            # counted from the next read on (so at most one read more than the limit is buffered).
            self._head_bytes = 0 if completed != self._messages_completed else self._head_bytes + len(data)
            if self._head_bytes > self._limits.max_header_bytes:
                self._reject(431, "Request headers too large.")
            elif self._deadline is None and self._open_requests == 0:
                self._arm(self._limits.header_timeout)
        elif self._body_pending and self._deadline is None:
            self._arm(self._limits.body_timeout)

    def connection_lost(self, exc: Exception | None) -> None:
        """Stop the deadline timer."""
        self._disarm()
        super().connection_lost(exc)

    # --- httptools parser callbacks -----------------------------------------------------------

    def on_message_begin(self) -> None:
        """A new request: its line and header counts start from zero."""
        self._url_bytes = 0
        self._header_count = 0
        self._header_bytes = 0
        super().on_message_begin()

    def on_url(self, url: bytes) -> None:
        """Count the request target's bytes (414 beyond the limit)."""
        self._url_bytes += len(url)
        if self._url_bytes > self._limits.max_request_line_bytes:
            self._rejection = (414, "Request line too long.")
            raise RequestRejected
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        """Count the header fields and their bytes (431 beyond the limits).

        A head that arrives whole is measured here; one still arriving is measured on the bytes
        received (:meth:`data_received`), before the parser has gathered much of it."""
        self._header_count += 1
        self._header_bytes += len(name) + len(value) + 4
        if self._header_count > self._limits.max_headers:
            self._rejection = (431, "Too many request headers.")
            raise RequestRejected
        if self._url_bytes + self._header_bytes > self._limits.max_header_bytes:
            self._rejection = (431, "Request headers too large.")
            raise RequestRejected
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        """The head is complete: its deadline stops; the body's starts if it is not all here."""
        self._disarm()
        self._in_head = False
        self._head_bytes = 0
        self._body_pending = True
        self._open_requests += 1
        self.waiting_since = None
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        """The body is complete: its deadline stops."""
        self._body_pending = False
        self._in_head = True
        self._head_bytes = 0
        self._messages_completed += 1
        self._disarm()
        super().on_message_complete()

    # --- uvicorn protocol hooks ----------------------------------------------------------------

    def on_response_complete(self) -> None:
        """A response went out: the connection waits for the next request."""
        self._open_requests = max(0, self._open_requests - 1)
        if self._open_requests == 0:
            self.waiting_since = self.loop.time()
            if self._in_head and self._head_bytes and self._deadline is None:
                self._arm(self._limits.header_timeout)
        super().on_response_complete()

    def send_400_response(self, msg: str) -> None:
        """uvicorn's answer to a request the parser refused: ours when a limit refused it."""
        if self._rejection is not None:
            status, reason = self._rejection
            self._rejection = None
            self._reject(status, reason)
            return
        super().send_400_response(msg)

    # --- the guard ------------------------------------------------------------------------------

    def _reject(self, status: int, msg: str) -> None:
        """Answer ``status`` (nothing else is read from this connection) and close."""
        self._rejection = (status, msg)
        self._disarm()
        transport = self.transport
        if not transport.is_closing():
            if self._open_requests == 0:
                transport.write(rejection_bytes(status, msg))
            transport.close()

    def _arm(self, seconds: float) -> None:
        self._disarm()
        self._deadline = self.loop.call_later(seconds, self._deadline_passed)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _deadline_passed(self) -> None:
        self._deadline = None
        if self._in_head:
            self._reject(408, "Request headers not received in time.")
        else:
            self._close()

    def _close(self) -> None:
        self._disarm()
        transport = self._raw_transport or self.transport
        if not transport.is_closing():
            transport.close()

    def _make_room(self) -> None:
        """Close the connection that has waited longest for a request, else this new one."""
        oldest: GuardedHttpToolsProtocol | None = None
        for connection in self.server_state.connections:
            if (
                isinstance(connection, GuardedHttpToolsProtocol)
                and connection is not self
                and connection.waiting_since is not None
                and (oldest is None or connection.waiting_since < (oldest.waiting_since or 0.0))
                and not connection._closing()
            ):
                oldest = connection
        if oldest is not None:
            oldest._close()
        else:
            log.warning("connection limit reached and every connection is busy: new connection closed")
            self._close()

    def _closing(self) -> bool:
        transport = self._raw_transport
        return transport is None or transport.is_closing()


def guarded_protocol(limits: HttpLimits) -> type[GuardedHttpToolsProtocol]:
    """A :class:`GuardedHttpToolsProtocol` class with ``limits`` (for servers started in-process;
    server processes spawned by uvicorn use the base class, which reads the environment)."""
    return type("GuardedHttpToolsProtocol", (GuardedHttpToolsProtocol,), {"limits": limits})
