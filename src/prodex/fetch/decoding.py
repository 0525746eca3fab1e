"""Bounded body reading: count compressed bytes and decompress with a hard output limit.

httpx's own decoders inflate each network chunk in one call, so a few kilobytes of a gzip bomb can
become hundreds of megabytes before anyone can count them. :class:`BoundedBody` instead feeds
``zlib`` decompressors with ``max_length`` set to what is left of the budget, so no call produces
more than the limit plus one byte, and a bomb costs at most the limit in memory and the time to
inflate that many bytes. Raw bytes, every intermediate layer and the final body are each counted
against the same limit.
"""

from __future__ import annotations

import zlib

from prodex.errors import BodyTooLarge, UnusablePage

# The encodings prodex asks for and can decode with a bounded decoder.
ACCEPT_ENCODING = "gzip, deflate"
MAX_ENCODING_LAYERS = 3


class _ZlibLayer:
    """One gzip (possibly multi-member) or deflate (zlib-wrapped or raw) layer with bounded output."""

    def __init__(self, encoding: str, limit: int) -> None:
        self._gzip = encoding in ("gzip", "x-gzip")
        self._wbits = 31 if self._gzip else 15
        self._decoder = zlib.decompressobj(self._wbits)
        # "deflate" is zlib-wrapped by the standard but raw on some servers: decide on 2 bytes.
        self._head: bytes | None = None if self._gzip else b""
        self._limit = limit
        self._produced = 0

    def _sniff_deflate(self, data: bytes) -> bytes:
        """Buffer the first two bytes of a "deflate" body and pick zlib-wrapped or raw deflate."""
        assert self._head is not None
        self._head += data
        if len(self._head) < 2:
            return b""
        data, self._head = self._head, None
        cmf, flg = data[0], data[1]
        if cmf & 0x0F != 8 or (cmf * 256 + flg) % 31 != 0:
            self._wbits = -15
            self._decoder = zlib.decompressobj(self._wbits)
        return data

    def _count(self, chunk: bytes) -> bytes:
        self._produced += len(chunk)
        if self._produced > self._limit:
            raise BodyTooLarge()
        return chunk

    def decode(self, data: bytes) -> bytes:
        """Decode ``data`` completely; raise BodyTooLarge once this layer's output passes the limit."""
        output = bytearray()
        if self._head is not None:
            data = self._sniff_deflate(data)
        while data:
            budget = self._limit - self._produced
            try:
                chunk = self._decoder.decompress(data, budget + 1)
            except zlib.error as exc:
                raise UnusablePage("The shop sent a corrupt compressed page.") from exc
            output += self._count(chunk)
            rest = self._decoder.unconsumed_tail
            if self._decoder.eof:
                rest = self._decoder.unused_data
                if not (self._gzip and rest.strip(b"\x00")):
                    break  # end of the stream; trailing padding or garbage is ignored
                self._decoder = zlib.decompressobj(self._wbits)  # the next gzip member
            elif not chunk and len(rest) == len(data):
                break  # no progress possible without more input
            data = rest
        return bytes(output)

    def flush(self) -> bytes:
        """The output still held inside the decoder at the end of the body (at most one window)."""
        if self._head:
            raise UnusablePage("The shop sent a corrupt compressed page.")
        try:
            return self._count(self._decoder.flush())
        except zlib.error as exc:
            raise UnusablePage("The shop sent a corrupt compressed page.") from exc


def parse_content_encoding(header: str | None) -> list[str]:
    """The content codings of a ``Content-Encoding`` header, in the order they were applied.

    Raises UnusablePage for codings prodex cannot decode with a bounded decoder, or too many layers.
    """
    codings = [c.strip().lower() for c in (header or "").split(",")]
    codings = [c for c in codings if c and c != "identity"]
    if len(codings) > MAX_ENCODING_LAYERS:
        raise UnusablePage("The shop sent the page with too many layers of compression.")
    for coding in codings:
        if coding not in ("gzip", "x-gzip", "deflate"):
            raise UnusablePage(f"The shop sent the page with an unsupported compression ({coding[:40]}).")
    return codings


class BoundedStream:
    """Decodes a response body chunk by chunk, counting raw, intermediate and decoded bytes against
    one limit, and hands each decoded piece back instead of keeping it (a file written to disk).

    ``feed`` each raw chunk as it arrives from the network, then call ``finish``; both return the
    decoded bytes they produced and raise BodyTooLarge as soon as any count exceeds ``limit``.
    """

    def __init__(self, content_encoding: str | None, limit: int) -> None:
        self._limit = limit
        # Decoding undoes the codings in reverse order of application.
        self._layers = [_ZlibLayer(c, limit) for c in reversed(parse_content_encoding(content_encoding))]
        self._raw_bytes = 0
        self._decoded_bytes = 0

    @property
    def raw_bytes(self) -> int:
        """How many bytes arrived from the network so far."""
        return self._raw_bytes

    @property
    def decoded_bytes(self) -> int:
        """How many decoded bytes were handed back so far."""
        return self._decoded_bytes

    def _too_large(self) -> BodyTooLarge:
        return BodyTooLarge(f"The page is larger than the allowed {self._limit // 1024} KiB.")

    def _push(self, data: bytes, first_layer: int) -> bytes:
        try:
            for layer in self._layers[first_layer:]:
                data = layer.decode(data)
        except BodyTooLarge:
            raise self._too_large() from None
        self._decoded_bytes += len(data)
        if self._decoded_bytes > self._limit:
            raise self._too_large()
        return data

    def feed(self, chunk: bytes) -> bytes:
        """Count and decode one raw chunk from the network; the decoded bytes."""
        self._raw_bytes += len(chunk)
        if self._raw_bytes > self._limit:
            raise self._too_large()
        return self._push(chunk, 0)

    def finish(self) -> bytes:
        """Flush every layer (outermost first); the last decoded bytes."""
        tails = bytearray()
        for index, layer in enumerate(self._layers):
            try:
                tail = layer.flush()
            except BodyTooLarge:
                raise self._too_large() from None
            tails += self._push(tail, index + 1)
        return bytes(tails)


class BoundedBody:
    """Accumulates a response body, counting raw, intermediate and decoded bytes against one limit.

    ``feed`` each raw chunk as it arrives from the network, then call ``finish``. Both raise
    BodyTooLarge as soon as any count exceeds ``limit``.
    """

    def __init__(self, content_encoding: str | None, limit: int) -> None:
        self._stream = BoundedStream(content_encoding, limit)
        self._decoded = bytearray()

    @property
    def raw_bytes(self) -> int:
        """How many bytes arrived from the network so far."""
        return self._stream.raw_bytes

    def feed(self, chunk: bytes) -> None:
        """Count and decode one raw chunk from the network."""
        self._decoded += self._stream.feed(chunk)

    def finish(self) -> bytes:
        """Flush every layer (outermost first) and return the decoded body."""
        self._decoded += self._stream.finish()
        return bytes(self._decoded)
