"""``/console`` and its files, with the security headers every console response carries.

The files are read once from the package (they are small) and served from memory; only names of
the form ``<name>.<js|css|svg|png>`` that exist in the static folder are served, anything else is
404. The page's own scripts and styles are files: the Content-Security-Policy allows no inline
script or style. Shop pictures and videos are loaded from the shops (``img-src *``,
``media-src *``); the page talks to this server only (``connect-src 'self'``) and may not be framed.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files

from fastapi import APIRouter, HTTPException, Request
from starlette.responses import Response

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src * data:",
        "media-src *",
        "connect-src 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "form-action 'self'",
    ]
)
#: Headers of every console response.
SECURITY_HEADERS: dict[str, str] = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}
MEDIA_TYPES: dict[str, str] = {
    "html": "text/html; charset=utf-8",
    "js": "text/javascript; charset=utf-8",
    "css": "text/css; charset=utf-8",
    "svg": "image/svg+xml",
    "png": "image/png",
}
_ASSET_NAME = re.compile(r"[a-z0-9][a-z0-9-]{0,63}\.(?:js|css|svg|png)")

router = APIRouter(include_in_schema=False)


@dataclass(frozen=True, slots=True)
class Asset:
    """One console file: its bytes, media type and entity tag."""

    body: bytes
    media_type: str
    etag: str


@lru_cache(maxsize=64)
def load_asset(name: str) -> Asset | None:
    """The console file ``name`` from the package, or ``None`` when there is no such file."""
    resource = files("prodex.console") / "static" / name
    if not resource.is_file():
        return None
    body = resource.read_bytes()
    extension = name.rsplit(".", 1)[-1]
    return Asset(body, MEDIA_TYPES[extension], '"' + hashlib.sha256(body).hexdigest()[:32] + '"')


def _answer(request: Request, asset: Asset) -> Response:
    """The file, or 304 when the browser already has this version (revalidated on every load)."""
    headers = {**SECURITY_HEADERS, "Cache-Control": "no-cache", "ETag": asset.etag}
    if request.headers.get("if-none-match") == asset.etag:
        return Response(status_code=304, headers=headers)
    return Response(asset.body, media_type=asset.media_type, headers=headers)


@router.get("/console")
@router.get("/console/")
async def console_page(request: Request) -> Response:
    """The console's page."""
    asset = load_asset("index.html")
    if asset is None:  # pragma: no cover  (the file ships with the package)
        raise HTTPException(status_code=404)
    return _answer(request, asset)


@router.get("/console/{name}")
async def console_asset(name: str, request: Request) -> Response:
    """One of the console's scripts, styles or pictures."""
    asset = load_asset(name) if _ASSET_NAME.fullmatch(name) else None
    if asset is None:
        raise HTTPException(status_code=404)
    return _answer(request, asset)
