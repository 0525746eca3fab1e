"""The `prodex bench` commands: `prodex bench extraction --pages DIR [--errors] [--out FILE]`.

Runs :func:`prodex.extract.extract_product` over a labelled page folder (``labels.json`` plus
``pages/<id>.html.gz``), writes the predictions in the referee's format, scores them with the
referee script (``bench/score_extraction.py`` next to the datasets, imported from its path), and
times the extraction side by side, page by page and in the same run, with a metadata-only
extruct baseline (JSON-LD, microdata, OpenGraph).
"""

from __future__ import annotations

import contextlib
import gzip
import importlib.util
import json
import statistics
import time
from pathlib import Path
from types import ModuleType
from typing import Annotated, Any

import typer

from prodex.cli.app import app
from prodex.extract.model import Product
from prodex.extract.pagekind import is_product

bench_app = typer.Typer(help="Benchmarks: extraction quality and speed.", no_args_is_help=True)
app.add_typer(bench_app, name="bench")


def load_scorer(path: Path) -> ModuleType:
    """The referee module loaded from ``path`` (never copied into prodex)."""
    spec = importlib.util.spec_from_file_location("score_extraction", path)
    if spec is None or spec.loader is None:
        raise typer.BadParameter(f"cannot load the scorer at {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def default_scorer(pages: Path) -> Path:
    """Where the referee lives relative to a dataset folder (``<shared>/bench/score_extraction.py``)."""
    return pages.resolve().parents[1] / "bench" / "score_extraction.py"


def prediction(product: Product) -> dict[str, Any]:
    """A Product in the referee's predictions format. A page prodex does not take for a product
    page (a listing, an empty shell) gives its user no product (the service refuses it), so its
    prediction is empty."""
    found = {
        "name": product.name,
        "description": product.description,
        "selling_points": list(product.selling_points),
        "media": [{"type": int(m.type), "url": m.url} for m in product.media],
        "price": product.price,
        "currency": product.currency,
        "sku": product.sku,
        "brand": product.brand,
        "availability": product.availability,
        "target_audience": product.target_audience,
        "google_category": product.google_category,
        "gender": product.gender,
        "age_group": product.age_group,
        "regular_price": product.regular_price,
        "rating_value": product.rating_value,
        "review_count": product.review_count,
        "variants": [{"options": dict(v.options)} for v in product.variants],
        "specifications": [{"name": s.name, "value": s.value} for s in product.specifications],
    }
    if is_product(product):
        return found
    return {key: [] if isinstance(value, list) else None for key, value in found.items()}


def _time_pages(
    pages: list[tuple[str, bytes, str]], repeat: int
) -> tuple[dict[str, Any], list[float], list[float]]:
    from prodex.extract import extract_product

    try:
        import extruct
    except ImportError as error:  # pragma: no cover - extruct is a dev/bench dependency
        raise typer.BadParameter("the extruct baseline needs `pip install prodex[bench]`") from error
    predictions: dict[str, Any] = {}
    ours: list[float] = []
    theirs: list[float] = []
    for page_id, body, url in pages:
        our_times: list[float] = []
        their_times: list[float] = []
        product = None
        for _ in range(repeat):
            start = time.perf_counter()
            product = extract_product(body, url)
            our_times.append(time.perf_counter() - start)
            start = time.perf_counter()
            with contextlib.suppress(Exception):  # the baseline failing on a page still costs its time
                extruct.extract(
                    body, base_url=url, syntaxes=["json-ld", "microdata", "opengraph"], uniform=True
                )
            their_times.append(time.perf_counter() - start)
        assert product is not None  # (repeat is at least 1)
        predictions[page_id] = prediction(product)
        ours.append(statistics.median(our_times))
        theirs.append(statistics.median(their_times))
    return predictions, ours, theirs


def _print_metrics(res: dict[str, Any]) -> None:
    typer.echo(f"{'metric':<14}{'value':>8}   detail")
    for key in ("price", "sku", "availability", "brand"):
        r = res[key]
        typer.echo(f"{key + ' F1':<14}{r['f1']:>8.3f}   P {r['precision']:.3f} R {r['recall']:.3f}")
    typer.echo(f"{'name acc':<14}{res['name']['accuracy']:>8.3f}   on {res['name']['pages']} pages")
    typer.echo(
        f"{'main image':<14}{res['main_image']['accuracy']:>8.3f}   on {res['main_image']['pages']} pages"
    )
    g = res["gallery"]
    typer.echo(f"{'gallery F1':<14}{g['f1']:>8.3f}   P {g['precision']:.3f} R {g['recall']:.3f}")
    d = res["description"]
    typer.echo(f"{'description':<14}{d['recall']:>8.3f}   of {d['snippets']} snippets")
    _print_brief(res)
    _print_offer(res)


def _print_brief(res: dict[str, Any]) -> None:
    """The product-brief metrics, when the labels carry them."""
    if "audience" not in res:
        return
    r = res["selling_points"]
    typer.echo(
        f"{'selling pts':<14}{r['recall']:>8.3f}   of {r['snippets']} snippets; "
        f"precision {r['precision']:.3f} of {r['predicted']}"
    )
    typer.echo(f"{'clean':<14}{res['clean']['share']:>8.3f}   of {res['clean']['pages']} pages")
    c = res["category"]
    typer.echo(f"{'category acc':<14}{c['accuracy']:>8.3f}   on {c['pages']} pages")
    for key in ("gender", "age_group"):
        r = res[key]
        typer.echo(f"{key + ' F1':<14}{r['f1']:>8.3f}   P {r['precision']:.3f} R {r['recall']:.3f}")
    a = res["audience"]
    typer.echo(
        f"{'audience':<14}{a['share']:>8.3f}   on {a['pages']} pages; persona match {a['persona_match']:.3f}"
    )


def _print_offer(res: dict[str, Any]) -> None:
    """The offer metrics, when the labels carry them."""
    if "variants" not in res:
        return
    for key, title in (
        ("regular_price", "list price"),
        ("rating_value", "rating"),
        ("review_count", "reviews"),
    ):
        r = res[key]
        typer.echo(f"{title + ' F1':<14}{r['f1']:>8.3f}   P {r['precision']:.3f} R {r['recall']:.3f}")
    v = res["variants"]
    typer.echo(f"{'variants acc':<14}{v['accuracy']:>8.3f}   on {v['pages']} pages")
    s = res["specifications"]
    typer.echo(f"{'spec names':<14}{s['recall']:>8.3f}   of {s['names']} names")


def _print_timing(ours: list[float], theirs: list[float]) -> None:
    ratios = [o / t for o, t in zip(ours, theirs, strict=True) if t > 0]
    typer.echo(f"{'timing (ms/page)':<18}{'median':>9}{'mean':>9}{'p90':>9}{'max':>9}")
    for label, values in (("prodex", ours), ("extruct baseline", theirs)):
        ms = sorted(v * 1000 for v in values)
        p90 = ms[min(len(ms) - 1, int(len(ms) * 0.9))]
        typer.echo(
            f"{label:<18}{statistics.median(ms):>9.2f}{statistics.fmean(ms):>9.2f}{p90:>9.2f}{ms[-1]:>9.2f}"
        )
    if ratios:
        typer.echo(
            f"per-page time ratio prodex/extruct: median {statistics.median(ratios):.2f}, "
            f"min {min(ratios):.2f}, max {max(ratios):.2f} over {len(ratios)} pages"
        )


def load_pages(pages_dir: Path, labels: dict[str, Any]) -> list[tuple[str, bytes, str]]:
    """``(page_id, html bytes, url)`` for every labelled page (decompressed before timing)."""
    out: list[tuple[str, bytes, str]] = []
    for page_id, label in sorted(labels.items()):
        path = pages_dir / "pages" / f"{page_id}.html.gz"
        plain = pages_dir / "pages" / f"{page_id}.html"
        body = gzip.decompress(path.read_bytes()) if path.is_file() else plain.read_bytes()
        out.append((page_id, body, str(label.get("url") or "")))
    return out


def run_extraction_bench(
    pages_dir: Path, scorer_path: Path, repeat: int
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Predictions and timings for a labelled page folder (used by the command and by tests)."""
    labels = json.loads((pages_dir / "labels.json").read_text(encoding="utf-8"))
    pages = load_pages(pages_dir, labels)
    predictions, ours, theirs = _time_pages(pages, repeat)
    return predictions, {"labels": labels, "ours": ours, "theirs": theirs, "scorer": load_scorer(scorer_path)}


@bench_app.command("extraction")
def extraction(
    pages: Annotated[Path, typer.Option("--pages", help="Dataset folder with labels.json and pages/.")],
    errors: Annotated[bool, typer.Option("--errors", help="List every wrong or missing value.")] = False,
    out: Annotated[Path | None, typer.Option("--out", help="Write the predictions JSON here.")] = None,
    scorer: Annotated[Path | None, typer.Option("--scorer", help="Path of score_extraction.py.")] = None,
    repeat: Annotated[int, typer.Option("--repeat", min=1, max=50, help="Timed runs per page.")] = 3,
    metrics_json: Annotated[Path | None, typer.Option("--json", help="Write the metrics JSON here.")] = None,
) -> None:
    """Score extract_product on labelled pages and time it against an extruct baseline."""
    if not (pages / "labels.json").is_file():
        raise typer.BadParameter(f"{pages} has no labels.json", param_hint="--pages")
    scorer_path = scorer or default_scorer(pages)
    if not scorer_path.is_file():
        raise typer.BadParameter(f"scorer not found at {scorer_path}; pass --scorer", param_hint="--scorer")
    predictions, run = run_extraction_bench(pages, scorer_path, repeat)
    if out is not None:
        out.write_text(json.dumps(predictions, ensure_ascii=False, indent=1), encoding="utf-8")
    res, errs = run["scorer"].score(run["labels"], predictions, errors)
    for err in errs:
        typer.echo("ERR\t" + "\t".join(json.dumps(x, ensure_ascii=False)[:160] for x in err))
    _print_metrics(res)
    _print_timing(run["ours"], run["theirs"])
    if metrics_json is not None:
        metrics_json.write_text(json.dumps(res, indent=2), encoding="utf-8")
