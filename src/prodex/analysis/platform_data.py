"""Platform data: ask a recognised shop platform for its product JSON, through the fetcher.

A Shopify or WooCommerce page (recognised from the page by
:func:`prodex.extract.registry.detect_platform`) has its product as JSON on the same shop:
``/products/<handle>.js`` or the Store API. This step asks for it with the same fetcher (same URL
guard, same size, time, retry and concurrency limits) at no more than :data:`MAX_REQUESTS`
endpoints, and packs the answer for ``extract_product(..., platform_data=...)``. Any failure
(refused URL, 404, 500, timeout, not JSON, JSON without a product) means "use the page": it returns
``{}``. The next endpoint is tried only when the first one answered but had no usable product (a 4xx,
not JSON, no product in it); a refused URL, a server error or a timeout (after the fetcher's own
retries) ends the attempt, so a struggling shop is not asked again.
"""

from __future__ import annotations

import logging
from typing import Any

import orjson

from prodex.errors import FetchError, UpstreamServerError, UpstreamTimeout, URLRefused
from prodex.extract.platforms import MAX_ENDPOINTS, platform_data
from prodex.extract.registry import detect_platform, has_product
from prodex.fetch import FetchedPage, Fetcher

log = logging.getLogger(__name__)
MAX_REQUESTS = MAX_ENDPOINTS
MAX_JSON_BYTES = 4 * 1024 * 1024
JSON_TYPE = "application/json"


def _json_of(answer: FetchedPage) -> Any:
    """The JSON value of an answer, or ``None`` when it is not (bounded) JSON."""
    if answer.content_type != JSON_TYPE or len(answer.body) > MAX_JSON_BYTES:
        return None
    try:
        return orjson.loads(answer.body)
    except orjson.JSONDecodeError:
        return None


async def fetch_platform_data(fetcher: Fetcher, page: FetchedPage) -> dict[str, Any]:
    """The page's platform product JSON, packed for ``extract_product``; ``{}`` when the page is not
    a recognised platform's product page or its JSON cannot be had."""
    if page.content_type == JSON_TYPE:
        return {}
    hint = detect_platform(page.text, page.final_url)
    if hint is None:
        return {}
    for endpoint in hint.endpoints[:MAX_REQUESTS]:
        try:
            answer = await fetcher.fetch(endpoint, accept="json")
        except (URLRefused, UpstreamServerError, UpstreamTimeout) as error:
            log.debug("%s product JSON unavailable at %s: %s", hint.name, endpoint, error.msg)
            return {}
        except FetchError as error:
            log.debug("%s product JSON unavailable at %s: %s", hint.name, endpoint, error.msg)
            continue
        packed = platform_data(hint, endpoint, _json_of(answer))
        if has_product(packed):
            return packed
        log.debug("%s product JSON at %s holds no product", hint.name, endpoint)
    return {}
