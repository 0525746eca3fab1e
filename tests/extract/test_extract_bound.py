"""Bounded markup (the second pass for a page over its CPU budget): real pages extract exactly as
before, pathological ones become cheap to parse, and what a reader needs survives."""

from __future__ import annotations

import gzip
import time
from pathlib import Path

from selectolax.lexbor import LexborHTMLParser

from prodex.extract import extract_product
from prodex.extract.bound import MAX_ATTRIBUTES, MAX_DEPTH, MAX_TAGS, bound_markup

URL = "https://shop.example/p/1"
PLATFORM_PAGES = Path(__file__).parent / "platform_pages"
LD = '<script type="application/ld+json">{"@type":"Product","name":"Kept","offers":{"price":"5.99"}}</script>'


def _depth(html: str) -> int:
    tree = LexborHTMLParser(html)
    deepest, stack = 0, [(tree.root, 1)] if tree.root is not None else []
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        child = node.child
        while child is not None:
            stack.append((child, depth + 1))
            child = child.next
    return deepest


def _cpu(html: str) -> float:
    started = time.process_time()
    LexborHTMLParser(html)
    return time.process_time() - started


def test_real_pages_extract_the_same_after_bounding(dataset_dir: Path) -> None:
    pages = sorted((dataset_dir / "pages").glob("*.html.gz")) + sorted(PLATFORM_PAGES.glob("pages/*.html*"))
    assert len(pages) > 100
    for path in pages:
        raw = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
        html = raw.decode("utf-8", "replace")
        assert extract_product(bound_markup(html), URL) == extract_product(html, URL), path.name


def test_deep_nesting_is_capped_and_cheap() -> None:
    html = "<html><body><h1>Deep</h1>" + "<div><span><b>x" * 30_000
    bounded = bound_markup(html)
    assert _depth(bounded) <= MAX_DEPTH + 4
    assert _cpu(bounded) < 0.5
    assert extract_product(bounded, URL).name == "Deep"
    assert bounded.count("x") == html.count("x"), "the text of dropped elements stays"


def test_stray_end_tags_and_misnested_formatting_are_dropped() -> None:
    stray = "<span>" * 20_000 + "</x>" * 20_000
    assert "</x>" not in bound_markup(stray)
    misnested = "".join(f"<b id={i}><p>x" for i in range(20_000))
    assert _cpu(bound_markup(misnested)) < 0.5


def test_attributes_per_element_are_capped() -> None:
    html = "<div " + " ".join(f'a{i}="v {i}"' for i in range(150_000)) + ">text</div>"
    tree = LexborHTMLParser(bound_markup(html))
    div = tree.css_first("div")
    assert div is not None and len(div.attributes) == MAX_ATTRIBUTES
    assert div.attributes["a1"] == "v 1" and div.text() == "text"


def test_raw_text_is_copied_as_it_is() -> None:
    script = "<script>if (a < b && c > d) { x = '<div><div><div>'; }</script>"
    html = "<div>" * (MAX_DEPTH + 10) + script + LD + "<title>T</title>"
    bounded = bound_markup(html)
    assert script in bounded and LD in bounded
    product = extract_product(bounded, URL)
    assert (product.name, product.price) == ("Kept", "5.99")


def test_json_ld_after_the_tag_bound_is_kept() -> None:
    html = "<html><body>" + "<i>x</i>" * MAX_TAGS + LD + "</body></html>"
    bounded = bound_markup(html)
    assert len(bounded) < len(html)
    assert extract_product(bounded, URL).name == "Kept"
