"""POST /v2/product with a url, end to end over real HTTP against the fixture shop on 127.0.0.1.

The server under test may fetch from 127.0.0.1 only (PRODEX_FETCH_ALLOW_PRIVATE for tests,
PRODEX_FETCH_ALLOWED_HOSTS=127.0.0.1); the last test uses the default settings of the ``live``
server, whose URL guard must refuse the very same shop.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from api_helpers import LiveApi, assert_envelope, make_settings, serve_in_thread

from fixtures.analysis_pages import APP_SHELL, listing_page
from fixtures.fetching import keep_network_local
from fixtures.pages import PRODUCT_CURRENCY, PRODUCT_NAME, PRODUCT_PRICE
from fixtures.shop_server import ShopServer
from prodex.api.app import create_app
from prodex.service.credits import Credits
from prodex.settings import Plan

URL_PLANS = {
    "test": Plan(requests_per_minute=1_000_000, concurrent_analyses=4, credits_per_analysis=2),
}


@pytest.fixture(scope="module")
def monkeymodule() -> Iterator[pytest.MonkeyPatch]:
    """A monkeypatch that lasts for the module (the server runs for the whole module)."""
    with pytest.MonkeyPatch.context() as patch:
        yield patch


@pytest.fixture(scope="module")
def url_live(
    live: LiveApi, tmp_path_factory: pytest.TempPathFactory, monkeymodule: pytest.MonkeyPatch
) -> Iterator[LiveApi]:
    """A server allowed to fetch from the fixture shop (127.0.0.1 only), on the live database."""
    keep_network_local(monkeymodule)
    settings = make_settings(
        live.database.url.render_as_string(hide_password=False),
        tmp_path_factory.mktemp("url-data"),
        plans=URL_PLANS,
        fetch_allow_private=True,
        fetch_retry_backoff=0.01,
        analysis_deadline_seconds=2,
        render="off",
    )
    app = create_app(settings)
    with serve_in_thread(app) as base_url:
        yield LiveApi(base_url=base_url, app=app, settings=settings, database=live.database)


def _quota(client: object) -> int:
    response = client.get("/v2/user/remaining_quota")  # type: ignore[attr-defined]
    return int(assert_envelope(response, 200, 0)["remaining_quota"])


def test_a_product_page_becomes_a_product(url_live: LiveApi, shop_server: ShopServer) -> None:
    _, key = url_live.account(credits=5)
    url = shop_server.url("/product/api-url-ok")
    with url_live.client(key) as client:
        data = assert_envelope(client.post("/v2/product", json={"url": url}), 200, 0)
        assert data["url"] == url
        assert data["name"] == f"{PRODUCT_NAME} (api-url-ok)"
        assert data["price"] == PRODUCT_PRICE
        assert data["currency"] == PRODUCT_CURRENCY
        assert data["media"] and data["media"][0]["type"] == 1
        assert data["source"]["name"] in {"json-ld", "microdata", "opengraph", "dom"}
        assert _quota(client) == 5 - 2
        again = assert_envelope(client.get(f"/v2/product/{data['product_id']}"), 200, 0)
        assert again == data


def test_fields_given_by_hand_win(url_live: LiveApi, shop_server: ShopServer) -> None:
    _, key = url_live.account(credits=5)
    body = {
        "url": shop_server.url("/product/api-url-manual"),
        "name": "My kettle",
        "target_audience": "Tea lovers",
        "media": [{"type": 2, "url": "https://cdn.example/demo.mp4"}],
    }
    with url_live.client(key) as client:
        data = assert_envelope(client.post("/v2/product", json=body), 200, 0)
    assert data["name"] == "My kettle"
    assert data["target_audience"] == "Tea lovers"
    assert data["media"] == [
        {"type": 2, "url": "https://cdn.example/demo.mp4", "name": "", "description": ""}
    ]
    assert data["price"] == PRODUCT_PRICE  # extracted fields still fill what was not given
    assert data["source"]["name"] == data["source"]["media"] == "manual"


@pytest.mark.parametrize(
    ("path", "status", "code", "words"),
    [
        ("/status/404", 400, 40000, "404"),
        ("/status/410", 400, 40000, "410"),
        ("/status/500", 502, 50000, "500"),
        ("/stall?after=10", 504, 50000, "did not"),
        ("/botwall/amazon", 422, 40000, "bot check"),
        ("/content/image", 422, 40000, "HTML"),
        ("/pages/api-url/listing", 422, 40000, "list of products"),
        ("/pages/api-url/shell", 422, 40000, "JavaScript"),
        ("/redirect-to?location=http://localhost:1/", 400, 40000, "not allowed"),
    ],
)
def test_failures_answer_clearly_and_refund(
    url_live: LiveApi, shop_server: ShopServer, path: str, status: int, code: int, words: str
) -> None:
    shop_server.serve("api-url/listing", listing_page())
    shop_server.serve("api-url/shell", APP_SHELL)
    account_id, key = url_live.account(credits=5)
    with url_live.client(key) as client:
        response = client.post("/v2/product", json={"url": shop_server.url(path)})
        assert_envelope(response, status, code)
        msg = response.json()["msg"]
        assert words.lower() in msg.lower(), msg
        assert "127.0.0.1" not in msg and "Traceback" not in msg
        assert _quota(client) == 5
        assert assert_envelope(client.get("/v2/products"), 200, 0)["total"] == 0
    kinds = [entry.kind for entry in Credits(url_live.database).entries(account_id)]
    assert kinds.count("charge") == kinds.count("refund") == 1


def test_not_enough_credits_answers_18020_without_fetching(
    url_live: LiveApi, shop_server: ShopServer
) -> None:
    _, key = url_live.account(credits=1)
    with url_live.client(key) as client:
        response = client.post("/v2/product", json={"url": shop_server.url("/product/api-url-poor")})
        assert_envelope(response, 402, 18020)
    assert shop_server.hits("/product/api-url-poor") == 0


def test_the_default_guard_refuses_this_machine(
    live: LiveApi, shop_server: ShopServer, monkeymodule: pytest.MonkeyPatch
) -> None:
    """With default fetch settings the shop on 127.0.0.1 is refused, under any name, for free."""
    keep_network_local(monkeymodule)
    settings = make_settings(
        live.database.url.render_as_string(hide_password=False),
        live.settings.data_dir,
        fetch_allowed_hosts=[],
    )
    assert settings.fetch_allow_private is False and settings.fetch_allowed_hosts == []
    guarded = LiveApi(base_url="", app=create_app(settings), settings=settings, database=live.database)
    _, key = guarded.account(credits=5)
    port = shop_server.port
    with serve_in_thread(guarded.app) as base_url:
        guarded.base_url = base_url
        with guarded.client(key) as client:
            for host in ("127.0.0.1", "localhost", "localhost.", "2130706433", "0x7f.1", "[::1]"):
                response = client.post(
                    "/v2/product", json={"url": f"http://{host}:{port}/product/api-url-guard"}
                )
                assert_envelope(response, 400, 40000)
                assert "not allowed" in response.json()["msg"], response.json()["msg"]
            assert _quota(client) == 5
    assert shop_server.hits("/product/api-url-guard") == 0
