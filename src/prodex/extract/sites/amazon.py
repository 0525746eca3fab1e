"""Amazon, all marketplaces (.com, .co.uk, .de, .fr, .it, .es, .nl, .pl, .se, .com.be, .ca,
.com.mx, .com.br, .co.jp, .in, .com.au, .sg, .ae, .sa, .com.tr, .eg).

Reads how Amazon builds every product page: ``#productTitle``, the buy-box price, the byline
and product-overview brand, ``#availability``, the ASIN, ``#feature-bullets`` as selling points,
``#productDescription`` / book description, the wayfinding breadcrumbs, and the full-resolution
gallery and videos from the page's image data (``colorImages`` hiRes / large, ``videos``).
"""

from __future__ import annotations

import re
from typing import Any

from prodex.extract.found import Found
from prodex.extract.jsontools import load_json_at
from prodex.extract.model import Media, MediaType
from prodex.extract.page import Page
from prodex.extract.process.availability import availability_from_phrase
from prodex.extract.process.media import upgrade_image_url
from prodex.extract.process.price import currency_in_text, parse_price
from prodex.extract.process.text import clean_line, html_to_text
from prodex.extract.sites import Site

NAME = "amazon"
HOSTS = re.compile(
    r"(?:^|\.)amazon\.(?:com|co\.uk|de|fr|it|es|nl|pl|se|com\.be|ca|com\.mx|com\.br|co\.jp|in|com\.au|sg|ae|sa|"
    r"com\.tr|eg|cn)$"
)
PRICE_SELECTORS = (
    "#corePrice_feature_div .a-price .a-offscreen",
    "#corePriceDisplay_desktop_feature_div .a-price .a-offscreen",
    "#priceblock_dealprice",
    "#priceblock_saleprice",
    "#priceblock_ourprice",
    "#price_inside_buybox",
    "#newBuyBoxPrice",
    "#kindle-price",
    "#price",
    "#apex_desktop .a-price .a-offscreen",
)
_BYLINE_BRAND = re.compile(
    r"^(?:visit the|besuchen sie den|visitez la boutique|visita lo store di|visita la tienda de|"
    r"bezoek de|odwiedź sklep|besök|ストアにアクセス)?\s*(.+?)(?:\s*-?\s*(?:store|shop|boutique|tienda|"
    r"winkel|sklep|butik|ストア))?$",
    re.IGNORECASE,
)
_BRAND_LABEL = re.compile(r"^(?:brand|marke|marque|marca|merk|marka|märke|ブランド)\s*[:：]\s*(.+)$", re.I)
_BRAND_ROW = re.compile(r"^(?:brand|marke|marque|marca|merk|marka|märke|ブランド|brand name)$", re.I)
_IMAGE_DATA = re.compile(r"""['"]colorImages['"]\s*:\s*\{\s*['"]initial['"]\s*:\s*(?=\[)""")
_VIDEO_DATA = re.compile(r""""videos"\s*:\s*(?=\[\{)""")
_ASIN = re.compile(r"/(?:dp|gp/product|gp/aw/d)/([A-Z0-9]{10})")


def _text(page: Page, selector: str) -> str:
    node = page.tree.css_first(selector)
    return clean_line(node.text(deep=True, separator=" ")) if node is not None else ""


def _image_script(page: Page) -> str:
    for node in page.tree.css("script:not([src])"):
        text = node.text(deep=True)
        if "colorImages" in text:
            return text
    return ""


def gallery(script: str) -> list[str]:
    """Full-resolution picture URLs from the ``colorImages`` data (hiRes, else large)."""
    match = _IMAGE_DATA.search(script)
    if not match:
        return []
    data = load_json_at(script, match.end())
    urls: list[str] = []
    for item in data if isinstance(data, list) else []:
        if not isinstance(item, dict):
            continue
        url = item.get("hiRes") or item.get("large") or item.get("mainUrl")
        if isinstance(url, str) and url.startswith("http"):
            urls.append(upgrade_image_url(url))
    return urls


