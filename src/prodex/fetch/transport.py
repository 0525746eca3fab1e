"""The httpx transport under the fetcher: httpx's own transport on the guarded network backend, sharded.

httpx 0.28 does not let callers pass a network backend, so :class:`GuardedTransport` rebuilds the
transport's httpcore pool with the same settings and ``network_backend=``; everything else
(request/response mapping, exception mapping) stays httpx's own code.

httpcore's pool matches every waiting request against every open connection each time one finishes,
which costs O(connections x requests) per burst: with 500 connections it was half the fetcher's CPU.
:class:`ShardedTransport` spreads requests over a few independent pools of at most
``SHARD_CONNECTIONS`` connections each, which keeps that cost small. A host's requests always go
to the same pool (by a hash of scheme, host and port), so its keep-alive connections are found
again: spread round-robin, a pool saw every host and, being full, closed one host's idle
connection to open another's (an import over 20 shops opened a new connection for most pages).
"""

from __future__ import annotations

import math
import ssl

import httpcore
import httpx

SHARD_CONNECTIONS = 32
MAX_SHARDS = 16
KEEPALIVE_SECONDS = 30.0


class GuardedTransport(httpx.AsyncHTTPTransport):
    """httpx's transport (HTTP/1.1 and HTTP/2, no proxies from the environment) on ``backend``."""

    def __init__(
        self, backend: httpcore.AsyncNetworkBackend, max_connections: int, ssl_context: ssl.SSLContext
    ) -> None:
        limits = httpx.Limits(
            max_connections=max_connections,
            max_keepalive_connections=max_connections,
            keepalive_expiry=KEEPALIVE_SECONDS,
        )
        super().__init__(verify=ssl_context, http1=True, http2=True, limits=limits, trust_env=False)
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=ssl_context,
            max_connections=max_connections,
            max_keepalive_connections=max_connections,
            keepalive_expiry=KEEPALIVE_SECONDS,
            http1=True,
            http2=True,
            network_backend=backend,
        )


class ShardedTransport(httpx.AsyncBaseTransport):
    """Several GuardedTransports sharing one network backend; one per origin (see the module docstring)."""

    def __init__(
        self, backend: httpcore.AsyncNetworkBackend, max_connections: int, *, max_per_origin: int = 0
    ) -> None:
        count = max(1, min(MAX_SHARDS, math.ceil(max_connections / SHARD_CONNECTIONS)))
        # Twice an even share, and at least what one origin may use, so that origins hashed to one
        # shard do not queue while others idle (the fetcher's own limiter keeps the requests in
        # flight within max_connections and the per-host limits).
        per_shard = min(max_connections, max(2 * math.ceil(max_connections / count), max_per_origin))
        ssl_context = httpx.create_ssl_context(trust_env=False)
        self.shards = [GuardedTransport(backend, per_shard, ssl_context) for _ in range(count)]

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send ``request`` through its origin's shard."""
        url = request.url
        shard = self.shards[hash((url.scheme, url.host, url.port)) % len(self.shards)]
        return await shard.handle_async_request(request)

    async def aclose(self) -> None:
        """Close every shard's connections."""
        for shard in self.shards:
            await shard.aclose()
