"""Decode a picture safely: its size, a pixel limit against decompression bombs, truncated or
corrupt files refused, and a perceptual hash (dHash) that finds one picture stored at other sizes."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageFile

from prodex.media.sniff import NotMedia

#: dHash of a 9x8 grey thumbnail: 64 bits, one per horizontal neighbour comparison.
HASH_WIDTH = 9
HASH_HEIGHT = 8
#: JPEG pictures are decoded at a reduced scale (at least this many pixels a side) for the hash.
DRAFT_SIDE = 64

# Never hand back a partly decoded picture (Pillow's default, stated: a truncated file is refused).
ImageFile.LOAD_TRUNCATED_IMAGES = False


@dataclass(frozen=True, slots=True)
class PictureFacts:
    """What decoding told: the size in pixels, the 64-bit perceptual hash and the mean colour."""

    width: int
    height: int
    dhash: int
    colour: tuple[int, int, int]


def _fingerprint(picture: Image.Image) -> tuple[int, tuple[int, int, int]]:
    """The difference hash of a decoded picture (is each pixel of a 9x8 grey thumbnail brighter
    than its right neighbour) and its mean colour (the hash alone sees shapes, not colours: two
    plain pictures of other colours hash alike)."""
    thumbnail = picture.convert("RGB").resize((HASH_WIDTH, HASH_HEIGHT), Image.Resampling.BOX)
    mean = thumbnail.resize((1, 1), Image.Resampling.BOX).getpixel((0, 0))
    assert isinstance(mean, tuple)
    pixels = thumbnail.convert("L").tobytes()
    bits = 0
    for row in range(HASH_HEIGHT):
        base = row * HASH_WIDTH
        for column in range(HASH_WIDTH - 1):
            bits = (bits << 1) | (pixels[base + column] > pixels[base + column + 1])
    return bits, (int(mean[0]), int(mean[1]), int(mean[2]))


def colour_distance(first: PictureFacts, second: PictureFacts) -> int:
    """The largest difference of the two pictures' mean colours on one channel (0 to 255)."""
    return max(abs(a - b) for a, b in zip(first.colour, second.colour, strict=True))


def hash_distance(first: int, second: int) -> int:
    """How many of the 64 hash bits differ (0: the same picture at any size)."""
    return (first ^ second).bit_count()


def inspect_picture(path: Path, max_pixels: int) -> PictureFacts:
    """Decode the picture at ``path`` once; raise :class:`NotMedia` when it cannot be used.

    Reasons: ``too_many_pixels`` (width x height over ``max_pixels``, checked from the header
    before any pixel is decoded), ``broken`` (truncated, corrupt, or a format Pillow refuses).
    Animated pictures are checked on their first frame.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as picture:
                width, height = picture.size
                if width * height > max_pixels:
                    raise NotMedia(
                        "too_many_pixels", f"{width}x{height} pixels is more than the {max_pixels} allowed"
                    )
                if picture.format == "JPEG":
                    picture.draft("RGB", (min(width, DRAFT_SIDE * 8), min(height, DRAFT_SIDE * 8)))
                picture.load()
                dhash, colour = _fingerprint(picture)
                return PictureFacts(width=width, height=height, dhash=dhash, colour=colour)
    except NotMedia:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise NotMedia("too_many_pixels", "a decompression bomb (too many pixels)") from exc
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise NotMedia(
            "broken", f"the picture cannot be decoded ({str(exc)[:80] or type(exc).__name__})"
        ) from exc
