"""The checks of one file: its type from the bytes, safe decoding, the perceptual hash."""

from __future__ import annotations

from pathlib import Path

import pytest

from fixtures import media_files
from prodex.media.picture import hash_distance, inspect_picture
from prodex.media.sniff import NotMedia, sniff

MAX_PIXELS = 50_000_000


@pytest.mark.parametrize(
    ("data", "mime"),
    [
        (media_files.jpeg(1), "image/jpeg"),
        (media_files.encode(media_files.picture(1), "PNG"), "image/png"),
        (media_files.encode(media_files.picture(1), "WEBP"), "image/webp"),
        (media_files.encode(media_files.picture(1), "GIF"), "image/gif"),
        (media_files.mp4(4096), "video/mp4"),
        (media_files.webm(4096), "video/webm"),
    ],
)
def test_type_comes_from_the_bytes(data: bytes, mime: str) -> None:
    assert sniff(data[:2048]).mime == mime


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"<!DOCTYPE html><html><body>Not found</body></html>", "not_media"),
        (b"\n  <html><head><title>Access denied</title>", "not_media"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"></svg>', "unsupported_type"),
        (b"just some text", "not_media"),
        (b"", "empty"),
    ],
)
def test_what_is_not_media(data: bytes, reason: str) -> None:
    with pytest.raises(NotMedia) as caught:
        sniff(data)
    assert caught.value.reason == reason


def _write(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "file"
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP", "GIF"])
def test_pictures_are_decoded_with_their_size(tmp_path: Path, fmt: str) -> None:
    facts = inspect_picture(
        _write(tmp_path, media_files.encode(media_files.picture(3, 640, 480), fmt)), MAX_PIXELS
    )
    assert (facts.width, facts.height) == (640, 480)


def test_a_decompression_bomb_is_refused_before_decoding(tmp_path: Path) -> None:
    bomb = media_files.png_bomb()
    assert len(bomb) < 200_000
    with pytest.raises(NotMedia) as caught:
        inspect_picture(_write(tmp_path, bomb), MAX_PIXELS)
    assert caught.value.reason == "too_many_pixels"


def test_the_pixel_limit_is_the_settings(tmp_path: Path) -> None:
    with pytest.raises(NotMedia) as caught:
        inspect_picture(_write(tmp_path, media_files.jpeg(1, 800, 600)), 800 * 600 - 1)
    assert caught.value.reason == "too_many_pixels"


def test_a_truncated_jpeg_is_refused(tmp_path: Path) -> None:
    with pytest.raises(NotMedia) as caught:
        inspect_picture(_write(tmp_path, media_files.truncated_jpeg(2)), MAX_PIXELS)
    assert caught.value.reason == "broken"


def test_garbage_after_a_jpeg_signature_is_refused(tmp_path: Path) -> None:
    with pytest.raises(NotMedia) as caught:
        inspect_picture(_write(tmp_path, b"\xff\xd8\xff" + b"\x00" * 500), MAX_PIXELS)
    assert caught.value.reason == "broken"


def test_one_picture_at_other_sizes_has_nearly_the_same_hash(tmp_path: Path) -> None:
    hashes = []
    for index, (width, height) in enumerate([(1600, 1200), (800, 600), (400, 300)]):
        path = tmp_path / f"{index}.jpg"
        path.write_bytes(media_files.jpeg(7, width, height))
        hashes.append(inspect_picture(path, MAX_PIXELS).dhash)
    assert max(hash_distance(hashes[0], other) for other in hashes[1:]) <= 3
    others = []
    for seed in range(20, 30):
        path = tmp_path / f"other-{seed}.jpg"
        path.write_bytes(media_files.jpeg(seed))
        others.append(inspect_picture(path, MAX_PIXELS).dhash)
    assert min(hash_distance(hashes[0], other) for other in others) > 10
