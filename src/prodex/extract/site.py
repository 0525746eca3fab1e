"""What a site module and a shop platform declare, for :mod:`prodex.extract.registry`.

A :class:`Site` reads the pages of some hosts (a marketplace: Amazon, eBay...); a
:class:`Platform` is recognised from the page itself (a shop platform on the shops' own domains:
Shopify, WooCommerce) and reads the platform's own product JSON. Both report a
:class:`~prodex.extract.found.Found` with ``source="site:<name>"``, which the merge trusts first.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from prodex.extract.found import Found
from prodex.extract.page import Page
from prodex.extract.platforms._hint import PlatformHint


@dataclass(frozen=True)
class Site:
    """One site module: its name, the hosts it reads (a regex searched in the host), its reader,
    and its priority (the registry sets it; the highest wins when several sites match a host)."""

    name: str
    hosts: re.Pattern[str]
    read: Callable[[Page], Found | None]
    priority: int = 0

    @property
    def source(self) -> str:
        """The ``source`` label of what this module finds."""
        return f"site:{self.name}"

    def matches(self, host: str) -> bool:
        """Whether this module reads pages of ``host``."""
        return self.hosts.search(host) is not None


@dataclass(frozen=True)
class Platform:
    """One shop platform: its name, its detector (cheap: regexes over the raw page), the test of
    its product JSON, its reader, and its priority (the registry sets it; the highest detector that
    recognises a page wins)."""

    name: str
    detect: Callable[[str, str], PlatformHint | None]
    product_of: Callable[[Any, str | None], dict[str, Any] | None]
    read: Callable[[Mapping[str, Any], Page], Found | None]
    priority: int = 0

    @property
    def source(self) -> str:
        """The ``source`` label of what this platform's reader finds."""
        return f"site:{self.name}"
