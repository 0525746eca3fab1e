"""Prices: a shop's price value (number or text, any locale) to a decimal string with a full stop.

Text prices go through price-parser; the page's currency decides the ambiguous cases:
``"34.000"`` is thirty-four thousand in a peso shop and thirty-four in a dinar shop.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from price_parser import Price

from prodex.extract.process.text import clean_line

# ISO 4217 currencies whose prices are shown without minor units, so "a.bbb" groups thousands.
WHOLE_UNIT_CURRENCIES = frozenset(
    [
        "CLP",
        "COP",
        "ARS",
        "PYG",
        "ISK",
        "JPY",
        "KRW",
        "VND",
        "IDR",
        "HUF",
        "UGX",
        "RWF",
        "XOF",
        "XAF",
        "KMF",
        "DJF",
        "GNF",
        "MGA",
        "VUV",
        "XPF",
        "TWD",
        "IRR",
        "LBP",
        "UZS",
        "MNT",
    ]
)
# ISO 4217 currencies with three decimals, where "a.bbb" is a decimal amount.
THREE_DECIMAL_CURRENCIES = frozenset(["KWD", "BHD", "OMR", "JOD", "TND", "LYD", "IQD"])

SYMBOL_CURRENCIES: dict[str, str] = {
    "€": "EUR",
    "£": "GBP",
    "zł": "PLN",
    "zl": "PLN",
    "kč": "CZK",
    "₹": "INR",
    "₩": "KRW",
    "₽": "RUB",
    "₺": "TRY",
    "₴": "UAH",
    "₪": "ILS",
    "₫": "VND",
    "฿": "THB",
    "₱": "PHP",
    "r$": "BRL",
    "nt$": "TWD",
    "a$": "AUD",
    "au$": "AUD",
    "c$": "CAD",
    "ca$": "CAD",
    "nz$": "NZD",
    "hk$": "HKD",
    "s$": "SGD",
    "us$": "USD",
    "mx$": "MXN",
    "kr": "SEK",
    "ft": "HUF",
    "lei": "RON",
    "лв": "BGN",
    "元": "CNY",
    "円": "JPY",
    "¥": "JPY",
    "chf": "CHF",
    "원": "KRW",
    "₸": "KZT",
    "rp": "IDR",
    "rm": "MYR",
    "tl": "TRY",
    "грн": "UAH",
    "руб": "RUB",
    "р.": "RUB",
    "₼": "AZN",
    "₾": "GEL",
    "đ": "VND",
    "د.إ": "AED",
    "ر.س": "SAR",
    "ج.م": "EGP",
    "جنيه": "EGP",
    "din": "RSD",
}
# Countries (top-level domain) where a bare "$" or "kr" means the local currency.
TLD_DOLLAR: dict[str, str] = {
    "ar": "ARS",
    "cl": "CLP",
    "co": "COP",
    "mx": "MXN",
    "uy": "UYU",
    "au": "AUD",
    "ca": "CAD",
    "nz": "NZD",
    "sg": "SGD",
    "hk": "HKD",
    "tw": "TWD",
    "br": "BRL",
}
TLD_KRONA: dict[str, str] = {"se": "SEK", "dk": "DKK", "no": "NOK", "is": "ISK"}
_ISO_CODE = re.compile(r"^[A-Z]{3}$")
_MACHINE_NUMBER = re.compile(r"^[+-]?\d+(?:\.\d+)?$")
_DIGITS = re.compile(r"\d")
_NUMBERS = re.compile(r"\d+(?:[.,'’]\d+|\s\d{3}(?!\d))*")
"""The numbers of a text (a space joins only groups of three digits: "1 299", not "1,280 2")."""
_AMOUNT = r"\d{1,3}(?:[.,\s'’]\d{3})+(?:[.,]\d{1,2})?|\d+(?:[.,]\d{1,3})?"
_SIGNS = "|".join(
    re.escape(sign)
    for sign in sorted([*SYMBOL_CURRENCIES, "$"], key=len, reverse=True)
    if not sign.isascii() or not sign.isalpha()  # (a word such as "kr" or "lei" only as a code)
)
_CURRENCY_WORDS = "|".join(
    sorted(
        {
            *(sign for sign in SYMBOL_CURRENCIES if sign.isascii() and sign.isalpha()),
            *(code.lower() for code in SYMBOL_CURRENCIES.values()),
            *(code.lower() for code in (*TLD_DOLLAR.values(), *TLD_KRONA.values())),
            "usd", "fr", "sfr",  # (the dollar's code and the Swiss franc's words: no symbol above)
        },
        key=len,
        reverse=True,
    )
)  # fmt: skip
_MONEY_BEFORE = re.compile(rf"(?:{_SIGNS}|(?<![^\W\d_])(?:{_CURRENCY_WORDS})\.?)\s?$", re.IGNORECASE)
_MONEY_AFTER = re.compile(
    rf"\s?(?:[,.]\s?[-–]|(?:{_SIGNS})(?!\s?\d)|(?:{_CURRENCY_WORDS})(?![^\W\d_]))", re.IGNORECASE
)
"""A sign, currency word or code ("kr", "Ft", "CHF", "Fr.") or a ",-" right before or after a
number (a sign followed by a number is that number's: "Set of 2 $15.00")."""
_CURRENCY = rf"(?:{_SIGNS}|(?<![^\W\d_])(?:{_CURRENCY_WORDS})(?![^\W\d_])\.?)"
_SIGN_FIRST = re.compile(rf"{_CURRENCY}(?P<gap>\s?)(?:{_AMOUNT})", re.IGNORECASE)
_AMOUNT_FIRST = re.compile(rf"(?:{_AMOUNT})(?P<gap>\s?){_CURRENCY}", re.IGNORECASE)
"""An amount written against its currency's sign, word or code ("149,99 €", "US$ 15", "199 Ft"),
the sign first or last."""
MAX_PRICE = Decimal("1e12")


def normalise_currency(value: object, tld: str = "") -> str | None:
    """An ISO 4217 code from a code or a symbol (``"€"`` -> ``"EUR"``, ``"￥"`` -> ``"JPY"``); ``$``
    reads the country."""
    text = _half_width(clean_line(value))
    if not text:
        return None
    upper = text.upper()
    if _ISO_CODE.match(upper):
        return upper
    key = text.lower().replace(" ", "").rstrip(".")
    if key in SYMBOL_CURRENCIES:
        code = SYMBOL_CURRENCIES[key]
        if key == "kr":
            return TLD_KRONA.get(tld, code)
        if key == "¥" and tld == "cn":
            return "CNY"
        return code
    if key == "$":
        return TLD_DOLLAR.get(tld, "USD")
    return None


def format_decimal(amount: Decimal) -> str | None:
    """A positive amount as a plain decimal string (``Decimal("12.50")`` -> ``"12.50"``)."""
    try:
        if not amount.is_finite() or amount < 0 or amount > MAX_PRICE:
            return None
        text = format(amount.normalize(), "f")
    except (InvalidOperation, ValueError):
        return None
    if "." in text:
        whole, frac = text.split(".", 1)
        if len(frac) == 1:
            text = f"{whole}.{frac}0"
    return text


def parse_price(value: object, currency: str | None = None) -> str | None:
    """A price value (number, machine string or shop text) as a decimal string, or ``None``.

    ``currency`` (ISO code) resolves ambiguous separators: ``"34.000"`` is 34000 in CLP.
    """
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        try:
            return format_decimal(Decimal(str(value)))
        except InvalidOperation:
            return None
    text = _half_width(clean_line(value))
    if not text or len(text) > 200 or not _DIGITS.search(text):
        return None
    if _MACHINE_NUMBER.match(text):
        whole, _, frac = text.lstrip("+").partition(".")
        if len(frac) == 3 and currency in WHOLE_UNIT_CURRENCIES:
            return format_decimal(Decimal(whole + frac))
        return format_decimal(Decimal(text))
    decimal_separator = "." if currency in THREE_DECIMAL_CURRENCIES else None
    amount, _ = _shop_text(_priced_amount(text), decimal_separator)
    return None if amount is None else format_decimal(amount)


def _priced_amount(text: str) -> str:
    """The part of a shop's text that price-parser should read: when the text's first number is
    a bare count ("Niedrigster Preis der letzten 30 Tage: 149,99 €", "Set of 2 $15.00": no sign,
    currency word or decimals beside it) and a later amount stands against a currency sign, that
    amount (the first written tight against its sign when there is one); else the text itself
    ("49,90 statt 59,90 €", "499 kr Før 699 NOK" are read as written)."""
    numbers = list(_NUMBERS.finditer(text))
    if len(numbers) < 2:
        return text
    first = numbers[0]
    if not first.group(0).isdigit() or _money_beside(text, first.start(), first.end()):
        return text
    found = [
        match for pattern in (_SIGN_FIRST, _AMOUNT_FIRST) for match in pattern.finditer(text, first.end())
    ]
    tight = [match for match in found if not match.group("gap")]  # "Set of 2 $15.00": "$15.00"
    chosen = min(tight or found, key=lambda match: match.start(), default=None)
    return chosen.group(0) if chosen is not None else text


def _money_beside(text: str, start: int, end: int) -> bool:
    """Whether a currency sign, word or code, or a ",-", stands right before or after a number."""
    return bool(_MONEY_BEFORE.search(text, max(0, start - 5), start) or _MONEY_AFTER.match(text, end))


@lru_cache(maxsize=4096)
def _shop_text(text: str, decimal_separator: str | None = None) -> tuple[Decimal | None, str | None]:
    """The amount and currency of a shop's price text, read by price-parser (a page repeats its
    prices, and each candidate is read for its currency and for its amount: readings are kept)."""
    parsed = Price.fromstring(text, decimal_separator=decimal_separator)
    return parsed.amount, parsed.currency


_FULL_WIDTH = re.compile("[\uff01-\uffee]")
"""Full-width forms (East Asian shops write "￥", "＄" and sometimes the digits so)."""


def _half_width(text: str) -> str:
    """A text with its full-width signs and digits as their usual forms ("￥1,620", "１，６２０円")."""
    if text.isascii() or _FULL_WIDTH.search(text) is None:
        return text
    return unicodedata.normalize("NFKC", text)


def currency_in_text(text: str, tld: str = "") -> str | None:
    """The currency a shop's price text names (``"1 149,00 €"`` -> ``"EUR"``), if any."""
    _, currency = _shop_text(_half_width(clean_line(text)), None)  # the key parse_price reads it under
    return normalise_currency(currency, tld) if currency else None
