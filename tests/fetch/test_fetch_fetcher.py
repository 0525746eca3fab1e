"""The fetcher end to end against the local fixture shop (real HTTP on 127.0.0.1 only).

Tests that fetch from the shop allow private addresses and only the host 127.0.0.1
(``local_settings``); those that need a public-looking name use FakeResolver + LoopbackDialer.
"""

from __future__ import annotations

import asyncio
import gzip
import os
import shutil
import socket
import time
import uuid
from pathlib import Path

import pytest

from fixtures.fetching import PUBLIC_IP, FakeResolver, LoopbackDialer, local_settings, make_settings
from fixtures.pages import BOT_WALLS, CHARSET_CASES, PRODUCT_NAME
from fixtures.shop_server import ShopServer
from prodex.errors import (
    BodyTooLarge,
    BotWall,
    FetchError,
    NotHTML,
    Unreachable,
    UnusablePage,
    UpstreamClientError,
    UpstreamServerError,
    UpstreamTimeout,
    URLRefused,
)
from prodex.fetch import Accept, Fetcher


def unique(path: str) -> str:
    """``path`` with a unique query token, so hit counts on the shared shop are this test's own."""
    return f"{path}{'&' if '?' in path else '?'}t={uuid.uuid4().hex[:12]}"


# --- the guard end to end: default settings refuse the fixture shop --------------------------


@pytest.mark.parametrize(
    "spelling",
    [
        "127.0.0.1",
        "localhost",
        "LOCALHOST.",
        "127.1",
        "2130706433",
        "0x7f.0.0.1",
        "[::1]",
        "[::ffff:127.0.0.1]",
    ],
)
async def test_default_settings_refuse_the_local_shop(own_shop: ShopServer, spelling: str) -> None:
    async with Fetcher(make_settings()) as fetcher:
        with pytest.raises(URLRefused) as refused:
            await fetcher.fetch(f"http://{spelling}:{own_shop.port}/product/basic")
    assert "not allowed" in refused.value.msg
    assert refused.value.status == 400 and refused.value.code == 40000
    assert own_shop.total_hits == 0


async def test_allow_list_confines_fetching_even_with_private_allowed(own_shop: ShopServer) -> None:
    async with Fetcher(local_settings()) as fetcher:
        with pytest.raises(URLRefused, match="PRODEX_FETCH_ALLOWED_HOSTS"):
            await fetcher.fetch(f"http://localhost:{own_shop.port}/product/basic")
    assert own_shop.total_hits == 0


# --- pages ---------------------------------------------------------------------------------------


async def test_fetches_a_product_page_with_browser_like_headers(shop_server: ShopServer) -> None:
    path = unique("/product/basic")
    settings = local_settings(
        fetch_user_agent="ProdexTest/1.0 (like Chrome)", fetch_accept_language="de-DE,de"
    )
    async with Fetcher(settings) as fetcher:
        page = await fetcher.fetch(shop_server.url(path))
    assert page.status == 200
    assert page.url == page.final_url == shop_server.url(path)
    assert page.content_type == "text/html"
    assert page.charset == "utf-8"
    assert PRODUCT_NAME in page.text
    assert page.headers["content-type"].startswith("text/html")
    (request,) = shop_server.requests_for(path)
    assert request.headers["user-agent"] == "ProdexTest/1.0 (like Chrome)"
    assert request.headers["accept-language"] == "de-DE,de"
    assert request.headers["accept"].startswith("text/html")
    assert request.headers["accept-encoding"] == "gzip, deflate"
    assert request.headers["host"] == f"127.0.0.1:{shop_server.port}"


