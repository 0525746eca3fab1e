"""Per-account rate limits with the ``limits`` library: a fixed one-minute window per account.

``PRODEX_RATE_LIMIT_STORAGE`` picks the storage: ``memory://`` (default; per process) or a Redis
URL such as ``redis://127.0.0.1:6379/0`` (shared by every server process using it). Counters are
namespaced by ``PRODEX_RATE_LIMIT_KEY_PREFIX``.

The strategy is ``limits``' fixed window (:class:`limits.strategies.FixedWindowRateLimiter`): one
counter per account that starts with the account's first request and expires a minute later. It
is the cheapest strategy (one counter to increment; the sliding-window counter reads and weighs
two windows, the moving window keeps one entry per request), which matters because every request
is counted. Its known trade-off: a client that spends its whole budget at the end of one window
and again at the start of the next gets up to twice the plan's rate over that short span; over
any longer time the plan's rate holds. The counter is read from the increment itself (the
strategy's ``hit`` then ``get_window_stats`` would read it twice more).
"""

from __future__ import annotations

import logging
import math
import threading
import time
from dataclasses import dataclass

from limits import RateLimitItemPerMinute
from limits.aio.storage import Storage
from limits.storage import MemoryStorage, storage_from_string

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
    """Counts requests per account against the plan's requests per minute (fixed window).

    The in-memory storage is used through the library's synchronous API (it never waits, and
    the async wrapper costs more than the count); any other storage through the async API.
    """

    #: Most counter keys remembered (one per account and limit); the memo is cleared beyond.
    MAX_REMEMBERED_KEYS = 10_000

    def __init__(self, storage_uri: str, key_prefix: str = "prodex") -> None:
        self._prefix = key_prefix
        self._keys: dict[tuple[int, int], str] = {}
        self._expiry = RateLimitItemPerMinute(1).get_expiry()
        self._last_outage_warning = -1e9
        self._memory: MemoryStorage | None = None
        self._async: Storage | None = None
        self.storage: Storage | MemoryStorage
        if storage_uri.startswith("memory://"):
            self.storage = self._memory = SweepingMemoryStorage()
            return
        uri = async_storage_uri(storage_uri)
        options: dict[str, float | str | bool] = {}
        if uri.startswith(("async+redis", "async+rediss")):
            options["implementation"] = "redispy"
            options["socket_timeout"] = SHARED_STORAGE_TIMEOUT
            options["socket_connect_timeout"] = SHARED_STORAGE_TIMEOUT
        storage = storage_from_string(uri, **options)
        assert isinstance(storage, Storage)
        self.storage = self._async = storage

    def _key(self, account_id: int, per_minute: int) -> str:
        """The counter's key, as the library's fixed-window strategy names it (memoised)."""
        key = self._keys.get((account_id, per_minute))
        if key is None:
            if len(self._keys) >= self.MAX_REMEMBERED_KEYS:
                self._keys.clear()
            item = RateLimitItemPerMinute(per_minute)
            key = item.key_for(self._prefix, "account", str(account_id))
            self._keys[(account_id, per_minute)] = key
        return key

    async def hit(self, account_id: int, per_minute: int) -> RateLimitState | None:
        """Count one request; raises :class:`RateLimited` (with the state) when over the limit.

        When the shared storage cannot be reached the request is let through (fail open: an
        outage of Redis must not stop the API), a warning is logged at most every 30 s, and
        ``None`` is returned (no rate-limit headers, since nothing was counted).
        """
        counted = await self.count(self._key(account_id, per_minute))
        if counted is None:
            return None
        count, reset_at = counted
        state = RateLimitState(limit=per_minute, remaining=max(0, per_minute - count), reset_at=reset_at)
        if count > per_minute:
            raise RateLimitExceeded(state)
        return state

    async def count(self, key: str) -> tuple[int, float] | None:
        """Add one to the one-minute counter ``key``; returns the count and when its window ends,
        or ``None`` when the shared storage is unreachable."""
        if self._memory is not None:
            return self._memory.incr(key, self._expiry), self._memory.get_expiry(key)
        assert self._async is not None
        try:
            return await self._async.incr(key, self._expiry), await self._async.get_expiry(key)
        except Exception:
            self._outage()
            return None

    async def peek(self, key: str, at_least: int) -> float | None:
        """When the counter ``key`` has reached ``at_least``, the end of its window, else ``None``
        (one read; also ``None`` when the shared storage is unreachable)."""
        try:
            if self._memory is not None:
                return self._memory.get_expiry(key) if self._memory.get(key) >= at_least else None
            assert self._async is not None
            if await self._async.get(key) >= at_least:
                return float(await self._async.get_expiry(key))
            return None
        except Exception:
            self._outage()
            return None

    def _outage(self) -> None:
        """Log that the shared storage is unreachable, at most every 30 s."""
        now = time.monotonic()
        if now - self._last_outage_warning > 30:
            self._last_outage_warning = now
            log.warning("rate-limit storage unreachable; requests are not counted", exc_info=True)

    def counter_key(self, *parts: str) -> str:
        """A counter key in this limiter's namespace."""
        return ":".join((self._prefix, *parts))

    async def reset(self) -> None:
        """Forget every counter (tests and operators)."""
        if isinstance(self.storage, MemoryStorage):
            self.storage.reset()
        else:
            await self.storage.reset()


class FailedAuthLimiter:
    """Failed authentications (missing or unknown ``x-api-key``) per client address: a fixed
    one-minute window of ``per_minute`` failures, in the rate limiter's storage (shared through
    Redis when configured).

    :meth:`check` runs before the key is looked up in the database, so an address over its limit
    costs one counter read and answers 42900 with ``Retry-After``; each failure is counted by
    :meth:`failed`. ``per_minute=0`` turns the limit off.
    """

    def __init__(self, limiter: AccountRateLimiter, per_minute: int) -> None:
        self._limiter = limiter
        self.per_minute = per_minute

    def _key(self, address: str) -> str:
        return self._limiter.counter_key("auth-failures", address)

    async def check(self, address: str) -> None:
        """Raise :class:`RateLimitExceeded` when ``address`` has used up its failures."""
        if self.per_minute <= 0:
            return
        reset_at = await self._limiter.peek(self._key(address), self.per_minute)
        if reset_at is not None:
            state = RateLimitState(limit=self.per_minute, remaining=0, reset_at=reset_at)
            raise RateLimitExceeded(
                state,
                f"Too many failed authentications from this address: at most {self.per_minute} per "
                f"minute; retry after {state.retry_after()} s with a valid x-api-key.",
            )

    async def failed(self, address: str) -> None:
        """Count one failed authentication of ``address``."""
        if self.per_minute > 0:
            await self._limiter.count(self._key(address))


class RateLimitExceeded(RateLimited):
    """:class:`RateLimited` carrying the window state for the response headers."""

    def __init__(self, state: RateLimitState, msg: str | None = None) -> None:
        self.state = state
        super().__init__(
            msg
            or f"Rate limit exceeded: your plan allows {state.limit} requests per minute; "
            f"retry after {state.retry_after()} s.",
            retry_after=state.retry_after(),
        )
