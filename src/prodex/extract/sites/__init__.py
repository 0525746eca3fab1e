"""Site modules: one file per big marketplace, registered by host.

A site module is a file in this package that defines ``SITE = Site(name=..., hosts=..., read=...)``.
The registry discovers the files when the package is imported, so adding a site is adding one
file. ``read(page)`` returns a :class:`~prodex.extract.found.Found` with ``source="site:<name>"``;
the generic readers still run, and the merge prefers the site module's values.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections.abc import Callable
from dataclasses import dataclass

from prodex.extract.found import Found
from prodex.extract.page import Page


@dataclass(frozen=True)
class Site:
    """One site module: its name, the hosts it reads (a regex on the host), and its reader."""

    name: str
    hosts: re.Pattern[str]
    read: Callable[[Page], Found | None]

    @property
    def source(self) -> str:
        """The ``source`` label of what this module finds."""
        return f"site:{self.name}"


def _discover() -> tuple[Site, ...]:
    sites: list[Site] = []
    for module_info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if module_info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{module_info.name}")
        site = getattr(module, "SITE", None)
        if isinstance(site, Site):
            sites.append(site)
    return tuple(sites)


SITES: tuple[Site, ...] = _discover()


def site_for(host: str) -> Site | None:
    """The site module that reads pages of ``host``, if there is one."""
    for site in SITES:
        if site.hosts.search(host):
            return site
    return None
