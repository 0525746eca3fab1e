"""The URL guard: decides whether prodex may fetch a URL and which addresses it may connect to.

Three layers, all applied to every URL including each redirect hop:

1. :func:`~prodex.fetch.urls.parse_target_url`: http(s) only, no userinfo, bounded length, every
   host spelling made canonical.
2. The host rules: the allow-list ``PRODEX_FETCH_ALLOWED_HOSTS`` (empty = any host; an entry may
   name one port, ``127.0.0.1:8080``) and, unless
   ``PRODEX_FETCH_ALLOW_PRIVATE`` is on, refusal of local names (``localhost``, ``*.local``,
   single-label names...) and of IP literals outside the public address space.
3. :meth:`URLGuard.resolve`: the host is resolved once and EVERY address is checked against
   :func:`~prodex.fetch.policy.address_refusal`; the caller must connect only to those addresses
   (the fetcher's network backend does, so DNS rebinding cannot slip in a second answer).

The browser's route interception can reuse :meth:`URLGuard.check` for each request it sees.
"""

from __future__ import annotations

import ipaddress

from prodex.errors import Unreachable, URLRefused
from prodex.fetch.policy import IPAddress, address_refusal
from prodex.fetch.resolver import Resolver, SystemResolver
from prodex.fetch.urls import TargetURL, canonical_host, parse_target_url
from prodex.settings import Settings

# Names that only make sense inside a network (RFC 6761, RFC 8375, ICANN name-collision list).
LOCAL_SUFFIXES = (
    "localhost",
    "local",
    "localdomain",
    "internal",
    "intranet",
    "lan",
    "home",
    "corp",
    "arpa",
    "test",
    "invalid",
    "onion",
)


def local_name_refusal(host: str) -> str | None:
    """Why a canonical host NAME is refused under the public-only policy, or None when it is not."""
    labels = host.split(".")
    if len(labels) == 1:
        return "a host name without a domain (it would resolve inside the local network)"
    if labels[-1] in LOCAL_SUFFIXES:
        return f"a local host name (.{labels[-1]})"
    return None


def _allowed_host(entry: str) -> str:
    """The canonical form of an allow-list entry: a host name, or an IP address (IPv6 with or without [])."""
    try:
        return str(ipaddress.ip_address(entry.strip().strip("[]")))
    except ValueError:
        pass
    try:
        return canonical_host(entry.strip())[0]
    except URLRefused as exc:
        raise ValueError(f"PRODEX_FETCH_ALLOWED_HOSTS has an invalid entry {entry!r}: {exc.msg}") from exc


def _allowed_entry(entry: str) -> tuple[str, int | None]:
    """An allow-list entry's canonical host and port: ``host``, ``host:port``, ``[v6]:port``, bare IPv6."""
    text = entry.strip()
    try:
        return str(ipaddress.ip_address(text.strip("[]"))), None
    except ValueError:
        pass
    host, port_text = text, ""
    if text.startswith("[") and "]:" in text:
        host, port_text = text.rsplit(":", 1)
    elif text.count(":") == 1:
        host, port_text = text.split(":")
    if not port_text:
        return _allowed_host(host), None
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise ValueError(f"PRODEX_FETCH_ALLOWED_HOSTS has an invalid port in the entry {entry!r}.")
    return _allowed_host(host), int(port_text)


#: The ports an allow-list entry without a port allows: the web's, nothing else on that host.
DEFAULT_ALLOWED_PORTS = frozenset({80, 443})


class AllowedHosts:
    """The allow-list: exact hosts, ``*.example.com`` for any subdomain of a domain.

    An entry without a port allows ports 80 and 443 only (so ``127.0.0.1`` does not open Redis
    on 6379 or a database on 5432 of that host); an entry with a port allows that port only
    (``127.0.0.1:8080``, ``[::1]:8080``, ``*.example.com:8443``).
    """

    def __init__(self, entries: list[str]) -> None:
        self._exact: set[tuple[str, int]] = set()
        self._suffixes: list[tuple[str, frozenset[int]]] = []
        for entry in entries:
            wildcard = entry.strip().startswith("*.")
            host, port = _allowed_entry(entry.strip()[2:] if wildcard else entry)
            ports = DEFAULT_ALLOWED_PORTS if port is None else frozenset({port})
            if wildcard:
                self._suffixes.append((f".{host}", ports))
            else:
                self._exact.update((host, each) for each in ports)

    @property
    def restricts(self) -> bool:
        """Whether the list is non-empty (an empty list allows every host)."""
        return bool(self._exact or self._suffixes)

    def allows(self, host: str, port: int) -> bool:
        """Whether the canonical ``host`` on ``port`` is on the list (true when it is empty)."""
        if not self.restricts:
            return True
        if (host, port) in self._exact:
            return True
        return any(host.endswith(suffix) and port in ports for suffix, ports in self._suffixes)


