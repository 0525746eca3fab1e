"""What is kept: order, duplicates, one picture at other sizes, pictures that only look alike."""

from __future__ import annotations

import hashlib
from pathlib import Path

from fixtures import media_files
from prodex.demo.shop import solid_png
from prodex.extract.model import Media, MediaType
from prodex.media.check import Checked, Dropped
from prodex.media.picture import inspect_picture
from prodex.media.select import select_media
from prodex.media.sniff import sniff
from prodex.media.staging import StagedFile


def _checked(tmp_path: Path, index: int, data: bytes) -> Checked:
    staged = StagedFile(tmp_path)
    staged.write(data)
    staged.close()
    return Checked(
        index=index,
        media=Media(type=MediaType.IMAGE, url=f"https://shop.example/{index}"),
        staged=staged,
        file_type=sniff(data[:2048]),
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        picture=inspect_picture(staged.path, 10**8),
    )


def _select(tmp_path: Path, files: list[bytes | Dropped]) -> tuple[list[str], list[tuple[str, str]]]:
    results: list[Checked | Dropped] = [
        f if isinstance(f, Dropped) else _checked(tmp_path, i, f) for i, f in enumerate(files)
    ]
    selection = select_media(results, min_side=200, similar_distance=6)
    return (
        [k.media.url.rsplit("/", 1)[1] for k in selection.kept],
        [(d.original_url.rsplit("/", 1)[1], d.reason) for d in selection.dropped],
    )


def test_the_largest_copy_takes_the_place_of_the_first(tmp_path: Path) -> None:
    kept, dropped = _select(
        tmp_path,
        [
            media_files.jpeg(7, 400, 300),
            media_files.jpeg(8),
            media_files.jpeg(7, 1600, 1200),
            media_files.jpeg(7, 800, 600),
        ],
    )
    assert kept == ["2", "1"]
    assert sorted(dropped) == [("0", "same_picture"), ("3", "same_picture")]


def test_plain_pictures_of_other_colours_are_not_one_picture(tmp_path: Path) -> None:
    kept, dropped = _select(
        tmp_path,
        [
            solid_png(800, 800, (90, 150, 220)),
            solid_png(800, 800, (200, 120, 80)),
            solid_png(800, 600, (70, 120, 190)),
        ],
    )
    assert kept == ["0", "1", "2"] and dropped == []


def test_a_drop_keeps_its_place_in_the_report(tmp_path: Path) -> None:
    kept, dropped = _select(
        tmp_path,
        [Dropped("https://shop.example/0", "http_error", "404"), media_files.jpeg(9), media_files.jpeg(9)],
    )
    assert kept == ["1"]
    assert dropped == [("0", "http_error"), ("2", "duplicate")]
