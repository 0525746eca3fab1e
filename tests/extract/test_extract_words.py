"""The word lists (src/prodex/extract/words/<language>.toml): known sections and keys, category
keys that name exactly one category of the taxonomy, and no word listed twice in a section."""

from __future__ import annotations

import tomllib
from importlib import resources

import pytest

from prodex.extract.process.availability import fold
from prodex.extract.process.taxonomy import taxonomy
from prodex.extract.words import ACTIVITIES, AGE_GROUPS, GENDERS, SECTIONS, languages

FILES = sorted(
    entry.name
    for entry in resources.files("prodex.extract").joinpath("words").iterdir()
    if entry.name.endswith(".toml")
)
KNOWN_KEYS = {"gender": set(GENDERS), "age_group": set(AGE_GROUPS), "activity": set(ACTIVITIES)}


def _raw(name: str) -> dict[str, dict[str, list[str]]]:
    text = resources.files("prodex.extract").joinpath("words", name).read_text(encoding="utf-8")
    return tomllib.loads(text)


def test_english_and_other_languages_are_there() -> None:
    """English (the taxonomy's language) is always there; every file is loaded."""
    assert "en.toml" in FILES
    assert set(languages()) == {name.removesuffix(".toml") for name in FILES}


@pytest.mark.parametrize("name", FILES)
def test_sections_and_keys_are_known(name: str) -> None:
    """Only the known sections; gender and age keys are the product-feed values; every category
    key names exactly one taxonomy category."""
    data = _raw(name)
    assert set(data) <= set(SECTIONS), name
    tree = taxonomy()
    for key in data.get("category", {}):
        tree.resolve(key)  # raises KeyError when it names none or several
    for section, allowed in KNOWN_KEYS.items():
        assert set(data.get(section, {})) <= allowed, (name, section)


@pytest.mark.parametrize("name", FILES)
def test_no_word_is_listed_twice_in_a_section(name: str) -> None:
    """A word names one concept of a section (folded: case and accents ignored)."""
    for section, table in _raw(name).items():
        seen: dict[str, str] = {}
        for key, words in table.items():
            assert all(isinstance(w, str) and w.strip() for w in words), (name, section, key)
            for word in words:
                folded = fold(word)
                assert folded not in seen or seen[folded] == key, (
                    f"{name} [{section}] {word!r}: {seen.get(folded)} and {key}"
                )
                assert seen.get(folded) != key or words.count(word) == 1, (
                    f"{name} [{section}] {word!r} twice in {key}"
                )
                seen[folded] = key
