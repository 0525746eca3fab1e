"""The guard's resolution step and the guarded network backend, with a fake resolver.

Names resolve (through :class:`FakeResolver`) to forbidden addresses, to a mix of public and
private ones, and to a public address first and a private one next (DNS rebinding). Public answers
are only ever handed to :class:`LoopbackDialer`, which connects to 127.0.0.1 instead.
"""

from __future__ import annotations

import ipaddress

import httpcore
import pytest

from fixtures.fetching import PUBLIC_IP, PUBLIC_IP_2, FakeResolver, LoopbackDialer, make_settings
from fixtures.shop_server import ShopServer
from prodex.errors import Unreachable, URLRefused
from prodex.fetch import Fetcher, SystemResolver, URLGuard
from prodex.fetch.network import GuardedNetworkBackend

FORBIDDEN_ANSWERS = [
    "127.0.0.1",
    "10.1.2.3",
    "172.20.0.5",
    "192.168.0.10",
    "169.254.169.254",
    "100.64.0.1",
    "0.0.0.0",
    "224.0.0.251",
    "::1",
    "fd00::5",
    "fe80::1",
    "::ffff:127.0.0.1",
    "::ffff:169.254.169.254",
    "64:ff9b::a9fe:a9fe",
    "2002:7f00:1::1",
]


@pytest.mark.parametrize("answer", FORBIDDEN_ANSWERS)
async def test_name_resolving_to_a_forbidden_address_is_refused(answer: str) -> None:
    guard = URLGuard(make_settings(), FakeResolver({"shop.example.com": [answer]}))
    with pytest.raises(URLRefused) as refused:
        await guard.check("https://shop.example.com/product")
    assert "shop.example.com resolves to a" in refused.value.msg
    assert answer not in refused.value.msg


@pytest.mark.parametrize("private", ["127.0.0.1", "10.0.0.1", "fd00::1", "169.254.169.254"])
async def test_a_mix_of_public_and_private_answers_is_refused(private: str) -> None:
    for answers in ([PUBLIC_IP, private], [private, PUBLIC_IP], [PUBLIC_IP, PUBLIC_IP_2, private]):
        guard = URLGuard(make_settings(), FakeResolver({"shop.example.com": answers}))
        with pytest.raises(URLRefused):
            await guard.check("https://shop.example.com/")


async def test_public_answers_are_returned_all_checked() -> None:
    resolver = FakeResolver({"shop.example.com": [PUBLIC_IP, PUBLIC_IP_2]})
    target, addresses = await URLGuard(make_settings(), resolver).check("https://shop.example.com/p")
    assert target.host == "shop.example.com"
    assert addresses == [ipaddress.ip_address(PUBLIC_IP), ipaddress.ip_address(PUBLIC_IP_2)]


async def test_ip_literals_are_checked_without_a_lookup() -> None:
    resolver = FakeResolver({})
    guard = URLGuard(make_settings(), resolver)
    assert await guard.resolve(PUBLIC_IP, 443) == [ipaddress.ip_address(PUBLIC_IP)]
    with pytest.raises(URLRefused):
        await guard.resolve("127.0.0.1", 80)
    with pytest.raises(URLRefused):
        await guard.resolve("::1", 80)
    assert resolver.calls == []


async def test_allow_private_accepts_private_answers() -> None:
    resolver = FakeResolver({"dev.example.com": ["127.0.0.1", "10.0.0.1"]})
    guard = URLGuard(make_settings(fetch_allow_private=True), resolver)
    _target, addresses = await guard.check("http://dev.example.com:8080/")
    assert [str(a) for a in addresses] == ["127.0.0.1", "10.0.0.1"]


async def test_empty_or_failed_resolution_is_unreachable() -> None:
    guard = URLGuard(make_settings(), FakeResolver({"empty.example.com": []}))
    with pytest.raises(Unreachable, match="DNS"):
        await guard.check("https://empty.example.com/")
    with pytest.raises(Unreachable, match="could not be resolved"):
        await guard.check("https://nxdomain.example.com/")


