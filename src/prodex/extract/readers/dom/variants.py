"""The variant selectors of the buy box: a ``<select>`` or a group of radios, buttons or swatches
labelled Size / Color / Größe / Farbe / Taille / Couleur / Talla / サイズ... (the axis from
:mod:`prodex.extract.process.axes`), each option as the page writes it, sold-out ones included,
placeholders ("Choose a size") left out. One variant per option of each axis (the page shows
options, not their combinations)."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from typing import NamedTuple

from selectolax.lexbor import LexborHTMLParser, LexborNode

from prodex.extract.model import Variant
from prodex.extract.page import Page, each_once
from prodex.extract.process.axes import (
    FORMAT,
    OTHER,
    PROMPT,
    fold_label,
    has_axis_line,
    settled_axis,
    shown_axis_of,
    without_axis_words,
)
from prodex.extract.process.patterns import trie_pattern
from prodex.extract.process.text import clean_line
from prodex.extract.readers.dom.option_offer import option_name, option_offer, shown_text
from prodex.extract.readers.dom.subtree import (
    ELEMENT_ID,
    all_matches,
    first_class,
    first_match,
    holds,
    is_link,
    preceding_elements,
)
from prodex.extract.readers.dom.vocabulary import OUTSIDE_THIS_PRODUCT, ancestors_match
from prodex.extract.words import words

MAX_GROUPS = 40
MAX_BUTTONS = 150
MAX_LABELS = 200
BUY_BOX_LEVELS = 5
MAX_OPTIONS = 60
MAX_VALUE = 40
GROUP_SELECTOR = "select, fieldset, [role=radiogroup], [role=listbox]"
_PLACEHOLDER = re.compile(
    rf"^(?:-+\s*)?(?:{trie_pattern(words('variant_selector', 'placeholder'))})", re.IGNORECASE
)
_QUANTITY_NAMES = re.compile(trie_pattern(words("variant_selector", "quantity")))
_ITEM_TAGS = frozenset(("button", "li", "a", "label", "span", "div"))


def _label_of(group: LexborNode, labels: dict[str, str]) -> str:
    """The label of a selector: the first of its ``<legend>``, ``<label for>`` (``labels``: text
    by the id they name), ``aria-label``, ``name`` or ``data-option-name`` that names an axis
    (a label "Choose an option" says less than ``name="size"``), else the short text just before
    it."""
    attrs = group.attributes
    legend = group.css_first("legend") if group.tag == "fieldset" else None
    said = [
        legend.text(deep=True, separator=" ") if legend is not None else "",
        labels.get(attrs.get("id") or "", ""),
        _labelled_by(group, attrs.get("aria-labelledby") or ""),
    ]
    named = next((text for text in said if text and _labelled_axis(text)), None)
    if named is not None:
        return named
    for key in ("aria-label", "data-option-name", "data-name", "name", "data-option", "id"):
        value = attrs.get(key)
        if value and shown_axis_of(_attr_words(value)):
            return _attr_words(value)
    return next((text for text in said if text), None) or _text_before(group)


def _labelled_by(group: LexborNode, ids: str) -> str:
    """The text of the element ``aria-labelledby`` names (the first id), found inside the group or
    beside it ("Color: Black" in BigCommerce's swatch ``radiogroup``), else ``""``."""
    ident = ids.split()[0] if ids.split() else ""
    if not ELEMENT_ID.fullmatch(ident):
        return ""
    for holder in (group, group.parent):
        label = holder.css_first(f'[id="{ident}"]') if holder is not None else None
        if label is not None:
            return label.text(deep=True, separator=" ")
    return ""


def _attr_words(value: str) -> str:
    """``options[Size]`` / ``attribute_pa_color`` / ``super_attribute[93]`` as words."""
    inner = re.search(r"\[([^\]\d][^\]]*)\]", value)
    words = inner.group(1) if inner else value
    words = re.sub(r"^(?:attribute_)?(?:pa_)?", "", words)
    return re.sub(r"[_\-\[\]]+", " ", words).strip()


def _text_before(node: LexborNode, known: tuple[int, str] | None = None) -> str:
    """The text of the nearest preceding sibling element (or the parent's), when short
    (``known``: the ``mem_id`` and cleaned text of an element the caller has read)."""
    current: LexborNode | None = node
    for _ in range(3):
        if current is None:
            return ""
        sibling = current.prev
        while sibling is not None and not (sibling.is_element_node or (sibling.text() or "").strip()):
            sibling = sibling.prev
        if sibling is not None:
            if known is not None and sibling.mem_id == known[0]:
                text = known[1]
            else:
                text = clean_line(sibling.text(deep=True, separator=" "))
            return text if len(text) <= 60 else ""
        current = current.parent
    return ""


_VALUE_ATTRIBUTES = (
    "data-value",
    "data-attr-value",
    "data-name",
    "data-label",
    "data-option-value",
    "data-size",
    "data-color",
    "title",
)
_SWATCH_NAMING = ("aria-label", "title", "data-value")
"""Attributes that name an option without text (an image swatch)."""


def _option_text(node: LexborNode, alt: bool = True) -> str:
    """What an option is called: its text (or, when it has none, the naming attributes of it or
    its link, else (``alt``) its picture's alt text); a value attribute the text begins with wins
    over notes after it ("38 2 left")."""
    if node.tag == "input":
        return _input_name(node)
    inner = first_match(node, _is_button_or_link, "button, a")
    holders = (node, inner) if inner is not None else (node,)
    text = shown_text(node, whole_if_hidden=False)
    if not text:  # a swatch: its text for screen readers names it when its label repeats it
        hidden = shown_text(node)  # ("ネイビー" in title="ネイビー（在庫なし）"), else its label does
        named = _swatch_name(node, holders, alt)  # ("Select Color Black" beside "selected")
        return hidden if hidden and (not named or hidden in named) else named
    for holder in holders:
        attrs = holder.attributes
        for key in _VALUE_ATTRIBUTES:
            value = clean_line(attrs.get(key) or "")
            if value and len(value) < len(text) and text.startswith(value):
                return value
    return option_name(text)


def _is_button_or_link(node: LexborNode) -> bool:
    return node.tag in ("button", "a")


def _is_image_with_alt(node: LexborNode) -> bool:
    return node.tag == "img" and "alt" in node.attributes


def _is_list_or_block(node: LexborNode) -> bool:
    return node.tag in ("ul", "div")


def _input_name(node: LexborNode) -> str:
    """What a radio is called: its ``aria-label``, ``title`` or ``data-value``, else the label
    around it (``<label aria-label="Blu notte"><input value="14">``) when short, else its value."""
    attrs = node.attributes
    named = attrs.get("aria-label") or attrs.get("title") or attrs.get("data-value")
    if not named and node.parent is not None and node.parent.tag == "label":
        label = node.parent
        named = label.attributes.get("aria-label") or clean_line(label.text(deep=True, separator=" "))
    named = clean_line(named or "")
    return named if 0 < len(named) <= MAX_VALUE else clean_line(attrs.get("value") or "")


def _swatch_name(node: LexborNode, holders: tuple[LexborNode, ...], alt: bool = True) -> str:
    """The name of an option without text (an image swatch): an ``aria-label``, ``title`` or
    ``data-value`` of it or its link, else (``alt``) its picture's alt text, else the ``title``
    of the colour patch inside it (``<span class="swatch" title="Dark Teal">``)."""
    for holder in holders:
        attrs = holder.attributes
        for key in _SWATCH_NAMING:
            value = clean_line(attrs.get(key) or "")
            if value:
                return option_name(without_axis_words(value))
    image = first_match(node, _is_image_with_alt, "img[alt]") if alt else None
    if image is not None:
        return option_name(clean_line(image.attributes.get("alt") or ""))
    patch = first_match(node, _has_title, "[title]")
    return option_name(clean_line(patch.attributes.get("title") or "")) if patch is not None else ""


def _has_title(node: LexborNode) -> bool:
    return "title" in node.attributes


class ShownOption(NamedTuple):
    """An option of a selector: its name as the page writes it, the element that shows it, and
    the form control behind it (a radio shown by its label)."""

    name: str
    node: LexborNode
    control: LexborNode | None = None


def _options(group: LexborNode, alike: bool = False) -> list[ShownOption]:
    """The options a group offers, as the page writes them (``alike``: see :func:`_sibling_items`)."""
    if group.tag == "select":
        items = list(group.css("option")[:MAX_OPTIONS])
        values = []
        for item in items:
            text = option_name(clean_line(item.text(deep=True)))
            if not text or (not (item.attributes.get("value") or "").strip() and item is items[0]):
                continue
            values.append(ShownOption(text, item))
    else:
        radios = group.css("input[type=radio]")[:MAX_OPTIONS]
        if radios:
            values = [_radio_option(radio, group) for radio in radios]
        else:
            values = [ShownOption(_option_text(node), node) for node in _sibling_items(group, alike)]
    out: list[ShownOption] = []
    names: set[str] = set()
    for value in values:
        name = value.name
        if name and len(name) <= MAX_VALUE and not _PLACEHOLDER.match(name) and name not in names:
            names.add(name)
            out.append(value)
    return out


def _radio_option(radio: LexborNode, group: LexborNode) -> ShownOption:
    """A radio's option: named by its ``<label for>`` (the element that shows it), else by itself."""
    ident = radio.attributes.get("id")
    if ident:
        label = group.css_first(f'label[for="{ident}"]')
        if label is not None:
            text = _option_text(label)
            if text:
                return ShownOption(text, label, radio)
    return ShownOption(_option_text(radio), radio)


def _sibling_items(group: LexborNode, alike: bool = False) -> list[LexborNode]:
    """The largest run of same-tag children (buttons, list items, links) of a group; ``alike``:
    only children of the most common first class name (a size guide after the sizes left out)."""
    best: list[LexborNode] = []
    for parent in [group, *all_matches(group, _is_list_or_block, "ul, div")[:10]]:
        children = _after_label([c for c in parent.iter() if c.is_element_node])
        tags = {c.tag for c in children}
        same = bool(children) and tags <= _ITEM_TAGS and (len(tags) == 1 or _one_family(children))
        run = (_alike(children) if alike else children) if same else _choosable_run(children)
        if len(run) >= 2 and len(run) > len(best):
            best = run
    return best[:MAX_OPTIONS]


MAX_BESIDE_OPTIONS = 2
"""The most elements a row of options may hold beside them (a "Size guide" link, a note)."""


def _shows_one_of(label: LexborNode, items: list[LexborNode]) -> bool:
    """Whether the value a label shows after its colon ("Colour: Black") names one of the items."""
    text = clean_line(label.text(deep=True, separator=" "))
    value = text.split(":", 1)[1].strip() if ":" in text else ""
    return bool(value) and any(_option_text(item) == value for item in items[:MAX_OPTIONS])


def _same_first_class(items: list[LexborNode]) -> bool:
    """Whether the items share a first class name (a row of options is built of one kind)."""
    first = first_class(items[0]) if items else ""
    return bool(first) and all(first_class(item) == first for item in items[1:])


def _choosable_run(children: list[LexborNode]) -> list[LexborNode]:
    """The options of a row that holds a few other elements too (``<button class="size">S</button>
    ..<a>Size guide</a>``): its items of one tag that share their first class name and each hold
    something to click, when they are two or more and at most :data:`MAX_BESIDE_OPTIONS` others
    stand beside them (a row of page actions, "Share", "Wishlist", shares no class); else none."""
    tags = Counter(child.tag for child in children)
    if not tags:
        return []
    tag, count = tags.most_common(1)[0]
    if count < 2 or len(children) - count > MAX_BESIDE_OPTIONS or tag not in _ITEM_TAGS:
        return []
    run = [child for child in children if child.tag == tag]
    if not _same_first_class(run):
        return []
    return run if all(item.tag == "button" or _choosable(item) for item in run) else []


def _one_family(items: list[LexborNode]) -> bool:
    """Whether items of different tags are one row of options with the chosen one written apart
    (``<a class="item">`` and one ``<span class="item item--active">``): they share their first
    class name, and a single item, which is not a link or button, has a tag of its own (a "Size
    guide" link after size buttons of a shared ``btn`` class is not an option)."""
    if not _same_first_class(items):
        return False
    tags = Counter(item.tag for item in items)
    lone = [item for item in items if tags[item.tag] == 1]
    return len(tags) == 2 and len(lone) == 1 and not _choosable(lone[0])


def _all_choosable(items: list[LexborNode], unlinked: list[LexborNode]) -> bool:
    """Whether every item is something to click (``unlinked``: those that are not), but for the
    option on show, which shops often leave unlinked: one item of the others' class family (see
    :func:`_one_family`)."""
    return not unlinked or (len(unlinked) == 1 < len(items) and _one_family(items))


def _after_label(children: list[LexborNode]) -> list[LexborNode]:
    """A group's items without the label that leads them (``<p>Colore</p><a>..</a><a>..</a>``)."""
    if len(children) >= 3 and children[0].tag != children[1].tag and _axis_label(children[0]):
        return children[1:]
    return children


def _axis_label(node: LexborNode) -> bool:
    """Whether an element is a short label naming an axis ("Colore", "Size:")."""
    return _is_axis_label(clean_line(node.text(deep=True, separator=" ")))


def _is_axis_label(text: str) -> bool:
    """Whether a cleaned text is a short label naming an axis (or a format switch)."""
    return len(text) <= 60 and (shown_axis_of(text) is not None or _names_format(text))


def _alike(items: list[LexborNode]) -> list[LexborNode]:
    """The items that share the most common first class name, when two or more do."""
    firsts = [first_class(item) for item in items]
    common, count = Counter(firsts).most_common(1)[0]
    if count < 2:
        return []
    return [item for item, first in zip(items, firsts, strict=True) if first == common]


def _swatch_groups(
    root: LexborNode | LexborHTMLParser, labels: dict[str, str]
) -> list[tuple[str, LexborNode]]:
    """Groups of buttons, links or list items labelled by an axis word just before them
    ("Size:", "Farbe: Schwarz"), found from their buttons' parents."""
    groups: list[tuple[str, LexborNode]] = []
    seen: set[int] = set()
    for button in root.css("button, [data-value], [data-sku], [role=radio], [role=button]")[:MAX_BUTTONS]:
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
        items = _after_label(children)
        if len(items) < 2 or (len({child.tag for child in items}) > 2 and not _choosable_run(items)):
            continue  # not a row of options
        # the row's own leading label ("<span>Size:</span><button>S</button>"), else the one before
        # it; a row led by its own label holds options of one class, or one of them is the value
        # its label shows ("Pilih rasa: Balado"), not "Share" and "Wishlist" after "Color: Black"
        leading = items is not children
        if leading and not (_same_first_class(items) or _shows_one_of(children[0], items)):
            continue
        label = children[0].text(deep=True, separator=" ") if leading else _label_of(parent, labels)
        if not shown_axis_of(label) and not leading:
            label = _label_above_shown_value(parent, items) or label
        if shown_axis_of(label):
            groups.append((label, parent))
    return groups


def _label_above_shown_value(row: LexborNode, items: list[LexborNode]) -> str:
    """The label of a row of options whose label stands above the value on show ("Beden:", then
    "38", then the sizes): the element before the row shows one of its options, and the one
    before that is an axis label; else ``""``."""
    before = preceding_elements(row, 2)
    if len(before) < 2:
        return ""
    shown, label = before
    value = clean_line(shown.text(deep=True, separator=" "))
    if not value or all(_option_text(item) != value for item in items[:MAX_OPTIONS]):
        return ""
    text = label.text(deep=True, separator=" ")
    return text if _is_axis_label(clean_line(text)) else ""


MAX_LISTS = 30
_CHOOSABLE = "a[href], button, input, [role=radio], [role=option], [data-value], [data-sku]"


def _listed_groups(root: LexborNode | LexborHTMLParser) -> list[tuple[str, LexborNode]]:
    """Lists of links or buttons (swatches linking to each colour's page) right after an axis
    label ("Colour: Graphite" before ``<ul><li><a title="Graphite">``)."""
    groups: list[tuple[str, LexborNode]] = []
    for node in _link_rows(root):
        children = [child for child in node.iter() if child.is_element_node]
        # the items are all the children or all but a leading label: every child after the
        # first must be choosable either way, a test cheaper than reading the label
        if len(children) < 2:
            continue
        unlinked = [item for item in children if not _choosable(item)]
        if not _all_choosable(children[1:], [item for item in unlinked if item is not children[0]]):
            continue
        items = _after_label(children)
        if len(items) < 2 or (items is children and not _all_choosable(children, unlinked)):
            continue
        label = children[0].text(deep=True, separator=" ") if items is not children else _label_before(node)
        if not _is_axis_label(clean_line(label)):
            label = node.attributes.get("aria-label") or ""  # (a row named for screen readers)
        if _is_axis_label(clean_line(label)):
            groups.append((label, node))
    return groups


LABEL_SIBLINGS = 2


def _label_before(node: LexborNode) -> str:
    """The axis label among the few elements just before a group ("Color: Rosewood" above a
    line describing the shade on show), else the text just before it."""
    known: tuple[int, str] | None = None  # the nearest element's text, for _text_before
    for sibling in preceding_elements(node, LABEL_SIBLINGS):
        text = clean_line(sibling.text(deep=True, separator=" "))
        if known is None:
            known = (sibling.mem_id, text)
        if _is_axis_label(text):
            return sibling.text(deep=True, separator=" ")
    return _text_before(node, known)


def _link_rows(root: LexborNode | LexborHTMLParser) -> list[LexborNode]:
    """Lists, and the blocks that hold links side by side (``<div><a>55"</a><a>43"</a></div>``),
    each once, in page order."""
    found = root.css("ul, ol, a[href]")  # one search; its matches told apart by their tag
    rows = {int(node.mem_id): node for node in [node for node in found if node.tag != "a"][:MAX_LISTS]}
    for link in [node for node in found if node.tag == "a"][:MAX_BUTTONS]:
        parent = link.parent
        if parent is not None and parent.tag not in ("li", "ul", "ol", "p", "body"):
            rows.setdefault(int(parent.mem_id), parent)
    return list(rows.values())


def _choosable(item: LexborNode) -> bool:
    """Whether a list item is (or holds) something to click: a link, button, input or option."""
    return item.tag in ("a", "button") or first_match(item, _clickable, _CHOOSABLE) is not None


def _is_radio(node: LexborNode, kind: str) -> bool:
    """Whether an input of type ``kind`` matches ``[type=radio]`` (whatever the case in HTML; as
    written inside ``<svg>``, where lexbor compares the case too)."""
    if kind == "radio" or kind.lower() != "radio":
        return kind == "radio"
    first = node.css_first("[type=radio]")  # itself, when it matches
    return first is not None and first.mem_id == node.mem_id


def _clickable(node: LexborNode) -> bool:
    """Whether an element itself matches :data:`_CHOOSABLE`."""
    tag = node.tag
    if tag in ("button", "input"):
        return True
    attrs = node.attributes
    return (
        is_link(node)
        or attrs.get("role") in ("radio", "option")
        or "data-value" in attrs
        or "data-sku" in attrs
    )


def buy_box(page: Page, title: LexborNode | None) -> LexborNode | LexborHTMLParser:
    """Where the selectors are: the title's block :data:`BUY_BOX_LEVELS` up (below ``<main>`` and
    the body), else the product area."""
    if title is None:
        return page.search_root()
    node = title
    for _ in range(BUY_BOX_LEVELS):
        parent = node.parent
        if parent is None or parent.tag in ("main", "body", "html"):
            break
        if parent.attributes.get("role") == "main":
            break
        node = parent
    return node


_CLASS_TOKENS = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])")
CLASS_SELECTOR = "[class*=size i], [class*=colo i]"
_CLASS_AXES = {
    "size": "size",
    "sizes": "size",
    "color": "color",
    "colors": "color",
    "colour": "color",
    "colours": "color",
}
"""Axis words of class names (written in English whatever the page's language)."""
_NOT_A_GROUP = frozenset(
    (
        "base", "small", "mini", "medium", "large", "plus", "primary", "secondary", "tertiary",
        "price", "link", "state", "error", "guide", "chart", "table", "info", "help", "icon",
        "name", "label", "title", "text", "image", "img", "description", "desc", "filter", "facet",
        "big", "strike", "xs", "sm", "md", "lg", "xl", "xxl",
    )
)  # fmt: skip
"""Words after an axis word in a class that make it a style ("a-size-base") or the axis's label,
guide or filter rather than the group of its options."""
MAX_CLASS_GROUPS = 60
MAX_RADIOS = 200


