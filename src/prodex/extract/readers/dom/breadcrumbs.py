"""Breadcrumbs in the DOM: ``nav[aria-label*=breadcrumb]`` and elements whose class or id says
breadcrumb; the crumb texts in order, without the home crumb and separators."""

from __future__ import annotations

import re

from selectolax.lexbor import LexborNode

from prodex.extract.page import Page
from prodex.extract.process.patterns import trie_pattern
from prodex.extract.process.text import clean_line
from prodex.extract.words import words

BREADCRUMB_SELECTOR = '[class*="crumb" i], [id*="crumb" i], [aria-label*="breadcrumb" i]'
_SEPARATOR = re.compile(r"^[>/»›|→\\\-–—·•:]+$")
_HOME = re.compile(rf"^(?:{trie_pattern(words('breadcrumb', 'home'))})$", re.IGNORECASE)


def without_home(crumbs: list[str]) -> list[str]:
    """The crumbs without a leading home crumb ("Home", "Startseite", "Accueil", ...)."""
    return crumbs[1:] if crumbs and _HOME.match(crumbs[0].strip()) else crumbs


def find_breadcrumbs(page: Page) -> list[str]:
    """The crumb names of the page's first breadcrumb trail, home crumb left out."""
    # The first trail is near the top of nearly every page: finding it stops the search there;
    # the whole page is searched only when the first one holds no crumbs.
    first = page.tree.css_first(BREADCRUMB_SELECTOR)
    if first is None:
        return []
    crumbs = _crumbs(first)
    if crumbs:
        return crumbs
    for container in page.tree.css(BREADCRUMB_SELECTOR)[1:6]:
        crumbs = _crumbs(container)
        if crumbs:
            return crumbs
    return []


def _crumbs(container: LexborNode) -> list[str]:
    items = container.css("li") or container.css("a")
    crumbs: list[str] = []
    for item in items[:30]:
        text = clean_line(item.text(deep=True, separator=" "))
        if not text or _SEPARATOR.match(text) or len(text) > 120:
            continue
        text = text.strip(" >/»›|→")
        if text and (not crumbs or crumbs[-1] != text):
            crumbs.append(text)
    return without_home(crumbs)
