"""Signing as JoggAI signs, the event body's shape, and the backoff schedule's defaults."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime

import orjson
import pytest

from prodex.api.webhook_schemas import EventName
from prodex.settings import Settings
from prodex.webhooks.backoff import max_attempts, retry_delay, total_span
from prodex.webhooks.events import EVENTS, event_body
from prodex.webhooks.signing import sign, verify


def test_the_signature_is_the_hex_hmac_sha256_of_the_raw_body() -> None:
    body = b'{"event":"product_created","data":{"name":"K\xc3\xa4se"}}'
    expected = hmac.new(b"whsec_abc123xyz", body, hashlib.sha256).hexdigest()
    assert sign("whsec_abc123xyz", body) == expected
    assert verify("whsec_abc123xyz", body, expected)
    assert verify("whsec_abc123xyz", body, expected.upper())
    assert not verify("whsec_abc123xyz", body + b" ", expected)
    assert not verify("another", body, expected)


def test_an_event_body_has_joggai_s_shape() -> None:
    at = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
    body = orjson.loads(event_body("product_failed", {"url": "u"}, event_id="evt_1", at=at))
    expected = {"event_id": "evt_1", "event": "product_failed", "timestamp": 1796558400, "data": {"url": "u"}}
    assert body == expected


def test_the_api_s_event_names_are_the_events() -> None:
    assert set(EventName.__args__) == set(EVENTS)  # type: ignore[attr-defined]


def test_the_default_schedule_makes_at_least_5_attempts_over_at_least_an_hour() -> None:
    delays = Settings(_env_file=None).webhook_retry_delays  # type: ignore[call-arg]
    assert max_attempts(delays) >= 5
    assert total_span(delays) >= 3600
    assert delays == sorted(delays)  # each wait at least as long as the one before


def test_retry_delays_follow_the_schedule_and_end() -> None:
    delays = [1.0, 2.0, 4.0]
    assert [retry_delay(n, delays) for n in (1, 2, 3, 4)] == [1.0, 2.0, 4.0, None]
    with pytest.raises(ValueError, match="numbered from 1"):
        retry_delay(0, delays)


def test_delays_come_from_a_comma_separated_setting_and_are_not_negative() -> None:
    assert Settings(_env_file=None, webhook_retry_delays="0.1, 2,3").webhook_retry_delays == [0.1, 2, 3]  # type: ignore[call-arg,arg-type]
    with pytest.raises(ValueError, match="negative"):
        Settings(_env_file=None, webhook_retry_delays="1,-1")  # type: ignore[call-arg,arg-type]