def _class_axis(node: LexborNode) -> str | None:
    """The axis a class names as a group of options ("variation-attribute-size-values",
    "sizes_section", "sizesContainer"), or ``None``."""
    return _classes_axis(node.attributes.get("class") or "")


@lru_cache(maxsize=4096)
def _classes_axis(classes: str) -> str | None:
    """The axis a ``class`` attribute names as a group of options (kept: a page's class names
    repeat on many elements)."""
    for name in classes.split():
        words = [word.lower() for word in _CLASS_TOKENS.findall(name)]
        for at, word in enumerate(words):
            axis = _CLASS_AXES.get(word)
            if axis is not None and (at + 1 == len(words) or words[at + 1] not in _NOT_A_GROUP):
                return axis
    return None


def _class_groups(classed: list[LexborNode]) -> list[tuple[str, LexborNode]]:
    """Groups of two or more same-tag items whose class names an axis: the label is the axis
    (``classed``: the buy box's :data:`CLASS_SELECTOR` matches)."""
    groups: list[tuple[str, LexborNode]] = []
    for node in classed[:MAX_CLASS_GROUPS]:
        axis = _class_axis(node)
        items = _sibling_items(node, alike=True) if axis is not None else []
        if axis is not None and len(items) >= 2 and all(_is_option(item) for item in items):
            groups.append((axis, node))
    return groups


