"""Rate limits per account and plan (in-memory storage here; the shared Redis storage across
two server processes is tested in tests/cli/test_cli_shared_limits.py)."""

from __future__ import annotations

import time

from api_helpers import LiveApi, assert_envelope


def test_the_plans_requests_per_minute_are_enforced_per_account(live: LiveApi) -> None:
    _, key = live.account(plan="tiny")  # 3 requests per minute
    _, other_key = live.account(plan="tiny")
    with live.client(key) as client, live.client(other_key) as other:
        remaining = []
        for _ in range(3):
            response = client.get("/v2/user/whoami")
            assert_envelope(response, 200, 0)
            assert response.headers["x-ratelimit-limit"] == "3"
            remaining.append(int(response.headers["x-ratelimit-remaining"]))
        assert remaining == [2, 1, 0]
        limited = client.post("/v2/product", json={"name": "over the limit"})
        assert_envelope(limited, 429, 42900)
        assert 1 <= int(limited.headers["retry-after"]) <= 60
        assert limited.headers["x-ratelimit-limit"] == "3"
        assert limited.headers["x-ratelimit-remaining"] == "0"
        assert int(limited.headers["x-ratelimit-reset"]) >= int(time.time())
        assert "3 requests per minute" in limited.json()["msg"]
        assert_envelope(other.get("/v2/user/whoami"), 200, 0)  # another account has its own budget
        assert_envelope(client.get("/v2/products"), 429, 42900)
    with live.client() as anonymous:
        assert_envelope(anonymous.get("/healthz"), 200, 0)  # operations endpoints are not counted
