"""The word lists (src/prodex/extract/words/<language>.toml): known sections and keys, category
keys that name exactly one category of the taxonomy, no word listed twice in a section, and the
vocabularies the extractor compiles from them."""

from __future__ import annotations

import tomllib
from importlib import resources

import pytest

from prodex.extract import words as vocabularies
from prodex.extract.process.taxonomy import taxonomy
from prodex.extract.process.text import fold
from prodex.extract.words import KEYS, NORMALISE, SECTIONS, languages, speaking

FILES = sorted(
    entry.name
    for entry in resources.files("prodex.extract").joinpath("words").iterdir()
    if entry.name.endswith(".toml")
)
KNOWN_KEYS = {name: set(keys) for name, keys in KEYS.items() if keys is not None}


def _raw(name: str) -> dict[str, dict[str, list[str]]]:
    text = resources.files("prodex.extract").joinpath("words", name).read_text(encoding="utf-8")
    return tomllib.loads(text)


def test_english_and_other_languages_are_there() -> None:
    """English (the taxonomy's language) is always there; every file is loaded."""
    assert "en.toml" in FILES
    assert set(languages()) == {name.removesuffix(".toml") for name in FILES}


@pytest.mark.parametrize("name", FILES)
def test_sections_and_keys_are_known(name: str) -> None:
    """Only the known sections and keys (gender and age keys are the product-feed values); every
    category key names exactly one taxonomy category."""
    data = _raw(name)
    assert set(data) <= set(SECTIONS), name
    tree = taxonomy()
    for key in data.get("category", {}):
        tree.resolve(key)  # raises KeyError when it names none or several
    for section, allowed in KNOWN_KEYS.items():
        assert set(data.get(section, {})) <= allowed, (name, section)


@pytest.mark.parametrize("name", FILES)
def test_no_word_is_listed_twice_in_a_section(name: str) -> None:
    """A word names one concept of a section (normalised as the section is: folded, or lower-cased
    for labels)."""
    for section, table in _raw(name).items():
        normalise = NORMALISE.get(section, fold)
        seen: dict[str, str] = {}
        for key, words in table.items():
            assert all(isinstance(w, str) and w.strip() for w in words), (name, section, key)
            for word in words:
                folded = normalise(word)
                assert folded not in seen or seen[folded] == key, (
                    f"{name} [{section}] {word!r}: {seen.get(folded)} and {key}"
                )
                assert seen.get(folded) != key or words.count(word) == 1, (
                    f"{name} [{section}] {word!r} twice in {key}"
                )
                seen[folded] = key


def test_a_language_without_a_section_leaves_it_to_every_language() -> None:
    """A file without a section (``[gender]`` in one with only labels and category words) does not
    narrow that section's words to English and itself: every language's words stay in use."""
    name, without = next(
        (name, sorted(set(languages()) - speaking(name)))
        for name in ("category", "gender", "age_group", "duration", *SECTIONS)
        if set(languages()) - speaking(name)
    )
    assert vocabularies.section(name, without[0]) == vocabularies.section(name)


def test_words_are_every_language_s_once() -> None:
    """``words`` is the union of every language's words of a concept, each once."""
    union = vocabularies.words("labels", "brand")
    assert len(union) == len(set(union))
    assert {"brand", "marke", "marque"} <= set(union)
    assert set(union) == {w for data in languages().values() for w in data.get("labels", {}).get("brand", ())}


def test_labels_keep_accents_and_stock_words_are_folded() -> None:
    """Labels are matched in the page's own text (case ignored, accents kept); stock phrases in
    folded text."""
    assert "référence" in vocabularies.words("labels", "sku")
    assert "nicht verfugbar" in vocabularies.words("stock", "out_of_stock")
