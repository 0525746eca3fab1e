"""The console's files and headers, without a browser: served from the package with a strict
Content-Security-Policy, no inline script or style, and no script that parses text as HTML."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from importlib.resources import files
from pathlib import Path

import httpx
import pytest

from prodex.api.app import create_app
from prodex.console.routes import CONTENT_SECURITY_POLICY
from prodex.settings import Settings

STATIC = Path(str(files("prodex.console") / "static"))
# Sinks that would parse shop text as HTML or run it as code.
HTML_SINKS = re.compile(
    r"\.innerHTML|\.outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function"
    r"|setAttribute\(\s*[\"']on|createContextualFragment|DOMParser|srcdoc"
)


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    """The app in process (the console's routes need no lifespan: no database is opened)."""
    app = create_app(Settings(data_dir=tmp_path, url_analysis=False))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://console.test") as test_client:
        yield test_client


@pytest.mark.parametrize("path", ["/console", "/console/", "/console/app.js", "/console/console.css"])
async def test_console_responses_carry_the_security_headers(client: httpx.AsyncClient, path: str) -> None:
    response = await client.get(path)
    assert response.status_code == 200
    csp = response.headers["content-security-policy"]
    assert csp == CONTENT_SECURITY_POLICY
    for directive in (
        "script-src 'self'",
        "style-src 'self'",
        "img-src * data:",
        "media-src *",
        "connect-src 'self'",
        "frame-ancestors 'none'",
    ):
        assert directive in csp.split("; ")
    assert "unsafe" not in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"


async def test_files_have_their_types_and_are_revalidated(client: httpx.AsyncClient) -> None:
    page = await client.get("/console")
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    script = await client.get("/console/app.js")
    assert script.headers["content-type"] == "text/javascript; charset=utf-8"
    style = await client.get("/console/console.css")
    assert style.headers["content-type"] == "text/css; charset=utf-8"
    again = await client.get("/console/app.js", headers={"if-none-match": script.headers["etag"]})
    assert again.status_code == 304 and again.content == b""


@pytest.mark.parametrize(
    "name", ["missing.js", "index.html", "..%2Froutes.py", "%2e%2e", "App.js", "app.js.map", "routes.py"]
)
async def test_only_listed_kinds_of_existing_files_are_served(client: httpx.AsyncClient, name: str) -> None:
    assert (await client.get(f"/console/{name}")).status_code == 404


def test_the_page_has_no_inline_script_or_style() -> None:
    html = (STATIC / "index.html").read_text()
    for script in re.findall(r"<script\b[^>]*>(.*?)</script>", html, flags=re.S):
        assert script.strip() == ""
    assert all("src=" in tag for tag in re.findall(r"<script\b[^>]*>", html))
    assert "<style" not in html
    assert not re.search(r"\sstyle\s*=", html)
    assert not re.search(r"\son[a-z]+\s*=", html)  # no inline event handlers


def test_the_labels_a_person_and_a_screen_reader_look_for() -> None:
    html = (STATIC / "index.html").read_text()
    assert '<label for="api-key">API key</label>' in html
    assert '<label for="product-url">Product URL</label>' in html
    assert ">Sign in</button>" in html and ">Create product</button>" in html
    # the key field has no name: no form submission can ever carry the key
    assert re.search(r'<input id="api-key"[^>]*>', html) and 'name="' not in re.search(
        r'<input id="api-key"[^>]*>', html, flags=re.S
    ).group(0)  # type: ignore[union-attr]


@pytest.mark.parametrize("script", sorted(p.name for p in STATIC.glob("*.js")))
def test_scripts_never_parse_text_as_html(script: str) -> None:
    source = (STATIC / script).read_text()
    assert not HTML_SINKS.search(source), HTML_SINKS.search(source)
    assert "localStorage" not in source  # the key lives in sessionStorage only
