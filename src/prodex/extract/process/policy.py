"""Shop policy in product text: paragraphs about shipping, returns, payment, ordering, logging
in, colour disclaimers, price promotions and mandatory legal notices are the shop's, not the
product's; they are taken out of descriptions and never become selling points."""

from __future__ import annotations

import re

from prodex.extract.process.availability import fold
from prodex.extract.process.patterns import word_start_pattern
from prodex.extract.words import all_words

MAX_POLICY_CHARS = 300
"""A longer paragraph is about the product even when it mentions delivery in passing."""

POLICY_WORDS = all_words("policy")
"""The shop's policy words, matched where a word of the folded text starts."""
_POLICY = re.compile(word_start_pattern(POLICY_WORDS))
_PRICE_PROMOTION = re.compile(r"(?i)\b(?:save|spare|sparen|economisez|ahorra|risparmia)\s+\d+\s?%")


def is_policy(paragraph: str) -> bool:
    """Whether a (short) paragraph is shop policy rather than the product's own text."""
    if len(paragraph) > MAX_POLICY_CHARS:
        return False
    return bool(_POLICY.search(fold(paragraph)) or is_price_promotion(paragraph))


def is_price_promotion(paragraph: str) -> bool:
    """Whether a paragraph promotes a saving ("Save 20%")."""
    return "%" in paragraph and _PRICE_PROMOTION.search(paragraph) is not None


def without_policy(text: str) -> str:
    """A description without its shop-policy paragraphs (the text itself when all would go)."""
    paragraphs = text.split("\n\n")
    kept = [p for p in paragraphs if not is_policy(p)]
    return "\n\n".join(kept) if kept and len(kept) < len(paragraphs) else text