def _is_option(node: LexborNode) -> bool:
    """Whether an item of a class-named group reads as an option: a short name (its text, or the
    name its swatch's attributes give), not a label ("Colour:", whose group is a label and a
    value) nor a picture with only a caption (a gallery)."""
    text = _option_text(node, alt=False)
    return 0 < len(text) <= MAX_VALUE and not text.endswith((":", "："))


def _radio_groups(radios: list[LexborNode]) -> list[tuple[str, LexborNode]]:
    """Radio buttons (``radios``: the buy box's named ones, in page order) that share a ``name``
    naming an axis (``name="size"``), or labelled by an axis word just before their block
    ("Colore: Verde salvia" before ``name="group[2]"``), as one group held by their nearest
    common block."""
    by_name: dict[str, list[LexborNode]] = {}
    for radio in radios[:MAX_RADIOS]:
        by_name.setdefault(radio.attributes.get("name") or "", []).append(radio)
    groups: list[tuple[str, LexborNode]] = []
    for name, radios in by_name.items():
        holder = _common_holder(radios) if len(radios) >= 2 else None
        if holder is None:
            continue
        label = _attr_words(name)
        if not shown_axis_of(label):  # name="group[2]": the label just before the group names it
            label = _text_before(holder)
        if shown_axis_of(label) or _OPTION_FIELD.search(name):
            groups.append((label, holder))
    return groups


