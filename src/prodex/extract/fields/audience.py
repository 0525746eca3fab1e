"""``gender``, ``age_group`` and ``target_audience``: who the product is for.

Gender and age group come from what a source states (schema.org ``audience``, product meta
tags), else from words of the name, breadcrumbs and category in the page's language (source
``text``); gender is only read from words for products where it applies (apparel, personal
care, bags, sports), and the age group falls back on what the category implies (apparel is for
adults unless it says otherwise, baby products for infants, toys for kids; source
``inferred``). The target audience is what the page states (schema.org ``audienceType``), else a
marketer's phrase built from the category, gender and age group (source ``text`` when the gender
or age group was stated, ``inferred`` otherwise).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from prodex.extract.fields.context import STRUCTURED, Merging
from prodex.extract.model import AUDIENCE_SOURCE_INFERRED, AUDIENCE_SOURCE_TEXT
from prodex.extract.process.audience import (
    GENDERED_TOPS,
    activity_in,
    age_group_in,
    audience_phrase,
    fallback_audience,
    gender_from_schema,
    gender_in,
    says_unisex,
)
from prodex.extract.process.taxonomy import Category, taxonomy
from prodex.extract.process.text import fold
from prodex.extract.words import words

AUDIENCE_ORDER = (*STRUCTURED, "opengraph")
DEFAULT_AGE_GROUPS = {
    "Apparel & Accessories": "adult",
    "Baby & Toddler": "infant",
    "Health & Beauty": "adult",
    "Toys & Games": "kids",
}
"""The age group of a category's products when the page names none (personal care is made for
adults, toys for children)."""
STATED = ("gender", "age_group")
AGELESS_TOPS = frozenset(
    {
        "Food, Beverages & Tobacco",
        "Animals & Pet Supplies",
        "Vehicles & Parts",
        "Hardware",
        "Business & Industrial",
    }
)
"""Top-level categories whose products are not made for an age group."""
HOUSEHOLD_TOPS = frozenset(
    {"Home & Garden", "Furniture", "Electronics", "Cameras & Optics", "Office Supplies"}
)
"""Top-level categories whose products are seldom made for an age group: only the name and the
shop's categories say one ("Kids' desk lamp"); their descriptions name who uses them in passing
("for soups and baby food"). Their categories for children ("Baby & Toddler Furniture") read
the description too."""
CHILDRENS_CATEGORY = ("Baby", "Toddler", "Kid", "Child", "Nursery")
"""Words of a category path that make its products children's."""


def _category(merging: Merging) -> Category | None:
    category_id = merging.product.google_category_id
    return taxonomy().by_id.get(category_id) if category_id is not None else None


DESCRIPTION_HEAD = 300
UNISEX_DESCRIPTION_CHARS = 3000
"""How much of the description is read for "unisex" (its claims come first)."""


def _head(text: str, chars: int) -> str:
    """The first ``chars`` characters of a text, without a word cut in two at the end ("lap" of
    "laptop" would be a Finnish word for a child)."""
    if len(text) <= chars or not (text[chars - 1].isalnum() and text[chars].isalnum()):
        return text[:chars]
    cut = text[:chars]
    space = cut.rfind(" ")
    return cut[:space] if space > 0 else cut


@dataclass
class _StatedTexts:
    """The texts that may say who the product is for."""

    name: list[str]
    description: list[str]
    """The start of its description."""
    shop_categories: list[str]
    """The shop's breadcrumbs and category."""
    url_path: list[str]

    def levels(self) -> list[list[str]]:
        """The texts, most telling first."""
        return [self.name, self.description, self.shop_categories, self.url_path]


def _stated_words(merging: Merging) -> _StatedTexts:
    """The texts that may say who the product is for: its name, the start of its description,
    the shop's breadcrumbs and category, the words of its URL's path."""
    product = merging.product
    path = urlsplit(product.url).path.replace("-", " ").replace("_", " ").replace("/", " ")
    return _StatedTexts(
        name=[product.name or ""],
        description=[_head(product.description or "", DESCRIPTION_HEAD)],
        shop_categories=[*product.breadcrumbs, product.category or ""],
        url_path=[path],
    )


