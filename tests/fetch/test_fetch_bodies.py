"""Body handling without a network: bounded decompression, content types, retry timing (charsets:
tests/extract/test_extract_charset.py)."""

from __future__ import annotations

import gzip
import tracemalloc
import zlib
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from prodex.errors import BodyTooLarge, NotHTML, UnusablePage
from prodex.fetch.content import check_content, looks_like_html, parse_content_type
from prodex.fetch.decoding import BoundedBody, parse_content_encoding
from prodex.fetch.retry import backoff_delay, parse_retry_after

TEXT = ("<p>Ein Wasserkocher aus Glas, 1,7 Liter.</p>\n" * 2000).encode()


def feed_in_chunks(body: BoundedBody, data: bytes, size: int = 997) -> bytes:
    for start in range(0, len(data), size):
        body.feed(data[start : start + size])
    return body.finish()


@pytest.mark.parametrize(
    ("encoding", "compress"),
    [
        ("", lambda d: d),
        ("identity", lambda d: d),
        ("gzip", gzip.compress),
        ("x-gzip", gzip.compress),
        ("deflate", zlib.compress),
        ("deflate", lambda d: zlib.compress(d)[2:-4]),  # raw deflate sent as "deflate"
        ("gzip", lambda d: gzip.compress(d[:1000]) + gzip.compress(d[1000:])),  # two members
        ("gzip, gzip", lambda d: gzip.compress(gzip.compress(d))),
        ("deflate, gzip", lambda d: gzip.compress(zlib.compress(d))),
        ("GZIP", gzip.compress),
    ],
)
def test_bodies_decode_whatever_the_chunking(encoding: str, compress) -> None:  # type: ignore[no-untyped-def]
    data = compress(TEXT)
    for size in (1, 7, 4096, len(data)):
        assert feed_in_chunks(BoundedBody(encoding, len(TEXT)), data, size) == TEXT


def test_limit_counts_decoded_bytes() -> None:
    assert feed_in_chunks(BoundedBody("gzip", len(TEXT)), gzip.compress(TEXT)) == TEXT
    with pytest.raises(BodyTooLarge):
        feed_in_chunks(BoundedBody("gzip", len(TEXT) - 1), gzip.compress(TEXT))


def test_limit_counts_raw_bytes() -> None:
    with pytest.raises(BodyTooLarge):
        feed_in_chunks(BoundedBody(None, 1000), b"x" * 1001)
    assert feed_in_chunks(BoundedBody(None, 1000), b"x" * 1000) == b"x" * 1000


def _bomb(mib: int, wbits: int) -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, wbits)
    return b"".join(compressor.compress(bytes(1 << 20)) for _ in range(mib)) + compressor.flush()


@pytest.mark.parametrize(("encoding", "wbits"), [("gzip", 31), ("deflate", 15)])
def test_a_bomb_in_one_chunk_costs_at_most_the_limit(encoding: str, wbits: int) -> None:
    """256 MiB of zeros in about 250 KiB, fed as ONE chunk: memory stays near the 1 MiB limit."""
    bomb = _bomb(256, wbits)
    limit = 1024 * 1024
    assert len(bomb) < limit
    tracemalloc.start()
    try:
        with pytest.raises(BodyTooLarge):
            BoundedBody(encoding, limit).feed(bomb)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 4 * limit


def test_nested_bomb_is_bounded_at_every_layer() -> None:
    inner = _bomb(256, 31)
    with pytest.raises(BodyTooLarge):
        feed_in_chunks(BoundedBody("gzip, gzip", 1024 * 1024), gzip.compress(inner), 65536)


def test_corrupt_and_unsupported_encodings() -> None:
    with pytest.raises(UnusablePage, match="corrupt"):
        feed_in_chunks(BoundedBody("gzip", 10**6), b"\x1f\x8b\x08\x00garbage-garbage-garbage")
    with pytest.raises(UnusablePage, match="unsupported compression"):
        BoundedBody("br", 10**6)
    with pytest.raises(UnusablePage, match="unsupported compression"):
        BoundedBody("gzip, zstd", 10**6)
    with pytest.raises(UnusablePage, match="too many layers"):
        parse_content_encoding("gzip, gzip, gzip, gzip")
    assert parse_content_encoding("identity, gzip") == ["gzip"]


# --- content types ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "media_type", "charset"),
    [
        ("text/html; charset=UTF-8", "text/html", "utf-8"),
        ('text/html; charset="windows-1251"', "text/html", "windows-1251"),
        ("TEXT/HTML", "text/html", None),
        ("application/xhtml+xml;charset=utf-8", "application/xhtml+xml", "utf-8"),
        ("", "", None),
        (None, "", None),
        ("garbage", "", None),
    ],
)
def test_content_type_header(header: str | None, media_type: str, charset: str | None) -> None:
    assert parse_content_type(header) == (media_type, charset)


@pytest.mark.parametrize(
    ("body", "html"),
    [
        (b"<!DOCTYPE html><html>", True),
        (b"\xef\xbb\xbf  \n<!doctype HTML>", True),
        (b"<!-- generated -->\n<html lang=en>", True),
        (b'<?xml version="1.0"?>\n<html xmlns="http://www.w3.org/1999/xhtml">', True),
        (b"<head><title>x</title>", True),
        (b"\x89PNG\r\n\x1a\n", False),
        (b'{"a": 1}', False),
        (b"just text", False),
        (b"<rss><channel>", False),
    ],
)
def test_html_sniffing(body: bytes, html: bool) -> None:
    assert looks_like_html(body) is html


def test_check_content_messages_name_the_type() -> None:
    with pytest.raises(NotHTML, match=r"an HTML page: .*\(image/png\)"):
        check_content("image/png", b"\x89PNG", "html")
    with pytest.raises(NotHTML, match="an HTML page or JSON"):
        check_content("image/png", b"\x89PNG", "json")
    assert check_content("application/vnd.api+json", b"{}", "json") == "application/json"


# --- retry timing ------------------------------------------------------------------------------------


def test_retry_after_forms() -> None:
    now = datetime(2025, 1, 1, 12, 0, 0, tzinfo=UTC)
    assert parse_retry_after("3", now) == 3.0
    assert parse_retry_after(" 120 ", now) == 120.0
    assert parse_retry_after(format_datetime(now + timedelta(seconds=30), usegmt=True), now) == 30.0
    assert parse_retry_after(format_datetime(now - timedelta(seconds=30), usegmt=True), now) == 0.0
    assert parse_retry_after("soon", now) is None
    assert parse_retry_after("-5", now) is None
    assert parse_retry_after(None, now) is None


def test_backoff_grows_exponentially_with_bounded_jitter() -> None:
    for attempt, base in [(1, 0.5), (2, 1.0), (3, 2.0)]:
        delays = [backoff_delay(attempt, 0.5) for _ in range(50)]
        assert all(base <= d <= base * 1.25 for d in delays)
