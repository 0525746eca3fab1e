"""The socket layer under httpx: connects only to addresses the guard has just checked.

httpcore asks its network backend to ``connect_tcp(host, port)`` with the URL's host name. This
backend resolves the name through :meth:`URLGuard.resolve` (which checks EVERY answer), then opens
the socket to one of those checked IP addresses itself. No other lookup happens, so a DNS server
that answers differently the second time (rebinding) is never asked twice. TLS is started later by
httpcore on the returned stream with the URL's host name, so SNI and certificate checks still use
the name, and the Host header is the URL's.
"""

from __future__ import annotations

import select
import socket
import ssl
from collections.abc import Iterable
from typing import Any

import anyio
import httpcore

from prodex.fetch.guard import URLGuard

# How many of a host's (checked) addresses to try before giving up on connecting.
MAX_CONNECT_ATTEMPTS = 4


class GuardedNetworkBackend(httpcore.AsyncNetworkBackend):
    """An httpcore network backend that resolves through the guard and dials the checked address.

    ``dialer`` opens the actual TCP connection to an IP address (default: httpcore's AnyIO
    backend). Tests replace it to observe which address is dialled.
    """

    def __init__(self, guard: URLGuard, dialer: httpcore.AsyncNetworkBackend | None = None) -> None:
        self._guard = guard
        self._dialer = dialer or httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 (httpcore's interface)
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        """Resolve ``host`` through the guard (raising URLRefused/Unreachable) and dial a checked address."""
        try:
            with anyio.fail_after(timeout):
                addresses = await self._guard.resolve(host, port)
        except TimeoutError as exc:
            raise httpcore.ConnectTimeout(f"resolving {host} timed out") from exc
        last_error: Exception | None = None
        for address in addresses[:MAX_CONNECT_ATTEMPTS]:
            try:
                stream = await self._dialer.connect_tcp(
                    str(address),
                    port,
                    timeout=timeout,
                    local_address=local_address,
                    socket_options=socket_options,
                )
                return ProbedStream(stream)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last_error = exc
        raise last_error or httpcore.ConnectError(f"no address to connect to for {host}")

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,  # noqa: ASYNC109 (httpcore's interface)
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        """Refused: prodex never fetches over Unix sockets."""
        raise httpcore.ConnectError("Unix sockets are not allowed")

    async def sleep(self, seconds: float) -> None:
        """Sleep (used by httpcore between its own connection retries)."""
        await anyio.sleep(seconds)


class ProbedStream(httpcore.AsyncNetworkStream):
    """A dialled stream that answers httpcore's "is this idle connection readable?" from its socket
    kept at hand; everything else is the stream's own.

    httpcore's pool asks it of every idle connection of the pool each time a request comes or
    goes; its AnyIO stream looks the socket up through AnyIO's typed attributes each time (a
    dict of a dozen attributes built per call): an import over 20 shops spent about 8 % of the
    worker's Python time there."""

    def __init__(self, stream: httpcore.AsyncNetworkStream) -> None:
        self._stream = stream
        self._socket: socket.socket | None = stream.get_extra_info("socket")

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:  # noqa: ASYNC109
        """Read up to ``max_bytes``."""
        return await self._stream.read(max_bytes, timeout)

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:  # noqa: ASYNC109
        """Write ``buffer``."""
        await self._stream.write(buffer, timeout)

    async def aclose(self) -> None:
        """Close the stream."""
        await self._stream.aclose()

    async def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,  # noqa: ASYNC109 (httpcore's interface)
    ) -> httpcore.AsyncNetworkStream:
        """Start TLS on the stream; the TLS stream is probed the same way."""
        return ProbedStream(await self._stream.start_tls(ssl_context, server_hostname, timeout))

    def get_extra_info(self, info: str) -> Any:
        """The stream's extra information; ``is_readable`` from the socket kept at hand."""
        if info == "is_readable" and self._socket is not None:
            return socket_readable(self._socket)
        return self._stream.get_extra_info(info)


def socket_readable(sock: socket.socket) -> bool:
    """Whether reading ``sock`` would not block (on an idle HTTP/1.1 connection: the server closed
    it), or the socket is closed: as httpcore answers ``is_readable``."""
    descriptor = sock.fileno()
    if descriptor < 0:
        return True
    poller = select.poll()
    poller.register(descriptor, select.POLLIN)
    return bool(poller.poll(0))
