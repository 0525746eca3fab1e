"""The product's target group as a shop's app state records it: an object under a
``targetGroup(s)``/``target_group`` key naming the genders and ages the product is made for
(``"targetGroups":{"gender":["MALE"],"age":["ADULT"]}``) in one of its scripts, the department
of fashion shops' front-ends that no visible text or schema.org markup states.

Only such an object counts, not a ``gender`` key alone (a page's state also carries the
shopper's, a reviewer's or a size chart's genders); the first object of the page is the
product's (related products come later in the state)."""

from __future__ import annotations

import re

from prodex.extract.found import Found
from prodex.extract.page import Page
from prodex.extract.process.audience import gender_from_schema
from prodex.extract.words import AGE_GROUPS

SOURCE = "app-state"
_GROUP = re.compile(r'arget_?[Gg]roups?"\s*:\s*\{([^{}]{1,400})\}')
"""The key without its quote and first letter (checked after the search: a pattern that starts
with a literal word is searched much faster than one that starts at every quote)."""
_KEY_STARTS = frozenset(('"t', '"T'))
_VALUES = re.compile(r'"(gender|age(?:_?[Gg]roup)?)"\s*:\s*(\[[^\[\]]{0,120}\]|"[^"]{0,30}")')
_STRING = re.compile(r'"([^"]{1,30})"')
_AGES = {
    "baby": "infant",
    "babies": "infant",
    "newborn": "newborn",
    "infant": "infant",
    "toddler": "toddler",
    "kid": "kids",
    "kids": "kids",
    "child": "kids",
    "children": "kids",
    "teen": "kids",
    "junior": "kids",
    "adult": "adult",
    "adults": "adult",
}
"""A target group's age values as product-feed age groups."""


def _gender_of(values: list[str]) -> str | None:
    """One gender for the listed ones (``unisex`` when they name both)."""
    genders = {g for g in map(gender_from_schema, values) if g}
    if "unisex" in genders or {"female", "male"} <= genders:
        return "unisex"
    return genders.pop() if len(genders) == 1 else None


def _age_group_of(values: list[str]) -> str | None:
    """The youngest listed age group ("KID", "TEEN" -> ``kids``)."""
    groups = {_AGES.get(value.strip().lower()) for value in values}
    return next((group for group in AGE_GROUPS if group in groups), None)


def read(page: Page) -> Found | None:
    """The gender and age group of the page's first target-group object, when it names any."""
    source = page.script_source()
    groups = _GROUP.finditer(source)
    match = next((m for m in groups if source[m.start() - 2 : m.start()] in _KEY_STARTS), None)
    if match is None:
        return None
    found = Found(source=SOURCE)
    for key, value in _VALUES.findall(match.group(1)):
        values = _STRING.findall(value)
        if key == "gender":
            found.gender = _gender_of(values)
        else:
            found.age_group = _age_group_of(values)
    return found if found.gender or found.age_group else None
