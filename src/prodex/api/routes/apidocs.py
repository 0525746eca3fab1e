"""``/docs`` (Swagger UI) and ``/redoc`` (ReDoc) with their files served by prodex itself.

FastAPI's default pages load Swagger UI and ReDoc from a CDN, so they stay blank on a host without
internet. The same front-end bundles ship in the ``fastapi-offline`` package (pinned in
pyproject.toml); they are served here under :data:`ASSETS_PREFIX`, from a fixed list of files.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from fastapi import APIRouter, HTTPException, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from starlette.responses import FileResponse, HTMLResponse

ASSETS_PREFIX = "/docs-assets"
#: The files the pages use, and their media types (nothing else under the folder is served).
ASSETS: dict[str, str] = {
    "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
    "swagger-ui.css": "text/css; charset=utf-8",
    "redoc.standalone.js": "text/javascript; charset=utf-8",
    "favicon.png": "image/png",
}
#: Browsers may keep the files a day (they change only with the pinned package).
ASSET_CACHE_CONTROL = "public, max-age=86400"

#: The pages may load pictures and data from this server only: ReDoc's "API docs by Redocly" logo
#: would otherwise be fetched from Redocly's CDN. (Their own inline scripts and styles stay allowed.)
PAGE_SECURITY_HEADERS = {
    "Content-Security-Policy": "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
}

router = APIRouter(include_in_schema=False)


def assets_folder() -> Path:
    """The folder of the Swagger UI and ReDoc files inside the installed ``fastapi-offline`` package."""
    return Path(str(files("fastapi_offline") / "static"))


def _root(request: Request) -> str:
    return str(request.scope.get("root_path", ""))


@router.get("/docs")
async def swagger_ui(request: Request) -> HTMLResponse:
    """Swagger UI for the OpenAPI document, with local files only."""
    root = _root(request)
    page = get_swagger_ui_html(
        openapi_url=f"{root}{request.app.openapi_url}",
        title=f"{request.app.title} - Swagger UI",
        oauth2_redirect_url=f"{root}/docs/oauth2-redirect",
        swagger_js_url=f"{root}{ASSETS_PREFIX}/swagger-ui-bundle.js",
        swagger_css_url=f"{root}{ASSETS_PREFIX}/swagger-ui.css",
        swagger_favicon_url=f"{root}{ASSETS_PREFIX}/favicon.png",
        # No validator badge: Swagger UI would send the document's URL to validator.swagger.io.
        swagger_ui_parameters={"validatorUrl": None},
    )
    page.headers.update(PAGE_SECURITY_HEADERS)
    return page


@router.get("/docs/oauth2-redirect")
async def swagger_ui_redirect() -> HTMLResponse:
    """Swagger UI's OAuth2 redirect page (kept for completeness; the API uses a key header)."""
    return get_swagger_ui_oauth2_redirect_html()


@router.get("/redoc")
async def redoc(request: Request) -> HTMLResponse:
    """ReDoc for the OpenAPI document, with local files only (no web fonts)."""
    root = _root(request)
    page = get_redoc_html(
        openapi_url=f"{root}{request.app.openapi_url}",
        title=f"{request.app.title} - ReDoc",
        redoc_js_url=f"{root}{ASSETS_PREFIX}/redoc.standalone.js",
        redoc_favicon_url=f"{root}{ASSETS_PREFIX}/favicon.png",
        with_google_fonts=False,
    )
    page.headers.update(PAGE_SECURITY_HEADERS)
    return page


@router.get(ASSETS_PREFIX + "/{name}")
async def asset(name: str) -> FileResponse:
    """One of the listed Swagger UI / ReDoc files; anything else is 404."""
    media_type = ASSETS.get(name)
    if media_type is None:
        raise HTTPException(status_code=404)
    return FileResponse(
        assets_folder() / name,
        media_type=media_type,
        headers={"Cache-Control": ASSET_CACHE_CONTROL, "X-Content-Type-Options": "nosniff"},
    )
