"""/docs and /redoc work without internet: every file their HTML references is served by prodex."""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

import pytest
from api_helpers import LiveApi

# src="..." / href="..." attributes, and the spec URL ReDoc reads from an attribute.
_REFERENCE = re.compile(r"""(?:src|href|spec-url)\s*=\s*["']([^"']+)["']""")
# Any absolute URL in the page text (scripts and inline configuration included).
_ABSOLUTE_URL = re.compile(r"""(?:https?:)?//[A-Za-z0-9.-]+\.[A-Za-z]{2,}""")


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_docs_reference_only_local_files(live: LiveApi, page: str) -> None:
    with live.client() as client:
        html = client.get(page)
        assert html.status_code == 200
        assert _ABSOLUTE_URL.findall(html.text) == []
        # pictures and data from this server only (ReDoc's logo would come from Redocly's CDN)
        assert "img-src 'self' data:" in html.headers["content-security-policy"]
        assert "connect-src 'self'" in html.headers["content-security-policy"]
        references = _REFERENCE.findall(html.text)
        assert references, html.text
        for reference in references:
            target = urljoin(live.base_url + page, reference)
            assert urlsplit(target).netloc == urlsplit(live.base_url).netloc, reference
            answer = client.get(target)
            assert answer.status_code == 200, reference
            assert answer.content, reference
        # the inline configuration points at the local OpenAPI document
        assert "/openapi.json" in html.text


def test_docs_assets_have_their_types_and_nothing_else_is_served(live: LiveApi) -> None:
    with live.client() as client:
        script = client.get("/docs-assets/swagger-ui-bundle.js")
        assert script.headers["content-type"].startswith("text/javascript")
        assert "SwaggerUIBundle" in script.text[:2000]
        assert (
            client.get("/docs-assets/redoc.standalone.js")
            .headers["content-type"]
            .startswith("text/javascript")
        )
        assert client.get("/docs-assets/swagger-ui.css").headers["content-type"].startswith("text/css")
        for name in ("../__init__.py", "core.py", "%2e%2e%2fcore.py", "missing.js"):
            assert client.get(f"/docs-assets/{name}").status_code == 404, name