#: Refusal reasons after which the message says how a development setup allows the address.
HINTED_REASONS = ("loopback", "private")


def private_hint(host: str, reason: str) -> str:
    """How a development setup may fetch a local shop, appended to loopback and private-range
    refusals (and local names). Only a loopback address or a name is echoed: other addresses,
    perhaps written in a disguised form, are never spelled out."""
    if not reason.startswith(HINTED_REASONS) and not reason.startswith("a "):
        return ""
    echoed = f"[{host}]" if ":" in host else host
    shown = "<host>" if reason.startswith("private") else echoed
    return (
        " For local development only, a server started with PRODEX_FETCH_ALLOW_PRIVATE=true and "
        f"PRODEX_FETCH_ALLOWED_HOSTS={shown}:<port> may fetch it (`make demo` shows how); "
        "never in production."
    )


class URLGuard:
    """Checks URLs and resolved addresses against the settings' fetch policy."""

    def __init__(self, settings: Settings, resolver: Resolver | None = None) -> None:
        self.allow_private = settings.fetch_allow_private
        self.max_url_length = settings.fetch_max_url_length
        self.allowed_hosts = AllowedHosts(settings.fetch_allowed_hosts)
        self.resolver: Resolver = resolver or SystemResolver()

    def check_url(self, url: str) -> TargetURL:
        """Parse ``url`` and apply the host rules (no DNS yet); raise URLRefused when not allowed."""
        target = parse_target_url(url, max_length=self.max_url_length)
        if not self.allowed_hosts.allows(target.host, target.port):
            raise URLRefused(
                f"The host {target.host} (port {target.port}) is not in this server's allowed hosts "
                "(PRODEX_FETCH_ALLOWED_HOSTS)."
            )
        if self.allow_private:
            return target
        if target.ip is not None:
            self.check_address(target.host, target.ip, literal=True)
        else:
            reason = local_name_refusal(target.host)
            if reason:
                hint = private_hint(target.host, reason)
                raise URLRefused(f"The host {target.host} is {reason}, which is not allowed.{hint}")
        return target

    def check_address(self, host: str, ip: IPAddress, *, literal: bool = False) -> None:
        """Raise URLRefused when ``ip`` (an address of ``host``) is not public and private is not allowed."""
        if self.allow_private:
            return
        reason = address_refusal(ip)
        if reason is None:
            return
        what = "The URL points to" if literal else f"The host {host} resolves to"
        raise URLRefused(f"{what} a {reason} address, which is not allowed.{private_hint(host, reason)}")

    async def resolve(self, host: str, port: int) -> list[IPAddress]:
        """Every address of the canonical ``host``, each checked; connect only to these.

        An IP literal is checked as is, without a lookup. For a name, one refused answer refuses
        the whole host (a mix of public and private answers is a classic rebinding set-up).
        """
        try:
            ip: IPAddress | None = ipaddress.ip_address(host.strip("[]"))
            literal = str(ip)
        except ValueError:
            literal, ip = canonical_host(host)
        if ip is not None:
            self.check_address(literal, ip, literal=True)
            return [ip]
        addresses = await self.resolver.resolve(literal, port)
        if not addresses:
            raise Unreachable(f"The shop's host name {literal} has no address (DNS lookup failed).")
        for address in addresses:
            self.check_address(literal, address)
        return addresses

    async def check(self, url: str) -> tuple[TargetURL, list[IPAddress]]:
        """Check ``url`` fully (parse, host rules, resolution, every address): for callers that connect
        themselves, such as the browser's route interception."""
        target = self.check_url(url)
        return target, await self.resolve(target.host, target.port)
