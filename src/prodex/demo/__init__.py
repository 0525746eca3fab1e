"""A tiny sample shop for `prodex demo`: two product pages and their pictures, served on 127.0.0.1."""

from prodex.demo.shop import DemoShop, demo_shop_app

__all__ = ["DemoShop", "demo_shop_app"]
