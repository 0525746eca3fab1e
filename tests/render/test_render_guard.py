"""Every request the browser makes passes the URL guard; refused ones are aborted before any connection.

The shop is "public" (``shop.example.com`` -> a public address from the fake resolver, dialled on
127.0.0.1 by the loopback dialer). Its pages' scripts try another local server, a host outside the
allow-list, a name that resolves to a private address, and a private literal: none of those is
connected to. The allow-list case has a positive control (the same request, allowed, arrives), so
the test would fail if the browser's requests bypassed the guard.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import pytest
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from fixtures.fetching import FakeResolver, LoopbackDialer
from fixtures.shop_server import ShopServer
from prodex.fetch.page import FetchedPage
from prodex.fetch.render import Renderer
from render.render_helpers import CDN_HOST, PRIVATE_HOST, PRIVATE_IP, SHOP_HOST, public_settings, public_url
from render.spa_shop import SpaShop, probe_path

pytestmark = pytest.mark.browser


def _results(page: FetchedPage) -> dict[str, str]:
    """What the probe page's script saw for each target: ``ok <status>`` or ``blocked``."""
    tree = HTMLParser(page.text)
    assert tree.body is not None and tree.body.attributes.get("data-done") == "yes", "probe did not finish"
    return {node.attributes["data-target"] or "": node.text() for node in tree.css("li[data-target]")}


@pytest.mark.parametrize("only_the_shops_port", [True, False], ids=["shop-port-only", "any-port-control"])
async def test_a_script_cannot_reach_another_local_port(
    only_the_shops_port: bool, spa_shop: SpaShop, other_server: ShopServer, browser_ready: None
) -> None:
    """The shop on 127.0.0.1, settings allowing only its host and port: the page's script tries
    ``http://127.0.0.1:<other port>/``. Allowing that port too (the control) lets it through."""
    allowed = [f"127.0.0.1:{spa_shop.port}"]
    if not only_the_shops_port:
        allowed.append(f"127.0.0.1:{other_server.port}")
    settings = public_settings(fetch_allow_private=True, fetch_allowed_hosts=allowed)
    target = f"http://127.0.0.1:{other_server.port}/"
    async with Renderer(settings) as renderer:
        page = await renderer.render(spa_shop.url(probe_path(target)))
    assert _results(page) == {target: "blocked" if only_the_shops_port else "ok 0"}
    assert other_server.total_hits == (0 if only_the_shops_port else 1)


async def test_a_public_page_cannot_reach_loopback(
    spa_shop: SpaShop,
    other_server: ShopServer,
    make_renderer: Callable[..., Renderer],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """With the public-only policy, loopback literals and local names are refused by the guard
    (even when the allow-list names them), not merely failed by Chromium."""
    targets = [f"http://127.0.0.1:{other_server.port}/", f"http://localhost:{other_server.port}/admin"]
    local = [f"127.0.0.1:{other_server.port}", f"localhost:{other_server.port}"]
    renderer = make_renderer(fetch_allowed_hosts=[f"{SHOP_HOST}:{spa_shop.port}", *local])
    with caplog.at_level(logging.DEBUG, logger="prodex.render"):
        page = await renderer.render(public_url(spa_shop, probe_path(*targets)))
    assert _results(page) == {target: "blocked" for target in targets}
    assert other_server.total_hits == 0
    refusals = [r.getMessage() for r in caplog.records if r.getMessage().startswith("render refused")]
    assert any(f"127.0.0.1:{other_server.port}" in m and "loopback" in m for m in refusals)
    assert any("localhost" in m and "inside the local network" in m for m in refusals)


@pytest.mark.parametrize("allowed", [False, True], ids=["outside-allow-list", "allowed-control"])
async def test_the_allow_list_applies_to_the_browsers_requests(
    allowed: bool,
    spa_shop: SpaShop,
    other_server: ShopServer,
    make_renderer: Callable[..., Renderer],
    dialer: LoopbackDialer,
) -> None:
    """A CDN host outside PRODEX_FETCH_ALLOWED_HOSTS is refused; allowed, the same request arrives.

    The fake CDN resolves to a public address that the loopback dialer connects to the other local
    server's port, so an allowed request is counted there.
    """
    target = f"http://{CDN_HOST}:{other_server.port}/asset.json"
    shop_host, cdn_host = f"{SHOP_HOST}:{spa_shop.port}", f"{CDN_HOST}:{other_server.port}"
    hosts = [shop_host, cdn_host] if allowed else [shop_host]
    page = await make_renderer(fetch_allowed_hosts=hosts).render(public_url(spa_shop, probe_path(target)))
    assert _results(page) == {target: "ok 0" if allowed else "blocked"}  # 0: an opaque cross-origin answer
    assert other_server.hits("/asset.json") == (1 if allowed else 0)
    assert any(port == other_server.port for _address, port in dialer.dialled) is allowed


async def test_private_addresses_are_refused_before_any_connection(
    spa_shop: SpaShop,
    make_renderer: Callable[..., Renderer],
    resolver: FakeResolver,
    dialer: LoopbackDialer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A name resolving to a private address, and a private literal: the guard decides, nothing is dialled."""
    by_name = f"http://{PRIVATE_HOST}:{spa_shop.port}/internal/by-name"
    by_literal = f"http://{PRIVATE_IP}:{spa_shop.port}/internal/by-literal"
    metadata = "http://169.254.169.254/latest/meta-data/"
    with caplog.at_level(logging.DEBUG, logger="prodex.render"):
        page = await make_renderer().render(public_url(spa_shop, probe_path(by_name, by_literal, metadata)))
    assert _results(page) == {by_name: "blocked", by_literal: "blocked", metadata: "blocked"}
    # The name was looked up by the guard (and only by it: Chromium resolves nothing) and refused;
    # the literals were refused without a lookup. Only the shop's checked address was dialled.
    assert PRIVATE_HOST in resolver.calls
    assert set(resolver.calls) == {SHOP_HOST, PRIVATE_HOST}
    assert {address for address, _port in dialer.dialled} == {"93.184.216.34"}
    assert spa_shop.hits_under("/internal/") == 0
    messages = " ".join(r.getMessage() for r in caplog.records)
    assert f"{PRIVATE_HOST} resolves to a private" in messages
    assert "cloud metadata" in messages


async def test_websockets_popups_and_frames_are_blocked(
    spa_shop: SpaShop, make_renderer: Callable[..., Renderer]
) -> None:
    renderer = make_renderer()
    page = await renderer.render(public_url(spa_shop, "/websocket"))
    assert HTMLParser(page.text).css_first("#ws").text() == "closed"
    assert spa_shop.hits("/socket") == 0

    page = await renderer.render(public_url(spa_shop, "/popup"))
    assert HTMLParser(page.text).css_first("#popup").text() == "refused"
    page = await renderer.render(public_url(spa_shop, "/frame"))
    assert HTMLParser(page.text).css_first("iframe") is not None  # the element stays, unloaded
    assert spa_shop.hits("/popup-target") == 0
    assert spa_shop.hits("/popup-link") == 0
    assert spa_shop.hits("/framed") == 0
