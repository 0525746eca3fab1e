"""``/media/<key>``: the stored, checked copies of products' media, served without an API key
(their URLs are unguessable: the key is the SHA-256 of the file) with long-lived cache headers,
ETag and range requests (a video player seeks; a client resumes a download)."""

from __future__ import annotations

from typing import Annotated

import anyio.to_thread
from fastapi import APIRouter, Path, Request
from starlette.concurrency import iterate_in_threadpool
from starlette.responses import FileResponse, Response, StreamingResponse

from prodex.api.deps import services_of
from prodex.api.routes.docs import public_responses
from prodex.errors import RecordNotFound
from prodex.media.keys import CACHE_CONTROL, KEY_PATTERN, mime_of_key
from prodex.media.stores import LocalMediaStore, MediaStore

router = APIRouter(tags=["Media"])
MediaKeyPath = Annotated[
    str, Path(max_length=80, description="The file's key: its SHA-256 (hex) and extension.")
]
NOT_FOUND = "Media file not found."


def _store(request: Request) -> MediaStore:
    media = services_of(request).media
    if media is None:
        raise RecordNotFound(NOT_FOUND)
    return media.library.store


@router.head("/media/{key}", include_in_schema=False)
@router.get(
    "/media/{key}",
    summary="Stored media file (addition)",
    response_class=Response,
    responses={
        200: {"description": "The file.", "content": {"image/*": {}, "video/*": {}}},
        206: {"description": "The requested range of the file."},
        416: {"description": "The range cannot be satisfied."},
        **public_responses(400, 404),
    },
)
async def media_file(key: MediaKeyPath, request: Request) -> Response:
    """One stored picture or video, by key; answers 10104 (404) for an unknown key."""
    if not KEY_PATTERN.fullmatch(key):
        raise RecordNotFound(NOT_FOUND)
    store = _store(request)
    headers = {"cache-control": CACHE_CONTROL, "x-content-type-options": "nosniff"}
    if isinstance(store, LocalMediaStore):
        path = store.path_of(key)
        if not await anyio.to_thread.run_sync(path.is_file):
            raise RecordNotFound(NOT_FOUND)
        return FileResponse(path, media_type=mime_of_key(key), headers=headers)
    from prodex.media.s3 import S3MediaStore

    assert isinstance(store, S3MediaStore)
    found = await anyio.to_thread.run_sync(store.read, key, request.headers.get("range"))
    if found is None:
        raise RecordNotFound(NOT_FOUND)
    headers.update(found.headers)
    if request.method == "HEAD":
        return Response(status_code=found.status, headers=headers, media_type=mime_of_key(key))
    return StreamingResponse(
        iterate_in_threadpool(found.chunks),
        status_code=found.status,
        headers=headers,
        media_type=mime_of_key(key),
    )
