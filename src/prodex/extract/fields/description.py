"""``description`` and ``selling_points``: the product's own text and its feature lines.

The description is the site module's; else the structured description and the page's visible
description block (the fuller one when one contains the other, both when they say different
things); OpenGraph and meta descriptions (often SEO blurbs) only as a fallback.
"""

from __future__ import annotations

from collections.abc import Sequence

from prodex.extract.fields.context import DESCRIPTION_ORDER, STRUCTURED, Merging, kind_of, ordered
from prodex.extract.found import Found
from prodex.extract.process.availability import fold
from prodex.extract.process.points import (
    MAX_POINTS,
    MIN_POINTS,
    claim_sentences,
    clean_points,
    feature_titles,
    is_titled_claim,
    points_in_text,
)
from prodex.extract.process.policy import without_policy

HEAD_CHARS = 120
DESCRIPTION_SOURCE = "description"
"""``source["selling_points"]`` when the points are the description's leading claim sentences."""
POINTS_ORDER = ("site", "platform", "dom", "json-ld", "microdata")
BLURB_ORDER = ("opengraph", "meta")
"""Descriptions written for search engines and link previews: their lists count, their prose does not."""


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


MUCH_MORE_CHARS = 200
"""How much more the page's text must say than a site module's that it holds to be taken instead
(a state that kept only the text's first line; not a colour line before the same text)."""


def _site_description(site: tuple[str, str], candidates: list[tuple[str, str]]) -> tuple[str, str]:
    """A site module's description, or the page's that holds it and says much more."""
    text, src = site
    fuller = next((dom for dom, of in candidates if of == "dom" and contains(dom, text)), None)
    if fuller is not None and len(fuller) >= max(2 * len(text), len(text) + MUCH_MORE_CHARS):
        return fuller, "dom"
    return text, src


def choose_description(sources: Sequence[Found], name: str) -> tuple[str | None, str | None]:
    """The product's description and its source (see the module docstring)."""
    folded_name = fold(name)
    candidates = [
        (f.description, f.source)
        for f in ordered(sources, DESCRIPTION_ORDER)
        if f.description and not _is_only(f.description, folded_name)
    ]
    site = [(text, src) for text, src in candidates if src.startswith("site:")]
    if site:  # a site module reads the description where that site keeps it
        return _site_description(site[0], candidates)
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
        merging.set("description", without_policy(text), origin or "")


def _with_feature_titles(points: list[str], description: str, name: str, rows: frozenset[str]) -> list[str]:
    """The page's list and, after it, the titles of the description's features (a short title
    over each paragraph) that no point of the list begins with and no specification row repeats,
    :data:`MAX_POINTS` at most."""
    said = [fold(point) for point in points]
    titles = [
        title
        for title in _without_rows(feature_titles(description, name), rows)
        if not any(point.startswith(fold(title)) for point in said)  # a point led by the title
    ]
    return [*points, *titles][:MAX_POINTS] if titles else points


def _chosen_list(listed: list[tuple[list[str], str]]) -> tuple[list[str], str]:
    """The page's own list (the first), unless it is short and the description's lines (the
    last) are clearly more, or the description lists more features written as a title and a
    sentence ("Two-Way Audio: enables ...") that the list lacks."""
    points, origin = listed[0]
    in_text, text_origin = listed[-1]
    if len(points) < MIN_POINTS and len(in_text) >= len(points) + 2:
        return in_text, text_origin
    titled = [line for line in in_text if is_titled_claim(line)]
    unlisted = [line for line in titled if line not in points]
    if len(unlisted) >= MIN_POINTS and len(titled) > sum(map(is_titled_claim, points)):
        return titled, text_origin
    return points, origin


def _fuller_list(merging: Merging, points: list[str], name: str) -> tuple[list[str], str] | None:
    """The page's own list, when a site module's list is short (under :data:`MIN_POINTS`) and
    the page lists its points first and more after them (the site's state kept the first bullet only)."""
    if len(points) >= MIN_POINTS:
        return None
    dom = merging.dom
    shown = clean_points(dom.selling_points, name) if dom is not None else []
    if len(shown) > len(points) and shown[: len(points)] == points:
        return shown, "dom"
    return None


def _specification_rows(sources: Sequence[Found]) -> frozenset[str]:
    """The specification rows the sources found, each as a table's row reads in a text ("Material
    Gusseisen"), folded. A row written "Material: Gusseisen" is a line a shop wrote, which
    labellers and shoppers often take for a selling point: it is kept."""
    return frozenset(fold(f"{row.name} {row.value}") for found in sources for row in found.specifications)


def _without_rows(points: list[str], rows: frozenset[str]) -> list[str]:
    """The lines of a description that are not specification rows (a table flattened into its
    text lists the product's facts, not its selling points)."""
    return [point for point in points if fold(point) not in rows] if rows else points


def merge_selling_points(merging: Merging) -> None:
    """The feature lines a site module or platform lists; else the longer of the page's bullet
    lists and the bullet lines of a description text (a list flattened into paragraphs); else the
    description's leading claim sentences (source ``description``), never from an SEO blurb. The
    claim sentences also replace a list of one or two lines when they are at least two more (a
    brief needs three points or more; a lone "Comes in 5 packages" is no feature list)."""
    name = merging.product.name or ""
    listed: list[tuple[list[str], str]] = []
    for found in merging.ranked(POINTS_ORDER):
        points = clean_points(found.selling_points, name)
        if points and kind_of(found) == "site":
            points, origin = _fuller_list(merging, points, name) or (points, found.source)
            merging.set("selling_points", points, origin)
            return
        if points:
            listed.append((points, found.source))
            break
    description = merging.product.description or ""
    rows = _specification_rows(merging.sources)
    in_text = _without_rows(points_in_text(description, name), rows)
    if in_text:
        listed.append((in_text, merging.source.get("description", "")))
    else:
        for found in merging.ranked(BLURB_ORDER):
            in_text = _without_rows(points_in_text(found.description or "", name), rows)
            if in_text:
                listed.append((in_text, found.source))
                break
    own_text = merging.source.get("description") not in BLURB_ORDER
    if listed:
        points, origin = _chosen_list(listed)
        claims = (
            _without_rows(claim_sentences(description, name), rows)
            if own_text and len(points) < MIN_POINTS
            else []
        )
        if len(claims) >= len(points) + 2:  # a line or two is no feature list: the text says more
            points, origin = claims, DESCRIPTION_SOURCE
        elif own_text:
            points = _with_feature_titles(points, description, name, rows)
        merging.set("selling_points", points, origin)
    elif own_text:
        merging.set(
            "selling_points", _without_rows(claim_sentences(description, name), rows), DESCRIPTION_SOURCE
        )
