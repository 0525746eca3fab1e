"""Selling points: the short feature lines a page shows for its product, cleaned and bounded.

Where a page has no bullet list in its markup, its description text often still has one: lines
that start with a bullet mark, or a run of short paragraphs (each an ``<li>`` or a one-claim
``<p>`` before the markup was flattened). When the page has none of these either, the
description's leading claim sentences stand in (the caller marks their source ``description``).
Lines that are shop policy, codes, prices or headings are never points.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from itertools import pairwise

from prodex.extract.process.availability import fold
from prodex.extract.process.patterns import is_spaced_script, trie_pattern, word_start_pattern
from prodex.extract.process.policy import MAX_POLICY_CHARS, POLICY_WORDS, is_price_promotion
from prodex.extract.process.text import SENTENCE_END, clean_line
from prodex.extract.words import all_words, words

MAX_POINTS = 10
MIN_POINTS = 3
"""Fewer lines than this in a run of short paragraphs is no list."""
MIN_POINT_CHARS = 12
MAX_POINT_CHARS = 400
MAX_RUN_LINE_CHARS = 170
"""A paragraph longer than this is prose, not a bullet."""
MAX_CLAIM_CHARS = 200
MIN_CLAIM_CHARS = 25
MAX_CLAIMS = 4
HEAD_PARAGRAPHS = 3
MAX_TEXT_CHARS = 6000
"""Bullets are looked for in a description's beginning (a list further down is rarely the key claims)."""
"""Leading claim sentences are taken from the description's first paragraphs only."""

_BULLET_MARK = re.compile(r"^\s*(?:[-–—•·●○◦▪▫■□◆◇►▶▸➤➔→✓✔✅☑★☆✨*+]|\d{1,2}[.)]\s)\s*")
_LONG_NUMBER = re.compile(r"\d{6,}|\d{2,}[.\-/]\d{3}[.\-/]\d{2,}")
"""An article number, EAN or phone number ("5018479061991", "804.023.81")."""
_NAMED_VALUE = re.compile(r"(?:[^\W\d_]|\))\s?[:：]\s*\S")
MAX_NAMED_VALUES = 3
"""A line naming more values than this ("Width: 82 cm Height: 42 cm Length: 102 cm Weight: 42 kg")
is a table's row flattened, no claim."""
_SEGMENT_SEPARATOR = re.compile(r"\s*(?:;|\s\|\s|\s•\s|\s·\s)\s*")
MAX_SEGMENT_CHARS = 90
MAX_HEADING_WORDS = 3
FOOTNOTE_MARKS = ("※", "†", "‡")
"""Marks a footnote begins with ("※食洗機に対応しているのは内ぶたのみです。"): a note, no claim."""
_PRICE = re.compile(
    r"\d[\d.,\s]*\s?(?:€|\$|£|¥|zł|kč|kr|lei|eur|usd|gbp|chf)|(?:€|\$|£|¥)\s?\d", re.IGNORECASE
)
_CODE_WORDS = frozenset(words("not_a_point", "code"))
_NOT_A_POINT_WORDS = (*(w for w in all_words("not_a_point") if w not in _CODE_WORDS), "rated ")
"""Words that make a line no point ("rated " with its space, which the word files would fold away)."""
_NOT_A_POINT = re.compile(word_start_pattern(_NOT_A_POINT_WORDS))
_NOT_A_POINT_NOR_POLICY = re.compile(word_start_pattern(_NOT_A_POINT_WORDS + POLICY_WORDS))
"""Those words and the shop's policy words (:func:`prodex.extract.process.policy.is_policy`) in
one search, for a line short enough to be policy (one search of both lists costs half of two)."""
_CODE_LABEL = re.compile(
    f"(?:{word_start_pattern(tuple(w for w in _CODE_WORDS if is_spaced_script(w)))})(?![^\\W\\d_])|"
    + word_start_pattern(tuple(w for w in _CODE_WORDS if not is_spaced_script(w)))
)
"""The label of a code ("SKU", "Art.-Nr.", "型番"), a whole word where words are spaced: "sku"
does not begin "skuteczność"."""
_POINT_HEADING = re.compile(trie_pattern(words("point_heading", "heading")))


_DIGIT = re.compile(r"\d")
"""A digit: the long-number and price patterns need one (one fast scan rules both out)."""


