"""Fetcher.download: any file streamed into a sink, through the same guard, limits and retries."""

from __future__ import annotations

import asyncio
import time
import uuid

import pytest

from fixtures.fetching import local_settings
from fixtures.shop_server import ShopServer
from prodex.errors import BodyTooLarge, URLRefused
from prodex.fetch import Fetcher


class Sink:
    """Collects what the fetcher writes; counts the starts (one per attempt)."""

    def __init__(self) -> None:
        self.data = bytearray()
        self.starts = 0
        self.writes = 0

    def start(self) -> None:
        self.starts += 1
        self.data = bytearray()

    def write(self, data: bytes) -> None:
        self.writes += 1
        self.data += data


async def test_a_file_is_streamed_into_the_sink(shop_server: ShopServer) -> None:
    body = bytes(range(256)) * 4096  # 1 MiB, any content type
    url = shop_server.serve(f"dl-{uuid.uuid4().hex}/file.bin", body, content_type="application/octet-stream")
    sink = Sink()
    async with Fetcher(local_settings()) as fetcher:
        download = await fetcher.download(url, sink, max_bytes=2 * 1024 * 1024)
    assert bytes(sink.data) == body and download.size == len(body) and sink.writes > 1
    assert download.content_type == "application/octet-stream" and download.status == 200


async def test_a_redirect_to_a_forbidden_address_is_refused_without_a_connection(
    shop_server: ShopServer,
) -> None:
    url = shop_server.url("/redirect-to?location=http://169.254.169.254/latest/meta-data/")
    async with Fetcher(local_settings()) as fetcher:
        with pytest.raises(URLRefused):
            await fetcher.download(url, Sink(), max_bytes=1024)


async def test_a_redirect_is_followed_and_reported(shop_server: ShopServer) -> None:
    target = shop_server.serve(
        f"dl-{uuid.uuid4().hex}/a.jpg", b"\xff\xd8\xff picture", content_type="image/jpeg"
    )
    url = shop_server.url(f"/redirect-to?location={target}")
    sink = Sink()
    async with Fetcher(local_settings()) as fetcher:
        download = await fetcher.download(url, sink, max_bytes=1024)
    assert download.final_url == target and download.redirects == (url,)
    assert bytes(sink.data) == b"\xff\xd8\xff picture"


@pytest.mark.parametrize("declared", ["1", "0"])
async def test_a_file_over_the_limit_is_refused(shop_server: ShopServer, declared: str) -> None:
    url = shop_server.url(f"/huge?size={300 * 1024}&declared={declared}&t={uuid.uuid4().hex}")
    sink = Sink()
    async with Fetcher(local_settings()) as fetcher:
        with pytest.raises(BodyTooLarge):
            await fetcher.download(url, sink, max_bytes=100 * 1024)
    assert len(sink.data) <= 100 * 1024 + 64 * 1024


async def test_a_compressed_bomb_is_cut_at_the_limit(shop_server: ShopServer) -> None:
    sink = Sink()
    async with Fetcher(local_settings()) as fetcher:
        with pytest.raises(BodyTooLarge):
            await fetcher.download(shop_server.url("/bomb?encoding=gzip&mib=64"), sink, max_bytes=1024 * 1024)
    assert len(sink.data) <= 1024 * 1024


async def test_a_retried_download_holds_only_the_last_attempts_body(shop_server: ShopServer) -> None:
    url = shop_server.url(f"/flaky/{uuid.uuid4().hex}?failures=1&status=503")
    sink = Sink()
    async with Fetcher(local_settings(fetch_retry_backoff=0.01)) as fetcher:
        await fetcher.download(url, sink, max_bytes=1024 * 1024)
    assert sink.starts == 1 and sink.data.startswith(b"<!DOCTYPE html>")


async def test_media_have_their_own_per_host_limit(shop_server: ShopServer) -> None:
    settings = local_settings(fetch_max_per_host=2, media_max_per_host=10)
    prefix = uuid.uuid4().hex
    urls = [
        shop_server.serve(f"dl-{prefix}/{i}.bin", b"x", content_type="image/jpeg") + "?delay=0.3"
        for i in range(10)
    ]
    async with Fetcher(settings) as fetcher:
        started = time.perf_counter()
        await asyncio.gather(*(fetcher.download(url, Sink(), max_bytes=1024) for url in urls))
        elapsed = time.perf_counter() - started
    assert elapsed < 1.2, f"10 files at 0.3 s with 10 per host took {elapsed:.2f} s"
