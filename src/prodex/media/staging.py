"""Staged files: a download is written to a private temporary file (hashed as it arrives) and only
becomes visible in the media store when it is published whole; a crash leaves only staging files,
which nobody serves and :func:`sweep_staging` removes."""

from __future__ import annotations

import hashlib
import os
import secrets
import time
from pathlib import Path
from types import TracebackType

from prodex.media.sniff import SNIFF_BYTES

STAGING_SUFFIX = ".part"
#: Staging files older than this are left over from a crash (a download takes far less).
STALE_SECONDS = 3600.0


class StagedFile:
    """A file being downloaded: the :class:`~prodex.fetch.BodySink` of one media download.

    Keeps the first :data:`~prodex.media.sniff.SNIFF_BYTES` bytes for sniffing and the SHA-256 of
    everything written; ``start`` empties the file (a retried download begins again).
    """

    def __init__(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.path = folder / f"{secrets.token_hex(16)}{STAGING_SUFFIX}"
        self._file = open(self.path, "wb")  # noqa: SIM115 (closed by close() or the context)
        self._hash = hashlib.sha256()
        self._head = bytearray()
        self.size = 0

    def __enter__(self) -> StagedFile:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
        if exc_type is not None:
            self.discard()

    def start(self) -> None:
        """A body begins (again): forget what was written."""
        self._file.seek(0)
        self._file.truncate()
        self._hash = hashlib.sha256()
        self._head = bytearray()
        self.size = 0

    def write(self, data: bytes) -> None:
        """Append the next bytes of the body."""
        self._file.write(data)
        self._hash.update(data)
        if len(self._head) < SNIFF_BYTES:
            self._head += data[: SNIFF_BYTES - len(self._head)]
        self.size += len(data)

    @property
    def head(self) -> bytes:
        """The first bytes of the file, for :func:`~prodex.media.sniff.sniff`."""
        return bytes(self._head)

    @property
    def sha256(self) -> str:
        """The SHA-256 of what was written, hex."""
        return self._hash.hexdigest()

    def close(self) -> None:
        """Flush the file to disk and close it (idempotent)."""
        if not self._file.closed:
            self._file.flush()
            os.fsync(self._file.fileno())
            self._file.close()

    def discard(self) -> None:
        """Close and remove the file (idempotent)."""
        if not self._file.closed:
            self._file.close()
        self.path.unlink(missing_ok=True)


def sweep_staging(folder: Path, older_than: float = STALE_SECONDS) -> int:
    """Remove staging files left by a crash (older than ``older_than`` seconds); how many."""
    if not folder.is_dir():
        return 0
    cutoff = time.time() - older_than
    removed = 0
    for path in folder.glob(f"*{STAGING_SUFFIX}"):
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
                removed += 1
        except FileNotFoundError:
            continue
    return removed