def videos(page: Page) -> list[Media]:
    """Product videos from the page's video data."""
    out: list[Media] = []
    for node in page.tree.css("script:not([src])"):
        text = node.text(deep=True)
        if '"videos":[{' not in text:
            continue
        match = _VIDEO_DATA.search(text)
        data: Any = load_json_at(text, match.end()) if match else None
        for item in data if isinstance(data, list) else []:
            if isinstance(item, dict) and isinstance(item.get("url"), str) and item["url"].startswith("http"):
                out.append(Media(type=MediaType.VIDEO, url=item["url"], name=clean_line(item.get("title"))))
        if out:
            break
    return out[:10]


def brand(page: Page) -> str:
    """The brand from the product-overview table, else from the byline."""
    for row in page.tree.css("#productOverview_feature_div tr, #detailBullets_feature_div li")[:20]:
        cells = row.css("td") or row.css("span.a-text-bold")
        if not cells:
            continue
        label = clean_line(cells[0].text(deep=True)).rstrip(":‏‎ ")
        if _BRAND_ROW.match(label) and len(cells) > 1:
            return clean_line(cells[1].text(deep=True))
    byline = _text(page, "#bylineInfo")
    if byline:
        labelled = _BRAND_LABEL.match(byline)
        if labelled:
            return labelled.group(1).strip()
        match = _BYLINE_BRAND.match(byline)
        if match:
            return match.group(1).strip()
    return ""


def read(page: Page) -> Found | None:
    """What an Amazon product page says about its product."""
    found = Found(source=f"site:{NAME}")
    found.name = (
        _text(page, "#productTitle") or _text(page, "#title") or _text(page, "#ebooksProductTitle") or None
    )
    found.price, found.currency = buy_box_price(page)
    availability = _text(page, "#availability span.a-size-medium") or _text(page, "#availability span")
    found.availability = availability_from_phrase(availability) if availability else None
    found.sku = asin(page)
    found.brand = brand(page) or None
    found.selling_points = feature_bullets(page)
    found.description = description(page)
    crumbs = [
        clean_line(a.text(deep=True)) for a in page.tree.css("#wayfinding-breadcrumbs_feature_div li a")[:12]
    ]
    found.breadcrumbs = [c for c in crumbs if c]
    found.images = gallery(_image_script(page))
    found.videos = videos(page)
    return found


def buy_box_price(page: Page) -> tuple[str | None, str | None]:
    """``(price, currency)`` of the first of :data:`PRICE_SELECTORS` that shows a price."""
    for selector in PRICE_SELECTORS:
        raw = _text(page, selector)
        if raw:
            currency = currency_in_text(raw, page.tld)
            price = parse_price(raw, currency)
            if price:
                return price, currency
    return None, None


def asin(page: Page) -> str | None:
    """The ASIN: the page's ``ASIN`` input, else the one in the URL's path."""
    node = page.tree.css_first("input#ASIN, input[name='ASIN']")
    value = node.attributes.get("value") if node is not None else None
    if not value:
        match = _ASIN.search(page.url)
        value = match.group(1) if match else None
    return value or None


def feature_bullets(page: Page) -> list[str]:
    """The lines of ``#feature-bullets``, each once (none of 1000 characters or more)."""
    points: list[str] = []
    for item in page.tree.css("#feature-bullets li:not([id]) span.a-list-item"):
        line = clean_line(item.text(deep=True, separator=" "))
        if line and line not in points and len(line) < 1000:
            points.append(line)
    return points


def description(page: Page) -> str | None:
    """``#productDescription`` (or a book's description) as text, without its disclaimers."""
    node = page.tree.css_first("#productDescription, #bookDescription_feature_div .a-expander-content")
    if node is None:
        return None
    copy = node.clone()
    for extra in reversed(copy.css(".disclaim, script, style")):
        extra.decompose()  # the variant line ("Size: 1 pack") is not the description
    return html_to_text(copy.html or "", serialized=True) or None


SITE = Site(name=NAME, hosts=HOSTS, read=read)