async def test_system_resolver_reads_the_hosts_file_for_localhost() -> None:
    """The default resolver (getaddrinfo) on a name that never leaves the machine."""
    addresses = await SystemResolver().resolve("localhost", 80)
    assert addresses
    assert all(a.is_loopback for a in addresses)
    with pytest.raises(URLRefused, match="loopback"):
        await URLGuard(make_settings(fetch_allow_private=False)).resolve("localhost", 80)


async def test_backend_dials_only_the_checked_address() -> None:
    dialer = LoopbackDialer()
    resolver = FakeResolver({"shop.example.com": [["10.0.0.1"]]})
    backend = GuardedNetworkBackend(URLGuard(make_settings(), resolver), dialer)
    with pytest.raises(URLRefused):
        await backend.connect_tcp("shop.example.com", 443, timeout=1)
    assert dialer.dialled == []


async def test_backend_refuses_unix_sockets() -> None:
    backend = GuardedNetworkBackend(URLGuard(make_settings()), LoopbackDialer())
    with pytest.raises(httpcore.ConnectError):
        await backend.connect_unix_socket("/var/run/docker.sock")


async def test_dns_rebinding_cannot_swap_the_address(own_shop: ShopServer) -> None:
    """First answer public, later answers loopback: one lookup per connection, and the connection
    goes to the address that was checked. A new connection that would see the loopback answer is
    refused before dialling."""
    resolver = FakeResolver({"shop.example.com": [[PUBLIC_IP], ["127.0.0.1"]]})
    dialer = LoopbackDialer()
    url = f"http://shop.example.com:{own_shop.port}/product/basic?t=rebind"
    # one connection pool (32 connections or fewer make one shard), so the connection is reused
    single_pool = make_settings(fetch_max_connections=32)
    async with Fetcher(single_pool, resolver=resolver, transport=dialer) as fetcher:
        page = await fetcher.fetch(url)
        assert "Prodex Test Kettle" in page.text
        # the same connection is reused for a second URL: no second lookup at all
        await fetcher.fetch(f"http://shop.example.com:{own_shop.port}/product/second?t=rebind")
    assert resolver.calls == ["shop.example.com"]
    assert dialer.dialled == [(PUBLIC_IP, own_shop.port)]

    # A new fetcher (new connection) gets the rebinding answer and is refused before dialling.
    async with Fetcher(make_settings(), resolver=resolver, transport=dialer) as fetcher:
        with pytest.raises(URLRefused, match="loopback"):
            await fetcher.fetch(f"http://shop.example.com:{own_shop.port}/product/third?t=rebind")
    assert resolver.calls == ["shop.example.com", "shop.example.com"]
    assert dialer.dialled == [(PUBLIC_IP, own_shop.port)]
    assert own_shop.hits("/product/third?t=rebind") == 0


async def test_name_resolving_to_loopback_is_refused_end_to_end(own_shop: ShopServer) -> None:
    """Default settings, a name whose only answer is the fixture shop's address: no request arrives."""
    resolver = FakeResolver({"shop.example.com": ["127.0.0.1"]})
    async with Fetcher(make_settings(), resolver=resolver) as fetcher:
        with pytest.raises(URLRefused, match="loopback"):
            await fetcher.fetch(f"http://shop.example.com:{own_shop.port}/product/basic")
    assert own_shop.total_hits == 0


async def test_every_connection_pool_resolves_through_the_guard(own_shop: ShopServer) -> None:
    """The transport spreads requests over several pools; each pool's connections are guarded:
    one checked lookup per new connection, and only the checked address is dialled."""
    from prodex.fetch.transport import ShardedTransport

    settings = make_settings(fetch_max_connections=200, fetch_cache_ttl=0)
    assert len(ShardedTransport(LoopbackDialer(), settings.fetch_max_connections).shards) > 1
    resolver = FakeResolver({"shop.example.com": [PUBLIC_IP]})
    dialer = LoopbackDialer()
    async with Fetcher(settings, resolver=resolver, transport=dialer) as fetcher:
        for i in range(20):
            await fetcher.fetch(f"http://shop.example.com:{own_shop.port}/product/pool{i}")
    assert dialer.dialled and set(dialer.dialled) == {(PUBLIC_IP, own_shop.port)}
    assert len(resolver.calls) == len(dialer.dialled) <= 16
    assert own_shop.total_hits == 20
