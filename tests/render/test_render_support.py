"""When rendering is available, what PRODEX_RENDER means, what /healthz says, and clear errors when not.

Most of these need no browser. /healthz is checked over real HTTP (uvicorn on 127.0.0.1, SQLite).
"""

from __future__ import annotations

import importlib.util
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.api_helpers import make_settings as api_settings
from api.api_helpers import serve_in_thread
from fixtures.fetching import make_settings
from prodex.api.app import create_app
from prodex.errors import RenderingUnavailable
from prodex.fetch.render import (
    Renderer,
    RenderSupport,
    check_render_support,
    render_health,
    render_mode,
)
from render.spa_shop import SpaShop

MISSING = Path("/nonexistent/chromium")
NOT_FOUND = f"Chromium was not found at {MISSING} (apt-get install chromium)"


def local(shop: SpaShop) -> dict[str, Any]:
    """Settings that may fetch from ``shop`` only (127.0.0.1 on its port)."""
    return {"fetch_allow_private": True, "fetch_allowed_hosts": [f"127.0.0.1:{shop.port}"]}


def test_missing_or_unusable_chromium_is_reported_with_its_path(tmp_path: Path) -> None:
    support = check_render_support(make_settings(chromium_path=MISSING))
    assert support == RenderSupport(False, NOT_FOUND)
    not_executable = tmp_path / "chromium"
    not_executable.write_text("#!/bin/sh\n")
    not_executable.chmod(stat.S_IRUSR | stat.S_IWUSR)
    support = check_render_support(make_settings(chromium_path=not_executable))
    assert support == RenderSupport(False, f"Chromium at {not_executable} is not executable")


def test_missing_playwright_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    """Playwright IS installed here, so its absence is simulated by hiding it from find_spec (a mock)."""
    real_find_spec = importlib.util.find_spec

    def find_spec(name: str, *args: Any) -> Any:
        return None if name == "playwright" else real_find_spec(name, *args)

    monkeypatch.setattr(importlib.util, "find_spec", find_spec)
    support = check_render_support(make_settings())
    assert support == RenderSupport(False, "Playwright is not installed (pip install prodex[browser])")


@pytest.mark.parametrize(
    ("setting", "available", "mode"),
    [
        (None, True, "auto"),
        (None, False, "off"),
        ("auto", False, "auto"),
        ("always", True, "always"),
        ("off", True, "off"),
    ],
)
def test_render_mode(setting: str | None, available: bool, mode: str) -> None:
    settings = make_settings(render=setting)
    assert render_mode(settings, RenderSupport(available, None if available else "absent")) == mode


def test_render_mode_reads_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PRODEX_RENDER", "always")
    assert render_mode(make_settings()) == "always"
    monkeypatch.setenv("PRODEX_RENDER", "sometimes")
    with pytest.raises(ValueError, match="render"):
        make_settings()


async def test_a_renderer_without_chromium_refuses_clearly_without_fetching(spa_shop: SpaShop) -> None:
    async with Renderer(make_settings(chromium_path=MISSING, **local(spa_shop))) as renderer:
        assert not renderer.available
        assert renderer.unavailable_reason == NOT_FOUND
        with pytest.raises(
            RenderingUnavailable, match=r"not available on this server: Chromium was not found"
        ):
            await renderer.render(spa_shop.url("/p/never-fetched"))
    assert spa_shop.hits("/p/never-fetched") == 0


async def test_a_chromium_that_does_not_start_is_reported(
    spa_shop: SpaShop, require: Callable[[bool, str], None]
) -> None:
    """``/bin/false`` stands in for a broken Chromium binary: it exists, is executable, and exits."""
    require(importlib.util.find_spec("playwright") is not None, "Playwright is not installed")
    settings = make_settings(chromium_path=Path("/bin/false"), **local(spa_shop))
    async with Renderer(settings) as renderer:
        assert renderer.available
        with pytest.raises(RenderingUnavailable, match="browser could not be started"):
            await renderer.render(spa_shop.url("/p/broken-browser"))
        assert not renderer.available
        assert (renderer.unavailable_reason or "").startswith("Chromium did not start: ")
        health = render_health(settings, renderer)
        assert health is not None and health.text.startswith("unavailable: Chromium did not start")


def _healthz(tmp_path: Path, **overrides: Any) -> httpx.Response:
    """GET /healthz from a real server with ``overrides`` in its settings (SQLite in ``tmp_path``)."""
    settings = api_settings(f"sqlite:///{tmp_path / 'prodex.db'}", tmp_path, **overrides)
    with serve_in_thread(create_app(settings)) as base_url:
        return httpx.get(f"{base_url}/healthz", timeout=30)


@pytest.mark.parametrize(
    ("overrides", "status", "component"),
    [
        ({"render": "off"}, 200, None),
        (
            {"render": None, "chromium_path": MISSING},
            200,
            f"unavailable: {NOT_FOUND}",
        ),
        (
            {"render": "auto", "chromium_path": MISSING},
            200,
            f"unavailable: {NOT_FOUND}",
        ),
        (
            {"render": "always", "chromium_path": MISSING},
            503,
            f"unavailable: {NOT_FOUND}",
        ),
    ],
    ids=["off", "default-without-chromium", "auto-without-chromium", "always-without-chromium"],
)
def test_healthz_reports_rendering(
    overrides: dict[str, Any], status: int, component: str | None, tmp_path: Path
) -> None:
    response = _healthz(tmp_path, **overrides)
    assert response.status_code == status
    components = response.json()["data"]["components"]
    assert components["database"] == "ok"
    if component is None:
        assert "render" not in components
    else:
        assert components["render"] == component
    assert response.json()["data"]["status"] == ("ok" if status == 200 else "error")


@pytest.mark.browser
def test_healthz_reports_available_rendering(tmp_path: Path, browser_ready: None) -> None:
    response = _healthz(tmp_path, render="always")
    assert response.status_code == 200
    components = response.json()["data"]["components"]
    assert components.pop("workers", "ok").startswith("ok")
    assert components == {"database": "ok", "render": "available"}
