"""The fetcher: the only code in prodex that opens network connections.

One :class:`Fetcher` per process (and event loop). ``await fetcher.fetch(url)`` returns a
:class:`~prodex.fetch.page.FetchedPage` or raises one of the typed errors of :mod:`prodex.errors`::

    URLRefused           the guard refused the URL or a redirect hop (scheme, host, address, allow-list)
    Unreachable          DNS failure, connection refused/lost, TLS failure (the message names which)
    UpstreamClientError  the shop answered 4xx (``upstream_status``)
    UpstreamServerError  the shop answered 5xx or broke the HTTP exchange (retryable)
    UpstreamTimeout      connect, read or total time limit exceeded (retryable)
    NotHTML              not HTML/XHTML (nor JSON when ``accept="json"``)
    BodyTooLarge         more than ``fetch_max_body_bytes``, compressed or decompressed
    BotWall              a captcha, consent or access-denied page instead of the product
    FetchError           redirect loop or too many redirects; UnusablePage: unreadable compression

``await fetcher.download(url, sink, max_bytes=...)`` streams any kind of file (a product's pictures
and videos) into ``sink`` chunk by chunk, with the same guard on every redirect hop, per-host limits,
retries and bounded decoding, and returns a :class:`~prodex.fetch.page.Download` (no body kept).

``await fetcher.fetch_resource(url, method=..., headers=..., body=...)`` is the browser's mode (the
renderer's route interception): one request as the browser asked for it, any content type, through
the same guard, pinned-address backend and body bounds, with redirects and error statuses handed
back instead of followed or raised.

How: an httpx client (HTTP/2 when the shop offers it over TLS, browser-like headers) whose network
backend resolves every host through the guard and dials only the checked address (see
:mod:`prodex.fetch.network` and :mod:`prodex.fetch.transport`); redirects are
followed here, hop by hop, each hop checked again; bodies are read raw and decompressed by a bounded
decoder; a global and a per-host limit bound concurrency; connection errors, 429 and 5xx are
retried with backoff (honouring Retry-After up to a cap) within the total time limit; successful
pages are cached briefly and concurrent fetches of one URL share a single request.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from functools import partial
from http.cookiejar import CookieJar, DefaultCookiePolicy
from types import TracebackType
from typing import TypeVar
from urllib.parse import urljoin

import httpcore
import httpx

from prodex.errors import (
    BodyTooLarge,
    FetchError,
    Unreachable,
    UnusablePage,
    UpstreamClientError,
    UpstreamServerError,
    UpstreamTimeout,
)
from prodex.fetch.botwall import raise_for_bot_wall
from prodex.fetch.cache import PageCache, SingleFlight
from prodex.fetch.concurrency import FetchLimiter
from prodex.fetch.content import (
    ACCEPT_HEADERS,
    Accept,
    check_content,
    is_declared_unacceptable,
    parse_content_type,
)
from prodex.fetch.decoding import ACCEPT_ENCODING, BoundedBody, BoundedStream
from prodex.fetch.guard import URLGuard
from prodex.fetch.network import GuardedNetworkBackend
from prodex.fetch.page import BodySink, Download, FetchedPage
from prodex.fetch.resolver import Resolver
from prodex.fetch.retry import RETRYABLE_STATUSES, backoff_delay, parse_retry_after
from prodex.fetch.transport import ShardedTransport
from prodex.fetch.urls import TargetURL
from prodex.settings import Settings

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
# How much of an error response is read to look for a bot wall (the rest is not needed).
ERROR_BODY_LIMIT = 256 * 1024
MAX_LOCATION_LENGTH = 8192
# What the browser's mode may send (a page's own reads and API calls; nothing that changes a shop).
RESOURCE_METHODS = frozenset({"GET", "HEAD", "POST"})
# Request headers of the browser that prodex sets itself or that belong to one connection.
DROPPED_REQUEST_HEADERS = frozenset(
    {"host", "connection", "keep-alive", "proxy-connection", "proxy-authorization", "transfer-encoding"}
    | {"te", "trailer", "upgrade", "expect", "content-length", "accept-encoding", "user-agent"}
    | {"accept-language"}
)
# Response headers describing the wire form: the browser's mode hands back the decoded body.
WIRE_RESPONSE_HEADERS = frozenset(
    {"content-encoding", "content-length", "transfer-encoding", "connection", "keep-alive", "trailer"}
    | {"upgrade", "proxy-connection"}
)
NO_BODY_STATUSES = frozenset({204, 205, 304})
#: What :meth:`Fetcher.download` asks for: the formats a video can be made from, no AVIF or SVG
#: (a CDN that negotiates serves WebP, JPEG or PNG instead).
MEDIA_ACCEPT = "image/webp,image/jpeg,image/png,image/gif;q=0.9,video/mp4,video/webm;q=0.9,*/*;q=0.5"

T = TypeVar("T")
#: Reads a successful (2xx) answer of one hop into what the caller wants (a page, a download).
ReadAnswer = Callable[[TargetURL, httpx.Response, dict[str, str]], Awaitable[T]]


@dataclass(frozen=True)
class _Redirect:
    """A hop's answer that points elsewhere."""

    location: str


