"""Words as data: one TOML file per language (``en.toml``, ``de.toml``...), each keyed by
concept, read and normalised once.

Sections:
- ``[category]``: a category of Google's product taxonomy, named by the end of its path, to the
  words that name such products (``"Outerwear > Coats & Jackets" = ["jacket", "parka"]``);
- ``[gender]``: ``female``, ``male``, ``unisex`` to words saying who a product is made for;
- ``[age_group]``: ``newborn``, ``infant``, ``toddler``, ``kids``, ``adult`` likewise;
- ``[activity]``: an activity a product is made for (``running``, ``hiking``... see
  :data:`ACTIVITIES`) to the words that name it in a product's name or category ("Laufschuhe",
  "randonnée"), for the audience a marketer would name ("Runners", "Hikers").

Words are folded (lower case, no accents, whitespace folded) when loaded. Adding a language is
one file; ``tests/extract/test_extract_words.py`` checks every file's keys and that no word is
listed twice in a section.
"""

from __future__ import annotations

import tomllib
from functools import lru_cache
from importlib import resources

from prodex.extract.process.availability import fold

GENDERS = ("female", "male", "unisex")
AGE_GROUPS = ("newborn", "infant", "toddler", "kids", "adult")
ACTIVITIES = (
    "running", "hiking", "camping", "cycling", "swimming", "yoga", "fitness", "football", "tennis",
    "golf", "skiing", "fishing", "climbing", "surfing", "diving", "gaming", "baking", "gardening",
    "travel", "school", "party",
)  # fmt: skip
SECTIONS = ("category", "gender", "age_group", "activity")

Vocabulary = dict[str, tuple[str, ...]]
"""A section of one language: concept key to folded words."""


@lru_cache(maxsize=1)
def languages() -> dict[str, dict[str, Vocabulary]]:
    """Every language file: language code to section to concept to folded words."""
    out: dict[str, dict[str, Vocabulary]] = {}
    folder = resources.files("prodex.extract").joinpath("words")
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".toml"):
            continue
        data = tomllib.loads(entry.read_text(encoding="utf-8"))
        out[entry.name.removesuffix(".toml")] = {
            section: {
                str(key): tuple(dict.fromkeys(fold(str(word)) for word in words if str(word).strip()))
                for key, words in data.get(section, {}).items()
            }
            for section in SECTIONS
        }
    return out


def section(name: str, language: str | None = None) -> dict[str, Vocabulary]:
    """One section of every language, or of ``language`` and English when it is given and known."""
    files = languages()
    if language is not None:
        code = language.split("-")[0].lower()
        chosen = {lang: files[lang] for lang in ("en", code) if lang in files}
        if code in files:
            return {lang: data[name] for lang, data in chosen.items()}
    return {lang: data[name] for lang, data in files.items()}