def is_point(line: str, folded: str | None = None) -> bool:
    """Whether a cleaned line can be a selling point: a claim of fitting length that is not shop
    policy, a footnote, a code, a price, a flattened table row or a heading; ``folded``: the
    line's :func:`fold`, where the caller has it."""
    if not MIN_POINT_CHARS <= len(line) <= MAX_POINT_CHARS or _is_shaped_as_no_point(line):
        return False
    if folded is None:
        folded = fold(line)
    if len(line) <= MAX_POLICY_CHARS:  # (a line this short may be policy)
        if _NOT_A_POINT_NOR_POLICY.search(folded) or is_price_promotion(line):
            return False
    elif _NOT_A_POINT.search(folded):
        return False
    if _CODE_LABEL.search(folded):
        return False
    return not (len(folded.split()) <= MAX_HEADING_WORDS and _POINT_HEADING.search(folded))


QUOTE_MARKS = "\"'‘“«„"
_ATTRIBUTED_QUOTE = re.compile(
    r"[\"'‘“«„](?:[^\"'‘’“”«»„]|(?<=\w)['’](?=\w)){8,}[\"'’”»][.,]?\s*[-–—]?\s*"
    r"[A-Z][\w.'&-]*+(?:\s+[A-Z][\w.'&-]*+){0,3}\s*"
)
"""A quotation followed by who said it ("'Tender, wise and quietly devastating' Sarah Winman",
"“A triumph” - The Guardian", "« Une écriture d'une justesse rare » – Le Devoir": an apostrophe
within a word does not end it): a press or review quote, not the shop's own claim."""


def _is_shaped_as_no_point(line: str) -> bool:
    """Whether a line's shape, whatever its words, says it is no point: a label (ending with a
    colon), a footnote, a long number or a price, a flattened table row, a single code."""
    if (
        line.endswith(":")
        or line.startswith(FOOTNOTE_MARKS)
        or (_DIGIT.search(line) and (_LONG_NUMBER.search(line) or _PRICE.search(line)))
    ):
        return True
    if (":" in line or "：" in line) and len(_NAMED_VALUE.findall(line)) > MAX_NAMED_VALUES:
        return True
    if line[0] in QUOTE_MARKS and _ATTRIBUTED_QUOTE.fullmatch(line):
        return True
    # one token with digits: a code ("DIV-MIL-3P-VS"), not a CJK sentence
    return " " not in line and any(ch.isdigit() for ch in line) and is_spaced_script(line)


