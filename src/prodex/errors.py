"""The one exception tree of prodex, mapped to the API envelope in one place (``prodex.api.errors``).

Every error carries the business ``code`` and the HTTP ``status`` of the JoggAI v2 contract, and a
``msg`` that is safe to show a client (no stack traces, no internal addresses)::

    ProdexError                          50000 / 500
    ├── InvalidParameter                 40000 / 400   bad request field (carries ``field``)
    ├── RecordNotFound                   10104 / 404
    ├── InvalidApiKey                    10105 / 401   missing or unknown key
    ├── NoPermission                     18025 / 403   disabled key, account without API access
    ├── InsufficientCredit               18020 / 402
    ├── RateLimited                      42900 / 429   (carries ``retry_after``)
    ├── ConcurrencyLimited               42901 / 429   too many URL analyses at once
    ├── AnalysisUnavailable              40000 / 400   URL analysis switched off in this build
    ├── ExtractionUnavailable            50000 / 503   a page-analysis worker died or none can run (retryable)
    └── FetchError                       the shop or the URL is the problem
        ├── URLRefused                   40000 / 400   the URL guard refused the URL
        ├── Unreachable                  40000 / 400   DNS, connection or TLS failure
        ├── UpstreamClientError          40000 / 400   the shop answered 4xx (carries ``upstream_status``)
        ├── UpstreamServerError          50000 / 502   the shop answered 5xx (retryable)
        ├── UpstreamTimeout              50000 / 504   the shop was too slow (retryable)
        └── UnusablePage                 40000 / 422   the page cannot give a product
            ├── NotHTML                  content type is not HTML/XHTML
            ├── BodyTooLarge             more than the configured body limit
            ├── BotWall                  captcha, consent wall, access denied
            ├── NoProductFound           listing, empty shell, or no product in the page
            ├── PageTooComplex           the markup needs more CPU than a page may use
            └── RenderingUnavailable     the page needs a browser and rendering is off
"""

from __future__ import annotations


class ProdexError(Exception):
    """Base of every prodex error; also the 50000 system error."""

    code: int = 50000
    status: int = 500
    default_msg: str = "Internal error. Please retry later."
    retryable: bool = False

    def __init__(self, msg: str | None = None) -> None:
        self.msg = msg or self.default_msg
        super().__init__(self.msg)


class InvalidParameter(ProdexError):
    """A request parameter is missing or wrong."""

    code, status, default_msg = 40000, 400, "Invalid parameter."

    def __init__(self, msg: str | None = None, field: str | None = None) -> None:
        self.field = field
        super().__init__(msg)


class RecordNotFound(ProdexError):
    """The record does not exist (or belongs to another account)."""

    code, status, default_msg = 10104, 404, "Record not found."


class InvalidApiKey(ProdexError):
    """The x-api-key header is missing or unknown."""

    code, status = 10105, 401
    default_msg = "Invalid API key: send a valid key in the x-api-key header."


class NoPermission(ProdexError):
    """The key is disabled or the account may not call the API."""

    code, status, default_msg = 18025, 403, "No permission to call APIs."


class InsufficientCredit(ProdexError):
    """The account has fewer credits than the call costs."""

    code, status, default_msg = 18020, 402, "Insufficient credit."


class RateLimited(ProdexError):
    """Too many requests in the plan's window."""

    code, status, default_msg = 42900, 429, "Rate limit exceeded."
    retryable = True

    def __init__(self, msg: str | None = None, retry_after: int = 1) -> None:
        self.retry_after = max(1, int(retry_after))
        super().__init__(msg)


class ConcurrencyLimited(RateLimited):
    """Too many URL analyses running at once for the account's plan."""

    code, default_msg = 42901, "Too many URL analyses at once for your plan."


class AnalysisUnavailable(ProdexError):
    """URL analysis is not available in this build or configuration."""

    code, status, default_msg = 40000, 400, "URL analysis is not available in this build."


class ExtractionUnavailable(ProdexError):
    """The worker analysing the page died (killed, out of memory), or no worker can run; retryable."""

    code, status, retryable = 50000, 503, True
    default_msg = "Page analysis is unavailable right now; retry shortly."


class FetchError(ProdexError):
    """Fetching or reading the shop's page failed."""

    code, status, default_msg = 40000, 400, "The page could not be fetched."


class URLRefused(FetchError):
    """The URL guard refused the URL (scheme, host, address policy, allow-list)."""

    default_msg = "This URL is not allowed."


class Unreachable(FetchError):
    """DNS failure, refused connection or TLS failure."""

    default_msg = "The shop could not be reached."


class UpstreamClientError(FetchError):
    """The shop answered with a 4xx status."""

    def __init__(self, msg: str | None = None, upstream_status: int = 400) -> None:
        self.upstream_status = upstream_status
        super().__init__(msg or f"The shop answered HTTP {upstream_status}.")


class UpstreamServerError(FetchError):
    """The shop answered with a 5xx status."""

    code, status, retryable = 50000, 502, True

    def __init__(self, msg: str | None = None, upstream_status: int = 500) -> None:
        self.upstream_status = upstream_status
        super().__init__(msg or f"The shop answered HTTP {upstream_status}; retry later.")


class UpstreamTimeout(FetchError):
    """The shop did not answer in time."""

    code, status, retryable = 50000, 504, True
    default_msg = "The shop did not answer in time; retry later."


class UnusablePage(FetchError):
    """The page was fetched but cannot give a product."""

    code, status, default_msg = 40000, 422, "The page does not contain a product."


class NotHTML(UnusablePage):
    """The response is not an HTML or XHTML document."""

    default_msg = "The URL does not point to an HTML page."


class BodyTooLarge(UnusablePage):
    """The response body exceeds the configured limit."""

    default_msg = "The page is larger than the allowed limit."


class BotWall(UnusablePage):
    """The shop answered with a captcha, consent wall or access-denied page."""

    default_msg = "The shop answered with a bot check or consent page instead of the product."


class NoProductFound(UnusablePage):
    """The page is a listing, an empty shell or carries no product."""

    default_msg = "No product was found on this page."


class PageTooComplex(UnusablePage):
    """The page's markup cannot be analysed within the CPU budget of a page, even bounded."""

    default_msg = "This page's markup is too complex to analyse."


class RenderingUnavailable(UnusablePage):
    """The page needs JavaScript rendering and rendering is off or unavailable."""

    default_msg = "This page needs JavaScript rendering, which is not enabled on this server."


class Unhealthy(Exception):
    """Raised by a /healthz check whose message is safe to show (a component's state, no internals)."""
