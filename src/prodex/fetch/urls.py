"""URL parsing for the guard: one strict reading of a URL, with every host spelling made canonical.

Browsers, ``getaddrinfo`` and HTTP libraries disagree about hosts such as ``2130706433``,
``0x7f.1``, ``0177.0.0.1``, ``１２７．０．０．１`` or ``localhost.``. The guard reads the host once,
the way the WHATWG URL standard does (which is also what ``inet_aton`` accepts), turns it into a
canonical form (dotted IPv4, compressed IPv6 or an ASCII/punycode name without trailing dot), and
rebuilds the URL from those parts, so what is checked is exactly what is requested.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

import idna

from prodex.errors import URLRefused
from prodex.fetch.policy import IPAddress

DEFAULT_PORTS = {"http": 80, "https": 443}

# Ports browsers refuse to fetch from (WHATWG Fetch "bad port"): other protocols' services.
BAD_PORTS = frozenset(
    {1, 7, 9, 11, 13, 15, 17, 19, 20, 21, 22, 23, 25, 37, 42, 43, 53, 69, 77, 79, 87, 95, 101, 102}
    | {103, 104, 109, 110, 111, 113, 115, 117, 119, 123, 135, 137, 139, 143, 161, 179, 389, 427}
    | {465, 512, 513, 514, 515, 526, 530, 531, 532, 540, 548, 554, 556, 563, 587, 601, 636, 989}
    | {990, 993, 995, 1719, 1720, 1723, 2049, 3659, 4045, 4190, 5060, 5061, 6000, 6566, 6665}
    | {6666, 6667, 6668, 6669, 6679, 6697, 10080}
)

_FORBIDDEN_CHARS = re.compile(r"[\x00-\x20\x7f\\]")
_ASCII_LABEL = re.compile(r"^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$")
_NUMBER_PART = re.compile(r"^(?:0[xX][0-9a-fA-F]*|[0-9]+)$")


@dataclass(frozen=True)
class TargetURL:
    """A URL the guard has read: its canonical parts and the rebuilt URL that will be requested.

    ``host`` is the canonical host (a lower-case ASCII name, or the IP address as text) and
    ``ip`` the address when the host is an IP literal. ``url`` has no userinfo and no fragment.
    """

    url: str
    scheme: str
    host: str
    port: int
    ip: IPAddress | None

    @property
    def origin(self) -> str:
        """``scheme://host:port``, the key for per-host limits and connection reuse."""
        return f"{self.scheme}://{self.host_for_url}:{self.port}"

    @property
    def host_for_url(self) -> str:
        """The host as written in a URL (IPv6 literals in brackets)."""
        return f"[{self.host}]" if isinstance(self.ip, ipaddress.IPv6Address) else self.host


def _parse_ipv4_number(part: str) -> int | None:
    """One part of a WHATWG IPv4 host: decimal, octal (leading 0) or hex (0x); None if invalid."""
    if not _NUMBER_PART.match(part):
        return None
    if part[:2].lower() == "0x":
        return int(part[2:] or "0", 16)
    if len(part) > 1 and part.startswith("0"):
        return int(part, 8) if all(c in "01234567" for c in part) else None
    return int(part)


def _ends_in_number(host: str) -> bool:
    """WHATWG "ends in a number": the last (non-empty) label is numeric, so the host is IPv4."""
    parts = host.split(".")
    if parts[-1] == "" and len(parts) > 1:
        parts.pop()
    last = parts[-1]
    return _NUMBER_PART.match(last) is not None


def parse_ipv4_host(host: str) -> ipaddress.IPv4Address:
    """Read an IPv4 host in any spelling ``inet_aton`` accepts (``127.1``, ``0x7f000001``, ``017700000001``).

    Raises URLRefused when the host ends in a number but is not a valid IPv4 address.
    """
    parts = host.split(".")
    if parts[-1] == "" and len(parts) > 1:
        parts.pop()
    numbers = [_parse_ipv4_number(p) for p in parts]
    if len(parts) > 4 or any(n is None for n in numbers):
        raise URLRefused("The URL's host is not a valid IPv4 address.")
    values = [n for n in numbers if n is not None]
    *head, last = values
    if any(v > 255 for v in head) or last >= 256 ** (5 - len(values)):
        raise URLRefused("The URL's host is not a valid IPv4 address.")
    number = last
    for index, value in enumerate(head):
        number += value * 256 ** (3 - index)
    return ipaddress.IPv4Address(number)


