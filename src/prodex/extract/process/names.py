"""Product names: the shop's name and marketplace prefixes taken off, whitespace folded."""

from __future__ import annotations

import re

from prodex.extract.process.availability import fold
from prodex.extract.process.patterns import trie_pattern
from prodex.extract.process.text import clean_line
from prodex.extract.words import words

_SEPARATORS = (" | ", " - ", " – ", " — ", " :: ", " » ", " · ", " / ", " • ", " ~ ", ": ")
_GENERIC_HOST_LABELS = frozenset(
    [
        "www",
        "m",
        "shop",
        "store",
        "online",
        "en",
        "de",
        "fr",
        "it",
        "es",
        "nl",
        "pl",
        "com",
        "net",
        "org",
        "co",
        "uk",
        "shop1",
        "web",
        "amp",
        "mobile",
        "eshop",
        "webshop",
        "tienda",
        "loja",
        "negozio",
        "boutique",
    ]
)
_MARKETPLACE_PREFIX = re.compile(
    r"^(?:amazon(?:\.[a-z]{2,3}){1,2}|ebay(?:\.[a-z]{2,3}){1,2}|walmart\.com|etsy)\s*[:|\-–]\s*", re.I
)


def site_tokens(host: str, site_names: list[str]) -> set[str]:
    """Folded words naming the shop: meaningful host labels and the site names the page declares."""
    tokens: set[str] = set()
    labels = [label for label in host.lower().split(".") if label]
    for label in labels[:-1] if len(labels) > 1 else labels:
        if label not in _GENERIC_HOST_LABELS and len(label) >= 3:
            tokens.add(fold(label))
    for name in site_names:
        folded = fold(clean_line(name))
        if 2 <= len(folded) <= 60:
            tokens.add(folded)
    return tokens


def _names_shop(part: str, tokens: set[str]) -> bool:
    folded = fold(part)
    if not folded:
        return True
    squashed = re.sub(r"[\W_]+", "", folded)
    for token in tokens:
        token_squashed = re.sub(r"[\W_]+", "", token)
        if not token_squashed:
            continue
        if folded == token or squashed == token_squashed:
            return True
        if token_squashed in squashed and len(squashed) <= len(token_squashed) + 14:
            return True
    return False


_BRACKETED_PREFIX = re.compile(r"\s*[\[【]([^\]】]{1,40})[\]】]\s*(?:[-–—|:]\s*)?")
"""A tag in brackets before a name, with a separator after it ("[Olive Young] ...", "【Shop】 - ...");
removed when it is the shop's name, exactly."""


def _compact(text: str) -> str:
    """A shop's name as its tokens are written: lower case, letters and digits only ("Olive Young"
    -> "oliveyoung")."""
    return "".join(char for char in fold(text) if char.isalnum())


def strip_site_name(name: str, host: str = "", site_names: list[str] | None = None) -> str:
    """``name`` without the shop's name as a prefix or suffix (``"Kettle | OTTO"`` -> ``"Kettle"``)."""
    text = clean_line(name)
    if not text:
        return ""
    text = _MARKETPLACE_PREFIX.sub("", text)
    tokens = site_tokens(host, site_names or [])
    if not tokens:
        return text
    bracketed = _BRACKETED_PREFIX.match(text)
    if bracketed and bracketed.end() < len(text) and _compact(bracketed.group(1)) in map(_compact, tokens):
        text = text[bracketed.end() :]  # "[Olive Young] Sun cream": the shop's name as a tag
    changed = True
    while changed and text:
        changed = False
        for sep in _SEPARATORS:
            if sep in text:
                head, _, tail = text.rpartition(sep)
                if head and _names_shop(tail, tokens):
                    text, changed = head.strip(), True
                    break
                first, _, rest = text.partition(sep)
                if rest and _names_shop(first, tokens):
                    text, changed = rest.strip(), True
                    break
    return text


_CODE_SUFFIX = re.compile(
    r"[\s,;|\-–—(\[]+"
    r"(?:код(?: товара)?|kod(?: produktu)?|code|product code|art\.?\s*-?\s*nr\.?|artikel\s*-?\s*nr\.?|"
    r"artikelnummer|best\.?\s*-?\s*nr\.?|sku|item\s*(?:no\.?|#|number)|ref\.?|réf\.?|référence|referencia|"
    r"referência|código|codice|cod\.|numer katalogowy|katalogové číslo|č\.|mpn|ean)"
    r"\s*[:#.]?\s*[\w][\w.\-/]{2,30}[)\]]?\s*$",
    re.IGNORECASE,
)
"""A trailing article code the shop appends to its titles ("Kettle Код: 01245", "Drill (Art.-Nr. 123)")."""
_UI_TEXT = re.compile(
    rf"\s*[-–—|(\[]?\s*(?:{trie_pattern(words('name_noise', 'original_title'))})[)\]]?\s*$",
    re.IGNORECASE,
)
_LOGIN_PREFIX = re.compile(
    rf"^(?:{trie_pattern(words('name_noise', 'sign_in'))})[^\w]*"
    rf"(?:(?:{trie_pattern(words('name_noise', 'or'))})\s+\w+[^\w]*)?(?:to [\w ]{{0,40}}?[.!:]\s+)?",
    re.IGNORECASE,
)


def strip_name_noise(name: str) -> str:
    """``name`` without a trailing article code, interface text ("show original title") or a
    login banner before it; the name itself when nothing would be left."""
    text = _UI_TEXT.sub("", name)
    text = _CODE_SUFFIX.sub("", text)
    text = _LOGIN_PREFIX.sub("", text)
    text = text.strip(" -–—|:,")
    return text if len(text) >= 2 else name