HOLDER_LEVELS = 8
"""How deep below a radio group's holder its radios are looked for."""


def _common_holder(nodes: list[LexborNode]) -> LexborNode | None:
    """The nearest element that holds all ``nodes`` (a few levels up at most)."""
    holder = nodes[0].parent
    for _ in range(6):
        if holder is None:
            return None
        if all(holds(holder, node, HOLDER_LEVELS) for node in nodes[1:]):
            return holder
        holder = holder.parent
    return None


def _labelled_axis(label: str) -> str | None:
    """The axis a label names, also after a verb and article ("Sélectionnez la taille",
    "Choose your colour"): its last words are tried when the whole names none."""
    axis = shown_axis_of(label)
    if axis is not None:
        return axis
    words = clean_line(label).rstrip(":：").split()
    if len(words) > 5 or not _PLACEHOLDER.match(label.strip()):
        return None
    for start in range(1, len(words)):
        axis = shown_axis_of(" ".join(words[start:]))
        if axis is not None:
            return axis
    return None


_OPTION_FIELD = re.compile(
    r"^(?:options?|super_attribute|group|variation|attributes?)(?:\[|_|$)|^attribute_", re.IGNORECASE
)
"""Form-field names shop platforms give a product's option selectors (OpenCart ``option[734]``,
Shopify ``options[...]``, Magento ``super_attribute[93]``, PrestaShop ``group[2]``, WooCommerce
``attribute_pa_...``): such a selector is a variant axis even when its label names no known axis."""


