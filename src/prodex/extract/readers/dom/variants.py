"""The variant selectors of the buy box: a ``<select>`` or a group of radios, buttons or swatches
labelled Size / Color / Größe / Farbe / Taille / Couleur / Talla / サイズ... (the axis from
:mod:`prodex.extract.process.axes`), each option as the page writes it, sold-out ones included,
placeholders ("Choose a size") left out. One variant per option of each axis (the page shows
options, not their combinations)."""

from __future__ import annotations

import re

from selectolax.lexbor import LexborHTMLParser, LexborNode

from prodex.extract.model import Variant
from prodex.extract.page import Page
from prodex.extract.process.axes import axis_of, has_axis_line
from prodex.extract.process.text import clean_line
from prodex.extract.readers.dom.vocabulary import OUTSIDE_THIS_PRODUCT, ancestors_match

MAX_GROUPS = 40
MAX_BUTTONS = 150
MAX_LABELS = 200
BUY_BOX_LEVELS = 5
MAX_OPTIONS = 60
MAX_VALUE = 40
GROUP_SELECTOR = "select, fieldset, [role=radiogroup], [role=listbox]"
_PLACEHOLDER = re.compile(
    r"^(?:-+\s*)?(?:choose|select|pick|please|bitte|wähle|auswählen|choisi|sélectionn|elige|elija|"
    r"selecciona|seleccione|scegli|seleziona|kies|selecteer|wybierz|vyberte|välj|velg|vælg|valitse|"
    r"выберите|選択|请选择|請選擇|선택)",
    re.IGNORECASE,
)
_QUANTITY_NAMES = re.compile(r"qty|quantity|menge|anzahl|quantit|cantidad|ilość|количество|数量")
_ITEM_TAGS = frozenset(("button", "li", "a", "label", "span", "div"))
_NOTE = re.compile(r"\s*[-–(\[]\s*(?:sold out|out of stock|ausverkauft|épuisé|agotado|esaurito|\+).*$", re.I)


def _label_of(group: LexborNode, labels: dict[str, str]) -> str:
    """The label of a selector: its ``<legend>``, ``<label for>`` (``labels``: text by the id
    they name), ``aria-label``, ``name`` or ``data-option-name``, else the short text just before
    it."""
    attrs = group.attrs
    legend = group.css_first("legend") if group.tag == "fieldset" else None
    if legend is not None:
        return legend.text(deep=True, separator=" ")
    ident = attrs.get("id")
    if ident and ident in labels:
        return labels[ident]
    for key in ("aria-label", "data-option-name", "data-name", "name", "data-option", "id"):
        value = attrs.get(key)
        if value and axis_of(_attr_words(value)):
            return _attr_words(value)
    return _text_before(group)


def _attr_words(value: str) -> str:
    """``options[Size]`` / ``attribute_pa_color`` / ``super_attribute[93]`` as words."""
    inner = re.search(r"\[([^\]\d][^\]]*)\]", value)
    words = inner.group(1) if inner else value
    words = re.sub(r"^(?:attribute_)?(?:pa_)?", "", words)
    return re.sub(r"[_\-\[\]]+", " ", words).strip()


def _text_before(node: LexborNode) -> str:
    """The text of the nearest preceding sibling element (or the parent's), when short."""
    current: LexborNode | None = node
    for _ in range(3):
        if current is None:
            return ""
        sibling = current.prev
        while sibling is not None and not (sibling.is_element_node or (sibling.text() or "").strip()):
            sibling = sibling.prev
        if sibling is not None:
            text = clean_line(sibling.text(deep=True, separator=" "))
            return text if len(text) <= 60 else ""
        current = current.parent
    return ""


def _option_text(node: LexborNode) -> str:
    attrs = node.attrs
    if node.tag == "input":
        value = attrs.get("value") or ""
        return clean_line(attrs.get("aria-label") or attrs.get("data-value") or value)
    text = clean_line(node.text(deep=True, separator=" "))
    if not text:
        image = node.css_first("img[alt]")
        text = (
            attrs.get("aria-label")
            or attrs.get("title")
            or attrs.get("data-value")
            or (image.attrs.get("alt") if image is not None else "")
            or ""
        )
    return _NOTE.sub("", clean_line(text))


