"""The media store on S3-compatible object storage (``PRODEX_MEDIA_STORE=s3://bucket/prefix``),
through boto3. Credentials come from boto3's usual chain (``AWS_ACCESS_KEY_ID`` and
``AWS_SECRET_ACCESS_KEY``, a profile, an instance role); ``PRODEX_MEDIA_S3_ENDPOINT_URL`` points
at another S3-compatible server (MinIO, Ceph, R2...).

An upload is atomic on the server's side (an object appears only once its upload completes, a
multipart upload only when it is completed), so a crash never leaves a partial object visible.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from prodex.media.keys import CACHE_CONTROL
from prodex.media.stores import prodex_media_url
from prodex.settings import Settings

#: Objects removed per DeleteObjects call (the S3 limit).
DELETE_BATCH = 1000
READ_CHUNK = 256 * 1024
_MISSING = {"404", "NoSuchKey", "NotFound"}


def parse_s3_location(location: str) -> tuple[str, str]:
    """``s3://bucket/some/prefix`` -> ``("bucket", "some/prefix/")`` (the prefix may be empty)."""
    bucket, _, prefix = location.removeprefix("s3://").partition("/")
    prefix = prefix.strip("/")
    return bucket, f"{prefix}/" if prefix else ""


@dataclass(frozen=True)
class S3Object:
    """An object read for serving: HTTP status (200, or 206 for a range), headers and body chunks."""

    status: int
    headers: dict[str, str]
    chunks: Iterator[bytes]


class S3MediaStore:
    """Media files as objects ``<prefix><key>`` of one bucket."""

    def __init__(self, settings: Settings, client: Any = None) -> None:
        self.bucket, self.prefix = parse_s3_location(settings.media_store)
        self.public_base = settings.media_public_url.rstrip("/")
        self._client = client or boto3.client(
            "s3",
            endpoint_url=settings.media_s3_endpoint_url or None,
            region_name=settings.media_s3_region or None,
            config=Config(retries={"max_attempts": 3, "mode": "standard"}, max_pool_connections=32),
        )

    def object_key(self, key: str) -> str:
        """The object's name in the bucket."""
        return f"{self.prefix}{key}"

    def exists(self, key: str) -> bool:
        """Whether the object is there (a HEAD request)."""
        try:
            self._client.head_object(Bucket=self.bucket, Key=self.object_key(key))
        except ClientError as exc:
            if str(exc.response.get("Error", {}).get("Code")) in _MISSING:
                return False
            raise
        return True

    def put(self, staged: Path, key: str, mime: str) -> None:
        """Upload the staged file (multipart when large, streamed from disk) unless the object is
        there already; the staged file is removed either way."""
        try:
            if not self.exists(key):
                self._client.upload_file(
                    str(staged),
                    self.bucket,
                    self.object_key(key),
                    ExtraArgs={"ContentType": mime, "CacheControl": CACHE_CONTROL},
                )
        finally:
            staged.unlink(missing_ok=True)

    def delete(self, keys: Iterable[str]) -> None:
        """Remove the objects (missing ones are ignored by S3)."""
        names = [self.object_key(key) for key in keys]
        for start in range(0, len(names), DELETE_BATCH):
            batch = names[start : start + DELETE_BATCH]
            self._client.delete_objects(
                Bucket=self.bucket, Delete={"Objects": [{"Key": n} for n in batch], "Quiet": True}
            )

    def public_url(self, key: str, base_url: str) -> str:
        """The bucket's public URL when configured, else prodex's own ``/media/<key>``."""
        if self.public_base:
            return f"{self.public_base}/{self.object_key(key)}"
        return prodex_media_url(base_url, key)

    def read(self, key: str, byte_range: str | None) -> S3Object | None:
        """The object for serving (``byte_range``: the client's Range header, passed on; a range
        that cannot be satisfied answers 416), or ``None`` when absent."""
        arguments: dict[str, Any] = {"Bucket": self.bucket, "Key": self.object_key(key)}
        if byte_range:
            arguments["Range"] = byte_range
        try:
            answer = self._client.get_object(**arguments)
        except ClientError as exc:
            code = str(exc.response.get("Error", {}).get("Code"))
            if code in _MISSING:
                return None
            if code == "InvalidRange":
                return S3Object(status=416, headers={"accept-ranges": "bytes"}, chunks=iter(()))
            raise
        headers = {"content-length": str(answer["ContentLength"]), "accept-ranges": "bytes"}
        if answer.get("ContentRange"):
            headers["content-range"] = answer["ContentRange"]
        if answer.get("ETag"):
            headers["etag"] = answer["ETag"]
        status = 206 if answer.get("ContentRange") else 200
        return S3Object(status=status, headers=headers, chunks=answer["Body"].iter_chunks(READ_CHUNK))
