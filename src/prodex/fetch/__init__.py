"""prodex.fetch: the only part of prodex that opens network connections.

Public surface::

    Fetcher(settings, *, resolver=None, transport=None)   await fetch(url, accept="html"|"json")
    FetchedPage                                            url, final_url, status, headers, body, text
    URLGuard(settings, resolver=None)                      check_url(url), resolve(host, port), check(url)
    address_refusal(ip) / is_public_address(ip)           the address policy
    Resolver / SystemResolver                              injectable async name resolution
    detect_bot_wall(html, ...) / raise_for_bot_wall(...)   captcha, consent and access-denied pages

Errors are the typed ones of :mod:`prodex.errors` (FetchError and its subclasses).
"""

from __future__ import annotations

from prodex.fetch.botwall import detect_bot_wall, raise_for_bot_wall
from prodex.fetch.content import Accept
from prodex.fetch.fetcher import Fetcher
from prodex.fetch.guard import URLGuard
from prodex.fetch.page import FetchedPage
from prodex.fetch.policy import IPAddress, address_refusal, is_public_address
from prodex.fetch.resolver import Resolver, SystemResolver
from prodex.fetch.urls import TargetURL, parse_target_url

__all__ = [
    "Accept",
    "FetchedPage",
    "Fetcher",
    "IPAddress",
    "Resolver",
    "SystemResolver",
    "TargetURL",
    "URLGuard",
    "address_refusal",
    "detect_bot_wall",
    "is_public_address",
    "parse_target_url",
    "raise_for_bot_wall",
]
