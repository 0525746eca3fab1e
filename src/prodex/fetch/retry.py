"""Retry timing: exponential backoff with jitter, and the server's ``Retry-After`` header."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

# Statuses worth another try: rate limited, and the server errors that are usually transient.
RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` value (seconds or an HTTP date); None if absent/invalid."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def backoff_delay(attempt: int, base: float) -> float:
    """The wait before retry ``attempt`` (1-based): ``base * 2**(attempt-1)`` plus up to 25 % jitter."""
    delay = base * 2.0 ** max(0, attempt - 1)
    return delay * (1 + random.random() / 4)
