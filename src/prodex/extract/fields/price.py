"""``price``, ``currency``, ``regular_price`` and ``discount_percent``: the offer's money.

The price is the most trusted source's, corrected by the price the page shows beside the title
when the structured one is one of several offers, the crossed-out one, or only the lowest offer.
The regular price is a higher original price the page shows (crossed out, "was", "UVP") or a
structured list price, never below or equal to the price.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal, InvalidOperation

from prodex.extract.fields.context import PRICE_ORDER, Merging, kind_of
from prodex.extract.found import Found

MAX_DISCOUNT_PERCENT = 95
"""A "regular price" more than 20 times the price is another product's or a unit price."""


def as_decimal(value: str | None) -> Decimal | None:
    """``value`` as a Decimal, ``None`` when it is not a number."""
    if value is None:
        return None
    try:
        number = Decimal(value)
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def shown_price(sources: Sequence[Found], price: str | None, origin: str | None) -> str | None:
    """The price the page shows next to the title, when it corrects the structured one: it is one
    of several offered prices (the variant on show), the structured price is the crossed-out one,
    or the structured price is only the lowest of several offers (an AggregateOffer's
    ``lowPrice``: a used copy, a smaller pack) and the page shows one at or above it, within the
    highest offer when one is given."""
    pair = _disagreeing_sources(sources, price, origin)
    if price is None or pair is None:
        return None
    dom, structured = pair
    return dom.price if _shown_corrects(dom, structured, price) else None


def _disagreeing_sources(
    sources: Sequence[Found], price: str | None, origin: str | None
) -> tuple[Found, Found] | None:
    """``(the DOM's reading, the structured source of price)`` when the page shows another price
    than a structured source (not a site module's) gave."""
    if price is None or origin in (None, "dom") or (origin or "").startswith("site:"):
        return None
    dom = next((f for f in sources if f.source == "dom"), None)
    structured = next((f for f in sources if f.source == origin), None)
    if dom is None or dom.price is None or structured is None or dom.price == price:
        return None
    return dom, structured


def _shown_corrects(dom: Found, structured: Found, price: str) -> bool:
    """The shown price is an offered price, the structured ``price`` is crossed out beside a lower
    shown one, or ``price`` is only the lowest offer and the shown one is within the offers."""
    shown, given = as_decimal(dom.price), as_decimal(price)
    if shown is None or given is None:
        return False
    if dom.price in structured.offer_prices:
        return True
    if price in dom.old_prices and shown < given:
        return True
    if structured.price_is_lowest and shown >= given:
        highest = max((p for p in map(as_decimal, structured.offer_prices) if p is not None), default=given)
        return highest == given or shown <= highest
    return False


def crossed_out_price(sources: Sequence[Found], price: str | None) -> Found | None:
    """The source that gives ``price`` as its list price beside a lower price of its own: the
    price taken is then the crossed-out one (a JSON-LD ``price`` copied from the list price while
    the page's offer says ``{"sellingPrice": 1299, "originalPrice": 2199}``)."""
    given = as_decimal(price)
    if given is None:
        return None
    for found in sources:
        own = as_decimal(found.price)
        if found.regular_price == price and own is not None and 0 < own < given:
            return found
    return None


def merge_price(merging: Merging) -> None:
    """The price, and the currency of the source that gave it (else any source's currency)."""
    price = merging.take("price", PRICE_ORDER, lambda f: f.price)
    merging.product.price = str(price) if price else None
    shown = shown_price(merging.sources, merging.product.price, merging.source.get("price"))
    if shown is not None:
        merging.set("price", shown, "dom")
    crossing = crossed_out_price(merging.sources, merging.product.price)
    if crossing is not None and crossing.price is not None:
        merging.set("price", crossing.price, crossing.source)
    if merging.product.price is not None:
        origin = merging.source["price"]
        currency = next((f.currency for f in merging.sources if f.source == origin and f.currency), None)
        if currency:
            merging.set("currency", currency, origin)
            return
    any_currency = merging.take("currency", PRICE_ORDER, lambda f: f.currency)
    merging.product.currency = str(any_currency) if any_currency else None


def _regular_candidates(merging: Merging) -> list[tuple[str, str]]:
    """``(regular price, source)`` pairs in trust order: each source's own list price (a site
    module's or platform's old price is its list price; the DOM's is a crossed-out, "was" or
    "UVP" price beside the current one, never a unit, instalment or lowest-in-30-days price)."""
    out: list[tuple[str, str]] = []
    for found in merging.ranked(PRICE_ORDER):
        if found.regular_price:
            out.append((found.regular_price, found.source))
        out.extend((listed, found.source) for listed in found.list_prices)
        if kind_of(found) in ("site", "platform"):
            out.extend((old, found.source) for old in found.old_prices)
    return out


def merge_regular_price(merging: Merging) -> None:
    """The original price shown beside a lower price, and the whole percent saved."""
    price = as_decimal(merging.product.price)
    if price is None or price <= 0:
        return
    for value, origin in _regular_candidates(merging):
        regular = as_decimal(value)
        if regular is None or regular <= price:
            continue
        percent = int((regular - price) * 100 / regular)
        if percent < 1 or percent > MAX_DISCOUNT_PERCENT:
            continue
        merging.set("regular_price", value, origin)
        merging.set("discount_percent", percent, "derived")
        return
