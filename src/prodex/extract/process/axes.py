"""Variant axes: the words shops use for an option dimension ("Size", "Größe", "Taille", "サイズ"),
mapped to one English axis name (``color``, ``size``, ``style``, ``material``, ``capacity``,
``flavor``, ``pattern``, ``length``, ``width``, ``quantity``, ``model``, ``other``).

The multilingual axis words live in words/<lang>.toml (``[variant_axis]``, ``[variant_prompt]``);
this module compiles them, and every reader (schema.org, platforms, site modules, DOM selectors)
names an axis with :func:`axis_of`.
"""

from __future__ import annotations

import re
import unicodedata

from prodex.extract.process.patterns import trie_pattern
from prodex.extract.words import COMPOUNDING, VARIANT_AXIS, section, words

OTHER = "other"
AXES: dict[str, tuple[str, ...]] = {axis: words("variant_axis", axis) for axis in VARIANT_AXIS}
"""The English axis names to the labels that name them in every language (words/<lang>.toml,
``[variant_axis]``)."""
_WORD_TO_AXIS = {label: axis for axis, labels in AXES.items() for label in labels}
SIZE = "size"
_WEIGHT_LABELS = frozenset(words("variant_selector", "weight"))
"""Labels of a weight option (words/<lang>.toml, ``[variant_selector]``), the size axis when shown."""
PROMPT = (
    rf"(?:(?>(?:{trie_pattern(words('variant_prompt', 'choose'))})\s+"
    rf"(?:(?:{trie_pattern(words('variant_prompt', 'article'))})\s+)?))*"
)
"""The prompt words before an axis or format label, an article only after a verb ("choisissez le
format", "Elige el formato"; "Le Style Parisien" is a name). Each word and its article are taken
atomically: a word that is both a prompt and an article ("la") gives one way to read a run of
them, not exponentially many."""
_AXIS_WORDS = re.compile(
    rf"^{PROMPT}"
    rf"({trie_pattern(sorted(_WORD_TO_AXIS, key=len, reverse=True))})"
    rf"(?![^\W\d_])",
    re.IGNORECASE,
)
MIN_COMPOUND_AXIS = 4
_COMPOUND_HEADS = sorted(
    {
        word
        for lang, vocabulary in section("variant_axis").items()
        if lang in COMPOUNDING
        for words_of_axis in vocabulary.values()
        for word in words_of_axis
        if len(word) >= MIN_COMPOUND_AXIS and " " not in word
    }
)
_COMPOUND_END = re.compile(rf"[^\W\d_]{{5,}}({trie_pattern(_COMPOUND_HEADS)})", re.IGNORECASE)
"""A one-word label that ends with an axis word of a compounding language ("Packungsgröße",
"Pakkauskoko", "Rahmenfarbe": five letters at least before it, not "Automaat"; not "purchaseType",
a form field's English name)."""
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af"
"""Kana, CJK ideographs and Hangul: scripts that write a compound without a space."""
_CJK_HEADS = sorted(
    {word for words_of_axis in AXES.values() for word in words_of_axis if re.fullmatch(f"[{_CJK}]+", word)}
)
_KANA = "\u3040-\u30ff"
_CJK_COMPOUND_END = re.compile(
    rf"[{_CJK}]{{1,6}}({trie_pattern([head for head in _CJK_HEADS if len(head) > 1])})"
    rf"|[{_CJK}]{{0,5}}[{_KANA}]({trie_pattern([head for head in _CJK_HEADS if len(head) == 1])})"
)
"""A label in kana, ideographs or Hangul that ends with an axis word of those scripts ("本体カラー":
the body's colour; "替芯サイズ"); a one-character axis word only after kana ("インク色", the ink's
colour), as ideograph compounds ending with one are everyday words (特色 a feature, 趣味 a hobby,
手柄 a handle)."""
_SCHEMA_PROPERTIES = {
    "color": "color",
    "size": "size",
    "material": "material",
    "pattern": "pattern",
    "suggestedage": OTHER,
    "suggestedgender": OTHER,
}


def fold_label(text: str) -> str:
    """A label as compared with the vocabulary: NFKC, lower case, whitespace folded, trailing
    colon, asterisk and selected value ("Color: Black") dropped."""
    text = unicodedata.normalize("NFKC", text).strip().lower()
    text = re.sub(r"\s+", " ", text)
    return text.split(":", 1)[0].split("：", 1)[0].strip(" *")


