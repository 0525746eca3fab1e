"""Names and settings of the rendering tests' fake public network (see conftest.py)."""

from __future__ import annotations

from typing import Any

from fixtures.fetching import make_settings
from fixtures.shop_server import ShopServer
from prodex.settings import Settings

SHOP_HOST = "shop.example.com"
CDN_HOST = "cdn.example.net"
PRIVATE_HOST = "db.example.com"
PRIVATE_IP = "10.0.0.7"


def public_settings(**overrides: Any) -> Settings:
    """Settings with the real public-only address policy and short rendering limits."""
    values: dict[str, Any] = {"render_timeout": 10.0, "render_settle_seconds": 1.0, "render_pool_size": 1}
    values.update(overrides)
    return make_settings(**values)


def public_url(shop: ShopServer, path: str) -> str:
    """``path`` on ``shop`` under its public name."""
    return f"http://{SHOP_HOST}:{shop.port}{path}"