def _is_name(folded_line: str, folded_name: str) -> bool:
    """Whether a line only repeats the product's name (perhaps with a colour or a size, or
    without the brand the shop writes around it)."""
    return bool(folded_name) and (
        folded_line == folded_name
        or (
            folded_line.startswith(folded_name[: max(12, len(folded_name) // 2)])
            and len(folded_line) <= len(folded_name) + 20
        )
        or (2 * len(folded_line) >= len(folded_name) and folded_line in folded_name)
    )


def clean_points(lines: Iterable[str], name: str = "") -> list[str]:
    """Points from candidate lines: bullet marks dropped, each once, policy, codes, headings and
    the product's name left out, at most :data:`MAX_POINTS` in page order."""
    points: list[str] = []
    seen: set[str] = set()
    folded_name = fold(name)
    for raw in lines:
        mark = _BULLET_MARK.match(raw)
        line = clean_line(raw[mark.end() :] if mark else raw)
        if not MIN_POINT_CHARS <= len(line) <= MAX_POINT_CHARS:
            continue  # no point (see is_point), not folded
        key = fold(line)
        if key in seen or not is_point(line, key) or _is_name(key, folded_name):
            continue
        seen.add(key)
        points.append(line)
        if len(points) >= MAX_POINTS:
            break
    return points


def _paragraphs(text: str) -> list[str]:
    """The text's lines (of its first :data:`MAX_TEXT_CHARS`); a line that goes on a sentence the
    previous one left open (no closing mark, starts in lower case) is joined to it (a ``<br>`` in
    the middle of a sentence)."""
    out: list[str] = []
    for part in text[:MAX_TEXT_CHARS].split("\n"):
        line = clean_line(part) if part else ""  # (the blank lines between paragraphs)
        if not line:
            continue
        if out and line[0].islower() and out[-1][-1:] not in ".!?:;。！？" and not _BULLET_MARK.match(line):
            out[-1] = f"{out[-1]} {line}"
        else:
            out.append(line)
    return out


def _segments(paragraphs: list[str]) -> list[str]:
    """A one-line summary of short claims separated by ";" or "|" ("Suitable for smartphones;
    Smartphone cradle; Max. height: 1.20 m")."""
    if len(paragraphs) != 1:
        return []
    parts = [part for part in _SEGMENT_SEPARATOR.split(paragraphs[0]) if part]
    if len(parts) < MIN_POINTS or any(len(part) > MAX_SEGMENT_CHARS for part in parts):
        return []
    return parts


def _marked_lines(paragraphs: list[str]) -> list[str]:
    """Lines written with a bullet mark ("- ", "• ", "✓ ")."""
    return [p for p in paragraphs if _BULLET_MARK.match(p) and not p[:2].strip().isdigit()]


def _is_short(paragraph: str) -> bool:
    return len(paragraph) <= MAX_RUN_LINE_CHARS and len(SENTENCE_END.findall(paragraph)) <= 1


TITLE_WORDS = 6
EXPLANATION_WORDS = 4
MAX_LABEL_WORDS = 3
MAX_LABEL_CHARS = 30
MIN_PAIRS = 2
"""Names above values two times in a row at least make a block of names and values."""
EXPLAINING_WORDS = 5
_LABEL_END = ".!?;,:：。！？"
_ALPHA_WORD = re.compile(r"[^\W\d_]{2,}")


def _is_label(line: str) -> bool:
    """Whether a line can name what follows: a few words of a spaced script, no digits, no
    sentence, not itself a name and value ("Frame Material", "Imperméabilité", "Squirrel Proof")."""
    return (
        0 < len(line) <= MAX_LABEL_CHARS
        and len(line.split()) <= MAX_LABEL_WORDS
        and not any(ch in _LABEL_END for ch in line)
        and not any(ch.isdigit() for ch in line)
        and is_spaced_script(line)
    )


def _explains(line: str) -> bool:
    """Whether a line says something of its own (a sentence about a feature), not a short value."""
    if is_spaced_script(line):
        return len(_ALPHA_WORD.findall(line)) >= EXPLAINING_WORDS
    return len(line) >= MIN_CLAIM_CHARS


def _pairs_from(lines: list[str], start: int) -> int:
    """How many names-above-values pairs run from ``lines[start]``."""
    pairs = 0
    index = start
    while index + 1 < len(lines) and _is_label(lines[index]):
        pairs += 1
        index += 2
    return pairs


def _named_values(pairs: list[str]) -> list[str]:
    """The points of a run of names above values: a title and its explanation as one line, a
    name and a short value (a specification row) none. A run whose values all read as names too
    is a list of short claims, kept as it is; a heading ("Description") is no title of its text."""
    values = pairs[1::2]
    if all(_is_label(value) for value in values):
        return pairs
    return [
        value if _POINT_HEADING.search(fold(name)) else f"{name}: {value}"
        for name, value in zip(pairs[::2], values, strict=True)
        if _explains(value)
    ]


def paired_lines(lines: list[str]) -> list[str]:
    """Lines of a block laid out as a name above each value (cells, ``<dt>``/``<dd>``, a feature's
    title above its text): two such pairs in a row at least are read as names and values
    (:func:`_named_values`); other lines are left as they are."""
    out: list[str] = []
    index = 0
    while index < len(lines):
        pairs = _pairs_from(lines, index)
        if pairs >= MIN_PAIRS:
            out.extend(_named_values(lines[index : index + 2 * pairs]))
            index += 2 * pairs
            continue
        out.append(lines[index])
        index += 1
    return out


def _runs(paragraphs: list[str]) -> list[str]:
    """The lines of runs of at least :data:`MIN_POINTS` short paragraphs (headings ending with
    ":" between them do not break a run)."""
    out: list[str] = []
    run: list[str] = []
    for paragraph in [*paragraphs, ""]:
        if paragraph.endswith(":") and len(paragraph) <= 60:
            continue  # "Watch features:" opens the next list
        if paragraph and _is_short(paragraph):
            run.append(paragraph)
            continue
        if len(run) >= MIN_POINTS and not _is_flattened_table(run):
            out.extend(paired_lines(run))
        run = []
    return out


#: A run of this many short paragraphs or more, most of them cells (a few words, a few
#: characters: a script without spaces writes a claim in one long "word"), is a table laid out
#: one cell under the other (group titles, names and values), not a list of claims.
FLAT_TABLE_LINES = 12
CELL_WORDS = 3
CELL_CHARS = 25


def _is_flattened_table(run: list[str]) -> bool:
    """Whether a run of short paragraphs reads as a flattened table (see :data:`FLAT_TABLE_LINES`)."""
    if len(run) < FLAT_TABLE_LINES:
        return False
    cells = sum(1 for line in run if len(line) <= CELL_CHARS and len(line.split()) <= CELL_WORDS)
    return 4 * cells >= 3 * len(run)


def points_in_text(text: str, name: str = "") -> list[str]:
    """The bullet lines of a description text: marked lines, else runs of short paragraphs, else
    a one-line list of claims separated by semicolons."""
    if not text:
        return []
    paragraphs = _paragraphs(text)
    marked = _marked_lines(paragraphs)
    if len(marked) >= MIN_POINTS:
        return clean_points(marked, name)
    return clean_points(_runs(paragraphs), name) or clean_points(_segments(paragraphs), name)


_TITLED = re.compile(r"^([^\W_][^:：\n]{1,50}?)\s*(?:[:：]|\s[-–—]\s)\s*(\S.*)$")


def is_titled_claim(line: str) -> bool:
    """Whether a line is a feature with a short title and a sentence about it ("Two-Way Audio:
    enables communication through a built-in microphone", "No Hub Required - works with any
    router"): the form of feature bullets, not of a specification row ("Material: Cotton")."""
    match = _TITLED.match(line)
    return bool(
        match
        and len(match.group(1).split()) <= TITLE_WORDS
        and len(match.group(2).split()) >= EXPLANATION_WORDS
    )


MIN_STEM_WORD = 4
STEM_CHARS = 5
SHINGLE_CHARS = 2
MIN_SHARED_SHINGLES = 2
MAX_SHINGLED_CHARS = 400
_WORD = re.compile(r"[^\W\d_]+")


def word_stems(text: str) -> set[str]:
    """The word stems of a text (the first :data:`STEM_CHARS` letters of its words of
    :data:`MIN_STEM_WORD` letters or more); for a script written without spaces (a Chinese, Thai
    or Korean run is one "word"), its two-character shingles, Hangul as whole syllables."""
    stems: set[str] = set()
    for word in _WORD.findall(fold(text)):
        if not is_spaced_script(word):
            run = unicodedata.normalize("NFC", word[:MAX_SHINGLED_CHARS])  # jamo back to syllables
            stems.update(run[at : at + SHINGLE_CHARS] for at in range(len(run) - 1))
        elif len(word) >= MIN_STEM_WORD:
            stems.add(word[:STEM_CHARS])
    return stems


MAX_FEATURE_TITLE_CHARS = 60
MAX_FEATURE_TITLE_WORDS = 8
MIN_FEATURE_TEXT_CHARS = 80
_SENTENCE_MARKS = ".!?。！？"
_TITLE_END = f"{_SENTENCE_MARKS};:："
_SECTION_NAME = re.compile(
    trie_pattern(
        words("description_heading", "description")
        + words("description_heading", "other")
        + words("highlight_heading", "highlights")
        + words("highlight_heading", "contents")
    )
)
"""A section's name ("Description", "Reviews", "Key features", "In the box"), folded."""


def _is_feature_title(line: str, following: str) -> bool:
    """Whether a paragraph titles the feature the one after it explains: a few words with no
    sentence's end, no section's name ("About the author"), above a paragraph of sentences that
    takes up one of its words ("Obstacle avoidance" over "Multi-sensors detect obstacles ...")."""
    return (
        0 < len(line) <= MAX_FEATURE_TITLE_CHARS
        and len(line.split()) <= MAX_FEATURE_TITLE_WORDS
        and line[-1] not in _TITLE_END
        and len(following) >= MIN_FEATURE_TEXT_CHARS
        and (following[-1] in _SENTENCE_MARKS or SENTENCE_END.search(following) is not None)
        and _SECTION_NAME.search(fold(line)) is None
        and bool(word_stems(line) & word_stems(following))
    )


def feature_titles(text: str, name: str = "") -> list[str]:
    """The titles of a description written as features, each a short title over a paragraph
    about it (three such titles at least, else none): the claims the page puts first."""
    paragraphs = _paragraphs(text)
    titles = [line for line, following in pairwise(paragraphs) if _is_feature_title(line, following)]
    points = clean_points(titles, name)
    return points if len(points) >= MIN_POINTS else []


def claim_sentences(text: str, name: str = "") -> list[str]:
    """The description's leading claim sentences (statements of fitting length, no questions)."""
    claims: list[str] = []
    folded_name = fold(name)
    for paragraph in _paragraphs(text)[:HEAD_PARAGRAPHS]:
        after_question = False
        for sentence in SENTENCE_END.split(paragraph):
            line = sentence.strip()
            answer, after_question = after_question, line.endswith("?")
            if not MIN_CLAIM_CHARS <= len(line) <= MAX_CLAIM_CHARS or after_question or answer:
                continue  # a question, or the answer to one, is no claim
            folded = fold(line)
            if is_point(line, folded) and not _is_name(folded, folded_name):
                claims.append(line)
            if len(claims) >= MAX_CLAIMS:
                return claims
    return claims
