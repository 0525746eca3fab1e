"""The console for people: a small web page at ``/console`` over the public API.

Plain HTML, CSS and ES modules shipped in ``prodex/console/static`` (no CDN, no build step). The
page signs in with an API key (kept in ``sessionStorage``, sent only as ``x-api-key``), creates
products from URLs, shows them as a shopper would, edits, lists and deletes them. Shop text is
always set as text, never parsed as HTML, and the responses carry a strict Content-Security-Policy
(:mod:`prodex.console.routes`).
"""

from prodex.console.routes import router

__all__ = ["router"]
