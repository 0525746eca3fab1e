"""The address policy, address by address: every refused range (with its reason) and public addresses.

Pure function tests: no address here is ever connected to.
"""

from __future__ import annotations

import ipaddress

import pytest

from prodex.fetch.policy import address_refusal, is_public_address

REFUSED: list[tuple[str, str]] = [
    # IPv4: unspecified, "this network", loopback (whole /8), private, CGNAT, link-local, metadata
    ("0.0.0.0", "unspecified"),
    ("0.1.2.3", "this network"),
    ("127.0.0.1", "loopback"),
    ("127.255.255.254", "loopback"),
    ("10.0.0.1", "private"),
    ("10.255.255.255", "private"),
    ("172.16.0.1", "private"),
    ("172.31.255.255", "private"),
    ("192.168.1.1", "private"),
    ("100.64.0.1", "carrier-grade NAT"),
    ("100.127.255.254", "carrier-grade NAT"),
    ("169.254.169.254", "cloud metadata"),
    ("169.254.0.1", "link-local"),
    # IPv4: IETF, documentation, benchmarking, 6to4 relay, multicast, reserved, broadcast
    ("192.0.0.8", "IETF protocol assignments"),
    ("192.0.2.10", "documentation"),
    ("198.51.100.7", "documentation"),
    ("203.0.113.99", "documentation"),
    ("198.18.0.1", "benchmarking"),
    ("198.19.255.255", "benchmarking"),
    ("192.88.99.1", "6to4 relay"),
    ("224.0.0.1", "multicast"),
    ("239.255.255.250", "multicast"),
    ("240.0.0.1", "reserved"),
    ("254.1.2.3", "reserved"),
    ("255.255.255.255", "broadcast"),
    # IPv6: unspecified, loopback, unique local, link-local, site-local, multicast
    ("::", "unspecified"),
    ("::1", "loopback"),
    ("fc00::1", "private (unique local"),
    ("fd12:3456:789a::1", "private (unique local"),
    ("fe80::1", "link-local"),
    ("febf:ffff::1", "link-local"),
    ("fec0::1", "site-local"),
    ("ff02::1", "multicast"),
    ("ff05::1:3", "multicast"),
    # IPv6: documentation, discard, IETF, reserved space outside 2000::/3
    ("2001:db8::1", "documentation"),
    ("3fff::1", "documentation"),
    ("100::1", "discard-only"),
    ("2001:2::1", "IETF protocol assignments"),
    ("2001:10::1", "IETF protocol assignments"),
    ("4000::1", "reserved (outside global unicast"),
    ("e000::1", "reserved (outside global unicast"),
    # IPv4-mapped forms of forbidden addresses
    ("::ffff:127.0.0.1", "IPv4-mapped IPv6 form of a loopback"),
    ("::ffff:10.1.2.3", "IPv4-mapped IPv6 form of a private"),
    ("::ffff:169.254.169.254", "IPv4-mapped IPv6 form of a cloud metadata"),
    ("::ffff:100.64.1.1", "IPv4-mapped IPv6 form of a carrier-grade NAT"),
    ("::ffff:0.0.0.0", "IPv4-mapped IPv6 form of a unspecified"),
    # IPv4-compatible (deprecated) forms: refused whatever they embed
    ("::127.0.0.1", "IPv4-compatible IPv6 (deprecated) embedding a loopback"),
    ("::10.0.0.1", "IPv4-compatible IPv6 (deprecated) embedding a private"),
    ("::8.8.8.8", "IPv4-compatible IPv6 (deprecated)"),
    # NAT64: well-known prefix judged by the embedded address; local-use prefix refused
    ("64:ff9b::127.0.0.1", "NAT64 form of a loopback"),
    ("64:ff9b::a9fe:a9fe", "NAT64 form of a cloud metadata"),
    ("64:ff9b::192.168.0.1", "NAT64 form of a private"),
    ("64:ff9b:1::8.8.8.8", "local-use NAT64"),
    ("64:ff9b:1::10.0.0.1", "local-use NAT64"),
    # 6to4 and Teredo: refused, naming the forbidden address they embed
    ("2002:7f00:0001::1", "6to4 tunnel embedding a loopback"),
    ("2002:a9fe:a9fe::1", "6to4 tunnel embedding a cloud metadata"),
    ("2002:c0a8:0101::1", "6to4 tunnel embedding a private"),
    ("2002:0808:0808::1", "6to4 tunnel"),
    # Teredo: client address is stored inverted (here 127.0.0.1 and 10.0.0.1)
    ("2001:0:4136:e378:8000:63bf:80ff:fffe", "Teredo tunnel embedding a loopback"),
    ("2001:0:4136:e378:8000:63bf:f5ff:fffe", "Teredo tunnel embedding a private"),
    # zone identifiers (scoped addresses)
    ("fe80::1%eth0", "scoped"),
]

PUBLIC = [
    "1.1.1.1",
    "8.8.8.8",
    "93.184.216.34",
    "100.63.255.255",  # just below CGNAT
    "100.128.0.0",  # just above CGNAT
    "172.15.255.255",  # just below 172.16/12
    "172.32.0.0",  # just above
    "169.253.255.255",
    "192.0.1.1",
    "198.17.255.255",
    "198.20.0.0",
    "223.255.255.255",  # last before multicast
    "2606:4700:4700::1111",
    "2a00:1450:4001:82a::200e",
    "2001:4860:4860::8888",  # Google, outside the 2001::/23 special block
    "::ffff:8.8.8.8",  # IPv4-mapped public
    "64:ff9b::8.8.8.8",  # NAT64 of a public address
]


@pytest.mark.parametrize(("address", "reason"), REFUSED)
def test_refused_addresses_name_their_range(address: str, reason: str) -> None:
    ip = ipaddress.ip_address(address)
    refusal = address_refusal(ip)
    assert refusal is not None, f"{address} must be refused"
    assert reason in refusal
    assert not is_public_address(ip)


@pytest.mark.parametrize("address", PUBLIC)
def test_public_addresses_are_allowed(address: str) -> None:
    ip = ipaddress.ip_address(address)
    assert address_refusal(ip) is None
    assert is_public_address(ip)


def test_teredo_fixture_addresses_really_embed_what_the_table_says() -> None:
    """Guards the table above: the Teredo samples decode to the client addresses they claim."""
    loopback = ipaddress.IPv6Address("2001:0:4136:e378:8000:63bf:80ff:fffe")
    private = ipaddress.IPv6Address("2001:0:4136:e378:8000:63bf:f5ff:fffe")
    assert loopback.teredo is not None and str(loopback.teredo[1]) == "127.0.0.1"
    assert private.teredo is not None and str(private.teredo[1]) == "10.0.0.1"


def test_reasons_never_contain_the_address() -> None:
    for address, _reason in REFUSED:
        refusal = address_refusal(ipaddress.ip_address(address))
        assert refusal is not None
        assert address.split("%")[0] not in refusal
