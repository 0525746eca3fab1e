"""The shared labelled pages: every metric must stay at or above the floor recorded in
``dataset_floor.json`` (skipped only when ``../shared`` is absent; a failure on CI)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from prodex.cli.bench import default_scorer, load_pages, load_scorer, prediction
from prodex.extract import extract_product, is_product

FLOOR = json.loads((Path(__file__).parent / "dataset_floor.json").read_text(encoding="utf-8"))
METRIC = {
    "price": ("price", "f1"),
    "sku": ("sku", "f1"),
    "availability": ("availability", "f1"),
    "brand": ("brand", "f1"),
    "name": ("name", "accuracy"),
    "main_image": ("main_image", "accuracy"),
    "gallery": ("gallery", "f1"),
    "description": ("description", "recall"),
}


@pytest.fixture(scope="module")
def scored(dataset_dir: Path) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """The referee's metrics for extract_product over the shared pages, with labels and predictions."""
    labels = json.loads((dataset_dir / "labels.json").read_text(encoding="utf-8"))
    scorer = load_scorer(default_scorer(dataset_dir))
    predictions = {
        page_id: prediction(extract_product(body, url))
        for page_id, body, url in load_pages(dataset_dir, labels)
    }
    metrics, _ = scorer.score(labels, predictions, False)
    return metrics, labels, predictions


@pytest.mark.dataset
@pytest.mark.parametrize("name", sorted(METRIC))
def test_metric_at_or_above_floor(
    name: str, scored: tuple[dict[str, Any], dict[str, Any], dict[str, Any]]
) -> None:
    """One metric on the shared pages is not below its recorded floor."""
    metrics, _, _ = scored
    group, key = METRIC[name]
    assert metrics[group][key] >= FLOOR[name], f"{name} {metrics[group][key]:.3f} < floor {FLOOR[name]}"


@pytest.mark.dataset
def test_every_labelled_page_is_a_product_page(dataset_dir: Path) -> None:
    """The URL flow would accept every labelled product page (no false "listing" or "empty")."""
    labels = json.loads((dataset_dir / "labels.json").read_text(encoding="utf-8"))
    for page_id, body, url in load_pages(dataset_dir, labels):
        if labels[page_id].get("is_product_page", True):
            assert is_product(extract_product(body, url)), page_id
