"""Who a product is made for: gender and age group as product feeds mean them (from schema.org
values, or from words in the product's name, breadcrumbs and category, in the page's language
and English: the ``[gender]`` and ``[age_group]`` sections of :mod:`prodex.extract.words`), and
the short target-audience phrase a marketer would write for a product video.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from prodex.extract.process.availability import fold
from prodex.extract.process.classify import tokens
from prodex.extract.process.patterns import (
    by_first_character,
    is_spaced_script,
    may_hold_unspaced,
    trie_pattern,
    words_in,
)
from prodex.extract.process.taxonomy import PATH_SEPARATOR, Category
from prodex.extract.words import (
    ACTIVITIES,
    AGE_GROUPS,
    COMPOUNDING,
    GENDERS,
    english_false_friends,
    language_code,
    section,
    words,
)

MAX_PHRASE_WORDS = 4
MIN_COMPOUND_PART = 4
"""Both parts of a compound word read for a gender are this long at least ("Damen|düfte")."""
APPAREL_TOP = "Apparel & Accessories"
GENDERED_TOPS = frozenset({"Apparel & Accessories", "Health & Beauty", "Luggage & Bags", "Sporting Goods"})
"""Top-level categories whose products can be made for a gender (elsewhere gender does not apply)."""
_SCHEMA_GENDERS = {
    "female": "female",
    "women": "female",
    "woman": "female",
    "f": "female",
    "girls": "female",
    "male": "male",
    "men": "male",
    "man": "male",
    "m": "male",
    "boys": "male",
    "unisex": "unisex",
}
DURATION_CONTEXT = 24
_DURATION_BEFORE = re.compile(rf"(?<![^\W\d_])(?:{trie_pattern(words('duration', 'before'))})$")
"""A length of time's word just before a number of years ("for", "over", "pendant", "warranty")."""
_WARRANTY = re.compile(rf"(?<![^\W\d_])(?:{trie_pattern(words('duration', 'warranty'))})")
"""A warranty's word anywhere beside a number of years ("Garanzia globale di 10 anni", "10 years
warranty"): the number is the warranty's length, never an age."""
_CLAUSE_END = re.compile(r"[.;,:!?]")
"""Where a clause ends: a warranty's word counts only in the number's own clause."""
_AGE_AFTER = re.compile(rf"(?:\+|(?:{trie_pattern(words('duration', 'age_after'))})(?![^\W\d_]))")
"""Words after a number of years that make it an age all the same ("3 years and up")."""
_AGE = re.compile(
    r"(?<![\d.,])(\d{1,2})\s*(?:\+|(?:years?|yrs?|jahre?n?|ans|anos|anni|años|lat|let)\b)", re.IGNORECASE
)


def gender_from_schema(value: object) -> str | None:
    """A schema.org ``suggestedGender`` (or product-feed ``gender``) as ``female``, ``male``, ``unisex``."""
    if not isinstance(value, str):
        return None
    return _SCHEMA_GENDERS.get(fold(value).rsplit("/", 1)[-1].strip())


def age_group_from_ages(min_age: object = None, max_age: object = None) -> str | None:
    """The age group of schema.org ``suggestedMinAge``/``suggestedMaxAge`` (years)."""
    low, high = _as_number(min_age), _as_number(max_age)
    if low is not None and low >= 13:
        return "adult"
    if high is not None and high <= 1:
        return "infant"
    if high is not None and high <= 5:
        return "toddler"
    if (high is not None and high <= 13) or (low is not None and low >= 5):
        return "kids"
    return None


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


@dataclass(frozen=True)
class WordIndex:
    """Phrases (tuples of word stems) of one section to their keys, and unspaced-script words."""

    phrases: dict[tuple[str, ...], str]
    unspaced: dict[str, str]
    unspaced_words: dict[str, tuple[str, ...]]
    longest: dict[str, int]
    """The most words of a phrase starting with each first word (no phrase starts with others)."""

    def compound_key(self, word: str) -> str | None:
        """The key of a one-word phrase that begins a compound word ("damen" in "damendüfte",
        "herren" in "herrenschuhe"), or ``None``."""
        for end in range(MIN_COMPOUND_PART, len(word) - MIN_COMPOUND_PART + 1):
            key = self.phrases.get((word[:end],))
            if key is not None:
                return key
        return None


@lru_cache(maxsize=64)
def _index(name: str, language: str | None) -> WordIndex:
    phrases: dict[tuple[str, ...], str] = {}
    unspaced: dict[str, str] = {}
    false_friends = {tuple(tokens(word)) for word in english_false_friends(language)}
    for lang, vocabulary in section(name, language).items():
        for key, spellings in vocabulary.items():
            for word in spellings:
                if not is_spaced_script(word):
                    unspaced.setdefault(word, key)
                    continue
                phrase = tuple(tokens(word))
                if lang == "en" and phrase in false_friends:
                    continue  # (a word of the page's language: Turkish "boy", a length)
                if phrase and len(phrase) <= MAX_PHRASE_WORDS:
                    phrases.setdefault(phrase, key)
    longest: dict[str, int] = {}
    for phrase in phrases:
        longest[phrase[0]] = max(longest.get(phrase[0], 0), len(phrase))
    return WordIndex(phrases, unspaced, by_first_character(unspaced), longest)