GENDER_LABELS = frozenset(words("audience_label", "gender"))
"""Names of a specification row that gives the product's gender ("Gender", "Geschlecht", "Køn")."""


def _gender_row(merging: Merging) -> str | None:
    """The gender a specification row of the product states ("Køn: Unisex", "Gender: Women")."""
    product = merging.product
    for row in product.specifications:
        if fold(row.name).rstrip(":") in GENDER_LABELS:
            return gender_from_schema(row.value) or gender_in([row.value], product.language)
    return None


def _unisex_said(merging: Merging) -> str | None:
    """``unisex`` when the product's own text (its description's start and selling points) says the
    product is for both ("Unisex-Passform", "for men and women"): a line further down than the
    words read for a gender, where "for her" is as likely a gift idea as the product's wearer."""
    product = merging.product
    texts = [(product.description or "")[:UNISEX_DESCRIPTION_CHARS], *product.selling_points]
    return "unisex" if says_unisex(texts, product.language) else None


def _first_said(
    find: Callable[[list[str], str | None], str | None], levels: list[list[str]], language: str | None
) -> str | None:
    """What the first level of texts that says anything says."""
    for texts in levels:
        found = find(texts, language)
        if found is not None:
            return found
    return None


def merge_gender_and_age(merging: Merging) -> None:
    """The gender and age group the product is made for, when they apply."""
    product = merging.product
    category = _category(merging)
    top = category.top if category is not None else ""
    texts = _stated_words(merging)
    gender = merging.take("gender", AUDIENCE_ORDER, lambda f: f.gender)
    if gender is not None and (category is None or top in GENDERED_TOPS):
        product.gender = str(gender)
    else:
        if gender is not None:
            merging.source.pop("gender", None)  # stated, but gender does not apply to such products
        # a specification row naming the gender is the shop's own word, whatever the category (a
        # motorcycle helmet "Género: Unisex"); a name or a description saying "for women" counts
        # only where gender applies (elsewhere it is as likely a gift idea)
        said = _gender_row(merging)
        if said is None and top in GENDERED_TOPS:
            # the short lines right after the title come after the name ("Rounded square
            # sunglasses · Unisex", a badge); not for the age group: their sizes mislead it
            notes = merging.dom.title_notes if merging.dom is not None else []
            levels = [texts.name, notes, texts.description, texts.shop_categories, texts.url_path]
            said = _first_said(gender_in, levels, product.language) or _unisex_said(merging)
        merging.set("gender", said, AUDIENCE_SOURCE_TEXT)
    age = merging.take("age_group", AUDIENCE_ORDER, lambda f: f.age_group)
    if age is not None:
        product.age_group = str(age)
        return
    if top in AGELESS_TOPS:
        return  # "adult dog food", "not suitable for children": about the pet or a warning
    path = category.text if category is not None else ""
    household = top in HOUSEHOLD_TOPS and not any(word in path for word in CHILDRENS_CATEGORY)
    levels = [texts.name, texts.shop_categories] if household else texts.levels()
    merging.set("age_group", _first_said(age_group_in, levels, product.language), AUDIENCE_SOURCE_TEXT)
    if product.age_group is None and top in DEFAULT_AGE_GROUPS:
        merging.set("age_group", DEFAULT_AGE_GROUPS[top], AUDIENCE_SOURCE_INFERRED)


def merge_audience(merging: Merging) -> None:
    """The target audience the page states, else one inferred from category, gender and age."""
    product = merging.product
    stated = next((f.audience for f in merging.ranked(AUDIENCE_ORDER) if f.audience), "")
    if stated:
        merging.set("target_audience", stated, AUDIENCE_SOURCE_TEXT)
        return
    category = _category(merging)
    activity = activity_in([product.name or ""], product.language)  # departments name too much
    phrase = audience_phrase(category, product.gender, product.age_group, activity)
    if not phrase:
        phrase = fallback_audience(product.gender, product.age_group, product.category)
    if phrase:
        said = any(
            merging.source.get(name) != AUDIENCE_SOURCE_INFERRED for name in STATED if getattr(product, name)
        )
        merging.set("target_audience", phrase, AUDIENCE_SOURCE_TEXT if said else AUDIENCE_SOURCE_INFERRED)
