"""``description`` and ``selling_points``: the product's own text and its feature lines.

The description is the site module's; else the structured description and the page's visible
description block (the fuller one when one contains the other, both when they say different
things); OpenGraph and meta descriptions (often SEO blurbs) only as a fallback.
"""

from __future__ import annotations

from collections.abc import Sequence

from prodex.extract.fields.context import DESCRIPTION_ORDER, STRUCTURED, Merging, ordered
from prodex.extract.found import Found
from prodex.extract.process.availability import fold

HEAD_CHARS = 120
POINTS_ORDER = ("site", "platform", "dom", "json-ld", "microdata")


def _folded_head(text: str) -> str:
    """``fold(text)[:HEAD_CHARS]``, folding only a prefix of a long text (the fold of a prefix is
    a prefix of the fold: folding works character by character and word by word)."""
    if len(text) > 4 * HEAD_CHARS:
        head = fold(text[: 4 * HEAD_CHARS])
        if len(head) >= HEAD_CHARS:
            return head[:HEAD_CHARS]
    return fold(text)[:HEAD_CHARS]


def contains(longer: str, shorter: str) -> bool:
    """Whether ``longer`` already says ``shorter`` (compared on folded text, by its beginning).

    When ``shorter``'s beginning is in ``longer`` word for word, so is its folded beginning (the
    fold of a substring is a substring of the fold), and ``longer`` is not folded at all.
    """
    prefix = shorter[: 4 * HEAD_CHARS]
    if prefix in longer and len(fold(prefix)) >= HEAD_CHARS:
        return True
    head = _folded_head(shorter)
    return bool(head) and head in fold(longer)


def _is_only(text: str, folded_name: str) -> bool:
    """Whether a (cleaned) text says nothing but the name; one far longer than the name says more
    (folding only drops accents and repeated spaces), so it is not folded."""
    return len(text) <= 2 * len(folded_name) + 20 and fold(text) == folded_name


def choose_description(sources: Sequence[Found], name: str) -> tuple[str | None, str | None]:
    """The product's description and its source (see the module docstring)."""
    folded_name = fold(name)
    candidates = [
        (f.description, f.source)
        for f in ordered(sources, DESCRIPTION_ORDER)
        if f.description and not _is_only(f.description, folded_name)
    ]
    site = [(text, src) for text, src in candidates if src.startswith("site:")]
    if site:
        return site[0]  # a site module reads the description where that site keeps it
    structured = [(text, src) for text, src in candidates if src in STRUCTURED]
    visible = [(text, src) for text, src in candidates if src == "dom"]
    if structured and visible:
        (text, src), (dom_text, _) = max(structured, key=lambda item: len(item[0])), visible[0]
        if contains(dom_text, text):
            return dom_text, "dom"
        if contains(text, dom_text):
            return text, src
        return f"{text}\n\n{dom_text}", src
    primary = structured or visible or candidates
    if primary:
        return max(primary, key=lambda item: len(item[0]))
    return None, None


def merge_description(merging: Merging) -> None:
    """The description (see :func:`choose_description`)."""
    text, origin = choose_description(merging.sources, merging.product.name or "")
    if text:
        merging.set("description", text, origin or "")


def merge_selling_points(merging: Merging) -> None:
    """The feature lines of the most trusted source that lists them."""
    points = merging.take("selling_points", POINTS_ORDER, lambda f: f.selling_points)
    merging.product.selling_points = list(points) if isinstance(points, list) else []
