"""Text clean-up: entities, whitespace, HTML fragments to plain text with paragraphs kept."""

from __future__ import annotations

import html
import re
import unicodedata

from selectolax.lexbor import LexborHTMLParser

_INVISIBLE = ("\u200b", "\ufeff")
"""Zero-width space and byte-order mark: spaces to the cleaners, though ``str.split()`` keeps them."""
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_TAG_HINT = re.compile(r"<(?:[a-zA-Z][a-zA-Z0-9]*)(?:\s[^<>]*)?/?>|</[a-zA-Z][a-zA-Z0-9]*\s*>")
_BLOCK_BREAK_SOURCE = (
    r"<\s*(?:br|hr)\b[^>]*>|</\s*(?:p|div|li|h[1-6]|tr|ul|ol|table|section|article|blockquote|dd|dt)\s*>"
    r"|<\s*(?:p|div|li|h[1-6]|tr|ul|ol|table|section|article|blockquote|dd|dt)\b[^>]*>"
)
_BLOCK_BREAK = re.compile(_BLOCK_BREAK_SOURCE, re.IGNORECASE)
_SERIALIZED_BLOCK_BREAK = re.compile(_BLOCK_BREAK_SOURCE)
"""For markup the parser serialized itself: its tag names are lower case."""
_CELL_TAG = re.compile(r"<\s*/?\s*t[dh]\b[^>]*>", re.IGNORECASE)
"""A table cell's tag: a space apart from the next cell of its row (the rows' tags are line
breaks, so the parser no longer sees a table and would join the cells' texts; a cell's end tag is
optional, so its start tag counts too)."""
_LITERAL_NEWLINES = re.compile(r"(?:\\r)?\\n")
MAX_TEXT_CHARS = 100_000
SENTENCE_END = re.compile(r"(?<=[.!?。！？])\s+")
"""The space after a sentence's closing mark: where a paragraph splits into sentences."""


def _without_invisible(text: str) -> str:
    for char in _INVISIBLE:
        if char in text:
            text = text.replace(char, " ")
    return text


def clean_line(value: object) -> str:
    """One line of text: entities decoded, control characters dropped, whitespace folded."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    if len(text) > MAX_TEXT_CHARS:
        text = text[:MAX_TEXT_CHARS]
    if "&" in text:
        text = html.unescape(text)
    if not text.isprintable():  # (control and invisible characters are none of them printable)
        text = _without_invisible(_CONTROL.sub("", text))
    return " ".join(text.split())


def clean_block(value: object) -> str:
    """Multi-line plain text: lines cleaned, paragraphs separated by one blank line."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    if len(text) > MAX_TEXT_CHARS:
        text = text[:MAX_TEXT_CHARS]
    if "&" in text:
        text = html.unescape(text)
    text = _without_invisible(_CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n")))
    lines = (" ".join(line.split()) for line in text.split("\n"))
    return "\n\n".join(line for line in lines if line)


def looks_like_html(text: str) -> bool:
    """Whether a string carries HTML tags (a description stored as markup)."""
    return "<" in text and _TAG_HINT.search(text) is not None


def html_to_text(markup: str, *, serialized: bool = False) -> str:
    """Plain text of an HTML fragment; block elements and ``<br>`` become paragraph breaks, the
    cells of a table's row stay on its line, apart.

    ``serialized``: the markup is an element's ``.html`` from the parser (lower-case tag names),
    which a case-sensitive search reads faster.
    """
    if len(markup) > 4 * MAX_TEXT_CHARS:
        markup = markup[: 4 * MAX_TEXT_CHARS]
    marked = (_SERIALIZED_BLOCK_BREAK if serialized else _BLOCK_BREAK).sub("\n", markup)
    if "<t" in marked or "<T" in marked:
        marked = _CELL_TAG.sub(" ", marked)
    tree = LexborHTMLParser(marked, is_fragment=True)
    for junk in tree.css("script, style, noscript, template, iframe, svg, button, select"):
        junk.decompose()
    root = tree.root
    # text nodes of neighbouring elements are separated ("LED table lamp" + "Article no.:"):
    # shops lay spans out as blocks with CSS that no parser sees
    text = root.text(deep=True, separator=" ") if root is not None else ""
    return clean_block(text)


def to_plain_text(value: object) -> str:
    """A description value as plain text, whether it is text, escaped HTML or HTML."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    if "\\n" in text and "\n" not in text:
        text = _LITERAL_NEWLINES.sub("\n", text)
    if "&lt;" in text and "<" not in text:
        text = html.unescape(text)
    if looks_like_html(text):
        return html_to_text(text)
    return clean_block(text)


_COMBINING_MARKS = re.compile(r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]+")


_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'"})
"""Typographic apostrophes read as the plain one ("you’ll" is "you'll")."""


def fold(text: str) -> str:
    """Lower-case text without accents and with whitespace folded (for phrase matching)."""
    if text.isascii():
        return " ".join(text.lower().split())
    folded = text.casefold()
    if "\u2019" in folded or "\u2018" in folded or "\u02bc" in folded:  # (translating costs more
        folded = folded.translate(_QUOTES)  # than the search, and most texts have none)
    decomposed = unicodedata.normalize("NFKD", folded)
    return " ".join(_COMBINING_MARKS.sub("", decomposed).split())
