"""Site modules: one file per big marketplace, read by host.

A site module is a file in this package that defines ``SITE = Site(name=..., hosts=..., read=...)``
and is listed, with its priority, in :data:`prodex.extract.registry.SITES` (a test checks that
every module here is). ``read(page)`` returns a :class:`~prodex.extract.found.Found` with
``source="site:<name>"``, or ``None`` on the site's pages that are not product pages; the generic
readers still run, and the merge prefers the site module's values. Files starting with ``_`` are
helpers, not site modules.
"""

from __future__ import annotations

from prodex.extract.site import Site

__all__ = ["Site"]