@pytest.mark.dataset
async def test_dataset_pages_arrive_intact_plain_and_gzip_encoded(
    shop_server: ShopServer, dataset_dir: Path
) -> None:

    page_ids = shop_server.dataset_page_ids()[:5]
    assert page_ids
    async with Fetcher(local_settings()) as fetcher:
        for page_id in page_ids:
            original = gzip.decompress((dataset_dir / "pages" / f"{page_id}.html.gz").read_bytes())
            plain = await fetcher.fetch(shop_server.url(f"/dataset/{page_id}"))
            encoded = await fetcher.fetch(shop_server.url(f"/dataset/{page_id}?encoding=gzip"))
            assert plain.body == original
            assert encoded.body == original
            assert len(plain.text) > 1000


async def test_name_with_public_answer_is_fetched_through_the_checked_address(own_shop: ShopServer) -> None:
    resolver = FakeResolver({"shop.example.com": [PUBLIC_IP]})
    dialer = LoopbackDialer()
    async with Fetcher(make_settings(), resolver=resolver, transport=dialer) as fetcher:
        page = await fetcher.fetch(f"http://shop.example.com:{own_shop.port}/product/basic")
    assert PRODUCT_NAME in page.text
    assert dialer.dialled == [(PUBLIC_IP, own_shop.port)]
    (request,) = own_shop.requests_for("/product/basic")
    assert request.headers["host"] == f"shop.example.com:{own_shop.port}"


# --- redirects -------------------------------------------------------------------------------------


async def test_redirects_are_followed_up_to_the_limit(shop_server: ShopServer) -> None:
    async with Fetcher(local_settings(fetch_max_redirects=5)) as fetcher:
        page = await fetcher.fetch(shop_server.url("/redirect/5"))
        assert page.final_url == shop_server.url("/product/basic")
        assert page.url == shop_server.url("/redirect/5")
        assert len(page.redirects) == 5
        assert PRODUCT_NAME in page.text
        with pytest.raises(FetchError, match="redirected more than 5 times"):
            await fetcher.fetch(shop_server.url("/redirect/6"))


@pytest.mark.parametrize("path", ["/loop/a", "/loop/self"])
async def test_redirect_loops_are_detected(own_shop: ShopServer, path: str) -> None:
    async with Fetcher(local_settings(fetch_max_redirects=10)) as fetcher:
        with pytest.raises(FetchError, match="loop"):
            await fetcher.fetch(own_shop.url(path))
    assert own_shop.total_hits <= 2  # stopped as soon as a URL came round again


async def test_cookies_set_during_redirects_are_sent_back(shop_server: ShopServer) -> None:
    async with Fetcher(local_settings()) as fetcher:
        page = await fetcher.fetch(shop_server.url("/cookie-gate"))
    assert "cookie-gate" in page.text
    assert page.redirects == (shop_server.url("/cookie-gate"),)


async def test_cookies_do_not_leak_between_fetches(own_shop: ShopServer) -> None:
    async with Fetcher(local_settings(fetch_cache_ttl=0)) as fetcher:
        await fetcher.fetch(own_shop.url("/cookie-gate"))
        await fetcher.fetch(own_shop.url("/cookie-gate"))
    first_requests = own_shop.requests_for("/cookie-gate")
    assert len(first_requests) == 4
    assert ["cookie" in r.headers for r in first_requests] == [False, True, False, True]


@pytest.mark.parametrize(
    "location",
    [
        "http://localhost:{port}/product/target",
        "http://127.0.0.1:{port}/product/target",
        "http://2130706433:{port}/product/target",
        "http://[::1]:{port}/product/target",
        "http://169.254.169.254/latest/meta-data/",
        "file:///etc/passwd",
        "http://user:pw@shop.example.com:{port}/product/target",
    ],
)
async def test_every_redirect_hop_is_checked(own_shop: ShopServer, location: str) -> None:
    """A public-looking shop redirects to a local or forbidden address: refused before connecting."""
    from urllib.parse import quote

    resolver = FakeResolver({"shop.example.com": [PUBLIC_IP]})
    dialer = LoopbackDialer()
    target = quote(location.format(port=own_shop.port), safe="")
    async with Fetcher(make_settings(), resolver=resolver, transport=dialer) as fetcher:
        with pytest.raises(URLRefused):
            await fetcher.fetch(f"http://shop.example.com:{own_shop.port}/redirect-to?location={target}")
    assert own_shop.hits("/product/target") == 0
    assert dialer.dialled == [(PUBLIC_IP, own_shop.port)]


