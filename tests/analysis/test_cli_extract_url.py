"""`prodex extract https://...` goes through the same guarded fetch and analysis path as the API."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from fixtures.pages import PRODUCT_NAME, PRODUCT_PRICE
from fixtures.shop_server import ShopServer

PRODEX = str(Path(sys.executable).with_name("prodex"))


def _run(url: str, tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("PRODEX_")}
    clean.update(env)
    return subprocess.run(
        [PRODEX, "extract", url, "--compact"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
        env=clean,
        check=False,
    )


def test_extract_a_url_prints_its_product(shop_server: ShopServer, tmp_path: Path) -> None:
    result = _run(
        shop_server.url("/product/cli-url"),
        tmp_path,
        PRODEX_FETCH_ALLOW_PRIVATE="true",
        PRODEX_FETCH_ALLOWED_HOSTS=f"127.0.0.1:{shop_server.port}",
        PRODEX_RENDER="off",
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["name"] == f"{PRODUCT_NAME} (cli-url)"
    assert data["price"] == PRODUCT_PRICE


def test_extract_a_url_obeys_the_guard(shop_server: ShopServer, tmp_path: Path) -> None:
    """Default settings: this machine is not a target; a clear error, no request, no traceback."""
    result = _run(shop_server.url("/product/cli-url-guard"), tmp_path, PRODEX_RENDER="off")
    assert result.returncode == 1
    assert "not allowed" in result.stderr
    assert "Traceback" not in result.stderr
    assert shop_server.hits("/product/cli-url-guard") == 0


def test_extract_a_url_that_is_not_a_product(shop_server: ShopServer, tmp_path: Path) -> None:
    result = _run(
        shop_server.url("/status/404"),
        tmp_path,
        PRODEX_FETCH_ALLOW_PRIVATE="true",
        PRODEX_FETCH_ALLOWED_HOSTS=f"127.0.0.1:{shop_server.port}",
        PRODEX_FETCH_RETRIES="0",
        PRODEX_RENDER="off",
    )
    assert result.returncode == 1
    assert "404" in result.stderr
