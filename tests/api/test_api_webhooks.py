"""The webhook calls over real HTTP: JoggAI's endpoint management shapes, the limit of 20, one
account never sees another's endpoints, and a URL create sends ``product_created`` or
``product_failed`` to a real receiver on 127.0.0.1, signed with the secret the create call gave."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager

import httpx
import orjson
import pytest
from api_helpers import LiveApi, assert_envelope, make_settings, serve_in_thread

from fixtures.fetching import keep_network_local
from fixtures.shop_server import ShopServer
from fixtures.webhook_receiver import Received, WebhookReceiver
from prodex.api.app import create_app
from prodex.store.db import Database
from prodex.store.migrate import upgrade_database

ENDPOINT_FIELDS = {"endpoint_id", "url", "secret", "status", "events", "username", "created_at", "updated_at"}
BOTH = ["product_created", "product_failed"]


@pytest.fixture(scope="module")
def receiver() -> Iterator[WebhookReceiver]:
    """A webhook receiver of this module's own."""
    with WebhookReceiver() as server:
        yield server


@pytest.fixture(scope="module")
def hooks_database_url(
    live: LiveApi,
    tmp_path_factory: pytest.TempPathFactory,
    make_postgres_database: Callable[[str], AbstractContextManager[str]],
) -> Iterator[str]:
    """A database of this module's own, on the live server's backend: every worker on a database
    shares its job queue, so this keeps the workers of other tests' servers (whose guards refuse
    the receiver) from taking this module's deliveries."""
    if live.database.is_sqlite:
        yield f"sqlite:///{tmp_path_factory.mktemp('hooks-db') / 'prodex.db'}"
        return
    with make_postgres_database(live.database.url.render_as_string(hide_password=False)) as url:
        yield url


