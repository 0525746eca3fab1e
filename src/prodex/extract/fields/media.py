"""``media``: the gallery (a site module's, else the DOM's when it shows several pictures, else the
structured pictures), upgraded to the largest copies and de-duplicated, then the videos."""

from __future__ import annotations

from collections.abc import Sequence

from prodex.extract.fields.context import STRUCTURED, Merging, kind_of, ordered
from prodex.extract.found import Found
from prodex.extract.model import Media, MediaType
from prodex.extract.process.media import PictureFacts, dedupe_pictures, is_junk_image, upgrade_image_url

MAX_IMAGES = 30
MAX_VIDEOS = 10
IMAGE_ORDER = ("platform", "json-ld", "microdata", "app-state", "opengraph", "meta")
VIDEO_ORDER = ("site", "platform", "json-ld", "microdata", "app-state", "opengraph", "dom", "meta")


def _pictures(urls: list[str], memo: PictureFacts) -> list[str]:
    return dedupe_pictures([upgrade_image_url(u) for u in urls], MAX_IMAGES, memo)


def images(sources: Sequence[Found], memo: PictureFacts) -> tuple[list[str], str | None]:
    """The product's pictures, main first, and the source they came from."""
    by_kind = {kind_of(f): f for f in sources}
    site = by_kind.get("site")
    if site is not None and site.images:
        return _pictures(site.images, memo), site.source
    structured: list[str] = []
    structured_source: str | None = None
    for found in ordered(sources, IMAGE_ORDER):
        if found.images:
            structured_source = structured_source or found.source
            structured.extend(found.images)
            if kind_of(found) in STRUCTURED and len(found.images) > 1:
                break
    structured = [u for u in structured if not is_junk_image(u)]
    dom = by_kind.get("dom")
    dom_images = dom.images if dom is not None else []
    if len(dom_images) >= 2 or (dom_images and not structured):
        return _pictures(dom_images, memo), "dom"
    return _pictures(structured, memo), structured_source


def videos(sources: Sequence[Found]) -> tuple[list[Media], str | None]:
    """Every source's videos, once each, in trust order."""
    found_videos: list[Media] = []
    source: str | None = None
    seen: set[str] = set()
    for found in ordered(sources, VIDEO_ORDER):
        for video in found.videos:
            if video.url not in seen:
                seen.add(video.url)
                found_videos.append(video)
                source = source or found.source
    return found_videos[:MAX_VIDEOS], source


def merge_media(merging: Merging) -> None:
    """Pictures (named after the product) then videos."""
    pictures, image_source = images(merging.sources, merging.page.pictures)
    clips, video_source = videos(merging.sources)
    name = merging.product.name or ""
    # built without validation: the URLs and the name are already clean strings (one picture
    # copied with each URL: a copy costs a third of a construction)
    picture = Media.model_construct(type=MediaType.IMAGE, url="", name=name)
    merging.product.media = [picture.model_copy(update={"url": u}) for u in pictures] + clips
    if image_source or video_source:
        merging.source["media"] = image_source or video_source or ""