_CAPACITY = re.compile(r"\d\s*(?:ml|cl|dl|l|oz|gal|gb|tb)\b", re.IGNORECASE)
"""An option that is a volume or a storage size ("Lata 2,5 L", "500 ml", "256 GB")."""


def _field_name(group: LexborNode) -> str:
    """The form-field name of a selector: its own, or its first radio's."""
    name = group.attributes.get("name")
    if name is None and group.tag != "select":
        radio = group.css_first("input[type=radio][name]")
        name = radio.attrs.get("name") if radio is not None else None
    return name or ""


def _group_axis(label: str, group: LexborNode) -> str | None:
    """The axis a selector's label names (:data:`FORMAT` for a format switch's, settled by its
    options), else ``other`` for a product-option field or a radio group of links to the
    product's other versions (a "Viscosity" row of chips, each its own page)."""
    axis = _labelled_axis(label)
    if axis is None and _names_format(label):
        return FORMAT  # (the size or the other axis, as its options say: see settled_axis)
    if axis is None and (
        _OPTION_FIELD.search(_field_name(group)) or _linked_versions(group) or _names_options(group, label)
    ):
        return OTHER
    return axis


_FORMAT_LABEL = re.compile(
    rf"{PROMPT}(?:{trie_pattern(words('variant_selector', 'format'))})(?![^\W\d_])\s*[:：]?$", re.IGNORECASE
)
"""A format switch's label, after a prompt or not ("Formát", "Elige el formato")."""


