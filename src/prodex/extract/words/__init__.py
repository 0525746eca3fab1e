"""Words as data: one TOML file per language (``en.toml``, ``de.toml``...), each keyed by
concept, read and normalised once.

Sections (a file has those its language needs):
- ``[category]``: a category of Google's product taxonomy, named by the end of its path, to the
  words that name such products (``"Outerwear > Coats & Jackets" = ["jacket", "parka"]``);
- ``[gender]``: ``female``, ``male``, ``unisex`` to words saying who a product is made for;
- ``[age_group]``: ``newborn``, ``infant``, ``toddler``, ``kids``, ``adult`` likewise;
- ``[activity]``: an activity a product is made for (``running``, ``hiking``... see
  :data:`ACTIVITIES`) to the words that name it in a product's name ("Laufschuhe",
  "randonnée"), for the audience a marketer would name ("Runners", "Hikers");
- ``[labels]``: the labels a shop writes before a value (``sku``: "Art.-Nr.", ``mpn``: "Model
  number", ``brand``: "Marke", ``maker``: "Hersteller", ``gtin``: "EAN", ``availability``:
  "Verfügbarkeit") and the words of a buy button (``buy``: "Warenkorb");
- ``[stock]``: phrases saying a product is ``out_of_stock``, ``in_stock``, on ``preorder`` or
  ``backorder``;
- ``[negation]``: words negating the stock word after them (``word``: "nicht") and words that
  may stand between (``filler``: "mehr");
- ``[negating_prefix]``: prefixes written with the stock word (``prefix``: "un") and single
  characters written right before it in scripts without spaces (``character``: "无");
- ``[price_label]``: words beside a reference price: a ``list`` price ("UVP", "statt"), the
  ``lowest`` price of the last ``days`` ("niedrigster Preis der letzten 30 Tage"), an instalment
  ``per_month`` ("/ Monat");
- ``[price_note]``: words beside an amount that is not the price: a ``saving``, a ``coupon``,
  ``shipping``, an ``instalment``, loyalty ``points``;
- ``[description_heading]``: words of a heading over the ``description``, or over an ``other``
  section (shipping, reviews, sizes...); ``[point_heading]``: a ``heading`` over selling points;
- ``[not_a_point]``: words that make a line no selling point (``service``, ``review``, ``box``,
  ``stock``, ``code``, and ``control``: the text of a page control, "Read more", "Ver toda la
  descripción", also taken out of descriptions when a paragraph says nothing else);
  ``[policy]``: the shop's policy phrases (``shipping``, ``returns``, ``ordering``,
  ``disclaimer``);
- ``[variant_axis]``: the labels of an option a shopper chooses, by the English axis they name
  (``size``: "Größe", "Taille"); ``[variant_prompt]``: words before one (``choose``: "wählen");
- ``[breadcrumb]``: the ``home`` crumb ("Startseite"); ``[name_noise]``: interface text around a
  product name (``original_title``, ``sign_in``, with ``or`` between two sign-in words);
- ``[highlight_heading]``: words of a heading over the product's ``highlights`` ("Key features",
  "Produktvorteile"), over its ``features`` or its specifications alike ("Caratteristiche": only
  its bullet lists are points), or over a package's ``contents`` ("In the box"), whose list is no
  selling points;
- ``[specification]``: a ``heading`` over the specifications ("Technische Daten") and the
  ``policy`` words of the shop's tables ("Versand", "Zahlung"), which are no specifications;
- ``[variant_selector]``: words a ``placeholder`` option begins with ("Bitte wählen"), a
  ``sold_out`` note after an option ("M - ausverkauft"), the name of a ``quantity`` field ("qty"),
  the label of a ``format`` switch (a book's "Formát": paper, e-book, audio, an ``other`` axis);
- ``[rating]``: a word before an average (``rated``: "Bewertung"), after one (``star``: "Sterne";
  ``star_stem``: "gwiazd", any ending), before its scale (``out_of``: "von"); ``[review_count]``:
  words beside a count of reviews (``review``: "Bewertungen", "avis").

Words are normalised when loaded as their matcher reads the page (:data:`NORMALISE`): the
labels, price labels, specification, variant-selector, rating, review-count, breadcrumb and
name-noise words lower-cased (matched ignoring case in the page's own text), the option labels
NFKC and lower-cased (as :func:`prodex.extract.process.axes.fold_label` reads them), every other
section folded (lower case, no accents, whitespace folded; see
:func:`prodex.extract.process.text.fold`). Adding a language is one file;
``tests/extract/test_extract_words.py`` checks every file's keys and that no word is listed
twice in a section.
"""