async def test_redirect_hops_are_checked_against_the_allow_list(own_shop: ShopServer) -> None:
    async with Fetcher(local_settings()) as fetcher:
        with pytest.raises(URLRefused, match="PRODEX_FETCH_ALLOWED_HOSTS"):
            await fetcher.fetch(
                own_shop.url(f"/redirect-to?location=http://localhost:{own_shop.port}/product/x")
            )
    assert own_shop.hits("/product/x") == 0


@pytest.mark.parametrize("port", [6379, 5432, 80])
async def test_a_redirect_to_another_port_of_an_allowed_host_is_refused(
    own_shop: ShopServer, port: int
) -> None:
    """The issue: with 127.0.0.1 allowed, a page redirecting to 127.0.0.1:6379 reached Redis. The
    allow-list names the shop's port; another port of the same host is refused before connecting."""
    dialer = LoopbackDialer()
    settings = local_settings(fetch_allowed_hosts=[f"127.0.0.1:{own_shop.port}"])
    async with Fetcher(settings, transport=dialer) as fetcher:
        with pytest.raises(URLRefused, match=f"port {port}"):
            await fetcher.fetch(own_shop.url(f"/redirect-to?location=http://127.0.0.1:{port}/"))
    assert [target for target in dialer.dialled if target[1] == port] == []


# --- time limits -------------------------------------------------------------------------------------


async def test_a_stalled_response_times_out_on_read(shop_server: ShopServer) -> None:
    settings = local_settings(fetch_read_timeout=0.5, fetch_total_timeout=5, fetch_retries=0)
    started = time.monotonic()
    async with Fetcher(settings) as fetcher:
        with pytest.raises(UpstreamTimeout) as timeout:
            await fetcher.fetch(shop_server.url(unique("/stall?after=30")))
    assert time.monotonic() - started < 4
    assert timeout.value.status == 504 and timeout.value.retryable


async def test_a_dripping_response_hits_the_total_timeout(shop_server: ShopServer) -> None:
    settings = local_settings(fetch_read_timeout=2, fetch_total_timeout=1.0)
    started = time.monotonic()
    async with Fetcher(settings) as fetcher:
        with pytest.raises(UpstreamTimeout, match="within 1 s"):
            await fetcher.fetch(shop_server.url(unique("/drip?interval=0.1&count=1000")))
    assert time.monotonic() - started < 3


async def test_slow_but_timely_answers_succeed(shop_server: ShopServer) -> None:
    async with Fetcher(local_settings(fetch_read_timeout=2)) as fetcher:
        page = await fetcher.fetch(shop_server.url(unique("/product/slow?delay=0.5")))
    assert PRODUCT_NAME in page.text


# --- size limits -------------------------------------------------------------------------------------


@pytest.mark.parametrize("declared", [False, True])
async def test_huge_bodies_are_cut_at_the_limit(shop_server: ShopServer, declared: bool) -> None:
    query = "&declared=1" if declared else ""
    async with Fetcher(local_settings(fetch_max_body_bytes=1024 * 1024)) as fetcher:
        with pytest.raises(BodyTooLarge, match="1024 KiB") as too_large:
            await fetcher.fetch(shop_server.url(unique(f"/huge?size={20 * 1024 * 1024}{query}")))
    assert too_large.value.status == 422


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "gzip,gzip"])
async def test_compression_bombs_cost_no_more_than_the_limit(shop_server: ShopServer, encoding: str) -> None:
    """256 MiB of zeros compressed to about 250 KiB: refused after 1 MiB of output."""
    import tracemalloc

    limit = 1024 * 1024
    async with Fetcher(local_settings(fetch_max_body_bytes=limit)) as fetcher:
        await fetcher.fetch(shop_server.url("/product/warm-up"))
        tracemalloc.start()
        try:
            with pytest.raises(BodyTooLarge):
                await fetcher.fetch(shop_server.url(f"/bomb?encoding={encoding}&mib=256"))
            _current, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert peak < 8 * limit, f"peak {peak} bytes while reading a bomb"


