"""Availability: schema.org values and shop phrases in many languages to ItemAvailability names."""

from __future__ import annotations

import re

from prodex.extract.process.patterns import trie_pattern
from prodex.extract.process.text import clean_line
from prodex.extract.process.text import fold as fold  # (re-exported: its long-standing home)
from prodex.extract.words import words

SCHEMA_NAMES = {
    name.lower(): name
    for name in (
        "InStock",
        "OutOfStock",
        "PreOrder",
        "PreSale",
        "BackOrder",
        "LimitedAvailability",
        "Discontinued",
        "SoldOut",
        "InStoreOnly",
        "OnlineOnly",
        "MadeToOrder",
        "Reserved",
    )
}
SCHEMA_ALIASES = {
    "in_stock": "InStock",
    "instock": "InStock",
    "in stock": "InStock",
    "available": "InStock",
    "true": "InStock",
    "1": "InStock",
    "yes": "InStock",
    "out_of_stock": "OutOfStock",
    "outofstock": "OutOfStock",
    "out of stock": "OutOfStock",
    "oos": "OutOfStock",
    "unavailable": "OutOfStock",
    "not_available": "OutOfStock",
    "false": "OutOfStock",
    "0": "OutOfStock",
    "no": "OutOfStock",
    "sold_out": "OutOfStock",
    "preorder": "PreOrder",
    "pre-order": "PreOrder",
    "pre_order": "PreOrder",
    "backorder": "BackOrder",
    "back_order": "BackOrder",
    "available for order": "BackOrder",
    "discontinued": "Discontinued",
    "limited": "LimitedAvailability",
}

# Phrases shops print, folded (words/<language>.toml, [stock]); out-of-stock phrases are checked first.
OUT_OF_STOCK_PHRASES = words("stock", "out_of_stock")
PREORDER_PHRASES = words("stock", "preorder")
BACKORDER_PHRASES = words("stock", "backorder")
IN_STOCK_PHRASES = words("stock", "in_stock")


def normalise_availability(value: object) -> str | None:
    """A schema.org availability value (URL, name or common alias) as its name, else ``None``."""
    if isinstance(value, bool):
        return "InStock" if value else "OutOfStock"
    text = clean_line(value)
    if not text or len(text) > 200:
        return None
    tail = text.rstrip("/").rsplit("/", 1)[-1].strip()
    key = tail.lower()
    if key in ("soldout", "sold_out", "sold out"):
        return "OutOfStock"  # schema.org's SoldOut says the same to a shopper
    if key in SCHEMA_NAMES:
        return SCHEMA_NAMES[key]
    if key in SCHEMA_ALIASES:
        return SCHEMA_ALIASES[key]
    return availability_from_phrase(text)


NEGATIONS = frozenset(words("negation", "word"))
"""Words that negate the availability word after them ("nicht verfügbar", "no disponible",
"plus disponible", "niet beschikbaar", "не в наличии", ...)."""
NEGATION_FILLERS = frozenset(words("negation", "filler"))
"""Words that may stand between a negation and the availability word ("nicht *mehr* verfügbar",
"no *longer* available", "non è *più* disponibile")."""
NEGATING_PREFIXES = frozenset(words("negating_prefix", "prefix"))
"""Prefixes that negate an availability word written as one word ("unavailable",
"indisponible", "niedostępny", "nedostupné")."""
_CJK_NEGATIONS = frozenset(words("negating_prefix", "character"))
MAX_NEGATION_DISTANCE = 4
_IN_STOCK = re.compile(trie_pattern(IN_STOCK_PHRASES))
_ATTACHED_PREFIX = re.compile(r"[^\W\d_]+$")
_CLAUSE_BREAK = re.compile(r"[.;:!?|,()\[\]\n•·]")
_WORD_EDGES = "-–—\"'«»„“”‚‘’*"


def _is_negated(folded: str, start: int) -> bool:
    """Whether the availability word that starts at ``folded[start]`` is negated: by a prefix
    written with it ("unavailable", "niedostepny", CJK 无/沒), or by a negation among the few
    words before it in the same clause, with only fillers between ("nicht mehr verfugbar")."""
    before = folded[max(0, start - 80) : start]
    attached = _ATTACHED_PREFIX.search(before)
    if attached:
        prefix = attached.group(0)
        return prefix in NEGATING_PREFIXES or prefix[-1] in _CJK_NEGATIONS
    breaks = list(_CLAUSE_BREAK.finditer(before))
    clause = before[breaks[-1].end() :] if breaks else before
    for word in reversed(clause.split()[-MAX_NEGATION_DISTANCE:]):
        word = word.strip(_WORD_EDGES)
        if word in NEGATIONS or word.endswith(("n't", "n’t")) or word.startswith(("n'", "n’")):
            return True
        if word not in NEGATION_FILLERS:
            return False
    return False


def availability_from_phrase(text: str) -> str | None:
    """Availability read from a shop's phrase in one of many languages, else ``None``.

    Out-of-stock phrases win, then an in-stock word that is negated ("nicht mehr verfügbar",
    "plus disponible", "niet beschikbaar": see :func:`_is_negated`), then pre-order, back-order
    and in-stock phrases.
    """
    folded = fold(text)[:400]
    if not folded:
        return None
    for phrase in OUT_OF_STOCK_PHRASES:
        if phrase in folded:
            if phrase == "unavailable" and "not unavailable" in folded:
                continue
            return "OutOfStock"
    in_stock = list(_IN_STOCK.finditer(folded))
    if any(_is_negated(folded, match.start()) for match in in_stock):
        return "OutOfStock"
    for phrase in PREORDER_PHRASES:
        if phrase in folded:
            return "PreOrder"
    for phrase in BACKORDER_PHRASES:
        if phrase in folded:
            return "BackOrder"
    return "InStock" if in_stock else None
