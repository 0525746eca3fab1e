"""Product videos in the DOM: ``<video>`` sources and YouTube/Vimeo embeds (also lazy ones)."""

from __future__ import annotations

import re

from prodex.extract.model import Media, MediaType
from prodex.extract.page import Page
from prodex.extract.readers.dom.vocabulary import OUTSIDE_THIS_PRODUCT, ancestors_match

_EMBED = re.compile(
    r"(?:youtube(?:-nocookie)?\.com/(?:embed|v)/|youtu\.be/|youtube\.com/watch\?v=)([\w-]{11})"
    r"|player\.vimeo\.com/video/(\d+)|vimeo\.com/(\d+)",
    re.IGNORECASE,
)
MAX_VIDEOS = 10


def canonical_video_url(url: str) -> str:
    """A YouTube or Vimeo embed URL as its canonical watch URL; other URLs unchanged."""
    match = _EMBED.search(url)
    if not match:
        return url
    if match.group(1):
        return f"https://www.youtube.com/watch?v={match.group(1)}"
    return f"https://vimeo.com/{match.group(2) or match.group(3)}"


def find_videos(page: Page) -> list[Media]:
    """The videos embedded in the page outside headers, footers and other products' sections."""
    videos: list[Media] = []
    seen: set[str] = set()
    for node in page.landmarks.players[:40]:
        attrs = node.attributes
        raw = attrs.get("src") or attrs.get("data-src") or attrs.get("data-video-url") or ""
        if node.tag == "video" and not raw:
            source = node.css_first("source[src]")
            raw = source.attributes.get("src") or "" if source is not None else ""
        if not raw and attrs.get("data-youtube-id"):
            raw = f"https://www.youtube.com/embed/{attrs['data-youtube-id']}"
        url = page.absolute(raw)
        if not url or (node.tag == "iframe" and not _EMBED.search(url)):
            continue
        if ancestors_match(node, OUTSIDE_THIS_PRODUCT, 6, page.h1_holders()):
            continue
        url = canonical_video_url(url)
        if url in seen:
            continue
        seen.add(url)
        title = attrs.get("title") or ""
        videos.append(Media(type=MediaType.VIDEO, url=url, name=title[:200]))
        if len(videos) >= MAX_VIDEOS:
            break
    return videos
