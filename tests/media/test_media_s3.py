"""The S3 media store against a local S3-compatible server (moto's server mode on 127.0.0.1)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from fixtures import media_files
from fixtures.fetching import make_settings
from fixtures.s3_server import object_names, s3_client, s3_server
from prodex.media.s3 import S3MediaStore, parse_s3_location

BUCKET = "prodex-media-test"
KEY = "ab" * 32 + ".jpg"


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with s3_server(tmp_path_factory.mktemp("s3")) as url:
        s3_client(url).create_bucket(Bucket=BUCKET)
        yield url


def _store(endpoint: str, **overrides: object) -> S3MediaStore:
    settings = make_settings(
        media_store=f"s3://{BUCKET}/shop/media", media_s3_endpoint_url=endpoint, **overrides
    )
    return S3MediaStore(settings)


def test_locations_parse() -> None:
    assert parse_s3_location("s3://bucket") == ("bucket", "")
    assert parse_s3_location("s3://bucket/a/b/") == ("bucket", "a/b/")


def test_put_read_and_delete(endpoint: str, tmp_path: Path) -> None:
    store = _store(endpoint)
    body = media_files.jpeg(61)
    staged = tmp_path / "staged.part"
    staged.write_bytes(body)
    assert not store.exists(KEY)
    store.put(staged, KEY, "image/jpeg")
    assert not staged.exists()  # consumed
    assert store.exists(KEY)
    assert f"shop/media/{KEY}" in object_names(endpoint, BUCKET)
    head = s3_client(endpoint).head_object(Bucket=BUCKET, Key=f"shop/media/{KEY}")
    assert head["ContentType"] == "image/jpeg"
    assert head["CacheControl"] == "public, max-age=31536000, immutable"
    whole = store.read(KEY, None)
    assert whole is not None and whole.status == 200 and b"".join(whole.chunks) == body
    part = store.read(KEY, "bytes=10-19")
    assert part is not None and part.status == 206 and b"".join(part.chunks) == body[10:20]
    assert part.headers["content-range"] == f"bytes 10-19/{len(body)}"
    unsatisfiable = store.read(KEY, f"bytes={len(body) + 10}-")
    assert unsatisfiable is not None and unsatisfiable.status == 416
    again = tmp_path / "again.part"
    again.write_bytes(body)
    store.put(again, KEY, "image/jpeg")  # the same content: nothing uploaded, staged file removed
    assert not again.exists()
    store.delete([KEY, "cd" * 32 + ".png"])
    assert not store.exists(KEY) and store.read(KEY, None) is None


def test_public_urls(endpoint: str) -> None:
    assert _store(endpoint).public_url(KEY, "https://prodex.example") == f"https://prodex.example/media/{KEY}"
    public = _store(endpoint, media_public_url=f"{endpoint}/{BUCKET}/")
    assert public.public_url(KEY, "https://prodex.example") == f"{endpoint}/{BUCKET}/shop/media/{KEY}"


def test_an_object_is_served_at_the_buckets_public_url(endpoint: str, tmp_path: Path) -> None:
    # the operator makes the prefix public (prodex itself sets no ACL or policy)
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": "*",
                "Action": "s3:GetObject",
                "Resource": f"arn:aws:s3:::{BUCKET}/shop/media/*",
            }
        ],
    }
    s3_client(endpoint).put_bucket_policy(Bucket=BUCKET, Policy=json.dumps(policy))
    store = _store(endpoint, media_public_url=f"{endpoint}/{BUCKET}")
    staged = tmp_path / "staged.part"
    staged.write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 100)
    key = "ef" * 32 + ".mp4"
    store.put(staged, key, "video/mp4")
    answer = httpx.get(store.public_url(key, "unused"))
    assert answer.status_code == 200 and answer.headers["content-type"] == "video/mp4"
    store.delete([key])