def _ascii_name(host: str) -> str:
    """Validate an ASCII host name and return it lower-cased without a trailing dot."""
    name = host.lower()
    if name.endswith("."):
        name = name[:-1]
    if not name or len(name) > 253:
        raise URLRefused("The URL's host name is empty or too long.")
    for label in name.split("."):
        if not _ASCII_LABEL.match(label):
            raise URLRefused("The URL's host name is not a valid domain name.")
        if label.startswith("xn--"):
            try:
                idna.decode(label)
            except idna.IDNAError as exc:
                raise URLRefused("The URL's host name has an invalid internationalised label.") from exc
    return name


def canonical_host(raw_host: str) -> tuple[str, IPAddress | None]:
    """The canonical form of a URL host and its IP address when it is an IP literal.

    Handles bracketed IPv6, every IPv4 spelling, trailing dots, upper case and internationalised
    names (UTS #46 mapping to punycode, which also folds full-width digits and dots).
    """
    if not raw_host:
        raise URLRefused("The URL has no host.")
    if "%" in raw_host:
        raise URLRefused("Percent-encoded characters and zone identifiers are not allowed in the host.")
    if raw_host.startswith("["):
        if not raw_host.endswith("]"):
            raise URLRefused("The URL's IPv6 host is malformed.")
        try:
            ip6 = ipaddress.IPv6Address(raw_host[1:-1])
        except ValueError as exc:
            raise URLRefused("The URL's IPv6 host is malformed.") from exc
        return str(ip6), ip6
    host = raw_host
    if not host.isascii():
        try:
            host = idna.encode(host, uts46=True, std3_rules=False, transitional=False).decode("ascii")
        except idna.IDNAError as exc:
            raise URLRefused("The URL's host name is not a valid internationalised domain name.") from exc
    if _ends_in_number(host):
        ip4 = parse_ipv4_host(host)
        return str(ip4), ip4
    return _ascii_name(host), None


def parse_target_url(url: str, *, max_length: int) -> TargetURL:
    """Read ``url`` strictly: http(s) only, no userinfo, bounded length, canonical host, sane port.

    Raises URLRefused with a message that says what is wrong. The result's ``url`` is rebuilt from
    the checked parts (fragment dropped), so no other parser can read a different host from it.
    """
    if not isinstance(url, str) or not url.strip():
        raise URLRefused("The URL is empty.")
    url = url.strip()
    if len(url) > max_length:
        raise URLRefused(f"The URL is longer than {max_length} characters.")
    if _FORBIDDEN_CHARS.search(url):
        raise URLRefused("The URL contains spaces, control characters or backslashes.")
    try:
        parts = urlsplit(url)
    except ValueError as exc:
        raise URLRefused("The URL cannot be parsed.") from exc
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise URLRefused("Only http and https URLs are allowed.")
    if not url[len(parts.scheme) + 1 :].startswith("//"):
        raise URLRefused("The URL must be absolute (http://host/...).")
    netloc = parts.netloc
    if "@" in netloc:
        raise URLRefused("URLs with a user name or password are not allowed.")
    raw_host, port_text = _split_host_port(netloc)
    host, ip = canonical_host(raw_host)
    port = DEFAULT_PORTS[scheme]
    if port_text:
        if not port_text.isdigit() or not 0 < int(port_text) < 65536:
            raise URLRefused("The URL's port is not valid.")
        port = int(port_text)
    if port in BAD_PORTS:
        raise URLRefused(f"Port {port} is reserved for other services and is not allowed.")
    host_for_url = f"[{host}]" if isinstance(ip, ipaddress.IPv6Address) else host
    port_part = "" if port == DEFAULT_PORTS[scheme] else f":{port}"
    path = parts.path or "/"
    query = f"?{parts.query}" if parts.query else ""
    rebuilt = f"{scheme}://{host_for_url}{port_part}{path}{query}"
    return TargetURL(url=rebuilt, scheme=scheme, host=host, port=port, ip=ip)


def _split_host_port(netloc: str) -> tuple[str, str]:
    """Split ``host:port`` (IPv6 literals in brackets) without interpreting either part."""
    if netloc.startswith("["):
        end = netloc.find("]")
        if end < 0:
            raise URLRefused("The URL's IPv6 host is malformed.")
        rest = netloc[end + 1 :]
        if rest and not rest.startswith(":"):
            raise URLRefused("The URL's host is malformed.")
        return netloc[: end + 1], rest[1:]
    host, _, port = netloc.partition(":")
    if ":" in port:
        raise URLRefused("The URL's host is malformed.")
    return host, port