from __future__ import annotations

import tomllib
import unicodedata
from collections.abc import Callable
from functools import cache, lru_cache
from importlib import resources

from prodex.extract.process.text import fold

GENDERS = ("female", "male", "unisex")
AGE_GROUPS = ("newborn", "infant", "toddler", "kids", "adult")
ACTIVITIES = (
    "running", "hiking", "camping", "cycling", "swimming", "yoga", "fitness", "football", "tennis",
    "golf", "skiing", "fishing", "climbing", "surfing", "diving", "gaming", "baking", "gardening",
    "travel", "school", "party",
)  # fmt: skip
LABELS = ("sku", "mpn", "brand", "maker", "gtin", "availability", "buy")
STOCK = ("out_of_stock", "in_stock", "preorder", "backorder")
NEGATION = ("word", "filler")
NEGATING_PREFIX = ("prefix", "character")
PRICE_LABEL = ("list", "lowest", "days", "per_month")
PRICE_NOTE = ("saving", "coupon", "shipping", "instalment", "points")
DESCRIPTION_HEADING = ("description", "other")
POINT_HEADING = ("heading",)
NOT_A_POINT = ("service", "review", "box", "stock", "code", "control")
POLICY = ("shipping", "returns", "ordering", "disclaimer")
VARIANT_AXIS = (
    "color", "size", "style", "material", "capacity", "flavor", "pattern", "length", "width", "quantity",
    "model",
)  # fmt: skip
VARIANT_PROMPT = ("choose", "article")
BREADCRUMB = ("home",)
NAME_NOISE = ("original_title", "sign_in", "or")
HIGHLIGHT_HEADING = ("highlights", "features", "contents")
SPECIFICATION = ("heading", "policy")
VARIANT_SELECTOR = ("placeholder", "sold_out", "quantity", "option", "weight", "format")
RATING = ("rated", "star", "star_stem", "out_of")
REVIEW_COUNT = ("review",)
DURATION = ("before", "age_after", "warranty")
AUDIENCE_LABEL = ("gender",)
FALSE_FRIEND = ("english",)
KEYS: dict[str, tuple[str, ...] | None] = {
    "category": None,  # the taxonomy's categories (checked against it by the words test)
    "gender": GENDERS,
    "age_group": AGE_GROUPS,
    "activity": ACTIVITIES,
    "labels": LABELS,
    "stock": STOCK,
    "negation": NEGATION,
    "negating_prefix": NEGATING_PREFIX,
    "price_label": PRICE_LABEL,
    "price_note": PRICE_NOTE,
    "description_heading": DESCRIPTION_HEADING,
    "point_heading": POINT_HEADING,
    "not_a_point": NOT_A_POINT,
    "policy": POLICY,
    "variant_axis": VARIANT_AXIS,
    "variant_prompt": VARIANT_PROMPT,
    "breadcrumb": BREADCRUMB,
    "name_noise": NAME_NOISE,
    "highlight_heading": HIGHLIGHT_HEADING,
    "specification": SPECIFICATION,
    "variant_selector": VARIANT_SELECTOR,
    "rating": RATING,
    "review_count": REVIEW_COUNT,
    "duration": DURATION,
    "audience_label": AUDIENCE_LABEL,
    "false_friend": FALSE_FRIEND,
}
"""Every section and its keys."""
SECTIONS = tuple(KEYS)


def _lower(word: str) -> str:
    """A label as its matchers read it: lower case, whitespace folded (accents kept)."""
    return " ".join(word.lower().split())