def _keys_in(name: str, texts: list[str], language: str | None, compounds: bool = False) -> list[str]:
    """The keys of section ``name`` whose words the texts say, in the order first said;
    ``compounds``: in a compounding language, also a word that begins a longer word."""
    index = _index(name, language)
    compounding = compounds and language_code(language) in COMPOUNDING
    found: list[str] = []
    for text in texts:
        if not text:
            continue
        words = tokens(text)
        for start in range(len(words)):
            # (no phrase starts with most words)
            key = _phrase_key(index, words, start) if words[start] in index.longest else None
            if key is None and compounding:
                key = index.compound_key(words[start])
            if key is not None and key not in found:
                found.append(key)
        if not text.isascii() and may_hold_unspaced(text):
            for word in words_in(fold(text), index.unspaced_words):
                if index.unspaced[word] not in found:
                    found.append(index.unspaced[word])
    return found


def _phrase_key(index: WordIndex, words: Sequence[str], start: int) -> str | None:
    """The key of the longest phrase of the index at ``words[start]``, or ``None``."""
    for size in range(min(index.longest.get(words[start], 0), len(words) - start), 0, -1):
        key = index.phrases.get(tuple(words[start : start + size]))
        if key is not None:
            return key
    return None


def gender_in(texts: list[str], language: str | None = None) -> str | None:
    """The gender the texts state (``unisex`` when they name both)."""
    keys = [k for k in _keys_in("gender", texts, language, compounds=True) if k in GENDERS]
    if "unisex" in keys or ("female" in keys and "male" in keys):
        return "unisex"
    return keys[0] if keys else None


def says_unisex(texts: list[str], language: str | None = None) -> bool:
    """Whether the texts name the product unisex in so many words ("unisex", "for men and
    women"), not merely a woman and a man somewhere."""
    return "unisex" in _keys_in("gender", texts, language)


def _stated_age(text: str) -> int | None:
    """The first age a text states ("6+", "3 years and up", "ab 3 Jahren"); a length of time
    ("for 5 years of total coverage", "pendant 2 ans") is no age."""
    for match in _AGE.finditer(text):
        if match.group(0).endswith("+"):
            return int(match.group(1))
        before = fold(text[max(0, match.start() - DURATION_CONTEXT) : match.start()])
        after = fold(text[match.end() : match.end() + DURATION_CONTEXT])
        if _AGE_AFTER.match(after):
            return int(match.group(1))  # "3 years and up"
        if _WARRANTY.search(_CLAUSE_END.split(before)[-1]) or _WARRANTY.search(_CLAUSE_END.split(after)[0]):
            continue  # "Garanzia globale di 10 anni", "5 years warranty": the warranty's length
        if _DURATION_BEFORE.search(before):
            continue
        return int(match.group(1))
    return None


def age_group_in(texts: list[str], language: str | None = None) -> str | None:
    """The age group the texts state (the youngest named; an age such as "6+ years" counts)."""
    keys = [k for k in _keys_in("age_group", texts, language) if k in AGE_GROUPS]
    for text in texts:
        years = _stated_age(text or "")
        if years is not None:
            keys.append("toddler" if years < 5 else "kids" if years < 13 else "adult")
    young_first = [g for g in AGE_GROUPS if g in keys]
    return young_first[0] if young_first else None


def activity_in(texts: list[str], language: str | None = None) -> str | None:
    """The activity the texts name first (``running`` for "Laufschuhe", ``hiking`` for
    "Chaussures de randonnée"), or ``None``."""
    keys = [k for k in _keys_in("activity", texts, language, compounds=True) if k in ACTIVITIES]
    return keys[0] if keys else None


# --- the target-audience phrase -------------------------------------------------------------

AUDIENCES_FILE = "audiences.toml"
MAX_GROUPS = 3
"""The most groups of people a phrase names ("Runners, commuters and hikers")."""


Groups = tuple[str, ...]
"""The groups of people of an audience, the first written as a phrase begins ("Campers", "hikers")."""


@lru_cache(maxsize=1)
def audiences() -> dict[str, Groups]:
    """The shipped table of audiences: a taxonomy category's path to the groups of people a
    marketer would name for its products (``data/audiences.toml``, read once per process)."""
    text = resources.files("prodex.extract").joinpath("data", AUDIENCES_FILE).read_text(encoding="utf-8")
    return {str(path): tuple(str(group) for group in groups) for path, groups in tomllib.loads(text).items()}


