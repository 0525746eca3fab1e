"""FetchedPage: what the fetcher hands to extraction."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property

from prodex.fetch.charset import decode_body


@dataclass(frozen=True)
class FetchedPage:
    """A fetched page: the requested and final URL, status, headers and the decoded body bytes.

    ``headers`` has lower-case names (repeated headers joined with ``", "``). ``body`` is already
    decompressed. ``content_type`` is the effective media type (``text/html``, ``application/xhtml+xml``
    or ``application/json``, after sniffing); ``charset`` is the charset the server declared in its
    Content-Type header, if any. :attr:`text` decodes the body (see :mod:`prodex.fetch.charset`).
    """

    url: str
    final_url: str
    status: int
    headers: Mapping[str, str]
    body: bytes
    content_type: str
    charset: str | None
    redirects: tuple[str, ...] = field(default=())

    @cached_property
    def _decoded(self) -> tuple[str, str]:
        return decode_body(self.body, self.charset)

    @property
    def text(self) -> str:
        """The body as text: charset from BOM, valid UTF-8, header, ``<meta>``, then detection."""
        return self._decoded[0]

    @property
    def encoding(self) -> str:
        """The Python codec :attr:`text` was decoded with."""
        return self._decoded[1]

    @property
    def size(self) -> int:
        """An estimate of the memory this page holds (body plus headers), for cache accounting."""
        return len(self.body) + sum(len(k) + len(v) for k, v in self.headers.items()) + 512
