"""The product's category in Google's product taxonomy, from the words of its name, the shop's
breadcrumbs and category and the beginning of its description.

Every word list of :mod:`prodex.extract.words` (the page's language and English) and the
taxonomy's own English names are compiled once into an index of phrases (tuples of word stems).
A phrase found in the text votes for the categories it names, weighted by where it was found
(the name and the shop's last category count most), by its length (a longer phrase is more
specific) and by how many top-level categories share it. The top-level category with the most
votes wins, then its category with the most votes (the deeper on a tie).

Languages that write compound words (German, Dutch, Nordic...) also match a phrase of one word
at the end of a longer word ("Damenwinterjacke" ends with "jacke"); scripts without spaces
(CJK, Thai) match anywhere in the text.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TypeVar

from prodex.extract.process.availability import fold
from prodex.extract.process.patterns import by_first_character, is_spaced_script, may_hold_unspaced, words_in
from prodex.extract.process.taxonomy import Category, Taxonomy, taxonomy
from prodex.extract.words import COMPOUNDING, language_code, section, speaking

MIN_COMPOUND_HEAD = 4
MIN_COMPOUND_WORD = 7
COMPOUND_WEIGHT = 0.8
"""Only words this long are looked at as compounds ("Winterjacke", not "Jacke")."""
MAX_PHRASE_WORDS = 4
GENERIC_NAMES = frozenset(
    {
        "accessories",
        "accessory",
        "supplies",
        "parts",
        "part",
        "equipment",
        "kits",
        "kit",
        "sets",
        "set",
        "other",
        "general",
        "products",
        "items",
        "replacement parts",
        "holders",
        "stands",
        "mounts",
        "cases",
        "covers",
        "care",
        "cleaning",
    }
)
"""Taxonomy names too vague to vote on their own."""
_INDIC_MARKS = "".join(
    char for char in map(chr, range(0x0900, 0x0E00)) if unicodedata.category(char).startswith("M")
)
_WORD = re.compile(f"(?:[^\\W_]|[{_INDIC_MARKS}])+")
"""A word: letters and digits, and the vowel signs and viramas of the Indic scripts (Devanagari to
Sinhala: their combining marks), which Python counts as no word characters ("जूते" is one word,
not "ज" and "त"); their dandas, signs and punctuation end a word."""
TOKEN_LIMIT = 400


def stem(word: str) -> str:
    """A folded word without its plural ending ("watches" -> "watch", "jackets" -> "jacket")."""
    if not word.endswith("s"):
        return word  # (every plural ending below ends so: most words are done here)
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith(("ches", "shes", "xes", "sses")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


@lru_cache(maxsize=256)
def tokens(text: str) -> tuple[str, ...]:
    """The folded, stemmed words of a text (at most :data:`TOKEN_LIMIT`); a page's name and
    texts are read for several concepts (category, gender, age group, activity), so the last
    texts' words are kept."""
    return tuple([stem(w) for w in _WORD.findall(fold(text))[:TOKEN_LIMIT]])


K = TypeVar("K")
TAXONOMY_LANGUAGE = "en"
TAXONOMY_WORDS = "taxonomy-word"
TAXONOMY_WORD_WEIGHT = 0.25
"""A taxonomy name of one word ("Posts", "Chaises") is weak evidence: it is often another word."""
HEAD_INITIAL = frozenset(
    {
        "fr",
        "es",
        "it",
        "pt",
        "ro",
        "ca",
        "pl",
        "cs",
        "sk",
        "sl",
        "hr",
        "sr",
        "ru",
        "uk",
        "bg",
        "el",
        "tr",
        "he",
        "ar",
        "vi",
        "id",
        "th",
        "fa",
        "ms",
        "mk",
        "sw",
        "sq",
        "az",
        "uz",
    }
)
"""Languages that name the product first ("Chaussures de randonnée"); the others name it last
("Hiking shoes", "Wanderschuhe")."""
MIN_SCORE = 1.0
ENOUGH_SCORE = 4.0
"""Votes after which supporting evidence (the description) is not read."""
_NAME_PARTS = re.compile(r"\s+[-–—|/]\s+|[,(\[]")
LangIds = tuple[tuple[str, int], ...]
"""The categories a phrase names, per language of the word lists that list it: each set of
categories as its place in :attr:`Index.id_sets`."""


