"""When a failed delivery is tried again.

The schedule is a list of delays, one per retry (``PRODEX_WEBHOOK_RETRY_DELAYS``): attempt 1 is
sent at once, attempt ``n + 1`` waits ``delays[n - 1]`` seconds after attempt ``n`` failed, and
after the last delay's attempt fails the delivery is given up. The default,
``60, 300, 900, 1800, 3600``, makes 6 attempts spread over 1 h 51 min.
"""

from __future__ import annotations

from collections.abc import Sequence


def max_attempts(delays: Sequence[float]) -> int:
    """How many attempts a delivery gets: the first, plus one per delay."""
    return len(delays) + 1


def retry_delay(failed_attempt: int, delays: Sequence[float]) -> float | None:
    """Seconds to wait after attempt number ``failed_attempt`` (1-based) failed, or ``None``
    when it was the last one."""
    if failed_attempt < 1:
        raise ValueError("attempts are numbered from 1")
    if failed_attempt > len(delays):
        return None
    return float(delays[failed_attempt - 1])


def total_span(delays: Sequence[float]) -> float:
    """Seconds from the first attempt to the last (not counting the attempts' own durations)."""
    return float(sum(delays))