def _names_format(label: str) -> bool:
    """Whether a label is a format switch's ("Formát", "Format:"): a book's paper, e-book and audio
    versions, or a pack's sizes (see :data:`~prodex.extract.process.axes.FORMAT`)."""
    return bool(label) and _FORMAT_LABEL.match(fold_label(label)) is not None


_GENERIC_OPTION = re.compile(
    rf"^(?:(?:{trie_pattern(words('variant_prompt', 'choose'))})\s+)*"
    rf"(?:{trie_pattern(words('variant_selector', 'option'))})(?![^\W\d_])",
    re.IGNORECASE,
)


def _names_options(group: LexborNode, label: str) -> bool:
    """Whether a ``<select>`` is called by the generic word for options ("Options", "옵션 선택",
    in its label, title or ``aria-label``): it offers the product's versions on no named axis."""
    if group.tag != "select":
        return False
    attrs = group.attributes
    names = (label, attrs.get("title") or "", attrs.get("aria-label") or "")
    return any(_GENERIC_OPTION.match(fold_label(name)) for name in names if name)


def _linked_versions(group: LexborNode) -> bool:
    """Whether a group is a radio group whose options are links to pages (each version of the
    product on its own page; not ``href="#"`` stars of a rating form)."""
    if group.attributes.get("role") != "radiogroup":
        return False
    links = [link.attributes.get("href") or "" for link in group.css("a[href][role=radio]")[:MAX_OPTIONS]]
    return sum(1 for href in links if href.strip() and not href.startswith(("#", "javascript:"))) >= 2


