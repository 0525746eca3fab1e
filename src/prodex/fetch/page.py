"""FetchedPage: what the fetcher hands to extraction."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Protocol

from prodex.extract.charset import decode_html


@dataclass(frozen=True)
class FetchedPage:
    """A fetched page: the requested and final URL, status, headers and the decoded body bytes.

    ``headers`` has lower-case names (repeated headers joined with ``", "``). ``body`` is already
    decompressed. ``content_type`` is the effective media type (``text/html``, ``application/xhtml+xml``
    or ``application/json``, after sniffing); ``charset`` is the charset the server declared in its
    Content-Type header, if any. :attr:`text` decodes the body (see :mod:`prodex.extract.charset`).
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
        return decode_html(self.body, self.charset)

    @property
    def text(self) -> str:
        """The body as text: charset from BOM, valid UTF-8, header, ``<meta>``, then detection."""
        return self._decoded[0]

    @property
    def encoding(self) -> str:
        """The Python codec :attr:`text` was decoded with."""
        return self._decoded[1]

    @cached_property
    def size(self) -> int:
        """The memory this page holds (body, headers, and the text once decoded), for cache accounting.

        Computed once, so a cache adds and removes the same amount; the fetcher decodes HTML pages
        (bot-wall check) before caching them, so their text is counted.
        """
        text = sys.getsizeof(self._decoded[0]) if "_decoded" in self.__dict__ else 0
        return len(self.body) + text + sum(len(k) + len(v) for k, v in self.headers.items()) + 512


class BodySink(Protocol):
    """Where :meth:`prodex.fetch.Fetcher.download` writes a body, chunk by chunk."""

    def start(self) -> None:
        """A body begins (again, after a failed attempt): forget what was written before."""

    def write(self, data: bytes) -> None:
        """The next decoded bytes of the body."""


@dataclass(frozen=True)
class Download:
    """A file streamed into a :class:`BodySink`: where it came from and what the server said.

    ``content_type`` is the declared media type (lower case, no parameters; never trusted alone),
    ``size`` the decoded bytes written, ``redirects`` the URLs that redirected, in order.
    """

    url: str
    final_url: str
    status: int
    headers: Mapping[str, str]
    content_type: str
    size: int
    redirects: tuple[str, ...] = field(default=())