@dataclass
class Index:
    """Phrases (tuples of word stems) and unspaced-script words to the categories they name,
    per language."""

    phrases: dict[tuple[str, ...], LangIds]
    heads: dict[str, LangIds]
    """One-word phrases of compounding languages, matched at the end of a longer word."""
    unspaced: dict[str, LangIds]
    unspaced_words: dict[str, tuple[str, ...]]
    """The unspaced words by first character (:func:`prodex.extract.process.patterns.words_in`)."""
    longest: dict[str, int]
    """The most words of a phrase starting with each word (no entry: no phrase starts with it)."""
    id_sets: tuple[frozenset[int], ...]
    """The distinct sets of categories the entries name, each once: some 6,000 sets for 87,000
    entries. Entries of plain tuples of strings and numbers are left alone by the garbage
    collector, where a frozenset per entry kept a quarter of a million objects under its watch
    (a full collection took about 90 ms instead of a few)."""


def _taxonomy_phrases(tree: Taxonomy) -> dict[tuple[str, ...], set[int]]:
    """The English names of every category, split at ", " and " & " ("Pet Bowls, Feeders &
    Waterers" names "pet bowls", "feeders" and "waterers"); a one-word part before the last part
    also names what the last part's first word qualifies ("Jewelry & Beading Cord" names
    "jewelry cord" too, "Baby & Toddler Dresses" "baby dresses")."""
    out: dict[tuple[str, ...], set[int]] = defaultdict(set)
    for category in tree.categories:
        parts = [tuple(tokens(part)) for part in re.split(r",\s*|\s+&\s+", category.path[-1])]
        shared = parts[-1][1:]
        if shared:
            parts += [part + shared for part in parts[:-1] if len(part) == 1]
        for words in parts:
            if words and " ".join(words) not in GENERIC_NAMES and len(words) <= MAX_PHRASE_WORDS:
                out[words].add(category.id)
    return out


def _freeze(table: Mapping[K, dict[str, set[int]]], id_sets: dict[frozenset[int], int]) -> dict[K, LangIds]:
    """The index's build tables as immutable entries (per key, per language, the place of its
    categories in ``id_sets``, which gains the sets it lacks)."""
    return {
        key: tuple((lang, id_sets.setdefault(frozenset(ids), len(id_sets))) for lang, ids in by_lang.items())
        for key, by_lang in table.items()
    }


@lru_cache(maxsize=1)
def index() -> Index:
    """The phrase index of every language's words and the taxonomy's English names (built once)."""
    tree = taxonomy()
    phrases: dict[tuple[str, ...], dict[str, set[int]]] = defaultdict(lambda: defaultdict(set))
    heads: dict[str, dict[str, set[int]]] = defaultdict(lambda: defaultdict(set))
    unspaced: dict[str, dict[str, set[int]]] = defaultdict(lambda: defaultdict(set))
    for phrase, ids in _taxonomy_phrases(tree).items():
        phrases[phrase][TAXONOMY_LANGUAGE if len(phrase) > 1 else TAXONOMY_WORDS] |= ids
    for lang, vocabulary in section("category").items():
        for key, words in vocabulary.items():
            category_id = tree.resolve(key).id
            for word in words:
                if not is_spaced_script(word):
                    unspaced[word][lang].add(category_id)
                    continue
                phrase = tuple(tokens(word))
                if not phrase or len(phrase) > MAX_PHRASE_WORDS:
                    continue
                phrases[phrase][lang].add(category_id)
                if lang in COMPOUNDING and len(phrase) == 1 and len(phrase[0]) >= MIN_COMPOUND_HEAD:
                    heads[phrase[0]][lang].add(category_id)
    id_sets: dict[frozenset[int], int] = {}
    frozen_phrases = _freeze(phrases, id_sets)
    frozen_heads, frozen_unspaced = _freeze(heads, id_sets), _freeze(unspaced, id_sets)
    longest: dict[str, int] = {}
    for phrase in frozen_phrases:
        longest[phrase[0]] = max(longest.get(phrase[0], 0), len(phrase))
    return Index(
        frozen_phrases, frozen_heads, frozen_unspaced, by_first_character(unspaced), longest, tuple(id_sets)
    )


