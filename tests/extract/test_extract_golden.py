"""Golden files: small synthetic pages (``golden/<topic>/<case>.html``) beside the product they
must give (``<case>.json``: the page URL and the expected value of each listed field).

Cases are discovered automatically and every field is checked on its own, so one wrong field
names itself. Special fields: ``images`` and ``videos`` are the media URLs in order;
``page_kind`` is :func:`prodex.extract.page_kind` of the product; ``source.<field>`` is where
that field came from. A case may carry
``platform_data`` (a shop platform's product JSON as :func:`prodex.extract.platforms.platform_data`
packs it), which is passed to the extractor with the page.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from prodex.extract import Product, extract_product, page_kind

GOLDEN = Path(__file__).parent / "golden"


def _cases() -> list[Any]:
    params = []
    for html in sorted(GOLDEN.glob("*/*.html")):
        case = f"{html.parent.name}/{html.stem}"
        expectations = html.with_suffix(".json")
        if not expectations.is_file():
            params.append(pytest.param(html, "", id=f"{case}:missing-expectations"))
            continue
        spec = json.loads(expectations.read_text(encoding="utf-8"))
        for field in spec["expected"]:
            params.append(pytest.param(html, field, id=f"{case}:{field}"))
    return params


def _actual(product: Product, field: str) -> Any:
    if field == "images":
        return [m.url for m in product.images]
    if field == "videos":
        return [m.url for m in product.videos]
    if field == "page_kind":
        return page_kind(product).value
    if field.startswith("source."):
        return product.source.get(field.removeprefix("source."))
    return product.to_dict()[field]


_PRODUCTS: dict[Path, Product] = {}


def _product(html: Path, url: str, platform_data: dict[str, Any] | None = None) -> Product:
    if html not in _PRODUCTS:
        _PRODUCTS[html] = extract_product(html.read_bytes(), url, platform_data=platform_data)
    return _PRODUCTS[html]


def test_golden_cases_exist() -> None:
    """Every golden page has its expectations, and there are cases for every reader."""
    pages = sorted(GOLDEN.glob("*/*.html"))
    assert len(pages) >= 10
    assert all(page.with_suffix(".json").is_file() for page in pages)
    assert {p.parent.name for p in pages} >= {"jsonld", "microdata", "opengraph", "appstate", "dom", "amazon"}


@pytest.mark.parametrize(("html", "field"), _cases())
def test_golden_field(html: Path, field: str) -> None:
    """One field of one golden page equals what the page says."""
    assert html.with_suffix(".json").is_file(), f"{html.name} has no {html.stem}.json beside it"
    spec = json.loads(html.with_suffix(".json").read_text(encoding="utf-8"))
    product = _product(html, spec["url"], spec.get("platform_data"))
    assert _actual(product, field) == spec["expected"][field]


@pytest.mark.parametrize("html", sorted(GOLDEN.glob("*/*.html")), ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_golden_text_input_matches_bytes(html: Path) -> None:
    """The page given as text gives the same product as the page given as bytes."""
    if not html.with_suffix(".json").is_file():
        pytest.fail(f"{html.name} has no {html.stem}.json beside it")
    spec = json.loads(html.with_suffix(".json").read_text(encoding="utf-8"))
    platform_data = spec.get("platform_data")
    from_text = extract_product(html.read_text(encoding="utf-8"), spec["url"], platform_data=platform_data)
    assert from_text == _product(html, spec["url"], platform_data)


@pytest.mark.parametrize("html", sorted(GOLDEN.glob("*/*.html")), ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_golden_sources_recorded(html: Path) -> None:
    """Every field with a value says where it came from."""
    if not html.with_suffix(".json").is_file():
        pytest.fail(f"{html.name} has no {html.stem}.json beside it")
    spec = json.loads(html.with_suffix(".json").read_text(encoding="utf-8"))
    product = _product(html, spec["url"], spec.get("platform_data"))
    data = product.to_dict()
    for field in ("name", "description", "price", "brand", "sku", "gtin", "availability", "category"):
        if data[field]:
            assert product.source.get(field), f"{field} has no source"
    if product.media:
        assert product.source.get("media")
