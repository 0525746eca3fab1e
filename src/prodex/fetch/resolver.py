"""Name resolution for the guard: an injectable async resolver protocol and the system default."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from typing import Protocol

from prodex.errors import Unreachable
from prodex.fetch.policy import IPAddress


class Resolver(Protocol):
    """Turns a host name into every address it resolves to (raises Unreachable when it cannot)."""

    async def resolve(self, host: str, port: int) -> list[IPAddress]:
        """All addresses of ``host`` (ASCII, canonical), in the order connections should try them."""
        ...


class SystemResolver:
    """The default resolver: the event loop's ``getaddrinfo`` (the system's resolver and hosts file)."""

    async def resolve(self, host: str, port: int) -> list[IPAddress]:
        """All TCP addresses of ``host``, deduplicated, in the order the system returned them."""
        loop = asyncio.get_running_loop()
        try:
            infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
        except (socket.gaierror, UnicodeError) as exc:
            raise Unreachable(
                f"The shop's host name {host} could not be resolved (DNS lookup failed)."
            ) from exc
        addresses: list[IPAddress] = []
        for family, _type, _proto, _canon, sockaddr in infos:
            if family not in (socket.AF_INET, socket.AF_INET6):
                continue
            # A zone suffix (%eth0) only occurs on link-local/multicast answers, refused anyway.
            address = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
            if address not in addresses:
                addresses.append(address)
        if not addresses:
            raise Unreachable(f"The shop's host name {host} has no address (DNS lookup failed).")
        return addresses
