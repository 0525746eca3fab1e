"""Authentication over real HTTP: 10105/401 for a missing or unknown key, 18025/403 for a
revoked key or a disabled account, and the user endpoints."""

from __future__ import annotations

import pytest
from api_helpers import LiveApi, assert_envelope

from prodex.service.accounts import Accounts
from prodex.service.credits import Credits

CALLS = [
    ("POST", "/v2/product", {"name": "x"}),
    ("PUT", "/v2/product", {"product_id": "abc", "name": "x"}),
    ("GET", "/v2/product/abc", None),
    ("GET", "/v2/products", None),
    ("DELETE", "/v2/product/abc", None),
    ("GET", "/v2/user/whoami", None),
    ("GET", "/v2/user/remaining_quota", None),
]


@pytest.mark.parametrize(("method", "path", "body"), CALLS)
def test_missing_or_unknown_keys_answer_10105(live: LiveApi, method: str, path: str, body: object) -> None:
    for key in (None, "", "pdx_unknown", "x" * 500):
        with live.client(key) as client:
            response = client.request(method, path, json=body)
            assert_envelope(response, 401, 10105)
            assert "x-api-key" in response.json()["msg"]


def test_revoked_keys_and_disabled_accounts_answer_18025(live: LiveApi) -> None:
    accounts = Accounts(live.database, live.settings)
    account_id, key = live.account()
    spare = accounts.issue_key(account_id)
    with live.client(key) as client:
        assert_envelope(client.get("/v2/user/whoami"), 200, 0)
        accounts.set_api_enabled(account_id, False)
        assert_envelope(client.get("/v2/user/whoami"), 403, 18025)
        assert_envelope(client.post("/v2/product", json={"name": "x"}), 403, 18025)
        accounts.set_api_enabled(account_id, True)
        assert_envelope(client.get("/v2/user/whoami"), 200, 0)
        accounts.revoke_key(spare.key.id)
        assert_envelope(client.get("/v2/user/whoami"), 200, 0)  # the other key still works
    with live.client(spare.secret) as client:
        response = client.get("/v2/user/whoami")
        assert_envelope(response, 403, 18025)
        assert "revoked" in response.json()["msg"]


def test_whoami_and_remaining_quota(live: LiveApi) -> None:
    account, issued = Accounts(live.database, live.settings).create(
        name="Ada", email="ada@example.org", plan="test", credits=12
    )
    with live.client(issued.secret) as client:
        assert assert_envelope(client.get("/v2/user/whoami"), 200, 0) == {
            "email": "ada@example.org",
            "username": "Ada",
            "account_id": account.id,
            "plan": "test",
        }
        assert assert_envelope(client.get("/v2/user/remaining_quota"), 200, 0) == {"remaining_quota": 12}
        charge_id = Credits(live.database).charge(account.id, 5, "test")
        assert assert_envelope(client.get("/v2/user/remaining_quota"), 200, 0) == {"remaining_quota": 7}
        Credits(live.database).refund(charge_id)
        assert assert_envelope(client.get("/v2/user/remaining_quota"), 200, 0) == {"remaining_quota": 12}