FORM_SELECTOR = f"label[for], input[type=radio][name], {GROUP_SELECTOR}, {CLASS_SELECTOR}"
"""The buy box's labels, radios, selectors and elements whose class may name an axis, found in one
search (see :class:`_FormElements`)."""
_GROUP_TAGS = ("select", "fieldset")
_GROUP_ROLES = ("radiogroup", "listbox")


@dataclass
class _FormElements:
    """The elements of the buy box its selectors are read from, each list in page order."""

    labels: dict[str, str] = field(default_factory=dict)
    """The texts of the ``<label for>`` elements by the id they name."""
    radios: list[LexborNode] = field(default_factory=list)
    """Named radios (``input[type=radio][name]``)."""
    groups: list[LexborNode] = field(default_factory=list)
    """:data:`GROUP_SELECTOR` matches (an element once per selector it matches, as a search lists it)."""
    classed: list[LexborNode] = field(default_factory=list)
    """:data:`CLASS_SELECTOR` matches (likewise)."""

    @classmethod
    def find(cls, root: LexborNode | LexborHTMLParser) -> _FormElements:
        """The elements of ``root``: one search of :data:`FORM_SELECTOR`, its matches told apart
        in Python (they are few)."""
        found = cls()
        labels: list[LexborNode] = []
        for node in each_once(root.css(FORM_SELECTOR)):
            tag = node.tag
            attrs = node.attributes
            if tag == "label" and "for" in attrs:
                labels.append(node)
            elif tag == "input" and "name" in attrs and _is_radio(node, attrs.get("type") or ""):
                found.radios.append(node)
            found.groups += [node] * ((tag in _GROUP_TAGS) + (attrs.get("role") in _GROUP_ROLES))
            classes = _ascii_lower(attrs.get("class") or "")
            found.classed += [node] * (("size" in classes) + ("colo" in classes))
        found.labels = {
            node.attributes.get("for") or "": node.text(deep=True, separator=" ")
            for node in labels[:MAX_LABELS]
        }
        return found


def _ascii_lower(text: str) -> str:
    """``text`` with its ASCII letters in lower case (as a case-insensitive CSS match reads it)."""
    return text.lower() if text.isascii() else text.encode().lower().decode()