def axis_of(label: str | None) -> str | None:
    """The English axis a label names ("Größe wählen" -> ``size``, "Colour: Black" -> ``color``),
    or ``None`` when the label names none of the known axes."""
    if not label:
        return None
    folded = fold_label(label)
    if not folded or len(folded) > 40:
        return None
    axis = _WORD_TO_AXIS.get(folded)
    if axis is not None:
        return axis
    match = _AXIS_WORDS.match(folded)
    if match:
        return _WORD_TO_AXIS.get(match.group(1).lower())
    if " " in folded:
        return None
    compound = _COMPOUND_END.fullmatch(folded) or _CJK_COMPOUND_END.fullmatch(folded)
    if compound is None:
        return None
    head = next(group for group in compound.groups() if group)  # (one of the alternatives' heads)
    return _WORD_TO_AXIS.get(head.lower())


def without_axis_words(name: str) -> str:
    """An option's accessible name without the prompt and axis word it begins with ("Seleziona
    Colore Blu navy" -> "Blu navy", "Colour: Navy" -> "Navy"). Only a prompt before the axis word or
    a colon after it says the words are a label: "Cor-de-rosa" and "Pack of 6" are names. A name
    that is nothing more is kept."""
    stripped = name.strip()
    match = _AXIS_WORDS.match(stripped)
    if match is None:
        return name
    rest = stripped[match.end() :]
    if not (match.start(1) > 0 or rest.lstrip().startswith((":", "："))):
        return name
    return rest.strip(" :：-–") or name


WEIGHT = "weight"
"""What :func:`shown_axis_of` says of a weight's label: the size axis when the options are weights
(see :func:`settled_axis`), none otherwise ("Net weight: 500 g" above a row of buttons)."""
_WEIGHT_VALUE = re.compile(
    r"\d\s*(?:mg|g|gr|grs|kg|kgs|lb|lbs|oz|г|кг|克|公斤|그램|킬로그램)(?![^\W\d_])", re.IGNORECASE
)


def shown_axis_of(label: str | None) -> str | None:
    """The axis a label the shopper sees names: as :func:`axis_of`, and :data:`WEIGHT` for a
    weight's label ("Peso", "Gewicht"). Only for labels shown: a JSON key ``weight`` is a
    variant's shipping weight."""
    axis = axis_of(label)
    if axis is None and label and fold_label(label) in _WEIGHT_LABELS:
        return WEIGHT
    return axis


FORMAT = "format"
"""What a format switch's label names ("Formát", "Formato"): the size when every option is a
weight (Italian shops' "Formato 2 kg / 7 kg"), else the ``other`` axis (a book's paper, e-book
and audio versions; volumes are then a capacity, as for any other option field); see
:func:`settled_axis`."""


def settled_axis(axis: str | None, values: list[str]) -> str | None:
    """The axis of a selector's options: a weight's label names the size when every option is a
    weight (bags of 1 kg and 3 kg are sizes), else no axis; a format's names the size likewise,
    else ``other``; any other axis (or none) stands."""
    if axis not in (WEIGHT, FORMAT):
        return axis
    if values and all(_WEIGHT_VALUE.search(value) for value in values):
        return SIZE
    return None if axis == WEIGHT else OTHER


def axis_of_property(name: str) -> str:
    """The axis of a schema.org property or ``variesBy`` value (``https://schema.org/color`` ->
    ``color``; an unknown one is looked up as a label, else ``other``)."""
    key = name.rstrip("/").rsplit("/", 1)[-1].rsplit(":", 1)[-1].strip()
    return _SCHEMA_PROPERTIES.get(key.lower()) or axis_of(key) or OTHER


_FORMAT_LABELS = frozenset(words("variant_selector", "format"))
"""Labels of a format switch (words/<lang>.toml, ``[variant_selector]``): see :data:`FORMAT`."""
_LINE_LABELS = sorted({*_WORD_TO_AXIS, *_WEIGHT_LABELS, *_FORMAT_LABELS}, key=len, reverse=True)
_AXIS_LINE = re.compile(rf"\n[ \t]*{PROMPT}(?:{trie_pattern(_LINE_LABELS)})[ \t]*(?:[:：*]|\n)")
"""A line that is an axis label, after a prompt or not; it begins with a literal newline, which
the regular expression engine finds fast (a ``^`` with MULTILINE is tried at every position)."""


def has_axis_line(lowered: str) -> bool:
    """Whether a line of ``lowered`` (lower-case text, one element per line) is an axis label
    ("size", "farbe: schwarz"): the page shows a labelled selector of buttons or swatches."""
    return _AXIS_LINE.search(lowered) is not None
