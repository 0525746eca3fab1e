"""Endpoint rules of the service: https and the URL guard's static checks when an endpoint is
added or changed, the per-account limit even under concurrent requests, and delete cascading."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from webhook_helpers import new_account

from prodex.errors import InvalidParameter, RecordNotFound
from prodex.service.webhooks import EndpointChanges, WebhookEndpoints
from prodex.settings import Settings
from prodex.store.db import Database
from prodex.webhooks import PRODUCT_CREATED


def _endpoints(database: Database, **overrides: object) -> WebhookEndpoints:
    return WebhookEndpoints(database, Settings(_env_file=None, **overrides))  # type: ignore[call-arg,arg-type]


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("http://hooks.example.com/x", "https"),
        ("https://localhost/x", "local network"),
        ("https://printer.local/x", "local host name"),
        ("https://10.1.2.3/x", "private"),
        ("https://169.254.169.254/latest/meta-data", "link-local"),
        ("https://[::1]/x", "loopback"),
        ("https://user:pw@hooks.example.com/x", "user"),
    ],
)
def test_an_endpoint_url_must_be_https_and_pass_the_guard(database: Database, url: str, words: str) -> None:
    account_id = new_account(database)
    endpoints = _endpoints(database)
    with pytest.raises(InvalidParameter) as caught:
        endpoints.create(account_id, url=url, events=[PRODUCT_CREATED], status="enabled")
    assert caught.value.field == "url"
    assert words in caught.value.msg.lower()
    good = endpoints.create(
        account_id, url="https://hooks.example.com/x", events=[PRODUCT_CREATED], status="enabled"
    )
    with pytest.raises(InvalidParameter):
        endpoints.update(account_id, good.id, EndpointChanges(url=url))


def test_the_limit_holds_under_concurrent_requests(database: Database) -> None:
    account_id = new_account(database)
    endpoints = _endpoints(database, webhook_max_endpoints=3)

    def add(n: int) -> bool:
        try:
            endpoints.create(
                account_id, url=f"https://hooks.example.com/{n}", events=[PRODUCT_CREATED], status="enabled"
            )
        except InvalidParameter as exc:
            assert "at most 3" in exc.msg
            return False
        return True

    with ThreadPoolExecutor(max_workers=4) as pool:
        added = list(pool.map(add, range(8)))
    assert added.count(True) == 3
    assert len(endpoints.all(account_id)) == 3


def test_events_are_kept_once_each_in_order_and_ids_are_opaque(database: Database) -> None:
    account_id = new_account(database)
    endpoints = _endpoints(database)
    endpoint = endpoints.create(
        account_id,
        url="https://hooks.example.com/x",
        events=["product_failed", PRODUCT_CREATED, "product_failed"],
        status="disabled",
    )
    assert endpoint.events == ("product_failed", PRODUCT_CREATED)
    assert not endpoint.enabled
    assert endpoints.get(account_id, endpoint.id) == endpoint
    for bad_id in ("wh_nope", "x" * 64, endpoint.id.upper()):
        with pytest.raises(RecordNotFound):
            endpoints.get(account_id, bad_id)
    endpoints.delete(account_id, endpoint.id)
    with pytest.raises(RecordNotFound):
        endpoints.deliveries(account_id, endpoint.id, page=1, page_size=10)
