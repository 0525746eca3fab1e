"""Target audience: only what the page supports (schema.org audience, gender, age, department,
category, and phrases such as "for women", "kids", "men's" in the page's language), else ``""``.
"""

from __future__ import annotations

import re

from prodex.extract.process.availability import fold

# (label, folded words or phrases that name this audience in many languages), most specific first.
AUDIENCE_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "Babies",
        (
            "baby",
            "babies",
            "infant",
            "newborn",
            "bebe",
            "bebes",
            "neonato",
            "saugling",
            "niemowle",
            "kojenec",
            "zidainis",
            "vauva",
            "婴儿",
            "嬰兒",
            "ベビー",
        ),
    ),
    (
        "Girls",
        (
            "girls",
            "girl's",
            "girls'",
            "fille",
            "filles",
            "madchen",
            "nina",
            "ninas",
            "bambina",
            "menina",
            "meisjes",
            "dziewczynki",
            "女童",
        ),
    ),
    (
        "Boys",
        (
            "boys",
            "boy's",
            "boys'",
            "garcon",
            "garcons",
            "jungen",
            "nino",
            "ninos",
            "bambino",
            "menino",
            "jongens",
            "chlopcy",
            "男童",
        ),
    ),
    (
        "Kids",
        (
            "kids",
            "kid's",
            "children",
            "children's",
            "child",
            "enfant",
            "enfants",
            "kinder",
            "infantil",
            "bambini",
            "criancas",
            "kinderen",
            "dzieci",
            "deti",
            "bērniem",
            "lapsed",
            "儿童",
            "兒童",
            "キッズ",
        ),
    ),
    ("Teens", ("teen", "teens", "teenager", "ado", "ados", "jugendliche", "adolescente")),
    (
        "Women",
        (
            "women",
            "women's",
            "womens",
            "woman",
            "ladies",
            "lady's",
            "female",
            "femme",
            "femmes",
            "damen",
            "frauen",
            "mujer",
            "mujeres",
            "dama",
            "donna",
            "donne",
            "mulher",
            "feminino",
            "feminina",
            "dames",
            "damskie",
            "damska",
            "damski",
            "zeny",
            "damske",
            "sieviešu",
            "naiste",
            "女装",
            "女款",
            "女性",
            "レディース",
        ),
    ),
    (
        "Men",
        (
            "men",
            "men's",
            "mens",
            "man's",
            "male",
            "gentlemen",
            "homme",
            "hommes",
            "herren",
            "manner",
            "hombre",
            "hombres",
            "caballero",
            "uomo",
            "uomini",
            "homem",
            "masculino",
            "heren",
            "meskie",
            "meska",
            "meski",
            "muzi",
            "panske",
            "vīriešu",
            "meeste",
            "男装",
            "男款",
            "男性",
            "メンズ",
        ),
    ),
    (
        "Pets",
        (
            "pet",
            "pets",
            "dog",
            "dogs",
            "cat",
            "cats",
            "chien",
            "chat",
            "hund",
            "katze",
            "perro",
            "gato",
            "cane",
            "gatto",
            "cachorro",
        ),
    ),
)
_GENDER_VALUES = {
    "female": "Women",
    "women": "Women",
    "woman": "Women",
    "f": "Women",
    "male": "Men",
    "men": "Men",
    "man": "Men",
    "m": "Men",
    "unisex": "Unisex",
    "kids": "Kids",
    "children": "Kids",
    "girls": "Girls",
    "boys": "Boys",
    "baby": "Babies",
    "infant": "Babies",
    "newborn": "Babies",
    "toddler": "Kids",
}
_WORD = re.compile(r"[^\W\d_]+(?:'s|s')?", re.UNICODE)


def audience_from_schema(gender: object, min_age: object = None, max_age: object = None) -> str:
    """An audience label from schema.org suggestedGender and suggested ages, else ``""``."""
    label = ""
    if isinstance(gender, str):
        label = _GENDER_VALUES.get(fold(gender).rsplit("/", 1)[-1], "")
    age_max = _as_number(max_age)
    age_min = _as_number(min_age)
    if not label and age_max is not None and age_max <= 14:
        label = "Kids"
    if not label and age_min is not None and age_min >= 18:
        label = "Adults"
    if label and (age_min is not None or age_max is not None):
        low = f"{age_min:g}" if age_min is not None else ""
        high = f"{age_max:g}" if age_max is not None else ""
        ages = f"{low}-{high}" if low and high else (f"{low}+" if low else f"up to {high}")
        label = f"{label} ({ages} years)"
    return label


def _as_number(value: object) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            return None
    return None


def audience_from_text(*texts: str) -> str:
    """An audience label from words in short texts (department, category, breadcrumbs, name)."""
    words: set[str] = set()
    joined_parts: list[str] = []
    for text in texts:
        if not text:
            continue
        folded = fold(text)[:600]
        joined_parts.append(folded)
        words.update(_WORD.findall(folded))
    if not words:
        return ""
    joined = " ".join(joined_parts)
    has_for = "for " in joined  # ("for women" in a name that says no "for " cannot be)
    found: list[str] = []
    for label, vocabulary in AUDIENCE_WORDS:
        for word in vocabulary:
            ascii_hit = word.isascii() and (word in words or (has_for and f"for {word}" in joined))
            if ascii_hit or (not word.isascii() and word in joined):
                found.append(label)
                break
    if "Women" in found and "Men" in found:
        return "Unisex"
    if found:
        return found[0]
    return ""