_APPAREL_BY_GENDER = {
    "female": "Fashion-conscious women",
    "male": "Style-conscious men",
    "unisex": "Style-conscious women and men",
}
_PEOPLE = {"female": "Women", "male": "Men", "unisex": "Women and men"}
_GENDER_ADJECTIVES = {"female": "Female", "male": "Male"}
"""A gender said of the people of an activity ("Female runners")."""
ACTIVITY_AUDIENCES = {
    "running": "Runners",
    "hiking": "Hikers",
    "camping": "Campers",
    "cycling": "Cyclists",
    "swimming": "Swimmers",
    "yoga": "Yoga lovers",
    "fitness": "Fitness enthusiasts",
    "football": "Football players",
    "tennis": "Tennis players",
    "golf": "Golfers",
    "skiing": "Skiers",
    "fishing": "Anglers",
    "climbing": "Climbers",
    "surfing": "Surfers",
    "diving": "Divers",
    "gaming": "Gamers",
    "baking": "Home bakers",
    "gardening": "Gardeners",
    "travel": "Travelers",
    "school": "Students",
    "party": "Partygoers",
}
"""The people an activity's products are for, as a marketer names them (one per activity)."""
_YOUNG = {
    "newborn": "Parents of newborns",
    "infant": "Parents of babies",
    "toddler": "Parents of toddlers",
    "kids": "Parents shopping for kids",
}


def _base_audience(category: Category) -> tuple[str, list[str]]:
    """The path of the category, or of its nearest ancestor the table lists, and its groups of
    people, the first written as inside a sentence; ``("", [])`` when none is listed."""
    table = audiences()
    for depth in range(len(category.path), 0, -1):
        path = PATH_SEPARATOR.join(category.path[:depth])
        groups = table.get(path)
        if groups:
            return path, [_lower_first(groups[0]), *groups[1:]]
    return "", []


def _joined(groups: list[str]) -> str:
    """Groups of people as one phrase, at most :data:`MAX_GROUPS`, the first capitalised
    ("Runners, commuters and hikers")."""
    kept = groups[:MAX_GROUPS]
    if not kept:
        return ""
    kept[0] = kept[0][:1].upper() + kept[0][1:]
    return kept[0] if len(kept) == 1 else f"{', '.join(kept[:-1])} and {kept[-1]}"


def audience_phrase(
    category: Category | None, gender: str | None, age_group: str | None, activity: str | None = None
) -> str:
    """The target audience a marketer would write for a video about the product, from its
    category, gender and age group ("Fashion-conscious women", "Dog owners and pet parents"),
    led by the people of the activity it is made for ("Runners and style-conscious men"); at most
    :data:`MAX_GROUPS` groups of people."""
    groups = _category_audience(category, gender, age_group)
    people = ACTIVITY_AUDIENCES.get(activity or "")
    if not people or age_group in _YOUNG:
        return _joined(groups)
    if not groups:
        return people
    if any(people.split()[0].lower() in group.lower() for group in groups):
        return _joined(groups)  # "Campers and hikers" already names them
    if groups[0] in (group.lower() for group in _PEOPLE.values()):  # "Men, commuters and hikers":
        # "Male runners, commuters and hikers"
        adjective = _GENDER_ADJECTIVES.get(gender or "")
        return _joined([f"{adjective} {people.lower()}" if adjective else people, *groups[1:]])
    return _joined([people, *groups])


def _category_audience(category: Category | None, gender: str | None, age_group: str | None) -> list[str]:
    """The groups of people of the category, said of the gender and age group where they apply,
    the first written as inside a sentence."""
    path, base = _base_audience(category) if category is not None else ("", [])
    young = _YOUNG.get(age_group or "")
    if category is None or not base:
        return [_lower_first(young)] if young else []
    apparel = category.top == APPAREL_TOP
    if young:
        if age_group == "kids" and gender in ("female", "male"):
            young = "Parents of girls" if gender == "female" else "Parents of boys"
        if category.top == "Media":
            return ["young readers and their parents"]
        if apparel:
            return [_lower_first(young)]  # (the groups name who wears it, grown-ups)
        return [_lower_first(young), *(group for group in base if "parent" not in group.lower())]
    if apparel and gender in _APPAREL_BY_GENDER and path == APPAREL_TOP:
        return [_lower_first(_APPAREL_BY_GENDER[gender])]
    if gender in _PEOPLE and category.top in GENDERED_TOPS:
        return _with_people(base, _PEOPLE[gender])
    return base


def _with_people(groups: list[str], people: str) -> list[str]:
    """The groups said of women, men or both: a group of "... people" becomes theirs ("Active
    people" -> "Active women"), else they lead ("Men, commuters and hikers")."""
    for at, group in enumerate(groups):
        if group.endswith(" people"):
            return [*groups[:at], f"{group.removesuffix(' people')} {people.lower()}", *groups[at + 1 :]]
    return [people.lower(), *groups]


def fallback_audience(gender: str | None, age_group: str | None, shop_category: str | None) -> str:
    """A plain audience for a product whose taxonomy category is unknown."""
    if age_group in _YOUNG:
        return _YOUNG[age_group]
    if gender in _PEOPLE:
        return f"{_PEOPLE[gender]} shopping online"
    if shop_category:
        return f"Shoppers looking for {shop_category.lower()}"
    return "Online shoppers"


def _lower_first(phrase: str) -> str:
    return phrase[:1].lower() + phrase[1:] if phrase[1:2].islower() else phrase
