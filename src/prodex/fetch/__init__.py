"""prodex.fetch: the only part of prodex that opens network connections.

Public surface::

    Fetcher(settings, *, resolver=None, transport=None, guard=None)
                                                           await fetch(url, accept="html"|"json"),
                                                           await download(url, sink, max_bytes=...),
                                                           await fetch_resource(url, ...) (browser mode)
    FetchedPage                                            url, final_url, status, headers, body, text
    Download / BodySink                                    a streamed file, and where it is written
    URLGuard(settings, resolver=None)                      check_url(url), resolve(host, port), check(url)
    address_refusal(ip) / is_public_address(ip)           the address policy
    Resolver / SystemResolver                              injectable async name resolution
    detect_bot_wall(html, ...) / raise_for_bot_wall(...)   captcha, consent and access-denied pages
    Renderer(settings, *, fetcher=None, guard=None, resolver=None, transport=None)
                                                           await render(url) in headless Chromium (optional)
    check_render_support(settings) / render_mode(settings) / render_health(settings, renderer)

Errors are the typed ones of :mod:`prodex.errors` (FetchError and its subclasses).
"""

from __future__ import annotations

from prodex.fetch.botwall import detect_bot_wall, raise_for_bot_wall
from prodex.fetch.content import Accept
from prodex.fetch.fetcher import Fetcher
from prodex.fetch.guard import URLGuard
from prodex.fetch.page import BodySink, Download, FetchedPage
from prodex.fetch.policy import IPAddress, address_refusal, is_public_address
from prodex.fetch.render import (
    Renderer,
    RenderHealth,
    RenderMode,
    RenderSupport,
    check_render_support,
    render_health,
    render_mode,
)
from prodex.fetch.resolver import Resolver, SystemResolver
from prodex.fetch.urls import TargetURL, parse_target_url

__all__ = [
    "Accept",
    "BodySink",
    "Download",
    "FetchedPage",
    "Fetcher",
    "IPAddress",
    "RenderHealth",
    "RenderMode",
    "RenderSupport",
    "Renderer",
    "Resolver",
    "SystemResolver",
    "TargetURL",
    "URLGuard",
    "address_refusal",
    "check_render_support",
    "detect_bot_wall",
    "is_public_address",
    "parse_target_url",
    "raise_for_bot_wall",
    "render_health",
    "render_mode",
]