async def test_unsupported_compression_is_a_clear_error(shop_server: ShopServer) -> None:
    async with Fetcher(local_settings()) as fetcher:
        with pytest.raises(UnusablePage, match="unsupported compression"):
            await fetcher.fetch(shop_server.url("/content/br-encoded"))


# --- content types -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "accept", "expected"),
    [
        ("xhtml", "html", "application/xhtml+xml"),
        ("xml-html", "html", "text/html"),
        ("no-type-html", "html", "text/html"),
        ("text-plain-html", "html", "text/html"),
        ("octet-html", "html", "text/html"),
        ("json", "json", "application/json"),
        ("javascript-json", "json", "application/json"),
        ("xhtml", "json", "application/xhtml+xml"),
    ],
)
async def test_acceptable_content_types(
    shop_server: ShopServer, kind: str, accept: Accept, expected: str
) -> None:
    async with Fetcher(local_settings()) as fetcher:
        page = await fetcher.fetch(shop_server.url(f"/content/{kind}"), accept=accept)
    assert page.content_type == expected


@pytest.mark.parametrize(
    ("kind", "accept"),
    [
        ("image", "html"),
        ("pdf", "html"),
        ("json", "html"),
        ("no-type-binary", "html"),
        ("text-plain-text", "html"),
        ("xml-feed", "html"),
        ("image", "json"),
    ],
)
async def test_wrong_content_types_are_refused(shop_server: ShopServer, kind: str, accept: Accept) -> None:
    async with Fetcher(local_settings()) as fetcher:
        with pytest.raises(NotHTML) as not_html:
            await fetcher.fetch(shop_server.url(f"/content/{kind}"), accept=accept)
    assert not_html.value.status == 422
    assert "does not point to" in not_html.value.msg


# --- statuses and retries ------------------------------------------------------------------------


async def test_404_is_a_client_error_and_not_retried(shop_server: ShopServer) -> None:
    path = unique("/status/404")
    async with Fetcher(local_settings(fetch_retries=3)) as fetcher:
        with pytest.raises(UpstreamClientError) as error:
            await fetcher.fetch(shop_server.url(path))
    assert error.value.upstream_status == 404
    assert "HTTP 404" in error.value.msg and error.value.status == 400
    assert shop_server.hits(path) == 1


async def test_500_is_retried_then_reported(shop_server: ShopServer) -> None:
    path = unique("/status/500")
    async with Fetcher(local_settings(fetch_retries=2)) as fetcher:
        with pytest.raises(UpstreamServerError) as error:
            await fetcher.fetch(shop_server.url(path))
    assert error.value.upstream_status == 500 and error.value.status == 502 and error.value.retryable
    assert shop_server.hits(path) == 3


async def test_429_honours_retry_after(shop_server: ShopServer) -> None:
    path = unique("/status/429?retry_after=1")
    started = time.monotonic()
    async with Fetcher(local_settings(fetch_retries=1, fetch_max_retry_after=5)) as fetcher:
        with pytest.raises(UpstreamClientError) as error:
            await fetcher.fetch(shop_server.url(path))
    assert error.value.upstream_status == 429
    assert shop_server.hits(path) == 2
    assert time.monotonic() - started >= 1.0


