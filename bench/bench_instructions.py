"""Extraction speed as a deterministic count: instructions of one pass over a page folder,
prodex against the metadata-only extruct baseline, measured with valgrind's callgrind.

Wall-clock times of a page swing with whatever else the machine does; an instruction count does
not (the same binary, inputs and environment give the same count, whatever the load). Each side
runs in its own process under ``valgrind --tool=callgrind`` once with one pass over the pages
and once with two; the difference is the instructions of one pass, without start-up, imports
and reading the pages. Needs Debian's ``valgrind``; takes a few minutes.

Usage::

    .venv/bin/python bench/bench_instructions.py [--pages ../shared/datasets/product-pages]
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

DEFAULT_PAGES = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "product-pages"
_COLLECTED = re.compile(rb"Collected\s*:\s*(\d+)")
SYNTAXES = ["json-ld", "microdata", "opengraph"]
"""The baseline's syntaxes, as in ``prodex bench extraction``."""


def run_passes(side: str, pages_dir: Path, passes: int) -> None:
    """(In the measured process) extract every page ``passes`` times with ``side``."""
    labels = json.loads((pages_dir / "labels.json").read_text(encoding="utf-8"))
    pages = [
        (gzip.decompress((pages_dir / "pages" / f"{pid}.html.gz").read_bytes()), label["url"])
        for pid, label in labels.items()
    ]
    if side == "prodex":
        from prodex.extract import extract_product

        for _ in range(passes):
            for body, url in pages:
                extract_product(body, url)
        return
    import extruct

    for _ in range(passes):
        for body, url in pages:
            with contextlib.suppress(Exception):  # the baseline failing on a page still costs its time
                extruct.extract(body, base_url=url, syntaxes=SYNTAXES, uniform=True)


def instructions(side: str, pages_dir: Path, passes: int) -> int:
    """Instructions callgrind counts for a process running ``passes`` passes of ``side``."""
    with tempfile.TemporaryDirectory(prefix="prodex-callgrind-") as tmp:
        command = [
            "valgrind",
            "--tool=callgrind",
            f"--callgrind-out-file={tmp}/out",
            sys.executable,
            str(Path(__file__).resolve()),
            "--run",
            side,
            "--passes",
            str(passes),
            "--pages",
            str(pages_dir),
        ]
        done = subprocess.run(command, capture_output=True, check=True)
    match = _COLLECTED.search(done.stderr)
    if match is None:
        raise RuntimeError(f"callgrind printed no count for {side}")
    return int(match.group(1))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pages", type=Path, default=DEFAULT_PAGES, help="labels.json and pages/")
    parser.add_argument("--run", choices=("prodex", "extruct"), help=argparse.SUPPRESS)
    parser.add_argument("--passes", type=int, default=1, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run:
        run_passes(args.run, args.pages, args.passes)
        return
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed (apt-get install valgrind)")
    counts = {}
    for side in ("prodex", "extruct"):
        one, two = instructions(side, args.pages, 1), instructions(side, args.pages, 2)
        counts[side] = two - one
        print(f"{side:8} {counts[side] / 1e9:.3f} G instructions per pass over {args.pages.name}")
    print(f"prodex/extruct: {counts['prodex'] / counts['extruct']:.2f}")


if __name__ == "__main__":
    main()