@pytest.fixture(scope="module")
def hooks_live(
    hooks_database_url: str,
    receiver: WebhookReceiver,
    shop_server: ShopServer,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[LiveApi]:
    """A server whose guard lets it reach the fixture shop and the receiver (127.0.0.1, their
    ports only), with http endpoints allowed and fast retries, on a database of its own."""
    database = Database(hooks_database_url, pool_size=4)
    upgrade_database(database)
    with pytest.MonkeyPatch.context() as patch:
        keep_network_local(patch)
        settings = make_settings(
            hooks_database_url,
            tmp_path_factory.mktemp("hooks-data"),
            fetch_allow_private=True,
            fetch_allowed_hosts=[f"127.0.0.1:{shop_server.port}", f"127.0.0.1:{receiver.port}"],
            fetch_retry_backoff=0.01,
            webhook_require_https=False,
            webhook_retry_delays=[0.05, 0.05],
            jobs_worker=True,
            jobs_poll_seconds=0.05,
            render="off",
        )
        app = create_app(settings)
        with serve_in_thread(app) as base_url:
            yield LiveApi(base_url=base_url, app=app, settings=settings, database=database)
    database.dispose()


def _add(client: httpx.Client, url: str, events: list[str] | None = None) -> dict[str, object]:
    body = {"url": url, "events": events or BOTH}
    return dict(assert_envelope(client.post("/v2/endpoint", json=body), 200, 0))


def _wait_for(receiver: WebhookReceiver, path: str, count: int) -> list[Received]:
    deadline = time.monotonic() + 15
    while len(received := receiver.requests_to(path)) < count:
        assert time.monotonic() < deadline, f"{len(received)} of {count} deliveries arrived"
        time.sleep(0.02)
    return received


def test_endpoints_are_added_listed_updated_and_deleted_in_joggai_s_shapes(
    hooks_live: LiveApi, receiver: WebhookReceiver
) -> None:
    _, key = hooks_live.account(name="hook owner")
    with hooks_live.client(key) as client:
        added = _add(client, receiver.url("/ok?shapes"), ["product_created"])
        assert set(added) == ENDPOINT_FIELDS
        assert added["status"] == "enabled" and added["events"] == ["product_created"]
        assert added["username"] == "hook owner"
        assert str(added["secret"]).startswith("whsec_") and len(str(added["secret"])) >= 32
        assert str(added["endpoint_id"]).startswith("wh_")
        listed = assert_envelope(client.get("/v2/endpoints"), 200, 0)
        assert listed == {"endpoints": [added]}
        path = f"/v2/endpoint/{added['endpoint_id']}"
        change = {"url": receiver.url("/ok?changed"), "status": "disabled", "events": BOTH}
        updated = assert_envelope(client.put(path, json=change), 200, 0)
        assert {k: updated[k] for k in change} == change
        assert updated["secret"] == added["secret"]  # the secret never changes
        assert updated["created_at"] == added["created_at"]
        partial = assert_envelope(client.put(path, json={"status": "enabled"}), 200, 0)
        assert (partial["status"], partial["url"]) == ("enabled", change["url"])
        deleted = assert_envelope(client.delete(path), 200, 0)
        assert deleted == {"endpoint_id": added["endpoint_id"]}
        assert assert_envelope(client.get("/v2/endpoints"), 200, 0) == {"endpoints": []}
        assert_envelope(client.put(path, json={"status": "enabled"}), 404, 10104)
        assert_envelope(client.delete(path), 404, 10104)
        assert_envelope(client.get(f"{path}/deliveries"), 404, 10104)


def test_an_account_has_at_most_20_endpoints(hooks_live: LiveApi, receiver: WebhookReceiver) -> None:
    _, key = hooks_live.account()
    with hooks_live.client(key) as client:
        for n in range(20):
            _add(client, receiver.url(f"/ok?n={n}"))
        response = client.post("/v2/endpoint", json={"url": receiver.url("/ok?n=21"), "events": BOTH})
        assert_envelope(response, 400, 40000)
        assert "at most 20" in response.json()["msg"]
        assert len(assert_envelope(client.get("/v2/endpoints"), 200, 0)["endpoints"]) == 20


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ({"url": "RECEIVER", "events": ["generated_video_success"]}, "events[0]", "product_created"),
        ({"url": "RECEIVER", "events": []}, "events", "at least 1"),
        ({"url": "RECEIVER"}, "events", "required"),
        ({"url": "ftp://files.example/x", "events": BOTH}, "url", "http"),
        ({"url": "https://hooks.example.com/x", "events": BOTH}, "url", "allowed hosts"),
        ({"url": "RECEIVER", "events": BOTH, "status": "paused"}, "status", "enabled"),
    ],
)
def test_invalid_endpoints_are_refused_naming_the_field(
    hooks_live: LiveApi, receiver: WebhookReceiver, body: dict[str, object], field: str, words: str
) -> None:
    _, key = hooks_live.account()
    if body.get("url") == "RECEIVER":
        body = {**body, "url": receiver.url("/ok")}
    with hooks_live.client(key) as client:
        response = client.post("/v2/endpoint", json=body)
    data = assert_envelope(response, 400, 40000)
    assert data["field"] == field
    assert words in response.json()["msg"]


def test_another_account_s_endpoint_does_not_exist(hooks_live: LiveApi, receiver: WebhookReceiver) -> None:
    _, owner = hooks_live.account()
    _, stranger = hooks_live.account()
    with hooks_live.client(owner) as client:
        path = f"/v2/endpoint/{_add(client, receiver.url('/ok?owner'))['endpoint_id']}"
    with hooks_live.client(stranger) as client:
        assert assert_envelope(client.get("/v2/endpoints"), 200, 0) == {"endpoints": []}
        assert_envelope(client.put(path, json={"status": "disabled"}), 404, 10104)
        assert_envelope(client.delete(path), 404, 10104)
        assert_envelope(client.get(f"{path}/deliveries"), 404, 10104)