async def test_retry_after_beyond_the_cap_is_not_waited_for(shop_server: ShopServer) -> None:
    path = unique("/status/503?retry_after=120")
    started = time.monotonic()
    async with Fetcher(local_settings(fetch_retries=3, fetch_max_retry_after=10)) as fetcher:
        with pytest.raises(UpstreamServerError):
            await fetcher.fetch(shop_server.url(path))
    assert shop_server.hits(path) == 1
    assert time.monotonic() - started < 2


async def test_flaky_shop_succeeds_after_retries(shop_server: ShopServer) -> None:
    key = uuid.uuid4().hex
    async with Fetcher(local_settings(fetch_retries=2)) as fetcher:
        page = await fetcher.fetch(shop_server.url(f"/flaky/{key}?failures=2&status=503&retry_after=0"))
    assert f"flaky-{key}" in page.text
    assert shop_server.hits(f"/flaky/{key}?failures=2&status=503&retry_after=0") == 3


async def test_connection_refused_is_unreachable_and_retried() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # nothing listens on ``port`` now
    started = time.monotonic()
    settings = local_settings(
        fetch_retries=2, fetch_retry_backoff=0.1, fetch_allowed_hosts=[f"127.0.0.1:{port}"]
    )
    async with Fetcher(settings) as fetcher:
        with pytest.raises(Unreachable) as error:
            await fetcher.fetch(f"http://127.0.0.1:{port}/")
    assert "Could not connect" in error.value.msg
    assert "127.0.0.1" in error.value.msg  # the host the user gave, not a resolved address
    assert time.monotonic() - started >= 0.3  # two backoffs: 0.1 + 0.2 s at least


async def test_dns_failure_is_unreachable_naming_dns(own_shop: ShopServer) -> None:
    async with Fetcher(make_settings(), resolver=FakeResolver({})) as fetcher:
        with pytest.raises(Unreachable, match="DNS lookup failed"):
            await fetcher.fetch("https://no-such-shop.example.com/p")


async def test_tls_failure_is_unreachable_naming_tls() -> None:
    """A shop with a self-signed certificate, reached under a public-looking name: the TLS
    handshake fails, the error says so, and the SNI the shop saw was the URL's host name."""
    if shutil.which("openssl") is None:  # the fixture makes its certificate with the openssl CLI
        if os.environ.get("PRODEX_TEST_REQUIRE_SERVICES") == "1":
            pytest.fail("openssl is required by PRODEX_TEST_REQUIRE_SERVICES=1 but not installed")
        pytest.skip("openssl not installed")
    with ShopServer(tls=True, tls_hostname="shop.example.com") as tls_shop:
        resolver = FakeResolver({"shop.example.com": [PUBLIC_IP]})
        async with Fetcher(make_settings(), resolver=resolver, transport=LoopbackDialer()) as fetcher:
            with pytest.raises(Unreachable) as error:
                await fetcher.fetch(f"https://shop.example.com:{tls_shop.port}/product/basic")
        assert "TLS" in error.value.msg and "certificate" in error.value.msg
        assert tls_shop.sni_names and set(tls_shop.sni_names) == {"shop.example.com"}
        assert tls_shop.total_hits == 0


# --- bot walls -------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(BOT_WALLS))
async def test_bot_walls_are_reported_as_such(shop_server: ShopServer, name: str) -> None:
    async with Fetcher(local_settings(fetch_retries=2)) as fetcher:
        with pytest.raises(BotWall) as wall:
            await fetcher.fetch(shop_server.url(f"/botwall/{name}"))
    assert wall.value.status == 422
    assert "instead of the product page" in wall.value.msg


async def test_bot_wall_message_names_the_vendor(shop_server: ShopServer) -> None:
    async with Fetcher(local_settings()) as fetcher:
        for name, vendor in [("cloudflare", "Cloudflare"), ("datadome", "DataDome"), ("amazon", "Amazon")]:
            with pytest.raises(BotWall, match=vendor):
                await fetcher.fetch(shop_server.url(f"/botwall/{name}"))


