"""Breadcrumbs in the DOM: ``nav[aria-label*=breadcrumb]`` and elements whose class or id says
breadcrumb; the crumb texts in order, without the home crumb and separators."""

from __future__ import annotations

import re

from prodex.extract.page import Page
from prodex.extract.process.text import clean_line

BREADCRUMB_SELECTOR = '[class*="crumb" i], [id*="crumb" i], [aria-label*="breadcrumb" i]'
_SEPARATOR = re.compile(r"^[>/»›|→\\\-–—·•:]+$")
_HOME = re.compile(
    r"^(?:home|homepage|start|startseite|accueil|inicio|início|home page|strona główna|úvod|domov|"
    r"sākums|avaleht|etusivu|forside|hem|首頁|首页|ホーム|trang chủ)$",
    re.IGNORECASE,
)


def without_home(crumbs: list[str]) -> list[str]:
    """The crumbs without a leading home crumb ("Home", "Startseite", "Accueil", ...)."""
    return crumbs[1:] if crumbs and _HOME.match(crumbs[0].strip()) else crumbs


def find_breadcrumbs(page: Page) -> list[str]:
    """The crumb names of the page's first breadcrumb trail, home crumb left out."""
    for container in page.tree.css(BREADCRUMB_SELECTOR)[:6]:
        items = container.css("li") or container.css("a")
        crumbs: list[str] = []
        for item in items[:30]:
            text = clean_line(item.text(deep=True, separator=" "))
            if not text or _SEPARATOR.match(text) or len(text) > 120:
                continue
            text = text.strip(" >/»›|→")
            if text and (not crumbs or crumbs[-1] != text):
                crumbs.append(text)
        crumbs = without_home(crumbs)
        if crumbs:
            return crumbs
    return []