def test_a_url_create_sends_product_created_or_product_failed_signed(
    hooks_live: LiveApi, receiver: WebhookReceiver, shop_server: ShopServer
) -> None:
    _, key = hooks_live.account(credits=5)
    with hooks_live.client(key) as client:
        hook = f"/ok?url-create={uuid.uuid4().hex}"
        endpoint = _add(client, receiver.url(hook))
        secret = str(endpoint["secret"])
        product = assert_envelope(
            client.post("/v2/product", json={"url": shop_server.url("/product/hooked")}), 200, 0
        )
        [created] = _wait_for(receiver, hook, 1)
        failed_url = shop_server.url("/status/404")
        response = client.post("/v2/product", json={"url": failed_url})
        assert_envelope(response, 400, 40000)
        _, failed = _wait_for(receiver, hook, 2)
        manual = {"name": "By hand"}
        assert_envelope(client.post("/v2/product", json=manual), 200, 0)  # no event: the caller has it
        deliveries = assert_envelope(client.get(f"/v2/endpoint/{endpoint['endpoint_id']}/deliveries"), 200, 0)
    assert created.signed_by(secret) and failed.signed_by(secret)
    created_body, failed_body = orjson.loads(created.body), orjson.loads(failed.body)
    assert created_body["event"] == "product_created"
    assert created_body["data"] == product
    assert failed_body["event"] == "product_failed"
    assert failed_body["data"] == {"url": failed_url, "code": 40000, "msg": response.json()["msg"]}
    assert deliveries["total"] == 2 and deliveries["page"] == 1
    newest, oldest = deliveries["deliveries"]
    assert (newest["event"], oldest["event"]) == ("product_failed", "product_created")
    assert newest["event_id"] == failed_body["event_id"]
    for delivery in (newest, oldest):
        assert delivery["status"] == "delivered" and delivery["attempt_count"] == 1
        assert delivery["next_attempt_at"] is None
        [attempt] = delivery["attempts"]
        assert attempt["attempt"] == 1 and attempt["status_code"] == 200 and attempt["error"] == ""
        assert attempt["response_body"] == '{"received": true}'


def test_a_finished_import_sends_product_import_completed_with_the_job(
    hooks_live: LiveApi, receiver: WebhookReceiver, shop_server: ShopServer
) -> None:
    _, key = hooks_live.account(credits=10)
    with hooks_live.client(key) as client:
        hook = f"/ok?import={uuid.uuid4().hex}"
        endpoint = _add(client, receiver.url(hook), ["product_import_completed"])
        urls = [shop_server.url(f"/product/hooked-import-{n}") for n in range(2)]
        urls.append(shop_server.url("/status/404"))
        job = assert_envelope(client.post("/v2/products/import", json={"urls": urls}), 200, 0)
        [request] = _wait_for(receiver, hook, 1)
        listed = assert_envelope(client.get("/v2/products/imports"), 200, 0)["imports"]
    assert request.signed_by(str(endpoint["secret"]))
    body = orjson.loads(request.body)
    assert body["event"] == "product_import_completed"
    assert body["data"] == next(item for item in listed if item["job_id"] == job["job_id"])
    assert body["data"]["status"] == "done"
    assert (body["data"]["counts"]["done"], body["data"]["counts"]["failed"]) == (2, 1)


def test_events_lists_what_an_endpoint_may_subscribe_to(hooks_live: LiveApi) -> None:
    _, key = hooks_live.account()
    with hooks_live.client(key) as client:
        data = assert_envelope(client.get("/v2/events"), 200, 0)
    assert data == {"events": ["product_created", "product_failed", "product_import_completed"]}


def test_the_openapi_document_describes_the_webhook_calls(live: LiveApi) -> None:
    with live.client() as client:
        paths = client.get("/openapi.json").json()["paths"]
    expected = {
        "/v2/endpoint": {"post"},
        "/v2/endpoints": {"get"},
        "/v2/endpoint/{endpoint_id}": {"put", "delete"},
        "/v2/endpoint/{endpoint_id}/deliveries": {"get"},
        "/v2/events": {"get"},
    }
    for path, methods in expected.items():
        assert set(paths[path]) == methods
        for method in methods:
            operation = paths[path][method]
            assert operation["tags"] == ["Webhook"]
            assert operation["security"] == [{"apiKeyAuth": []}]
            assert ("200" in operation["responses"] and "404" in operation["responses"]) or method != "put"
    body = paths["/v2/endpoint"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/EndpointCreate"}