class _RetryableFailure(Exception):
    """A hop failed in a way worth retrying; carries the error to raise when retries run out."""

    def __init__(self, error: FetchError, retry_after: float | None = None) -> None:
        super().__init__(error.msg)
        self.error = error
        self.retry_after = retry_after


def _tls_reason(exc: BaseException) -> str | None:
    """The TLS failure behind a connection error, in words, or None when it was not TLS."""
    seen: BaseException | None = exc
    for _depth in range(8):  # the chain is short: httpx error <- httpcore error <- ssl error
        if seen is None:
            break
        if isinstance(seen, ssl.SSLCertVerificationError):
            return f"certificate verification failed ({seen.verify_message})"
        if isinstance(seen, ssl.SSLError):
            return str(seen.reason or "handshake error").replace("_", " ").lower()
        seen = seen.__cause__ or seen.__context__
    return None


def _transport_failure(exc: httpx.TransportError, host: str) -> FetchError | _RetryableFailure:
    """Map an httpx transport error to a prodex error (wrapped when it is worth retrying)."""
    if isinstance(exc, httpx.ConnectTimeout):
        return _RetryableFailure(UpstreamTimeout(f"Connecting to the shop at {host} timed out."))
    if isinstance(exc, httpx.ConnectError):
        reason = _tls_reason(exc)
        if reason:
            return Unreachable(f"The secure (TLS) connection to {host} failed: {reason}.")
        return _RetryableFailure(
            Unreachable(f"Could not connect to the shop at {host} (connection refused or unreachable).")
        )
    if isinstance(exc, httpx.TimeoutException):
        return UpstreamTimeout(f"The shop at {host} stopped sending data; retry later.")
    if isinstance(exc, httpx.RemoteProtocolError):
        return _RetryableFailure(
            UpstreamServerError(f"The shop at {host} sent a broken HTTP response.", upstream_status=502)
        )
    if isinstance(exc, httpx.UnsupportedProtocol):
        return Unreachable(f"The shop at {host} cannot be reached over this protocol.")
    return _RetryableFailure(Unreachable(f"The connection to the shop at {host} was lost."))


def _headers(response: httpx.Response) -> dict[str, str]:
    """Response headers with lower-case names, repeated ones joined."""
    joined: dict[str, str] = {}
    for name, value in response.headers.multi_items():
        key = name.lower()
        joined[key] = f"{joined[key]}, {value}" if key in joined else value
    return joined


def _browser_headers(response: httpx.Response) -> dict[str, str]:
    """Response headers for a browser: lower-case names, repeated ones joined with ``", "`` except
    Set-Cookie (one cookie per line, as Playwright expects), wire-format headers left out."""
    joined: dict[str, str] = {}
    for name, value in response.headers.multi_items():
        key = name.lower()
        if key in WIRE_RESPONSE_HEADERS:
            continue
        separator = "\n" if key == "set-cookie" else ", "
        joined[key] = f"{joined[key]}{separator}{value}" if key in joined else value
    return joined


