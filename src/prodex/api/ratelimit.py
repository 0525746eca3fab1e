"""Per-account rate limits with the ``limits`` library (sliding-window counter, one minute).

``PRODEX_RATE_LIMIT_STORAGE`` picks the storage: ``memory://`` (default; per process) or a Redis
URL such as ``redis://127.0.0.1:6379/0`` (shared by every server process using it). Counters are
namespaced by ``PRODEX_RATE_LIMIT_KEY_PREFIX``.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from dataclasses import dataclass

from limits import RateLimitItemPerMinute
from limits import strategies as sync_strategies
from limits.aio.storage import Storage
from limits.aio.strategies import SlidingWindowCounterRateLimiter
from limits.storage import MemoryStorage, storage_from_string
from limits.util import WindowStats

from prodex.errors import RateLimited

log = logging.getLogger("prodex.ratelimit")
#: Seconds to wait for the shared storage (Redis) before letting a request through uncounted.
SHARED_STORAGE_TIMEOUT = 0.5


class SweepingMemoryStorage(MemoryStorage):
    """``limits``' in-memory storage, sweeping expired counters at most once a second.

    The library's storage starts a 10 ms timer thread whenever none is running, that is about once
    per request under steady load, and a thread start costs more than the count itself. Reads
    already drop expired counters (``MemoryStorage.get``), so the sweep only bounds memory and a
    one-second cadence is plenty. (Overrides the library's private scheduling hook; a test checks
    that hits no longer start threads.)
    """

    SWEEP_INTERVAL_SECONDS = 1.0

    def _MemoryStorage__schedule_expiry(self) -> None:  # noqa: N802 (the library's mangled name)
        if not self.timer.is_alive():
            sweep = self._MemoryStorage__expire_events  # type: ignore[attr-defined]
            self.timer = threading.Timer(self.SWEEP_INTERVAL_SECONDS, sweep)
            self.timer.daemon = True
            self.timer.start()


@dataclass(frozen=True, slots=True)
class RateLimitState:
    """Where an account stands in its current window."""

    limit: int
    remaining: int
    reset_at: float

    def headers(self) -> list[tuple[bytes, bytes]]:
        """``X-RateLimit-Limit``, ``-Remaining`` and ``-Reset`` (epoch seconds) as raw ASGI headers."""
        return [
            (b"x-ratelimit-limit", str(self.limit).encode()),
            (b"x-ratelimit-remaining", str(self.remaining).encode()),
            (b"x-ratelimit-reset", str(math.ceil(self.reset_at)).encode()),
        ]

    def retry_after(self) -> int:
        """Seconds until another request may succeed (at least 1)."""
        return max(1, math.ceil(self.reset_at - time.time()))


def async_storage_uri(uri: str) -> str:
    """The ``limits`` async storage URI for a configured one (``redis://`` -> ``async+redis://``)."""
    return uri if uri.startswith("async+") else f"async+{uri}"


class AccountRateLimiter:
    """Counts requests per account against the plan's requests per minute.

    The in-memory storage is used through the library's synchronous API (it never waits, and
    the async wrapper costs more than the count); any other storage through the async API.
    """

    def __init__(self, storage_uri: str, key_prefix: str = "prodex") -> None:
        self._prefix = key_prefix
        self._items: dict[int, RateLimitItemPerMinute] = {}
        self._last_outage_warning = -1e9
        self._memory: sync_strategies.SlidingWindowCounterRateLimiter | None = None
        self._async: SlidingWindowCounterRateLimiter | None = None
        self.storage: Storage | MemoryStorage
        if storage_uri.startswith("memory://"):
            self.storage = SweepingMemoryStorage()
            self._memory = sync_strategies.SlidingWindowCounterRateLimiter(self.storage)
            return
        uri = async_storage_uri(storage_uri)
        options: dict[str, float | str | bool] = {}
        if uri.startswith(("async+redis", "async+rediss")):
            options["implementation"] = "redispy"
            options["socket_timeout"] = SHARED_STORAGE_TIMEOUT
            options["socket_connect_timeout"] = SHARED_STORAGE_TIMEOUT
        storage = storage_from_string(uri, **options)
        assert isinstance(storage, Storage)
        self.storage = storage
        self._async = SlidingWindowCounterRateLimiter(storage)

    def _item(self, per_minute: int) -> RateLimitItemPerMinute:
        item = self._items.get(per_minute)
        if item is None:
            item = self._items[per_minute] = RateLimitItemPerMinute(per_minute)
        return item

    async def hit(self, account_id: int, per_minute: int) -> RateLimitState | None:
        """Count one request; raises :class:`RateLimited` (with the state) when over the limit.

        When the shared storage cannot be reached the request is let through (fail open: an
        outage of Redis must not stop the API), a warning is logged at most every 30 s, and
        ``None`` is returned (no rate-limit headers, since nothing was counted).
        """
        item = self._item(per_minute)
        identity = (self._prefix, "account", str(account_id))
        stats: WindowStats
        if self._memory is not None:
            allowed = self._memory.hit(item, *identity)
            stats = self._memory.get_window_stats(item, *identity)
        else:
            assert self._async is not None
            try:
                allowed = await self._async.hit(item, *identity)
                stats = await self._async.get_window_stats(item, *identity)
            except Exception:
                now = time.monotonic()
                if now - self._last_outage_warning > 30:
                    self._last_outage_warning = now
                    log.warning("rate-limit storage unreachable; requests are not counted", exc_info=True)
                return None
        state = RateLimitState(limit=per_minute, remaining=max(0, stats.remaining), reset_at=stats.reset_time)
        if not allowed:
            raise RateLimitExceeded(state)
        return state

    async def reset(self) -> None:
        """Forget every counter (tests and operators)."""
        if isinstance(self.storage, MemoryStorage):
            self.storage.reset()
        else:
            await self.storage.reset()


class RateLimitExceeded(RateLimited):
    """:class:`RateLimited` carrying the window state for the response headers."""

    def __init__(self, state: RateLimitState) -> None:
        self.state = state
        super().__init__(
            f"Rate limit exceeded: your plan allows {state.limit} requests per minute; "
            f"retry after {state.retry_after()} s.",
            retry_after=state.retry_after(),
        )
