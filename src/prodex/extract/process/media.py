"""Media URLs: absolute, upgraded to the largest variant, one entry per picture, junk dropped.

Rules follow how shops and image CDNs build URLs in general: ``srcset`` candidates, zoom
attributes, size tokens that well-known CDNs put in the path (Amazon ``._SX300_``, Shopify
``_300x300``, eBay ``s-l64``, Alibaba ``_50x50.jpg``), and the words shops use for pictures that
are not the product (logos, icons, sprites, tracking pixels, payment badges, flags).
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, unquote, urlencode, urljoin, urlsplit

from prodex.extract.process.patterns import trie_pattern

MAX_URL_CHARS = 2048
_ABSOLUTE_HTTP = re.compile(r"https?://[^/\s?#\\]+(?:[/?#]|$)", re.IGNORECASE)

_SRCSET_ITEM = re.compile(r"\s*(\S+?)(?:\s+(\d+(?:\.\d+)?)([wxh]))?\s*(?:,|$)")
_AMAZON_HOST = re.compile(r"(?:^|\.)(?:media-amazon\.com|ssl-images-amazon\.com|images-amazon\.com)$")
_AMAZON_SIZE = re.compile(r"\._[^/]*?_\.(jpe?g|png|gif|webp)$", re.IGNORECASE)
_SHOPIFY_SIZE = re.compile(
    r"_(?:\d+x\d*|x\d+|pico|icon|thumb|small|compact|medium|large|grande|original|master)"
    r"(?:_crop_[a-z]+)?(?:@\dx)?(?=\.(?:jpe?g|png|gif|webp)$)",
    re.IGNORECASE,
)
#: WordPress (and so WooCommerce) media: ``name-300x300.jpg`` is a resized copy of ``name.jpg``.
_WORDPRESS_SIZE = re.compile(r"-\d{2,4}x\d{2,4}(?=\.(?:jpe?g|png|webp|gif|avif)$)", re.IGNORECASE)
_EBAY_SIZE = re.compile(r"/s-l\d+\.(jpe?g|png|webp)$", re.IGNORECASE)
_ALICDN_SUFFIX = re.compile(r"(\.(?:jpe?g|png|webp))_\d+x\d+[^/]*$", re.IGNORECASE)
_SIZE_TOKEN = re.compile(
    r"(?:[-_.,](?:\d{2,4}x\d{2,4}|w\d{2,4}|h\d{2,4}|s\d{2,4}|\d{2,4}w)"
    r"|[-_.,](?:thumb|thumbnail|small|medium|large|big|zoom|mini|tiny|xl|xxl|lg|md|sm|xs|product|cart|catalog|"
    r"detail|main|full|original|hires|preview))+(?=\.[a-z0-9]{3,4}$)"
)  # searched in lower-cased paths
_SIZE_SEGMENT = re.compile(
    r"/(?:[a-z]/)?(?:\d{2,4}x\d{2,4}|[whs]_?\d{2,4}|fit-in|c_\w+|q_\d+|f_auto|resize(?:d)?|thumbs?|"
    r"thumbnails?|small|medium|large|big|zoom|original|full|mini|xl|xxl|\d{2,4})/(?=.)"
)  # searched in lower-cased paths
_SIZE_WORDS = (
    ("zoom", 5000),
    ("original", 5000),
    ("full", 4000),
    ("xxl", 3000),
    ("hires", 3000),
    ("xl", 2000),
    ("large", 1500),
    ("big", 1500),
    ("product", 800),
    ("medium", 600),
    ("small", 200),
    ("thumb", 100),
    ("mini", 80),
    ("cart", 80),
    ("icon", 40),
)
_DIMENSION = re.compile(r"(?<![a-z0-9])(?:[whs]_?)?(\d{2,4})(?:x(\d{2,4}))?(?![0-9])")  # in lower-cased paths
_SIZE_PARAMS = frozenset(
    [
        "w",
        "h",
        "width",
        "height",
        "size",
        "sw",
        "sh",
        "fit",
        "crop",
        "quality",
        "q",
        "fmt",
        "format",
        "auto",
        "dpr",
        "resize",
        "wid",
        "hei",
        "qlt",
        "op_sharpen",
        "resmode",
        "scl",
        "fm",
        "cs",
        "bg",
        "trim",
        "ixlib",
        "v",
        "version",
        "imwidth",
        "impolicy",
        "im",
        "strip",
    ]
)
_JUNK_WORDS = re.compile(
    r"(?:^|[^a-z])(?:"
    + trie_pattern(
        (
            "logo",
            "logos",
            "icon",
            "icons",
            "favicon",
            "sprite",
            "sprites",
            "pixel",
            "spacer",
            "blank",
            "placeholder",
            "loader",
            "loading",
            "spinner",
            "badge",
            "badges",
            "flag",
            "flags",
            "payment",
            "payments",
            "paypal",
            "visa",
            "mastercard",
            "klarna",
            "rating",
            "ratings",
            "avatar",
            "emoji",
            "smiley",
            "captcha",
            "tracking",
            "tracker",
            "beacon",
            "1x1",
            "transparent",
            "facebook",
            "twitter",
            "instagram",
            "pinterest",
            "youtube-logo",
            "whatsapp",
            "social",
            "share",
            "newsletter",
            "banner",
            "banners",
            "promo",
            "advert",
            "ads",
            "cookie",
            "arrow",
            "arrows",
            "chevron",
            "close",
            "cart",
            "basket",
            "no-image",
            "no_image",
            "noimage",
            "nophoto",
            "no-photo",
            "no_photo",
            "default-image",
            "default_image",
            "dummy",
            "swatch",
            "swatches",
        )
    )
    + r")(?:[^a-z]|$)"
)  # searched in lower-cased text: several times faster than re.IGNORECASE
_TRACKER_HOSTS = re.compile(
    r"(?:^maps?\d*\.|staticmap|/maps/|tiles?\.|doubleclick\.net|google-analytics\.com|googletagmanager\.com|facebook\.com|facebook\.net|"
    r"bat\.bing\.com|scorecardresearch\.com|analytics|pixel\.|criteo|adservice|adsystem|"
    r"gstatic\.com|googleapis\.com/maps|gravatar\.com|ytimg\.com)"
)  # searched in lower-cased text
_IMAGE_EXT = re.compile(r"\.(?:jpe?g|png|webp|avif|gif|bmp|tiff?|jfif)(?:$|[?#])", re.IGNORECASE)
_NOT_IMAGE_EXT = re.compile(r"\.(?:svg|ico|js|css|html?|php\?.*action|pdf|mp4|webm|mov|m3u8)(?:$|[?#])")


def absolute_url(value: object, base: str) -> str | None:
    """``value`` resolved against ``base`` as an http(s) URL, or ``None`` when it is not one."""
    if not isinstance(value, str):
        return None
    url = value.strip().strip("'\"")
    if (
        not url
        or len(url) > MAX_URL_CHARS
        or url.startswith(("data:", "javascript:", "blob:", "#", "about:"))
    ):
        return None
    if "{" in url or "}" in url:
        return None
    url = url.replace(" ", "%20").replace("\\/", "/")
    if url.startswith("//"):
        url = "https:" + url
    if _ABSOLUTE_HTTP.match(url):
        return url  # already absolute: nothing to resolve
    try:
        joined = urljoin(base, url) if base else url
        parts = urlsplit(joined)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return joined


def largest_from_srcset(srcset: str) -> str | None:
    """The URL of the largest candidate in a ``srcset`` attribute (by width or density)."""
    best: tuple[float, int, str] | None = None
    for index, match in enumerate(_SRCSET_ITEM.finditer(srcset[: MAX_URL_CHARS * 8])):
        url = match.group(1)
        if not url or url == ",":
            continue
        size = float(match.group(2)) if match.group(2) else 1.0
        if match.group(3) == "x":
            size *= 1000.0
        candidate = (size, index, url)
        if best is None or candidate[:2] > best[:2]:
            best = candidate
    return best[2] if best else None


def _host_and_path(url: str) -> tuple[str, str, str]:
    """``(scheme://host, path, query)`` of an absolute URL without the cost of ``urlsplit``."""
    scheme, _, rest = url.partition("://")
    rest = rest.split("#", 1)[0]
    host_end = len(rest)
    for sep in "/?":
        index = rest.find(sep)
        if 0 <= index < host_end:
            host_end = index
    host, tail = rest[:host_end], rest[host_end:]
    path, _, query = tail.partition("?")
    return f"{scheme}://{host}", path or "/", query


def upgrade_image_url(url: str) -> str:
    """The largest variant of an image URL where the CDN's size convention is well known."""
    origin, path, query = _host_and_path(url)
    host = origin.rsplit("/", 1)[-1].lower()
    if _AMAZON_HOST.search(host):
        return origin + _AMAZON_SIZE.sub(r".\1", path)
    if host.endswith("cdn.shopify.com") or "/cdn/shop/" in path:
        path = _SHOPIFY_SIZE.sub("", path)
        kept = urlencode(
            [(k, v) for k, v in parse_qsl(query) if k.lower() not in {"width", "height", "crop"}]
        )
        return origin + path + (f"?{kept}" if kept else "")
    if host.endswith("ebayimg.com"):
        return origin + _EBAY_SIZE.sub(r"/s-l1600.\1", path) + (f"?{query}" if query else "")
    if host.endswith("alicdn.com"):
        return origin + _ALICDN_SUFFIX.sub(r"\1", path) + (f"?{query}" if query else "")
    if "/wp-content/uploads/" in path:
        return origin + _WORDPRESS_SIZE.sub("", path) + (f"?{query}" if query else "")
    return url


def picture_key(url: str) -> str:
    """An identity for one picture: the same picture in other sizes gives the same key."""
    _, raw_path, raw_query = _host_and_path(upgrade_image_url(url))
    path = unquote(raw_path).lower() if "%" in raw_path else raw_path.lower()
    path = _SIZE_SEGMENT.sub("/", path)
    path = _SIZE_TOKEN.sub("", path)
    if not raw_query:
        return path
    query = sorted((k.lower(), v) for k, v in parse_qsl(raw_query) if k.lower() not in _SIZE_PARAMS)
    query = [(k, v) for k, v in query if not k.startswith("$")]
    return f"{path}?{urlencode(query)}" if query else path


def is_junk_image(url: str, hint: str = "") -> bool:
    """Whether an image is a logo, icon, sprite, tracking pixel, badge or similar, not a product photo.

    ``hint`` carries the element's alt/class/id text when there is one.
    """
    origin, raw_path, _ = _host_and_path(url)
    host = origin.partition("://")[2]
    if _TRACKER_HOSTS.search(host.lower()) or _TRACKER_HOSTS.search(raw_path[:60].lower()):
        return True
    path = (unquote(raw_path) if "%" in raw_path else raw_path).lower()
    if _NOT_IMAGE_EXT.search(path):
        return True
    filename = path.rsplit("/", 1)[-1]
    if _JUNK_WORDS.search(filename) or _JUNK_WORDS.search(
        path.rsplit("/", 2)[-2] if path.count("/") > 1 else ""
    ):
        return True
    return bool(hint and _JUNK_WORDS.search(hint[:200].lower()))


def looks_like_image_url(url: str) -> bool:
    """Whether a URL names an image file (by extension) or an image CDN path."""
    return bool(_IMAGE_EXT.search(url)) or "/image" in url.lower() or "/img" in url.lower()


def size_score(url: str) -> int:
    """How large a picture URL says it is (size words and dimensions in its file name or path)."""
    path = unquote(_host_and_path(url)[1]).lower()
    name = path.rsplit("/", 1)[-1]
    score = 0
    for word, value in _SIZE_WORDS:
        if word in name or f"/{word}/" in path:
            score = max(score, value)
    for match in _DIMENSION.finditer(path):
        numbers = [int(n) for n in match.groups() if n]
        if match.group(2) or match.group(0)[:1].lower() in "whs":
            score = max(score, max(numbers))
    return score


PictureFacts = dict[str, tuple[str, int]]
"""Per URL: its :func:`picture_key` and :func:`size_score` (a memo for one page's pictures)."""


def picture_facts(url: str, memo: PictureFacts | None = None) -> tuple[str, int]:
    """:func:`picture_key` and :func:`size_score` of ``url``, remembered in ``memo`` when given."""
    if memo is not None:
        known = memo.get(url)
        if known is not None:
            return known
    facts = (picture_key(url), size_score(url))
    if memo is not None:
        memo[url] = facts
    return facts


def dedupe_pictures(urls: list[str], limit: int = 60, memo: PictureFacts | None = None) -> list[str]:
    """One URL per picture, in the order pictures first appear, each the largest size offered.

    ``memo``: the page's :data:`PictureFacts`, so a URL met again (gallery, then merge) is not
    analysed twice.
    """
    best: dict[str, tuple[int, str]] = {}
    order: list[str] = []
    for url in urls:
        key, score = picture_facts(url, memo)
        if key not in best:
            if len(order) >= limit:
                continue
            order.append(key)
            best[key] = (score, url)
        elif score > best[key][0]:
            best[key] = (score, url)
    return [best[key][1] for key in order]
