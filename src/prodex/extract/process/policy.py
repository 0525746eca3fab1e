"""Shop policy in product text: paragraphs about shipping, returns, payment, ordering, logging
in, colour disclaimers, price promotions and mandatory legal notices are the shop's, not the
product's; they are taken out of descriptions (a longer paragraph loses only its sentences of
policy) and never become selling points. So is a paragraph that is only a page control's text
("Read more", "Ver toda la descripción")."""

from __future__ import annotations

import re

from prodex.extract.process.availability import fold
from prodex.extract.process.patterns import word_start_pattern
from prodex.extract.process.text import SENTENCE_END
from prodex.extract.words import all_words, words

MAX_POLICY_CHARS = 300
"""A longer paragraph is about the product even when it mentions delivery in passing: only its
sentences of policy are taken out."""
_SENTENCE_BREAK = re.compile(f"({SENTENCE_END.pattern})")

POLICY_WORDS = all_words("policy")
"""The shop's policy words, matched where a word of the folded text starts."""
_POLICY = re.compile(word_start_pattern(POLICY_WORDS))
_PRICE_PROMOTION = re.compile(r"(?i)\b(?:save|spare|sparen|economisez|ahorra|risparmia)\s+\d+\s?%")


def is_policy(paragraph: str) -> bool:
    """Whether a (short) paragraph is shop policy rather than the product's own text."""
    if len(paragraph) > MAX_POLICY_CHARS:
        return False
    return bool(_POLICY.search(fold(paragraph)) or is_price_promotion(paragraph))


_CONTROLS = frozenset(words("not_a_point", "control"))
MAX_CONTROL_CHARS = 60
_CONTROL_MARKS = " .:…+-–›»>()[]"
"""What a control's text may carry around its words ("Read more ›", "+ Ver más")."""


def is_control(paragraph: str) -> bool:
    """Whether a paragraph is only the text of a page control ("Read more", "Show less")."""
    return len(paragraph) <= MAX_CONTROL_CHARS and fold(paragraph).strip(_CONTROL_MARKS) in _CONTROLS


def is_price_promotion(paragraph: str) -> bool:
    """Whether a paragraph promotes a saving ("Save 20%")."""
    return "%" in paragraph and _PRICE_PROMOTION.search(paragraph) is not None


def _product_part(paragraph: str) -> str:
    """A paragraph without the shop's policy: ``""`` for a short paragraph of policy, a long one
    without its sentences that use policy words ("The actual colour may differ from the
    pictures."; a long paragraph's "Save 20% on heating" is the product's own claim)."""
    if len(paragraph) <= MAX_POLICY_CHARS:
        return "" if is_policy(paragraph) or is_control(paragraph) else paragraph
    if not _POLICY.search(fold(paragraph)):
        return paragraph  # (one search of the whole paragraph rules out most)
    parts = _SENTENCE_BREAK.split(paragraph)  # sentences, each followed by the space after it
    sentences = parts[0::2]
    kept: list[str] = []
    for sentence, space in zip(sentences, [*parts[1::2], ""], strict=True):
        if len(sentence) > MAX_POLICY_CHARS or not _POLICY.search(fold(sentence)):
            kept.append(sentence + space)
        elif kept and "\n" in space:  # the line break after a sentence taken out stays
            kept[-1] = kept[-1].rstrip() + space
    return paragraph if len(kept) == len(sentences) else "".join(kept).rstrip()


def without_policy(text: str) -> str:
    """A description without its shop-policy paragraphs and sentences (the text itself when all
    would go)."""
    paragraphs = text.split("\n\n")
    parts = [_product_part(paragraph) for paragraph in paragraphs]
    kept = [part for part in parts if part]
    return "\n\n".join(kept) if kept and parts != paragraphs else text