def _allowed(found: Index, entries: LangIds, languages: frozenset[str] | None) -> frozenset[int]:
    """The categories of the entries in the allowed languages (every language when ``None``;
    one-word taxonomy names only when nothing else names the phrase)."""
    if len(entries) == 1:
        lang, place = entries[0]
        allowed = lang == TAXONOMY_WORDS or languages is None or lang in languages
        return found.id_sets[place] if allowed else frozenset()
    out: frozenset[int] = frozenset()
    weak: frozenset[int] = frozenset()
    for lang, place in entries:
        if lang == TAXONOMY_WORDS:
            weak |= found.id_sets[place]
        elif languages is None or lang in languages:
            out |= found.id_sets[place]
    return out or weak


def _is_weak(entries: LangIds, languages: frozenset[str] | None) -> bool:
    return not any(lang != TAXONOMY_WORDS and (languages is None or lang in languages) for lang, _ in entries)


@dataclass(frozen=True)
class Evidence:
    """A text the category is read from, and how much a phrase found in it counts."""

    text: str
    weight: float
    is_name: bool = False
    """A product name: the words naming what it is weigh more where the language puts its head noun."""
    supporting: bool = False
    """Read only when the evidence before it says too little (a description's start, feature lines)."""


@lru_cache(maxsize=4096)
def _share(ids: frozenset[int]) -> float:
    """How much a phrase naming ``ids`` gives each of them: 1 for one category, less for a
    phrase shared by several categories and most for one shared by several top levels."""
    tree = taxonomy()
    tops = {tree.by_id[i].top for i in ids}
    share: float = 1.0 / len(tops) / math.sqrt(len(ids))
    return share


def _vote(votes: dict[int, float], ids: frozenset[int], weight: float) -> None:
    share = weight * _share(ids)
    for category_id in ids:
        votes[category_id] += share


def _phrase_at(
    found: Index, words: Sequence[str], start: int, languages: frozenset[str] | None
) -> tuple[frozenset[int], int, float]:
    """The categories of the longest phrase starting at ``words[start]``, its length and its
    weight (lower for a one-word taxonomy name)."""
    longest = found.longest.get(words[start], 0)
    for size in range(min(longest, len(words) - start), 0, -1):
        entries = found.phrases.get(tuple(words[start : start + size]))
        ids = _allowed(found, entries, languages) if entries else frozenset()
        if ids and entries:
            weight = TAXONOMY_WORD_WEIGHT if _is_weak(entries, languages) else 1 + 0.5 * (size - 1)
            return ids, size, weight
    return frozenset(), 0, 0.0


_NO_PHRASE: tuple[frozenset[int], int, float] = (frozenset(), 0, 0.0)


def _compound_head(found: Index, word: str, languages: frozenset[str] | None) -> frozenset[int]:
    """The categories of a one-word phrase that ends a compound word ("winterjacke" -> "jacke")."""
    for cut in range(1, len(word) - MIN_COMPOUND_HEAD + 1):
        entries = found.heads.get(word[cut:])
        ids = _allowed(found, entries, languages) if entries else frozenset()
        if ids:
            return ids
    return frozenset()


def _position_factor(start: int, count: int, head_initial: bool) -> float:
    """How much a phrase at ``start`` of ``count`` words says about what the product is: its
    head noun comes last in most languages, first in Romance and Slavic ones."""
    if count <= 1:
        return 1.0
    where = start / (count - 1)
    return 0.6 + 0.8 * ((1 - where) if head_initial else where)


FOR_ANIMALS_TOP = "Animals & Pet Supplies"
HEAD_PLACE = 1.4
"""The place factor of a name's head noun (see :func:`_position_factor`)."""


