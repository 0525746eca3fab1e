"""Availability: schema.org values and shop phrases in many languages to ItemAvailability names."""

from __future__ import annotations

import re
import unicodedata

from prodex.extract.process.patterns import trie_pattern
from prodex.extract.process.text import clean_line

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

# Phrases shops print, lower-cased without accents; out-of-stock phrases are checked first.
OUT_OF_STOCK_PHRASES = (
    "out of stock",
    "currently unavailable",
    "sold out",
    "not available",
    "no longer available",
    "unavailable",
    "temporarily out",
    "notify me when",
    "email me when",
    "nicht verfugbar",
    "derzeit nicht",
    "ausverkauft",
    "nicht auf lager",
    "nicht lieferbar",
    "vergriffen",
    "epuise",
    "rupture de stock",
    "indisponible",
    "plus disponible",
    "non disponibile",
    "esaurito",
    "non disponible",
    "agotado",
    "sin stock",
    "no disponible",
    "sem estoque",
    "esgotado",
    "indisponivel",
    "fora de estoque",
    "niet op voorraad",
    "uitverkocht",
    "niet leverbaar",
    "brak w magazynie",
    "niedostepny",
    "wyprzedany",
    "vyprodano",
    "neni skladem",
    "nie je skladom",
    "vypredane",
    "nedostupne",
    "ni na zalogi",
    "razprodano",
    "nav pieejams",
    "izpardots",
    "pole hetkel saadaval",
    "ei ole saadaval",
    "otsas",
    "slutsald",
    "ej i lager",
    "udsolgt",
    "ikke pa lager",
    "utsolgt",
    "loppuunmyyty",
    "ei varastossa",
    "nincs raktaron",
    "elfogyott",
    "stokta yok",
    "tukendi",
    "нет в наличии",
    "распродано",
    "缺貨",
    "缺货",
    "售完",
    "已售完",
    "補貨中",
    "在庫切れ",
    "売り切れ",
    "품절",
)
PREORDER_PHRASES = (
    "pre-order",
    "preorder",
    "pre order",
    "vorbestellen",
    "vorbestellung",
    "precommande",
    "pre-commande",
    "preordine",
    "reserva",
    "pre-venda",
    "prevendita",
    "予約",
    "預購",
    "预购",
)
BACKORDER_PHRASES = ("backorder", "back-order", "on back order", "usually ships within")
IN_STOCK_PHRASES = (
    "in stock",
    "available",
    "add to cart",
    "add to basket",
    "add to bag",
    "buy now",
    "auf lager",
    "sofort lieferbar",
    "lieferbar",
    "verfugbar",
    "in den warenkorb",
    "en stock",
    "disponible",
    "ajouter au panier",
    "in magazzino",
    "disponibile",
    "aggiungi al carrello",
    "en existencia",
    "agregar al carro",
    "anadir al carrito",
    "em estoque",
    "disponivel",
    "adicionar ao carrinho",
    "comprar",
    "op voorraad",
    "beschikbaar",
    "in winkelwagen",
    "dostepny",
    "w magazynie",
    "do koszyka",
    "skladem",
    "na sklade",
    "skladom",
    "dostupne",
    "dostupny",
    "do kosika",
    "do kosiku",
    "na zalogi",
    "ir noliktava",
    "pieejams",
    "laos",
    "saadaval",
    "i lager",
    "pa lager",
    "varastossa",
    "raktaron",
    "stokta",
    "в наличии",
    "有庫存",
    "有现货",
    "現貨",
    "现货",
    "加入購物車",
    "加入购物车",
    "在庫あり",
    "カートに入れる",
    "買い物かごに入れる",
    "재고",
    "장바구니",
    "sepete ekle",
    "в корзину",
    "kosarba",
    "lagg i varukorgen",
    "laeg i kurv",
    "legg i handlekurven",
    "lisaa ostoskoriin",
    "in winkelmand",
    "toevoegen aan winkelwagen",
    "προσθηκη στο καλαθι",
    "הוסף לסל",
    "أضف إلى السلة",
    "เพิ่มลงตะกร้า",
    "them vao gio",
)


_COMBINING_MARKS = re.compile(r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]+")


_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'"})
"""Typographic apostrophes read as the plain one ("you’ll" is "you'll")."""


def fold(text: str) -> str:
    """Lower-case text without accents and with whitespace folded (for phrase matching)."""
    if text.isascii():
        return " ".join(text.lower().split())
    decomposed = unicodedata.normalize("NFKD", text.casefold().translate(_QUOTES))
    return " ".join(_COMBINING_MARKS.sub("", decomposed).split())


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


NEGATIONS = frozenset(
    (
        "not",
        "no",
        "never",
        "cannot",
        "nicht",
        "kein",
        "keine",
        "nie",
        "ne",
        "pas",
        "plus",
        "non",
        "nao",
        "niet",
        "geen",
        "nem",
        "nincs",
        "ikke",
        "inte",
        "ej",
        "ei",
        "nu",
        "neni",
        "не",
        "нет",
    )
)
"""Words that negate the availability word after them ("nicht verfügbar", "no disponible",
"plus disponible", "niet beschikbaar", "не в наличии", ...)."""
NEGATION_FILLERS = frozenset(
    (
        "longer",
        "more",
        "mehr",
        "piu",
        "meer",
        "is",
        "are",
        "ist",
        "sind",
        "est",
        "es",
        "esta",
        "e",
        "je",
        "jest",
        "currently",
        "temporarily",
        "yet",
        "derzeit",
        "momentan",
        "aktuell",
        "zurzeit",
        "leider",
        "actuellement",
        "momentanement",
        "temporairement",
        "actualmente",
        "atualmente",
        "attualmente",
        "momenteel",
        "obecnie",
        "ya",
        "mas",
    )
)
"""Words that may stand between a negation and the availability word ("nicht *mehr* verfügbar",
"no *longer* available", "non è *più* disponibile")."""
NEGATING_PREFIXES = frozenset(("un", "in", "non", "nie", "ne", "nicht", "niet"))
"""Prefixes that negate an availability word written as one word ("unavailable",
"indisponible", "niedostępny", "nedostupné")."""
_CJK_NEGATIONS = frozenset("無无没沒不未")
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
