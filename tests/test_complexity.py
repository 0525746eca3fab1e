"""No function, method or class of ``src/prodex`` has a cyclomatic complexity above 20.

Measured as ``radon cc -s -n D src/prodex`` measures it (radon's blocks: functions, methods and
classes, each counted on its own). A block above the limit is split by meaning: one helper per
concern, named for what it does.
"""

from __future__ import annotations

from pathlib import Path

from radon.complexity import cc_visit, sorted_results

SRC = Path(__file__).resolve().parents[1] / "src" / "prodex"
LIMIT = 20


def _too_complex() -> list[str]:
    """``<path> <name> (<complexity>)`` of every block of ``src/prodex`` above ``LIMIT``."""
    found: list[str] = []
    for path in sorted(SRC.rglob("*.py")):
        blocks = sorted_results(cc_visit(path.read_text(encoding="utf-8")))
        found.extend(
            f"{path.relative_to(SRC).as_posix()} {block.fullname} ({block.complexity})"
            for block in blocks
            if block.complexity > LIMIT
        )
    return found


def test_no_block_above_the_limit() -> None:
    """Every block above ``LIMIT`` is named in the failure."""
    over = _too_complex()
    assert not over, f"cyclomatic complexity above {LIMIT} (split by meaning): {over}"
