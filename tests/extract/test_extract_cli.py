"""`prodex extract FILE --url URL` and `prodex bench extraction --pages DIR` from the command line."""

from __future__ import annotations

import gzip
import json
import shutil
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

import prodex.cli  # noqa: F401  (registers the commands)
from prodex.cli.app import app

GOLDEN = Path(__file__).parent / "golden"
PRODEX = str(Path(sys.executable).with_name("prodex"))
runner = CliRunner()


def _plain(output: str) -> str:
    """The CLI output without rich's box drawing and line wrapping."""
    return " ".join(output.replace("│", " ").split())


def test_extract_prints_the_product_as_json(tmp_path: Path) -> None:
    """A saved page (plain or gzip) prints as the product's JSON."""
    page = GOLDEN / "jsonld" / "graph_product.html"
    packed = tmp_path / "page.html.gz"
    packed.write_bytes(gzip.compress(page.read_bytes()))
    for path in (page, packed):
        result = runner.invoke(app, ["extract", str(path), "--url", "https://shop.example/p/trail-kettle"])
        assert result.exit_code == 0, result.output
        data = json.loads(result.output)
        assert data["name"] == "Trail Kettle 1.2 L & Cup Set"
        assert data["price"] == "24.50"
        assert data["source"]["price"] == "json-ld"


def test_extract_compact_is_one_line() -> None:
    """--compact prints one line of JSON."""
    page = GOLDEN / "dom" / "peso_price.html"
    result = runner.invoke(app, ["extract", str(page), "--url", "https://www.mueblessur.cl/x", "--compact"])
    assert result.exit_code == 0
    assert result.output.count("\n") == 1
    assert json.loads(result.output)["price"] == "34990"


def test_extract_refuses_missing_and_broken_files(tmp_path: Path) -> None:
    """A missing file or a broken gzip file is a clear usage error, not a stack trace."""
    result = runner.invoke(app, ["extract", str(tmp_path / "nope.html"), "--url", "https://x.example/"])
    assert result.exit_code == 2
    assert "is not a file" in _plain(result.output)
    broken = tmp_path / "broken.html.gz"
    broken.write_bytes(b"\x1f\x8b\x08\x00garbage")
    result = runner.invoke(app, ["extract", str(broken), "--url", "https://x.example/"])
    assert result.exit_code == 2
    assert "not a valid gzip file" in _plain(result.output)
    assert "Traceback" not in result.output


def test_extract_console_script() -> None:
    """The installed `prodex` script runs the command in a real process."""
    page = GOLDEN / "amazon" / "dp_page.html"
    done = subprocess.run(
        [PRODEX, "extract", str(page), "--url", "https://www.amazon.de/dp/B0ACME1234", "--compact"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["sku"] == "B0ACME1234"
    assert data["source"]["name"] == "site:amazon"


def test_bench_extraction_scores_and_times(tmp_path: Path, dataset_dir: Path) -> None:
    """The bench command scores a small labelled folder with the referee and prints the timings."""
    pages = tmp_path / "dataset"
    (pages / "pages").mkdir(parents=True)
    labels = json.loads((dataset_dir / "labels.json").read_text(encoding="utf-8"))
    chosen = dict(sorted(labels.items())[:3])
    for page_id in chosen:
        shutil.copy(dataset_dir / "pages" / f"{page_id}.html.gz", pages / "pages" / f"{page_id}.html.gz")
    (pages / "labels.json").write_text(json.dumps(chosen), encoding="utf-8")
    scorer = dataset_dir.parents[1] / "bench" / "score_extraction.py"
    out = tmp_path / "predictions.json"
    metrics = tmp_path / "metrics.json"
    args = ["bench", "extraction", "--pages", str(pages), "--scorer", str(scorer), "--repeat", "1"]
    result = runner.invoke(app, [*args, "--out", str(out), "--json", str(metrics), "--errors"])
    assert result.exit_code == 0, result.output
    assert "price F1" in result.output and "gallery F1" in result.output
    assert "per-page time ratio prodex/extruct" in result.output
    predictions = json.loads(out.read_text(encoding="utf-8"))
    assert set(predictions) == set(chosen)
    assert all({"name", "media", "price", "sku"} <= set(p) for p in predictions.values())
    assert 0.0 <= json.loads(metrics.read_text(encoding="utf-8"))["name"]["accuracy"] <= 1.0


def test_bench_extraction_refuses_a_folder_without_labels(tmp_path: Path) -> None:
    """A folder without labels.json is a clear usage error."""
    result = runner.invoke(app, ["bench", "extraction", "--pages", str(tmp_path)])
    assert result.exit_code == 2
    assert "labels.json" in _plain(result.output)


def test_a_refused_page_predicts_nothing() -> None:
    """A page prodex takes for a listing gives its user no product (the service refuses it), so
    its prediction for the referee is empty; a product page's is not."""
    from prodex.cli.bench import prediction
    from prodex.extract import extract_product

    listing = (GOLDEN / "listing" / "dom_grid.html").read_text(encoding="utf-8")
    listing_url = json.loads((GOLDEN / "listing" / "dom_grid.json").read_text(encoding="utf-8"))["url"]
    listed = extract_product(listing, listing_url)
    assert listed.price is not None or listed.name is not None  # the extractor found something
    empty = prediction(listed)
    assert all(value in (None, []) for value in empty.values())
    assert set(empty) == set(prediction(extract_product(b"", "https://a.example/")))

    page = (GOLDEN / "offer" / "dom_row_label_inside_and_guide_link.html").read_text(encoding="utf-8")
    found = prediction(extract_product(page, "https://trail.example/p/trail-jacket"))
    assert found["name"] == "Trail Jacket"
    assert found["price"] == "89.99"