def _for_animals(ids: frozenset[int]) -> bool:
    """Whether a phrase names only pet categories ("per cani", "Hundefutter", "for cats"): a
    product for an animal is a pet supply whatever else its name says (a salmon flavour)."""
    tree = taxonomy()
    return all(tree.by_id[i].top == FOR_ANIMALS_TOP for i in ids)


def _matches(evidence: Evidence, languages: frozenset[str] | None) -> list[tuple[frozenset[int], float]]:
    """The phrases one text names: their categories and weights (the longest phrase at each
    place; a name's head noun weighs most; compound heads and unspaced-script words too)."""
    found = index()
    words = tokens(evidence.text)
    head_initial = languages is not None and bool(languages & HEAD_INITIAL)
    compounding = languages is None or bool(languages & COMPOUNDING)
    out: list[tuple[frozenset[int], float]] = []
    start = 0
    while start < len(words):
        word = words[start]
        if word in found.longest:  # (no phrase starts with most words)
            ids, size, weight = _phrase_at(found, words, start, languages)
        else:
            ids, size, weight = _NO_PHRASE
        if ids:
            place = _position_factor(start, len(words), head_initial) if evidence.is_name else 1.0
            if weight > TAXONOMY_WORD_WEIGHT and _for_animals(ids):  # "... crocchette per cani": who
                # it is for decides, wherever said (not a weak one-word taxonomy name: "Runs")
                place = max(place, HEAD_PLACE)
            out.append((ids, weight * place))
            start += size
            continue
        if compounding and len(word) >= MIN_COMPOUND_WORD:
            ids = _compound_head(found, word, languages)
            if ids:
                out.append((ids, COMPOUND_WEIGHT))
        start += 1
    if not evidence.text.isascii() and may_hold_unspaced(evidence.text):
        for word in words_in(fold(evidence.text), found.unspaced_words):
            ids = _allowed(found, found.unspaced[word], None)
            if ids:
                out.append((ids, 1 + 0.2 * min(len(word), 5)))
    return out


def _vote_text(votes: dict[int, float], evidence: Evidence, languages: frozenset[str] | None) -> None:
    """Add the votes of every phrase one text names."""
    matches = _matches(evidence, languages)
    if not matches:
        return
    for ids, weight in matches:
        _vote(votes, ids, evidence.weight * weight)


def page_languages(language: str | None) -> frozenset[str] | None:
    """The word lists a page's spaced words are read with: its language's and English; English
    alone for a language without a list (a word of another list may mean something else in it:
    "un" is flour in Turkish); every list when the page declares no language. Words of scripts
    without spaces are distinctive enough to be read in every list."""
    code = language_code(language)
    if not code:
        return None
    return (
        frozenset({code, TAXONOMY_LANGUAGE})
        if code in speaking("category")
        else frozenset({TAXONOMY_LANGUAGE})
    )


def name_evidence(name: str, weight: float) -> list[Evidence]:
    """A product name as evidence: its main part (before " - ", "|", a comma or a bracket) at full
    weight, the rest (a colour, a brand, a shop) at half."""
    parts = [part.strip() for part in _NAME_PARTS.split(name) if part and part.strip()]
    if not parts:
        return []
    return [Evidence(parts[0], weight, is_name=True)] + [Evidence(p, weight / 2) for p in parts[1:]]


def classify(evidence: list[Evidence], language: str | None = None) -> Category | None:
    """The taxonomy category the evidence supports best, or ``None`` when no phrase is found."""
    tree = taxonomy()
    allowed = page_languages(language)
    votes: dict[int, float] = defaultdict(float)
    for item in evidence:
        if item.text and (not item.supporting or sum(votes.values()) < ENOUGH_SCORE):
            _vote_text(votes, item, allowed)
    if not votes:
        return None
    by_top: dict[str, float] = defaultdict(float)
    for category_id, score in votes.items():
        by_top[tree.by_id[category_id].top] += score
    top = max(by_top, key=lambda name: by_top[name])
    if by_top[top] < MIN_SCORE:
        return None  # only weak hints (a one-word taxonomy name): better no category than a wrong one
    return max(
        (tree.by_id[i] for i in votes if tree.by_id[i].top == top),
        key=lambda c: (votes[c.id], len(c.path)),
    )