def _option_label(word: str) -> str:
    """An option label as :func:`prodex.extract.process.axes.fold_label` reads one: NFKC, lower
    case, whitespace folded."""
    return _lower(unicodedata.normalize("NFKC", word))


NORMALISE: dict[str, Callable[[str], str]] = {
    "labels": _lower,
    "price_label": _lower,
    "variant_axis": _option_label,
    "variant_prompt": _option_label,
    "breadcrumb": _lower,
    "name_noise": _lower,
    "specification": _lower,
    "variant_selector": _lower,
    "rating": _lower,
    "review_count": _lower,
}
"""How a section's words are normalised when loaded (:func:`fold` unless given here)."""

Vocabulary = dict[str, tuple[str, ...]]
"""A section of one language: concept key to normalised words."""


@lru_cache(maxsize=1)
def languages() -> dict[str, dict[str, Vocabulary]]:
    """Every language file: language code to the sections it has, concept to normalised words."""
    out: dict[str, dict[str, Vocabulary]] = {}
    folder = resources.files("prodex.extract").joinpath("words")
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".toml"):
            continue
        data = tomllib.loads(entry.read_text(encoding="utf-8"))
        out[entry.name.removesuffix(".toml")] = {
            name: _normalised(data[name], NORMALISE.get(name, fold)) for name in SECTIONS if name in data
        }
    return out


def _normalised(table: dict[str, list[str]], normalise: Callable[[str], str]) -> Vocabulary:
    """A section's words normalised, blanks left out, each once per key (in the file's order)."""
    return {
        str(key): tuple(dict.fromkeys(normalise(str(word)) for word in words if str(word).strip()))
        for key, words in table.items()
    }


@cache
def speaking(name: str) -> frozenset[str]:
    """The codes of the languages whose file has section ``name``."""
    return frozenset(lang for lang, data in languages().items() if name in data)


COMPOUNDING = frozenset({"de", "nl", "sv", "da", "no", "fi", "is", "hu", "et"})
"""Languages that write a compound as one word ("Winterjacke", "Pakkauskoko"): a word list's
word may end a longer word."""

LANGUAGE_ALIASES = {"nb": "no", "nn": "no", "iw": "he"}
"""Language codes that pages declare for a language whose word file has another name (Norwegian
Bokmål and Nynorsk are ``no.toml``; ``iw`` is Hebrew's old code)."""


def language_code(language: str | None) -> str:
    """The word-file code of a page's declared language (``"nb-NO"`` -> ``"no"``; ``""`` for none)."""
    code = (language or "").split("-")[0].lower()
    return LANGUAGE_ALIASES.get(code, code)


def section(name: str, language: str | None = None) -> dict[str, Vocabulary]:
    """One section of every language that has it, or of ``language`` and English when it is given
    and its file has the section."""
    files = languages()
    if language is not None:
        code = language_code(language)
        if name in files.get(code, {}):
            return {lang: files[lang][name] for lang in ("en", code) if name in files.get(lang, {})}
    return {lang: data[name] for lang, data in files.items() if name in data}


def english_false_friends(language: str | None) -> frozenset[str]:
    """The words of ``language`` that English word lists must not match on its pages (its
    ``[false_friend]`` section: Turkish "boy" is a length, not a boy), folded."""
    code = language_code(language) if language else ""
    return frozenset(languages().get(code, {}).get("false_friend", {}).get("english", ()))


def all_words(name: str) -> tuple[str, ...]:
    """The words of every concept of section ``name`` in every language, each once (keys in
    :data:`KEYS` order)."""
    keys = KEYS[name] or ()
    return tuple(dict.fromkeys(word for key in keys for word in words(name, key)))


def words(name: str, key: str) -> tuple[str, ...]:
    """The words of concept ``key`` of section ``name`` in every language, each once (languages
    in file-name order): the vocabulary a matcher that does not know the page's language uses."""
    return tuple(
        dict.fromkeys(word for vocabulary in section(name).values() for word in vocabulary.get(key, ()))
    )