def _options(group: LexborNode) -> list[str]:
    if group.tag == "select":
        items = list(group.css("option")[:MAX_OPTIONS])
        values = []
        for item in items:
            text = _NOTE.sub("", clean_line(item.text(deep=True)))
            if not text or (not (item.attrs.get("value") or "").strip() and item is items[0]):
                continue
            values.append(text)
    else:
        radios = group.css("input[type=radio]")[:MAX_OPTIONS]
        if radios:
            values = [_radio_text(radio, group) for radio in radios]
        else:
            values = [_option_text(node) for node in _sibling_items(group)]
    out: list[str] = []
    for value in values:
        if value and len(value) <= MAX_VALUE and not _PLACEHOLDER.match(value) and value not in out:
            out.append(value)
    return out


def _radio_text(radio: LexborNode, group: LexborNode) -> str:
    ident = radio.attrs.get("id")
    if ident:
        label = group.css_first(f'label[for="{ident}"]')
        if label is not None:
            text = _option_text(label)
            if text:
                return text
    return _option_text(radio)


def _sibling_items(group: LexborNode) -> list[LexborNode]:
    """The largest run of same-tag children (buttons, list items, links) of a group."""
    best: list[LexborNode] = []
    for parent in [group, *group.css("ul, div")[:10]]:
        children = [c for c in parent.iter() if c.is_element_node]
        tags = {c.tag for c in children}
        same = len(tags) == 1 and children and children[0].tag in _ITEM_TAGS
        if same and len(children) >= 2 and len(children) > len(best):
            best = children
    return best[:MAX_OPTIONS]


def _swatch_groups(
    root: LexborNode | LexborHTMLParser, labels: dict[str, str]
) -> list[tuple[str, LexborNode]]:
    """Groups of buttons, links or list items labelled by an axis word just before them
    ("Size:", "Farbe: Schwarz"), found from their buttons' parents."""
    groups: list[tuple[str, LexborNode]] = []
    seen: set[int] = set()
    for button in root.css("button, [data-value], [role=radio]")[:MAX_BUTTONS]:
        parent = button.parent
        if parent is None:
            continue
        if parent.tag == "li" and parent.parent is not None:
            parent = parent.parent
        key = int(parent.mem_id)
        if key in seen:
            continue
        seen.add(key)
        children = [child for child in parent.iter() if child.is_element_node]
        if len(children) < 2 or len({child.tag for child in children}) > 2:
            continue  # not a row of options
        label = _label_of(parent, labels)
        if axis_of(label):
            groups.append((label, parent))
    return groups


def buy_box(page: Page, title: LexborNode | None) -> LexborNode | LexborHTMLParser:
    """Where the selectors are: the title's block :data:`BUY_BOX_LEVELS` up (below ``<main>`` and
    the body), else the product area."""
    if title is None:
        return page.search_root()
    node = title
    for _ in range(BUY_BOX_LEVELS):
        parent = node.parent
        if parent is None or parent.tag in ("main", "body", "html") or parent.attrs.get("role") == "main":
            break
        node = parent
    return node


def find_variants(page: Page, title: LexborNode | None = None, lowered: str = "") -> list[Variant]:
    """One variant per option of each labelled selector in the product area that offers a choice
    (two options or more), the axis the page shows first first. ``lowered``: the product area's
    text in lower case framed by newlines; button and swatch groups are searched only when a line
    of it is an axis label."""
    root = buy_box(page, title)
    labels = {
        node.attrs.get("for") or "": node.text(deep=True, separator=" ")
        for node in root.css("label[for]")[:200]
    }
    axes: dict[str, list[str]] = {}
    candidates: list[tuple[str, LexborNode]] = []
    for group in root.css(GROUP_SELECTOR)[:MAX_GROUPS]:
        name = (group.attrs.get("name") or "").lower()
        if _QUANTITY_NAMES.search(name):
            continue
        candidates.append((_label_of(group, labels), group))
    if not lowered or has_axis_line(lowered):
        candidates += _swatch_groups(root, labels)
    for label, group in candidates:
        axis = axis_of(label)
        if axis is None or axis in axes:
            continue
        if ancestors_match(group, OUTSIDE_THIS_PRODUCT, 8, page.h1_holders()):
            continue
        options = _options(group)
        if len(options) >= 2 and not (axis == "quantity" and all(o.isdigit() for o in options)):
            axes[axis] = options
    return [Variant(options={axis: value}) for axis, values in axes.items() for value in values]