def _request_headers(headers: Mapping[str, str] | None) -> dict[str, str]:
    """The browser's request headers that are forwarded (its own choice of Accept, cookies, ...)."""
    forwarded = {"Accept": "*/*"}
    for name, value in (headers or {}).items():
        key = name.lower()
        if key in DROPPED_REQUEST_HEADERS or key.startswith((":", "sec-", "proxy-")):
            continue
        forwarded[name] = value
    return forwarded


class Fetcher:
    """Fetches product pages safely: the guard, limits, retries, bot-wall detection and a short cache.

    ``resolver`` replaces the system resolver (tests, custom DNS); ``guard`` replaces the whole URL
    guard built from ``settings`` and ``resolver`` (to share one); ``transport`` replaces the
    socket dialer under the guard (an ``httpcore.AsyncNetworkBackend`` that is only ever asked to
    connect to addresses the guard has checked; tests use it to stand in for the internet).
    A Fetcher belongs to the event loop it is first used on; close it with :meth:`aclose`.
    """

    def __init__(
        self,
        settings: Settings,
        *,
        resolver: Resolver | None = None,
        transport: httpcore.AsyncNetworkBackend | None = None,
        guard: URLGuard | None = None,
    ) -> None:
        self.settings = settings
        self.guard = guard or URLGuard(settings, resolver)
        self._client = httpx.AsyncClient(
            transport=ShardedTransport(
                GuardedNetworkBackend(self.guard, transport),
                settings.fetch_max_connections,
                max_per_origin=max(settings.fetch_max_per_host, settings.media_max_per_host),
            ),
            timeout=httpx.Timeout(
                connect=settings.fetch_connect_timeout,
                read=settings.fetch_read_timeout,
                write=settings.fetch_read_timeout,
                pool=settings.fetch_total_timeout,
            ),
            headers={
                "User-Agent": settings.fetch_user_agent,
                "Accept-Language": settings.fetch_accept_language,
                "Accept-Encoding": ACCEPT_ENCODING,
            },
            # No jar shared between fetches: each fetch keeps its own cookies (see _follow).
            cookies=CookieJar(policy=DefaultCookiePolicy(allowed_domains=[])),
            follow_redirects=False,
            trust_env=False,
        )
        self._limiter = FetchLimiter(settings.fetch_max_connections, settings.fetch_max_per_host)
        # Media files (pictures of one CDN) have a per-host limit of their own, within the same total.
        self._media_limiter = self._limiter.sharing_total(settings.media_max_per_host)
        self._cache = PageCache(
            settings.fetch_cache_ttl, settings.fetch_cache_entries, settings.fetch_cache_max_bytes
        )
        self._flights = SingleFlight()

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Cancel fetches in flight, forget the cache and close every connection."""
        await self._flights.cancel_all()
        self._cache.clear()
        await self._client.aclose()

    async def fetch(self, url: str, *, accept: Accept = "html") -> FetchedPage:
        """Fetch ``url`` and return the page; raise a typed FetchError (see the module docstring).

        ``accept="json"`` also accepts JSON (for adapters that read a shop's JSON endpoints),
        ``accept="xml"`` XML and gzipped files (sitemaps, handed back as ``application/xml``).
        The returned page's ``url`` is the canonical form of ``url`` the guard checked.
        """
        target = self.guard.check_url(url)
        key = (target.url, accept)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        return await self._flights.run(key, lambda: self._fetch_and_cache(key, target, accept))

    async def fetch_resource(
        self,
        url: str,
        *,
        method: str = "GET",
        headers: Mapping[str, str] | None = None,
        body: bytes | None = None,
        max_bytes: int | None = None,
        user_agent: str | None = None,
    ) -> FetchedPage:
        """One request as a browser made it, through the guard: the renderer's route interception.

        Same guard, pinned-address network backend, per-host limits and bounded body reading as
        :meth:`fetch`, but any content type (scripts, JSON, CSS...) and NO redirect following: a
        3xx answer comes back with its ``location`` header for the browser to follow, and the
        browser's next request is checked again. Error statuses are returned, not raised; there are
        no retries, no cache and no bot-wall check. ``method`` is GET, HEAD or POST; ``headers`` are
        the browser's (hop-by-hop ones, User-Agent, Accept-Language and Accept-Encoding are
        prodex's own). The body is limited to ``max_bytes`` (default ``fetch_max_body_bytes``),
        compressed and decompressed, and handed back decoded; the page's headers then omit the
        wire-format ones (Content-Encoding, Content-Length...) and carry one Set-Cookie per line.
        ``final_url`` is the requested (canonical) URL. ``user_agent`` replaces prodex's browser
        User-Agent (webhook deliveries name themselves).

        Raises URLRefused, Unreachable, UpstreamTimeout (``fetch_total_timeout``), BodyTooLarge,
        UpstreamServerError (a broken HTTP exchange) or FetchError (a method that is not allowed).
        """
        method = method.upper()
        if method not in RESOURCE_METHODS:
            raise FetchError(f"The browser's {method[:16]} request is not allowed (only GET, HEAD, POST).")
        target = self.guard.check_url(url)
        limit = min(max_bytes or self.settings.fetch_max_body_bytes, self.settings.fetch_max_body_bytes)
        total = self.settings.fetch_total_timeout
        forwarded = _request_headers(headers)
        if user_agent:
            forwarded["User-Agent"] = user_agent
        try:
            async with asyncio.timeout(total), self._limiter.slot(target.host):
                return await self._request_resource(target, method, forwarded, body, limit)
        except TimeoutError as exc:
            raise UpstreamTimeout(f"The shop at {target.host} did not answer within {total:g} s.") from exc

    async def _request_resource(
        self, target: TargetURL, method: str, headers: dict[str, str], body: bytes | None, limit: int
    ) -> FetchedPage:
        """Send one request for the browser's mode and read the answer within ``limit`` bytes."""
        request = self._client.build_request(method, target.url, headers=headers, content=body)
        try:
            response = await self._client.send(request, stream=True)
        except httpx.TransportError as exc:
            failure = _transport_failure(exc, target.host)
            raise (failure.error if isinstance(failure, _RetryableFailure) else failure) from None
        try:
            status = response.status_code
            content = b""
            if method != "HEAD" and status not in NO_BODY_STATUSES and status not in REDIRECT_STATUSES:
                declared_length = response.headers.get("content-length", "")
                if declared_length.isdigit() and int(declared_length) > limit:
                    raise BodyTooLarge(f"The response is larger than the allowed {limit // 1024} KiB.")
                content = await self._read_body(response, limit)
            media_type, charset = parse_content_type(response.headers.get("content-type"))
            return FetchedPage(
                url=target.url,
                final_url=target.url,
                status=status,
                headers=_browser_headers(response),
                body=content,
                content_type=media_type,
                charset=charset,
            )
        except httpx.TransportError as exc:
            failure = _transport_failure(exc, target.host)
            raise (failure.error if isinstance(failure, _RetryableFailure) else failure) from None
        finally:
            await response.aclose()

    async def _fetch_and_cache(self, key: tuple[str, str], target: TargetURL, accept: Accept) -> FetchedPage:
        total = self.settings.fetch_total_timeout
        try:
            async with asyncio.timeout(total):
                page, chain = await self._follow(
                    target, ACCEPT_HEADERS[accept], partial(self._read_page, accept)
                )
        except TimeoutError as exc:
            raise UpstreamTimeout(
                f"The shop at {target.host} did not deliver the page within {total:g} s; retry later."
            ) from exc
        if chain:
            page = FetchedPage(
                url=target.url,
                final_url=page.final_url,
                status=page.status,
                headers=page.headers,
                body=page.body,
                content_type=page.content_type,
                charset=page.charset,
                redirects=tuple(chain),
            )
        self._cache.put(key, page)
        return page

    async def download(
        self,
        url: str,
        sink: BodySink,
        *,
        max_bytes: int,
        time_limit: float | None = None,
        accept: str = MEDIA_ACCEPT,
    ) -> Download:
        """Stream the file at ``url`` into ``sink``; the :class:`Download` (no body is kept).

        Any content type; redirects followed and checked hop by hop; per-host limits
        (``media_max_per_host``, within the fetcher's total ``fetch_max_connections``), retries
        (``sink.start()`` is called before each attempt's body) and bounded decoding as in
        :meth:`fetch`. More than ``max_bytes`` (declared or received, compressed or decompressed)
        raises BodyTooLarge; ``time_limit`` (default ``fetch_total_timeout``) bounds the whole
        download. Raises the errors of :meth:`fetch` but NotHTML and BotWall on a 2xx answer.
        """
        target = self.guard.check_url(url)
        total = time_limit if time_limit is not None else self.settings.fetch_total_timeout
        try:
            async with asyncio.timeout(total):
                answer, chain = await self._follow(
                    target, accept, partial(self._read_download, sink, max_bytes), self._media_limiter
                )
        except TimeoutError as exc:
            raise UpstreamTimeout(f"The file at {target.host} did not arrive within {total:g} s.") from exc
        if not chain:
            return answer
        return Download(
            url=target.url,
            final_url=answer.final_url,
            status=answer.status,
            headers=answer.headers,
            content_type=answer.content_type,
            size=answer.size,
            redirects=tuple(chain),
        )

    @staticmethod
    async def _read_download(
        sink: BodySink, limit: int, target: TargetURL, response: httpx.Response, headers: dict[str, str]
    ) -> Download:
        """Stream a 2xx answer's body into ``sink`` within ``limit`` bytes."""
        declared_length = headers.get("content-length", "")
        if declared_length.isdigit() and int(declared_length) > limit:
            raise BodyTooLarge(f"The file is larger than the allowed {limit // 1024} KiB.")
        sink.start()
        stream = BoundedStream(headers.get("content-encoding"), limit)
        async for chunk in response.aiter_raw():
            data = stream.feed(chunk)
            if data:
                sink.write(data)
        tail = stream.finish()
        if tail:
            sink.write(tail)
        media_type, _charset = parse_content_type(headers.get("content-type"))
        return Download(
            url=target.url,
            final_url=target.url,
            status=response.status_code,
            headers=headers,
            content_type=media_type,
            size=stream.decoded_bytes,
        )

    async def _follow(
        self, target: TargetURL, accept: str, read: ReadAnswer[T], limiter: FetchLimiter | None = None
    ) -> tuple[T, list[str]]:
        """Request ``target`` and follow redirects by hand, checking every hop with the guard;
        the final answer as ``read`` made it, and the URLs that redirected."""
        cookies = httpx.Cookies()
        visited: set[tuple[str, tuple[tuple[str, str], ...]]] = set()
        chain: list[str] = []
        current = target
        for _hop in range(self.settings.fetch_max_redirects + 1):
            state = (current.url, tuple(sorted((c.name, c.value or "") for c in cookies.jar)))
            if state in visited:
                raise FetchError("The shop's page redirects in a loop, so it cannot be fetched.")
            visited.add(state)
            result = await self._request_with_retries(
                current, accept, cookies, read, limiter or self._limiter
            )
            if not isinstance(result, _Redirect):
                return result, chain
            chain.append(current.url)
            current = self.guard.check_url(urljoin(current.url, result.location))
        raise FetchError(
            f"The shop redirected more than {self.settings.fetch_max_redirects} times, so the page "
            "cannot be fetched."
        )

    async def _request_with_retries(
        self,
        target: TargetURL,
        accept: str,
        cookies: httpx.Cookies,
        read: ReadAnswer[T],
        limiter: FetchLimiter,
    ) -> T | _Redirect:
        """One hop, retried with backoff for connection errors, 429 and 5xx within the time limit."""
        loop = asyncio.get_running_loop()
        started = loop.time()
        attempt = 0
        while True:
            try:
                async with limiter.slot(target.host):
                    return await self._request(target, accept, cookies, read)
            except _RetryableFailure as failure:
                attempt += 1
                if attempt > self.settings.fetch_retries:
                    raise failure.error from None
                delay = backoff_delay(attempt, self.settings.fetch_retry_backoff)
                if failure.retry_after is not None:
                    if failure.retry_after > self.settings.fetch_max_retry_after:
                        raise failure.error from None
                    delay = max(delay, failure.retry_after)
                elapsed = loop.time() - started
                if elapsed + delay >= self.settings.fetch_total_timeout:
                    raise failure.error from None
                await asyncio.sleep(delay)

    async def _request(
        self, target: TargetURL, accept: str, cookies: httpx.Cookies, read: ReadAnswer[T]
    ) -> T | _Redirect:
        """Send one GET and turn the response into what ``read`` makes, a redirect, or a typed error."""
        request = self._client.build_request("GET", target.url, headers={"Accept": accept})
        cookies.set_cookie_header(request)
        try:
            response = await self._client.send(request, stream=True)
        except httpx.TransportError as exc:
            failure = _transport_failure(exc, target.host)
            raise failure from None
        try:
            cookies.extract_cookies(response)
            headers = _headers(response)
            redirect = await self._check_answer(target, response, headers)
            if redirect is not None:
                return redirect
            return await read(target, response, headers)
        except httpx.TransportError as exc:
            failure = _transport_failure(exc, target.host)
            raise failure from None
        finally:
            await response.aclose()

    async def _check_answer(
        self, target: TargetURL, response: httpx.Response, headers: dict[str, str]
    ) -> _Redirect | None:
        """The redirect an answer points to, ``None`` for a 2xx answer with a body, or the typed
        error of any other answer."""
        status = response.status_code
        if status in REDIRECT_STATUSES:
            location = headers.get("location", "").strip()
            if not location or len(location) > MAX_LOCATION_LENGTH:
                raise FetchError(f"The shop answered HTTP {status} without a usable redirect address.")
            return _Redirect(location)
        if status >= 400:
            await self._raise_for_error_status(target, response, headers)
        if not 200 <= status < 300 or status in (204, 205):
            raise UnusablePage(f"The shop answered HTTP {status}, which is not a page.")
        return None

    async def _read_page(
        self, accept: Accept, target: TargetURL, response: httpx.Response, headers: dict[str, str]
    ) -> FetchedPage:
        """Read a 2xx answer as a page: acceptable type, bounded body, no bot wall."""
        status = response.status_code
        media_type, charset = parse_content_type(headers.get("content-type"))
        if is_declared_unacceptable(media_type, accept):
            check_content(media_type, b"", accept)  # raises NotHTML with the declared type
        limit = self.settings.fetch_max_body_bytes
        declared_length = headers.get("content-length", "")
        if declared_length.isdigit() and int(declared_length) > limit:
            raise BodyTooLarge(f"The page is larger than the allowed {limit // 1024} KiB.")
        body = await self._read_body(response, limit)
        effective_type = check_content(media_type, body, accept)
        page = FetchedPage(
            url=target.url,
            final_url=target.url,
            status=status,
            headers=headers,
            body=body,
            content_type=effective_type,
            charset=charset,
        )
        if effective_type not in ("application/json", "application/xml"):
            raise_for_bot_wall(page.text, status=status, headers=headers, url=target.url)
        return page

    async def _raise_for_error_status(
        self, target: TargetURL, response: httpx.Response, headers: dict[str, str]
    ) -> None:
        """Raise the right error for a 4xx/5xx answer: BotWall when the body is a challenge page."""
        status = response.status_code
        media_type, charset = parse_content_type(headers.get("content-type"))
        if media_type in ("text/html", "application/xhtml+xml", ""):
            try:
                body = await self._read_body(response, ERROR_BODY_LIMIT)
            except (UnusablePage, httpx.TransportError):
                body = b""
            if body:
                text = FetchedPage(target.url, target.url, status, headers, body, media_type, charset).text
                raise_for_bot_wall(text, status=status, headers=headers, url=target.url)
        reason = f" ({response.reason_phrase})" if response.reason_phrase else ""
        error: FetchError
        if status >= 500:
            error = UpstreamServerError(
                f"The shop answered HTTP {status}{reason}; retry later.", upstream_status=status
            )
        else:
            error = UpstreamClientError(
                f"The shop answered HTTP {status}{reason} for this URL.", upstream_status=status
            )
        if status in RETRYABLE_STATUSES:
            raise _RetryableFailure(error, parse_retry_after(headers.get("retry-after")))
        raise error

    @staticmethod
    async def _read_body(response: httpx.Response, limit: int) -> bytes:
        """Read the raw body, counting compressed and decompressed bytes against ``limit``."""
        body = BoundedBody(response.headers.get("content-encoding"), limit)
        async for chunk in response.aiter_raw():
            body.feed(chunk)
        return body.finish()
