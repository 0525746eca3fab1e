"""Reading a catalogue: sitemaps (urlset, index, CDATA, entities, namespaces, gzip and its bound)
and picking the product pages among their URLs; the fetcher's XML acceptance for sitemaps."""

from __future__ import annotations

import gzip
import re

import pytest

from prodex.analysis.catalogue import MAX_SITEMAP_BYTES, inflate, parse_sitemap, pick_products
from prodex.errors import NotHTML, UnusablePage
from prodex.fetch.content import check_content, is_declared_unacceptable


def test_a_urlset_lists_its_locations_unescaped() -> None:
    body = b"""<?xml version="1.0" encoding="UTF-8"?>
    <urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:image="http://www.google.com/schemas/sitemap-image/1.1">
      <url><loc>https://shop.example/products/a?x=1&amp;y=2</loc><image:image><image:loc>https://cdn.example/a.jpg</image:loc></image:image></url>
      <url><loc><![CDATA[ https://shop.example/products/b ]]></loc></url>
    </urlset>"""
    is_index, locations = parse_sitemap(body)
    assert not is_index
    assert locations == [
        "https://shop.example/products/a?x=1&y=2",
        "https://cdn.example/a.jpg",
        "https://shop.example/products/b",
    ]


def test_an_index_is_recognised() -> None:
    body = b'<sitemapindex xmlns="x"><sitemap><loc>https://shop.example/sitemap_products_1.xml</loc></sitemap></sitemapindex>'
    assert parse_sitemap(body) == (True, ["https://shop.example/sitemap_products_1.xml"])


def test_entities_are_never_expanded() -> None:
    bomb = b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;">]><urlset><url><loc>https://s.example/&b;</loc></url></urlset>'
    assert parse_sitemap(bomb)[1] == ["https://s.example/&b;"]


def test_gzip_is_inflated_within_its_bound() -> None:
    assert inflate(gzip.compress(b"<urlset/>")) == b"<urlset/>"
    assert inflate(b"<urlset/>") == b"<urlset/>"
    with pytest.raises(UnusablePage):
        inflate(gzip.compress(b" " * (MAX_SITEMAP_BYTES + 1)))
    with pytest.raises(UnusablePage):
        inflate(b"\x1f\x8bnot gzip at all")


def test_product_pages_are_picked_by_their_shape_or_a_pattern() -> None:
    urls = [
        "https://shop.example/",
        "https://shop.example/products/kettle",
        "https://shop.example/collections/all",
        "https://shop.example/product/linen-shirt/",
        "https://shop.example/blogs/news/hello",
        "https://shop.example/de/p/12345",
    ]
    assert pick_products(urls, None) == [urls[1], urls[3], urls[5]]
    assert pick_products(urls, re.compile("linen")) == [urls[3]]
    plain = ["https://shop.example/", "https://shop.example/kettle-blue", "https://shop.example/pages/about"]
    assert pick_products(plain, None) == ["https://shop.example/kettle-blue"]


def test_the_fetcher_accepts_xml_and_gzip_for_sitemaps_only() -> None:
    assert check_content("application/xml", b"<urlset/>", "xml") == "application/xml"
    assert check_content("application/gzip", b"\x1f\x8b\x08rest", "xml") == "application/xml"
    assert check_content("text/plain", b"  <?xml version='1.0'?><urlset/>", "xml") == "application/xml"
    assert not is_declared_unacceptable("application/x-gzip", "xml")
    assert is_declared_unacceptable("application/x-gzip", "html")
    with pytest.raises(NotHTML, match="XML document"):
        check_content("image/png", b"\x89PNG", "xml")
