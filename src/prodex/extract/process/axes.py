"""Variant axes: the words shops use for an option dimension ("Size", "Größe", "Taille", "サイズ"),
mapped to one English axis name (``color``, ``size``, ``style``, ``material``, ``capacity``,
``flavor``, ``pattern``, ``length``, ``width``, ``quantity``, ``model``, ``other``).

This module is the one place the multilingual axis words live: every reader (schema.org,
platforms, site modules, DOM selectors) names an axis with :func:`axis_of`.
"""

from __future__ import annotations

import re
import unicodedata

from prodex.extract.process.patterns import trie_pattern

OTHER = "other"
AXES: dict[str, tuple[str, ...]] = {
    "color": (
        "color",
        "colour",
        "colors",
        "colours",
        "colorway",
        "shade",
        "farbe",
        "farben",
        "farbton",
        "couleur",
        "couleurs",
        "coloris",
        "teinte",
        "colore",
        "colori",
        "kleur",
        "kolor",
        "barva",
        "farve",
        "färg",
        "farge",
        "väri",
        "szín",
        "renk",
        "culoare",
        "boja",
        "värv",
        "krāsa",
        "spalva",
        "χρώμα",
        "цвет",
        "колір",
        "цвят",
        "צבע",
        "لون",
        "اللون",
        "สี",
        "màu",
        "màu sắc",
        "カラー",
        "色",
        "颜色",
        "顏色",
        "색상",
        "컬러",
        "cor",
        "finish",
        "metal color",
        "frame color",
        "hue",
    ),
    "size": (
        "size",
        "sizes",
        "shoe size",
        "dress size",
        "ring size",
        "größe",
        "grösse",
        "größen",
        "konfektionsgröße",
        "schuhgröße",
        "taille",
        "tailles",
        "pointure",
        "talla",
        "tallas",
        "taglia",
        "taglie",
        "misura",
        "maat",
        "rozmiar",
        "velikost",
        "veľkosť",
        "størrelse",
        "storlek",
        "koko",
        "méret",
        "beden",
        "mărime",
        "marime",
        "veličina",
        "suurus",
        "izmērs",
        "dydis",
        "μέγεθος",
        "размер",
        "розмір",
        "מידה",
        "مقاس",
        "الحجم",
        "ขนาด",
        "kích thước",
        "kích cỡ",
        "サイズ",
        "尺寸",
        "尺码",
        "尺碼",
        "사이즈",
        "크기",
        "tamanho",
        "numeração",
        "bra size",
        "cup size",
    ),
    "style": (
        "style",
        "styles",
        "stil",
        "modèle style",
        "estilo",
        "stile",
        "styl",
        "design",
        "version",
        "variante",
        "variant",
        "type",
        "typ",
        "tipo",
        "ausführung",
        "edition",
        "スタイル",
        "款式",
    ),
    "material": (
        "material",
        "materials",
        "matériau",
        "matière",
        "materiale",
        "materiaal",
        "materiał",
        "fabric",
        "stoff",
        "tissu",
        "tela",
        "tessuto",
        "материал",
        "素材",
        "材质",
        "材質",
    ),
    "capacity": (
        "capacity",
        "storage",
        "memory",
        "speicher",
        "speicherkapazität",
        "kapazität",
        "capacité",
        "capacidad",
        "capacità",
        "capaciteit",
        "pojemność",
        "volume",
        "volumen",
        "inhalt",
        "contenance",
        "größe/volumen",
        "ёмкость",
        "объем",
        "объём",
        "容量",
        "용량",
    ),
    "flavor": (
        "flavor",
        "flavour",
        "flavors",
        "flavours",
        "geschmack",
        "geschmacksrichtung",
        "sorte",
        "saveur",
        "parfum",
        "goût",
        "sabor",
        "gusto",
        "aroma",
        "smaak",
        "smak",
        "вкус",
        "味",
        "口味",
    ),
    "pattern": (
        "pattern",
        "print",
        "muster",
        "motif",
        "motiv",
        "estampado",
        "fantasia",
        "patroon",
        "wzór",
        "узор",
        "柄",
    ),
    "length": (
        "length",
        "länge",
        "longueur",
        "largo",
        "longitud",
        "lunghezza",
        "lengte",
        "długość",
        "inseam",
        "leg length",
        "beinlänge",
        "длина",
        "長さ",
    ),
    "width": (
        "width",
        "breite",
        "weite",
        "largeur",
        "ancho",
        "anchura",
        "larghezza",
        "breedte",
        "szerokość",
        "ширина",
        "幅",
    ),
    "quantity": (
        "quantity",
        "pack",
        "pack size",
        "count",
        "pieces",
        "set",
        "menge",
        "packung",
        "packungsgröße",
        "stückzahl",
        "quantité",
        "lot",
        "cantidad",
        "paquete",
        "quantità",
        "confezione",
        "aantal",
        "ilość",
        "количество",
        "数量",
        "入数",
        "unit count",
    ),
    "model": (
        "model",
        "modell",
        "modèle",
        "modelo",
        "modello",
        "compatible model",
        "device",
        "gerät",
        "модель",
        "型号",
        "型號",
        "機種",
    ),
}
_WORD_TO_AXIS = {word: axis for axis, words in AXES.items() for word in words}
_AXIS_WORDS = re.compile(
    rf"^(?:(?:choose|select|pick|your|a|an|the|bitte|wähle|wählen|sie|choisir|choisissez|une|un|"
    rf"votre|elige|seleccione|selecciona|scegli|seleziona|kies|wybierz)\s+)*"
    rf"({trie_pattern(sorted(_WORD_TO_AXIS, key=len, reverse=True))})"
    rf"(?![^\W\d_])",
    re.IGNORECASE,
)
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
    return _WORD_TO_AXIS.get(match.group(1).lower()) if match else None


def axis_of_property(name: str) -> str:
    """The axis of a schema.org property or ``variesBy`` value (``https://schema.org/color`` ->
    ``color``; an unknown one is looked up as a label, else ``other``)."""
    key = name.rstrip("/").rsplit("/", 1)[-1].rsplit(":", 1)[-1].strip()
    return _SCHEMA_PROPERTIES.get(key.lower()) or axis_of(key) or OTHER


_AXIS_LINE = re.compile(
    rf"\n[ \t]*(?:{trie_pattern(sorted(_WORD_TO_AXIS, key=len, reverse=True))})[ \t]*(?:[:：*]|\n)"
)
"""A line that is an axis label; it begins with a literal newline, which the regular expression
engine finds fast (a ``^`` with MULTILINE is tried at every position)."""


def has_axis_line(lowered: str) -> bool:
    """Whether a line of ``lowered`` (lower-case text, one element per line) is an axis label
    ("size", "farbe: schwarz"): the page shows a labelled selector of buttons or swatches."""
    return _AXIS_LINE.search(lowered) is not None
