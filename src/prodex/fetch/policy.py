"""The address policy: which IP addresses prodex may connect to, and why the others are refused.

Only globally routable unicast addresses are allowed. Every range below is refused with a
human-readable reason; IPv6 forms that embed an IPv4 address (IPv4-mapped, NAT64) are judged by the
address they embed, and the tunnelling forms (IPv4-compatible, 6to4, Teredo, local NAT64) are refused
outright. The table is explicit rather than delegated to :mod:`ipaddress`'s ``is_global``, whose
answers vary between Python releases (3.11.7 calls ``2002::1`` and ``64:ff9b::1`` global).
"""

from __future__ import annotations

import ipaddress
from typing import TypeAlias

IPAddress: TypeAlias = ipaddress.IPv4Address | ipaddress.IPv6Address

_V4 = ipaddress.IPv4Network
_V6 = ipaddress.IPv6Network

# Most specific first: the first matching range gives the reason.
_IPV4_REFUSED: tuple[tuple[ipaddress.IPv4Network, str], ...] = (
    (_V4("0.0.0.0/32"), "unspecified"),
    (_V4("0.0.0.0/8"), "'this network' (reserved)"),
    (_V4("10.0.0.0/8"), "private (RFC 1918)"),
    (_V4("100.64.0.0/10"), "carrier-grade NAT (RFC 6598)"),
    (_V4("127.0.0.0/8"), "loopback"),
    (_V4("169.254.169.254/32"), "cloud metadata (link-local)"),
    (_V4("169.254.0.0/16"), "link-local"),
    (_V4("172.16.0.0/12"), "private (RFC 1918)"),
    (_V4("192.0.0.0/24"), "IETF protocol assignments (reserved)"),
    (_V4("192.0.2.0/24"), "documentation (TEST-NET-1)"),
    (_V4("192.88.99.0/24"), "6to4 relay anycast (deprecated)"),
    (_V4("192.168.0.0/16"), "private (RFC 1918)"),
    (_V4("198.18.0.0/15"), "benchmarking (RFC 2544)"),
    (_V4("198.51.100.0/24"), "documentation (TEST-NET-2)"),
    (_V4("203.0.113.0/24"), "documentation (TEST-NET-3)"),
    (_V4("224.0.0.0/4"), "multicast"),
    (_V4("255.255.255.255/32"), "broadcast"),
    (_V4("240.0.0.0/4"), "reserved (future use)"),
)

_IPV6_REFUSED: tuple[tuple[ipaddress.IPv6Network, str], ...] = (
    (_V6("::/128"), "unspecified"),
    (_V6("::1/128"), "loopback"),
    (_V6("100::/64"), "discard-only (RFC 6666)"),
    (_V6("2001::/32"), "Teredo tunnel"),
    (_V6("2001:db8::/32"), "documentation"),
    (_V6("3fff::/20"), "documentation"),
    (_V6("2001::/23"), "IETF protocol assignments (reserved)"),
    (_V6("2002::/16"), "6to4 tunnel"),
    (_V6("64:ff9b:1::/48"), "local-use NAT64 (RFC 8215)"),
    (_V6("fc00::/7"), "private (unique local, fc00::/7)"),
    (_V6("fe80::/10"), "link-local"),
    (_V6("fec0::/10"), "site-local (deprecated)"),
    (_V6("ff00::/8"), "multicast"),
    (_V6("::/96"), "IPv4-compatible IPv6 (deprecated)"),
)

_IPV4_MAPPED = _V6("::ffff:0:0/96")
_NAT64 = _V6("64:ff9b::/96")
_GLOBAL_UNICAST = _V6("2000::/3")


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 tunnelling form carries (6to4, Teredo client, compatible), if any."""
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    if ip in _V6("::/96") and int(ip) > 1:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def _ipv4_refusal(ip: ipaddress.IPv4Address) -> str | None:
    for network, reason in _IPV4_REFUSED:
        if ip in network:
            return reason
    return None


def _ipv6_refusal(ip: ipaddress.IPv6Address) -> str | None:
    if ip.scope_id:
        return "scoped (zone identifier)"
    if ip in _IPV4_MAPPED or ip in _NAT64:
        form = "IPv4-mapped IPv6" if ip in _IPV4_MAPPED else "NAT64"
        embedded = _ipv4_refusal(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
        return f"{form} form of a {embedded}" if embedded else None
    for network, reason in _IPV6_REFUSED:
        if ip in network:
            inner = _embedded_ipv4(ip)
            inner_reason = _ipv4_refusal(inner) if inner is not None else None
            return f"{reason} embedding a {inner_reason}" if inner_reason else reason
    if ip not in _GLOBAL_UNICAST:
        return "reserved (outside global unicast 2000::/3)"
    return None


def address_refusal(ip: IPAddress) -> str | None:
    """Why ``ip`` must not be connected to (e.g. ``"loopback"``), or ``None`` when it is public.

    The reason names the kind of range, never the address, so it can be shown to a client.
    """
    if isinstance(ip, ipaddress.IPv4Address):
        return _ipv4_refusal(ip)
    return _ipv6_refusal(ip)


def is_public_address(ip: IPAddress) -> bool:
    """Whether ``ip`` is a globally routable unicast address that prodex may connect to."""
    return address_refusal(ip) is None
