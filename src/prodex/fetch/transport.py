"""The httpx transport under the fetcher: httpx's own transport on the guarded network backend, sharded.

httpx 0.28 does not let callers pass a network backend, so :class:`GuardedTransport` rebuilds the
transport's httpcore pool with the same settings and ``network_backend=``; everything else
(request/response mapping, exception mapping) stays httpx's own code.

httpcore's pool matches every waiting request against every open connection each time one finishes,
which costs O(connections x requests) per burst: with 500 connections it was half the fetcher's CPU.
:class:`ShardedTransport` spreads requests round-robin over a few independent pools of at most
``SHARD_CONNECTIONS`` connections each, which keeps that cost small. Each pool keeps its own
keep-alive connections (so a host may hold one idle connection per shard).
"""

from __future__ import annotations

import itertools
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
    """Round-robin over several GuardedTransports sharing one network backend."""

    def __init__(self, backend: httpcore.AsyncNetworkBackend, max_connections: int) -> None:
        count = max(1, min(MAX_SHARDS, math.ceil(max_connections / SHARD_CONNECTIONS)))
        per_shard = math.ceil(max_connections / count)
        ssl_context = httpx.create_ssl_context(trust_env=False)
        self.shards = [GuardedTransport(backend, per_shard, ssl_context) for _ in range(count)]
        self._next = itertools.cycle(self.shards)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send ``request`` through the next shard."""
        return await next(self._next).handle_async_request(request)

    async def aclose(self) -> None:
        """Close every shard's connections."""
        for shard in self.shards:
            await shard.aclose()
