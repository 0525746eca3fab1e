"""What the renderer needs from prodex.fetch: the fetcher's browser mode and port-scoped allow-lists.

``Fetcher.fetch_resource`` serves the browser's requests: any content type, redirects and error
statuses handed back (not followed or raised), the browser's method, headers and body forwarded,
the same guard and body bounds as page fetches. Real HTTP against the local shops on 127.0.0.1.
"""

from __future__ import annotations

import json
import uuid

import pytest

from fixtures.fetching import local_settings, make_settings
from fixtures.shop_server import ShopServer
from prodex.errors import BodyTooLarge, FetchError, URLRefused
from prodex.fetch import Fetcher, URLGuard
from render.spa_shop import SpaShop


async def test_any_content_type_is_handed_back(shop_server: ShopServer) -> None:
    async with Fetcher(local_settings()) as fetcher:
        script = await fetcher.fetch_resource(shop_server.url("/content/javascript-json"))
        image = await fetcher.fetch_resource(shop_server.url("/content/image"))
    assert (script.status, script.content_type, script.body) == (
        200,
        "application/javascript",
        b'{"title": "x"}',
    )
    assert image.content_type == "image/png" and image.body.startswith(b"\x89PNG")


async def test_redirects_and_error_statuses_are_handed_back(shop_server: ShopServer) -> None:
    target = f"/product/{uuid.uuid4().hex}"
    async with Fetcher(local_settings()) as fetcher:
        redirect = await fetcher.fetch_resource(shop_server.url(f"/redirect-to?location={target}&status=307"))
        missing = await fetcher.fetch_resource(shop_server.url("/status/404?t=mode"))
        failing = await fetcher.fetch_resource(shop_server.url("/status/503?t=mode"))
    assert (redirect.status, redirect.headers["location"], redirect.body) == (307, target, b"")
    assert shop_server.hits(target) == 0  # not followed: the browser follows it (through the guard)
    assert missing.status == 404 and b"404" in missing.body
    assert failing.status == 503
    assert shop_server.hits("/status/503?t=mode") == 1  # no retries in the browser's mode


async def test_the_browsers_method_headers_and_body_are_forwarded(spa_shop: SpaShop) -> None:
    settings = local_settings()
    async with Fetcher(settings) as fetcher:
        page = await fetcher.fetch_resource(
            spa_shop.url("/echo"),
            method="post",
            headers={
                "Content-Type": "application/json",
                "Cookie": "session=abc",
                "X-Shop-Token": "t0k",
                "User-Agent": "HeadlessChrome/156",
                "Host": "evil.example",
                "Accept-Encoding": "br, zstd",
                "Sec-Fetch-Mode": "cors",
            },
            body=b'{"query": "{ product { title } }"}',
        )
        with pytest.raises(FetchError, match="PUT request is not allowed"):
            await fetcher.fetch_resource(spa_shop.url("/echo"), method="PUT")
    echo = json.loads(page.body)
    assert echo["method"] == "POST" and echo["body"] == '{"query": "{ product { title } }"}'
    headers = echo["headers"]
    assert headers["content-type"] == "application/json"
    assert headers["cookie"] == "session=abc" and headers["x-shop-token"] == "t0k"
    assert headers["user-agent"] == settings.fetch_user_agent
    assert headers["host"] == f"127.0.0.1:{spa_shop.port}"
    assert headers["accept-encoding"] == "gzip, deflate"
    assert "sec-fetch-mode" not in headers
    assert spa_shop.hits("/echo") == 1  # the PUT never left


async def test_cookies_stay_whole_and_wire_headers_are_dropped(
    shop_server: ShopServer, spa_shop: SpaShop
) -> None:
    async with Fetcher(local_settings()) as fetcher:
        cookies = await fetcher.fetch_resource(spa_shop.url("/set-cookie"))
        gzipped = await fetcher.fetch_resource(shop_server.url("/bomb?encoding=gzip&mib=1&t=wire"))
    lines = cookies.headers["set-cookie"].split("\n")
    assert [line.split(";")[0] for line in lines] == ["http_cookie=from-http", "second_cookie=also-http"]
    assert "expires=Wed, 01 Jan 2031 00:00:00 GMT" in lines[1]
    assert "content-length" not in cookies.headers and "content-encoding" not in gzipped.headers
    assert gzipped.body == bytes(1024 * 1024)  # decoded, as the browser expects with no encoding


async def test_bounds_and_the_guard_apply(shop_server: ShopServer) -> None:
    async with Fetcher(local_settings(fetch_max_body_bytes=64 * 1024)) as fetcher:
        with pytest.raises(BodyTooLarge):
            await fetcher.fetch_resource(shop_server.url("/huge?size=1000000&t=mode"))
        with pytest.raises(BodyTooLarge):
            await fetcher.fetch_resource(shop_server.url("/bomb?encoding=gzip&mib=1&t=mode"))
        with pytest.raises(BodyTooLarge):  # a smaller budget of the caller's
            await fetcher.fetch_resource(shop_server.url("/huge?size=20000&t=budget"), max_bytes=10_000)
        with pytest.raises(URLRefused):
            await fetcher.fetch_resource("http://localhost:1/")
    async with Fetcher(make_settings()) as fetcher:
        with pytest.raises(URLRefused, match="loopback"):
            await fetcher.fetch_resource(shop_server.url("/product/basic?t=public-policy"))
    assert shop_server.hits("/product/basic?t=public-policy") == 0


@pytest.mark.parametrize(
    ("allowed", "url", "ok"),
    [
        (["127.0.0.1:8080"], "http://127.0.0.1:8080/", True),
        (["127.0.0.1:8080"], "http://127.0.0.1:8081/", False),
        (["127.0.0.1:80"], "http://127.0.0.1/", True),
        (["127.0.0.1:8080"], "http://2130706433:8080/", True),
        (["[::1]:8080"], "http://[::1]:8080/", True),
        (["[::1]:8080"], "http://[::1]:9090/", False),
        (["::1"], "http://[::1]:9090/", False),  # no port: 80 and 443 only
        (["::1"], "http://[::1]/", True),
        (["shop.example.com:8443"], "https://shop.example.com:8443/p", True),
        (["shop.example.com:8443"], "https://shop.example.com/p", False),
        (["*.example.com:8443"], "https://www.example.com:8443/p", True),
        (["*.example.com:8443"], "https://www.example.com/p", False),
        (["127.0.0.1:8080", "127.0.0.1"], "http://127.0.0.1:9/", False),  # bad port, refused anyway
        (["127.0.0.1:8080", "127.0.0.1"], "http://127.0.0.1:9090/", False),
        (["127.0.0.1:8080", "127.0.0.1"], "https://127.0.0.1/", True),
    ],
)
def test_allow_list_entries_may_name_a_port(allowed: list[str], url: str, ok: bool) -> None:
    guard = URLGuard(make_settings(fetch_allow_private=True, fetch_allowed_hosts=allowed))
    if ok:
        guard.check_url(url)
    else:
        with pytest.raises(URLRefused):
            guard.check_url(url)


@pytest.mark.parametrize("entry", ["shop.example.com:http", "127.0.0.1:0", "[::1]:70000", "host:1:2"])
def test_invalid_ports_in_the_allow_list_fail_at_start_up(entry: str) -> None:
    with pytest.raises(ValueError, match="PRODEX_FETCH_ALLOWED_HOSTS has an invalid"):
        URLGuard(make_settings(fetch_allowed_hosts=[entry]))