# --- charsets ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", sorted(CHARSET_CASES))
async def test_wrong_and_missing_charsets_decode_correctly(shop_server: ShopServer, case: str) -> None:
    _content_type, _body, text = CHARSET_CASES[case]
    async with Fetcher(local_settings()) as fetcher:
        page = await fetcher.fetch(shop_server.url(f"/charset/{case}"))
    assert text in page.text, f"decoded as {page.encoding}"


# --- cache, single flight, concurrency ---------------------------------------------------------------


async def test_a_second_fetch_of_the_same_url_is_served_from_the_cache(shop_server: ShopServer) -> None:
    path = unique("/product/cached")
    async with Fetcher(local_settings(fetch_cache_ttl=60)) as fetcher:
        first = await fetcher.fetch(shop_server.url(path))
        second = await fetcher.fetch(shop_server.url(path))
    assert second is first
    assert shop_server.hits(path) == 1


async def test_the_cache_expires(shop_server: ShopServer) -> None:
    path = unique("/product/expiring")
    async with Fetcher(local_settings(fetch_cache_ttl=0.3)) as fetcher:
        await fetcher.fetch(shop_server.url(path))
        await asyncio.sleep(0.5)
        await fetcher.fetch(shop_server.url(path))
    assert shop_server.hits(path) == 2


async def test_errors_are_not_cached(shop_server: ShopServer) -> None:
    path = unique("/status/404")
    async with Fetcher(local_settings()) as fetcher:
        for _ in range(2):
            with pytest.raises(UpstreamClientError):
                await fetcher.fetch(shop_server.url(path))
    assert shop_server.hits(path) == 2


async def test_concurrent_fetches_of_one_url_share_one_request(shop_server: ShopServer) -> None:
    path = unique("/product/shared?delay=0.3")
    async with Fetcher(local_settings()) as fetcher:
        pages = await asyncio.gather(*(fetcher.fetch(shop_server.url(path)) for _ in range(20)))
    assert all(p is pages[0] for p in pages)
    assert shop_server.hits(path) == 1


async def test_per_host_limit_bounds_concurrent_requests(own_shop: ShopServer) -> None:
    async with Fetcher(local_settings(fetch_max_per_host=3, fetch_max_connections=50)) as fetcher:
        await asyncio.gather(*(fetcher.fetch(own_shop.url(f"/product/p{i}?delay=0.2")) for i in range(12)))
    assert own_shop.peak_in_flight == 3


async def test_global_limit_bounds_concurrent_requests(own_shop: ShopServer) -> None:
    async with Fetcher(local_settings(fetch_max_per_host=50, fetch_max_connections=4)) as fetcher:
        await asyncio.gather(*(fetcher.fetch(own_shop.url(f"/product/g{i}?delay=0.2")) for i in range(12)))
    assert own_shop.peak_in_flight == 4


async def test_many_concurrent_fetches_against_a_slow_shop() -> None:
    """200 different URLs, each answered after 0.5 s, with generous limits: all succeed together."""
    with ShopServer(page_delay=0.5) as slow_shop:
        settings = local_settings(fetch_max_per_host=200, fetch_max_connections=200)
        started = time.monotonic()
        async with Fetcher(settings) as fetcher:
            pages = await asyncio.gather(
                *(fetcher.fetch(slow_shop.url(f"/product/m{i}")) for i in range(200))
            )
        elapsed = time.monotonic() - started
    assert len(pages) == 200 and all(PRODUCT_NAME in p.text for p in pages)
    assert slow_shop.peak_in_flight > 100
    assert elapsed < 15  # generous: a serial fetcher would need 100 s


async def test_aclose_cancels_fetches_in_flight(shop_server: ShopServer) -> None:
    fetcher = Fetcher(local_settings())
    task = asyncio.create_task(fetcher.fetch(shop_server.url(unique("/stall?after=30"))))
    await asyncio.sleep(0.3)
    await fetcher.aclose()
    with pytest.raises(asyncio.CancelledError):
        await task
