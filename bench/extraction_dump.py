"""Whether a change keeps the extraction's output: dump every field over the labelled page sets,
then compare two dumps page by page.

A speed change meant to give exactly the same output is checked by dumping before and after
(``PYTHONPATH=<a checkout of the old commit>/src`` runs the old code) and comparing::

    .venv/bin/python bench/extraction_dump.py dump /tmp/before.json    # with the old code
    .venv/bin/python bench/extraction_dump.py dump /tmp/after.json
    .venv/bin/python bench/extraction_dump.py compare /tmp/before.json /tmp/after.json

``compare`` prints the pages that differ (their differing fields, the first few values) and
exits 1 when any does. Run from the repository root (the sets are found from there).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PAGE_SETS = (
    ROOT.parent / "shared" / "datasets" / "product-pages",
    ROOT / "tests" / "extract" / "platform_pages",
    ROOT / "tests" / "extract" / "fresh_pages",
    ROOT / "tests" / "extract" / "fresh_round4",
    ROOT / "tests" / "extract" / "fresh_round5",
    ROOT / "tests" / "extract" / "fresh_round6",
    ROOT / "tests" / "extract" / "fresh_round7",
    ROOT / "tests" / "extract" / "fresh_round8",
    ROOT / "tests" / "extract" / "fresh_round9",
    ROOT / "tests" / "extract" / "fresh_round10",
)
SHOWN_DIFFERENCES = 20
SHOWN_CHARS = 300


def dump(out: Path) -> int:
    """Write ``{set/page: product as JSON}`` for every page of :data:`PAGE_SETS` to ``out``."""
    from prodex.cli.bench import load_pages
    from prodex.extract import extract_product

    products: dict[str, Any] = {}
    for folder in PAGE_SETS:
        labels = json.loads((folder / "labels.json").read_text(encoding="utf-8"))
        for page_id, body, url in load_pages(folder, labels):
            products[f"{folder.name}/{page_id}"] = extract_product(body, url).model_dump(mode="json")
    out.write_text(json.dumps(products, ensure_ascii=False, sort_keys=True, indent=0), encoding="utf-8")
    print(f"{len(products)} pages dumped to {out}")
    return 0


def compare(before: Path, after: Path) -> int:
    """Print the pages whose products differ between two dumps; 1 when any does, else 0."""
    old, new = (json.loads(path.read_text(encoding="utf-8")) for path in (before, after))
    differing = [page for page in sorted(set(old) | set(new)) if old.get(page) != new.get(page)]
    for page in differing[:SHOWN_DIFFERENCES]:
        was, now = old.get(page) or {}, new.get(page) or {}
        fields = [name for name in sorted(set(was) | set(now)) if was.get(name) != now.get(name)]
        print("DIFF", page, fields)
        for name in fields[:3]:
            print("   before:", json.dumps(was.get(name), ensure_ascii=False)[:SHOWN_CHARS])
            print("   after: ", json.dumps(now.get(name), ensure_ascii=False)[:SHOWN_CHARS])
    print(f"{len(differing)} of {len(set(old) | set(new))} pages differ")
    return 1 if differing else 0


def main() -> int:
    """Parse the command line and run ``dump`` or ``compare``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("dump").add_argument("out", type=Path)
    compared = commands.add_parser("compare")
    compared.add_argument("before", type=Path)
    compared.add_argument("after", type=Path)
    args = parser.parse_args()
    if args.command == "dump":
        return dump(args.out)
    return compare(args.before, args.after)


if __name__ == "__main__":
    sys.exit(main())
