"""Which checked media a video can use: no tracking pixels or small pictures, one copy of each
file and of each picture (the largest), in the page's order, main image first."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from prodex.media.check import Checked, Dropped
from prodex.media.picture import colour_distance, hash_distance

#: A picture no larger than this on both sides is a tracking pixel or a spacer.
TRACKING_PIXEL_SIDE = 3
#: Two pictures are one picture at other sizes only if their shapes (width / height) differ by
#: at most this fraction, besides their perceptual hashes.
ASPECT_TOLERANCE = 0.03
#: ... and their mean colours differ by at most this much on every channel (0-255).
COLOUR_TOLERANCE = 24


@dataclass
class Selection:
    """The kept media in order and the dropped ones (with why)."""

    kept: list[Checked] = field(default_factory=list)
    dropped: list[Dropped] = field(default_factory=list)


def _same_picture(first: Checked, second: Checked, similar_distance: int) -> bool:
    """Whether two pictures are one picture at other sizes: the same shape and mean colour, and
    perceptual hashes within ``similar_distance`` bits."""
    a, b = first.picture, second.picture
    if a is None or b is None:
        return False
    ratio_a, ratio_b = a.width / a.height, b.width / b.height
    if abs(ratio_a - ratio_b) > ASPECT_TOLERANCE * max(ratio_a, ratio_b):
        return False
    if colour_distance(a, b) > COLOUR_TOLERANCE:
        return False
    return hash_distance(a.dhash, b.dhash) <= similar_distance


def _small(item: Checked, min_side: int) -> Dropped | None:
    """Why a picture is too small to use, or None."""
    picture = item.picture
    if picture is None:
        return None
    if picture.width <= TRACKING_PIXEL_SIDE and picture.height <= TRACKING_PIXEL_SIDE:
        return Dropped(item.media.url, "tracking_pixel", f"a {picture.width}x{picture.height} pixel")
    if min(picture.width, picture.height) < min_side:
        return Dropped(
            item.media.url,
            "too_small",
            f"{picture.width}x{picture.height} pixels: the shorter side is under {min_side}",
        )
    return None


def select_media(results: list[Checked | Dropped], min_side: int, similar_distance: int) -> Selection:
    """Keep what a video can use from ``results`` (in the page's order).

    Dropped: tracking pixels, pictures whose shorter side is under ``min_side``, exact
    duplicates (same bytes: the first stays) and the same picture at other sizes (perceptual
    hashes within ``similar_distance`` bits, the same shape and mean colour: the largest copy
    takes the place of the first one).
    """
    selection = Selection()
    by_hash: dict[str, Checked] = {}
    for result in results:
        if isinstance(result, Dropped):
            selection.dropped.append(result)
            continue
        small = _small(result, min_side)
        if small is not None:
            selection.dropped.append(small)
            continue
        if result.sha256 in by_hash:
            first = by_hash[result.sha256].media.url
            selection.dropped.append(Dropped(result.media.url, "duplicate", f"the same file as {first}"))
            continue
        by_hash[result.sha256] = result
        _keep(selection, result, similar_distance)
    return selection


def _keep(selection: Selection, item: Checked, similar_distance: int) -> None:
    """Add ``item``, or let it replace (or lose to) a kept copy of the same picture."""
    if item.picture is not None:
        for index, kept in enumerate(selection.kept):
            if not _same_picture(kept, item, similar_distance):
                continue
            larger, smaller = (item, kept) if item.area > kept.area else (kept, item)
            selection.kept[index] = replace(larger, index=kept.index)
            selection.dropped.append(
                Dropped(smaller.media.url, "same_picture", f"a smaller copy of {larger.media.url}")
            )
            return
    selection.kept.append(item)
