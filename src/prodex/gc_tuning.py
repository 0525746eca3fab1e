"""The garbage collector tuned for a long-running process (``prodex serve``, ``prodex worker``)."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

#: Allocations between two collections of the young generation while running (Python: 700).
GC_YOUNG_THRESHOLD = 5000


@contextmanager
def long_running() -> Iterator[None]:
    """For the block: what was built before it lives as long as the process, so it is kept out of
    the collector's scans (``gc.freeze()``: cheaper collections), and the young generation is
    collected every :data:`GC_YOUNG_THRESHOLD` allocations instead of Python's 700 (a request or
    an import item allocates hundreds of objects, nearly all freed by reference counting, so most
    young collections found nothing to free). The start-up's own garbage (a few thousand objects of
    the migrations) is frozen with the rest rather than paying a full collection at every start;
    afterwards the frozen objects are handed back to the collector and the thresholds restored."""
    gc.freeze()
    thresholds = gc.get_threshold()
    gc.set_threshold(GC_YOUNG_THRESHOLD, *thresholds[1:])
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()
