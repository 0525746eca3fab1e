"""What the extractor's lasting tables cost the garbage collector: how many objects it watches
once every word list and the taxonomy index are loaded, and how long a full collection takes.

A process that extracts (``prodex serve``, ``prodex worker``, ``prodex bench``) keeps those
tables for its life; every full collection walks every object they keep under watch. Each figure
is the median of five collections after one pass over the pages.

Usage::

    .venv/bin/python bench/bench_gc.py [--pages ../shared/datasets/product-pages]
"""

from __future__ import annotations

import argparse
import gc
import gzip
import json
import statistics
import time
from pathlib import Path

DEFAULT_PAGES = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "product-pages"
COLLECTIONS = 5


def main() -> None:
    """Load the pages, extract each once, then print the watched objects and a full collection's time."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=Path, default=DEFAULT_PAGES)
    args = parser.parse_args()
    gc.collect()
    at_start = len(gc.get_objects())
    from prodex.extract import extract_product

    labels = json.loads((args.pages / "labels.json").read_text(encoding="utf-8"))
    for page_id, label in labels.items():
        body = gzip.decompress((args.pages / "pages" / f"{page_id}.html.gz").read_bytes())
        extract_product(body, label["url"])
    times = []
    for _ in range(COLLECTIONS):
        start = time.perf_counter()
        gc.collect()
        times.append(time.perf_counter() - start)
    watched = len(gc.get_objects())
    print(f"objects the collector watches: {at_start:,} before prodex, {watched:,} after {len(labels)} pages")
    print(f"full collection: median {statistics.median(times) * 1000:.1f} ms of {COLLECTIONS}")


if __name__ == "__main__":
    main()