def find_variants(page: Page, title: LexborNode | None = None, lowered: str = "") -> list[Variant]:
    """One variant per option of each labelled selector in the product area that offers a choice
    (two options or more), the axis the page shows first first. Selectors are ``<select>``
    elements, fieldsets and radio groups, radios sharing an axis ``name``, groups of items whose
    class names an axis, and (when a line of ``lowered``, the product area's text in lower case
    framed by newlines, is an axis label) rows of buttons or swatches and lists of links after
    such a label."""
    root = buy_box(page, title)
    form = _FormElements.find(root)
    labels = form.labels
    candidates: list[tuple[str, LexborNode]] = []
    for group in form.groups[:MAX_GROUPS]:
        name = (group.attributes.get("name") or "").lower()
        if not _QUANTITY_NAMES.search(name):
            candidates.append((_label_of(group, labels), group))
    candidates += _radio_groups(form.radios)
    class_groups = _class_groups(form.classed)
    named_by_class = {int(group.mem_id) for _, group in class_groups}
    candidates += class_groups
    if not lowered or has_axis_line(lowered):
        candidates += _swatch_groups(root, labels) + _listed_groups(root)
    axes: dict[str, tuple[list[int], list[ShownOption]]] = {}
    shown: set[int] = set()  # the elements of the options read, each axis's own
    for label, group in candidates:
        axis = _group_axis(label, group)
        if axis is None or axis in axes:
            continue
        if ancestors_match(group, OUTSIDE_THIS_PRODUCT, 8, page.h1_holders()):
            continue
        chosen = _choice(axis, _options(group, int(group.mem_id) in named_by_class))
        if chosen is None or chosen[0] in axes:
            continue
        nodes = {int(option.node.mem_id) for option in chosen[1]}
        if nodes <= shown:
            continue  # the same options, found again as another group (a radiogroup and its radios)
        shown |= nodes
        axes[chosen[0]] = (page_position(group), chosen[1])
    return [
        Variant(options={axis: option.name}, **option_offer(page, option.node, option.control)._asdict())
        for axis, (_, options) in sorted(axes.items(), key=lambda item: item[1][0])
        for option in options
    ]


MAX_SIBLINGS_COUNTED = 2_000
MAX_LEVELS_COUNTED = 200


def page_position(node: LexborNode) -> list[int]:
    """Where an element stands in the page: the number of siblings before it and before each of
    its ancestors, outermost first (lists compare in document order; bounded, for hostile
    markup: :data:`MAX_SIBLINGS_COUNTED` siblings, :data:`MAX_LEVELS_COUNTED` levels)."""
    position: list[int] = []
    current: LexborNode | None = node
    while current is not None and len(position) < MAX_LEVELS_COUNTED:
        count = 0
        sibling = current.prev
        while sibling is not None and count < MAX_SIBLINGS_COUNTED:
            count += 1
            sibling = sibling.prev
        position.append(count)
        current = current.parent
    return position[::-1]


def _packs(options: list[str]) -> bool:
    """Whether quantity options are packs to choose ("1 carton", "6 x 500 ml"): each holds a number,
    not all are bare numbers (a quantity picker), none is a button's action ("Add to cart")."""
    return all(any(char.isdigit() for char in option) for option in options) and not all(
        option.isdigit() for option in options
    )


_NAMED_OPTION = re.compile(r"^([^:：]{1,30}?)\s*[:：]\s*(\S.*)$")
"""An option written with its axis ("Maat: 42", "Farbe: Rot")."""


def _prefixed_axis(options: list[ShownOption]) -> tuple[str, list[ShownOption]] | None:
    """The axis every option names before its value, one and the same ("Maat: 40", "Maat:
    40.5" under a label "Make a choice"), and the options named by their values."""
    if len(options) < 2:
        return None
    named: list[tuple[ShownOption, str, str]] = []
    for option in options:
        match = _NAMED_OPTION.match(option.name)
        if match is None or ":" in match.group(2) or "：" in match.group(2):
            return None  # (an option naming two axes, "Color: Red, Size: M", is no one axis's)
        named.append((option, match.group(1).casefold(), match.group(2)))
    if len({prefix for _, prefix, _ in named}) != 1:
        return None
    axis = shown_axis_of(named[0][1])
    return (axis, [option._replace(name=value) for option, _, value in named]) if axis else None


def _choice(axis: str, options: list[ShownOption]) -> tuple[str, list[ShownOption]] | None:
    """``(axis, options)`` of a selector that offers a choice (two options or more; for a quantity,
    packs); an unnamed option field whose options are volumes or storage sizes is a capacity;
    options that all name one axis before their values ("Maat: 40") are on that axis."""
    prefixed = _prefixed_axis(options)
    if prefixed is not None:
        axis, options = prefixed
    names = [option.name for option in options]
    settled = settled_axis(axis, names)
    if settled is None or len(names) < 2 or (settled == "quantity" and not _packs(names)):
        return None
    axis = settled
    if axis == OTHER and all(_CAPACITY.search(name) for name in names):
        return "capacity", options
    return axis, options
