"""extract_product never raises, whatever it is given: hostile pages and random input.

These tests assert that extraction returns a Product (and what it could still find); speed and
memory are measured by ``prodex bench extraction``, not here.
"""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from prodex.extract import Product, extract_product

URL = "https://shop.example/p/1"
PRODUCT_LD = (
    '<script type="application/ld+json">'
    '{"@type":"Product","name":"Real Thing","offers":{"price":"9.99"}}</script>'
)


def _assert_product(product: Product, url: str = URL) -> None:
    assert isinstance(product, Product)
    assert product.url == url
    json.dumps(product.to_dict())  # always JSON-ready


def test_empty_and_whitespace() -> None:
    """Nothing in, an empty product out."""
    for html in ("", b"", "   ", b"\x00", "<html></html>"):
        product = extract_product(html, URL)
        _assert_product(product)
        assert product.name is None and product.price is None and product.media == []


def test_binary_garbage() -> None:
    """Random bytes (with NULs and invalid UTF-8) are read as a page of nothing."""
    garbage = bytes(range(256)) * 2000 + b"\xff\xfe\x00<h1>\x80\x81</h1>"
    _assert_product(extract_product(garbage, URL))


def test_huge_page_is_bounded() -> None:
    """A 30 MB page is cut to the parser's bound and still gives the product at its top."""
    filler = "<div class='x'>" + "lorem ipsum " * 100 + "</div>"
    html = f"<html><head>{PRODUCT_LD}</head><body><h1>Real Thing</h1>" + filler * 25_000 + "</body></html>"
    assert len(html) > 30_000_000
    product = extract_product(html, URL)
    _assert_product(product)
    assert product.name == "Real Thing"
    assert product.price == "9.99"


def test_deep_nesting() -> None:
    """10,000 nested elements and 10,000-deep JSON-LD neither crash nor recurse without bound."""
    html = "<div>" * 10_000 + "<h1>Deep</h1>" + "</div>" * 10_000
    _assert_product(extract_product(html, URL))
    deep_json = '{"@type":"Product","name":"Deep","x":' + "[" * 10_000 + "]" * 10_000 + "}"
    product = extract_product(f'<script type="application/ld+json">{deep_json}</script>', URL)
    _assert_product(product)
    nested = '{"@type":"Product","name":"Nested","isRelatedTo":' * 900 + "{}" + "}" * 900
    _assert_product(extract_product(f'<script type="application/ld+json">{nested}</script>', URL))


def test_gigantic_json_ld() -> None:
    """A JSON-LD block of several megabytes (many offers) is read within its limits."""
    offers = ",".join(f'{{"@type":"Offer","price":"{i}.50","priceCurrency":"EUR"}}' for i in range(1, 60_000))
    html = (
        f'<script type="application/ld+json">{{"@type":"Product","name":"Many","offers":[{offers}]}}</script>'
    )
    assert len(html) > 3_000_000
    product = extract_product(html, URL)
    _assert_product(product)
    assert product.name == "Many"
    assert product.price == "1.50"


def test_wrong_declared_charset() -> None:
    """A page declaring one charset and written in another still reads its text."""
    utf8_declared_latin = '<meta charset="iso-8859-1"><h1>Crème brûlée</h1>'.encode()
    assert extract_product(utf8_declared_latin, URL).name == "Crème brûlée"
    latin_undeclared = "<h1>Crème brûlée</h1>".encode("latin-1")
    _assert_product(extract_product(latin_undeclared, URL))
    nonsense_declared = b'<meta charset="no-such-charset"><h1>Tea</h1>'
    assert extract_product(nonsense_declared, URL).name == "Tea"


def test_a_run_of_prompt_words_is_read_once() -> None:
    """A run of words that are both a prompt and an article ("la la la ...", as a song's lyrics)
    is read in one way: an option name and a line of text built of 200 of them come back at once
    (exponentially many readings would not come back at all)."""
    from prodex.extract.process.axes import has_axis_line, without_axis_words

    run = "la " * 200 + "zzz"
    assert without_axis_words(run) == run
    assert not has_axis_line(f"\n{run}\n")
    lyrics = f"<html lang=es><body><h1>Canción</h1><p class=price>9,90 €</p><p>{run}</p></body></html>"
    _assert_product(extract_product(lyrics, URL))


def test_hostile_urls() -> None:
    """Odd page URLs (not http, empty, not even a string-looking URL) do not break extraction."""
    for url in ("", "not a url", "javascript:alert(1)", "http://[::1", "https://" + "a" * 5000 + ".example/"):
        _assert_product(extract_product("<h1>x</h1><img src='/a.jpg'>", url), url)


def test_malicious_markup() -> None:
    """Unclosed tags, script-looking attributes and huge attribute values are just text."""
    html = (
        "<h1 class='" + "x " * 50_000 + "'>Name<script>alert(1)</script>"
        "<img src='javascript:alert(1)'><img src='" + "a" * 100_000 + ".jpg'>"
        "<span class='price'>" + "9" * 5_000 + " €</span>"
    )
    product = extract_product(html, URL)
    _assert_product(product)
    assert all(m.url.startswith(("http://", "https://")) for m in product.media)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=3000))
def test_any_text_never_raises(text: str) -> None:
    """Property: any text is a page extract_product reads without raising."""
    _assert_product(extract_product(text, URL))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=3000))
def test_any_bytes_never_raise(data: bytes) -> None:
    """Property: any bytes are a page extract_product reads without raising."""
    _assert_product(extract_product(data, URL))


_TAGS = st.sampled_from(
    ["div", "h1", "span", "img", "a", "script", "meta", "li", "p", "del", "iframe", "video"]
)
_ATTRS = st.sampled_from(
    [
        'class="price"',
        'itemprop="price" content="1,5"',
        'itemscope itemtype="http://schema.org/Product"',
        'itemprop="name"',
        'type="application/ld+json"',
        'src="/x.jpg"',
        'srcset="a.jpg 10w, b.jpg 20w"',
        'data-zoom-image="//z.example/z.jpg"',
        'class="gallery"',
        'class="description"',
        'property="og:image"',
        'content="{&quot;a&quot;:1}"',
        'class="breadcrumb"',
        "hidden",
        'class="old-price"',
    ]
)
_FRAGMENTS = st.recursive(
    st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=40)
    | st.sampled_from(
        ['{"@type":"Product","name":"N","offers":{"price":"x"}}', "SKU: A-1", "€ 12,50", "[[{"]
    ),
    lambda inner: st.builds(
        lambda tag, attr, body: f"<{tag} {attr}>{body}</{tag}>",
        _TAGS,
        _ATTRS,
        st.lists(inner, max_size=4).map("".join),
    ),
    max_leaves=30,
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_FRAGMENTS, max_size=8).map("".join))
def test_shop_like_markup_never_raises(html: str) -> None:
    """Property: random markup built from the things shops put in pages never makes it raise."""
    product = extract_product(html, URL)
    _assert_product(product)
    if product.price is not None:
        float(product.price)  # always a plain decimal string
