"""Money: integer amounts in a currency's minor units, each currency with its own number of
decimals (EUR 2, JPY 0, KWD 3: CLDR's currency data, through Babel), and one way to show,
read and bound them, used everywhere (API messages, pages, invoices, certificates).

Shown in English as the ISO code and the amount: `EUR 1,234.50`, `JPY 4,900`, `-EUR 7.20`;
in another language as that language writes money (CLDR): zh_CN `€1,234.50`, `¥1,234.50`
(CNY), `US$1,234.50`."""

from __future__ import annotations

import re
from decimal import Decimal
from functools import cache

from babel.numbers import format_currency, get_currency_precision, list_currencies

PATTERN = "¤¤ #,##0.00"  # ¤¤: the ISO code; Babel sets the decimals to the currency's own
ISO_CODE_LOCALES = ("en",)  # languages shown with the ISO code rather than their own symbol
PRICE = re.compile(r"^(\d{1,15})(?:[.,](\d+))?$")


@cache
def _codes() -> frozenset[str]:
    return frozenset(list_currencies())


def check_currency(code: str) -> str:
    """The code, if it is an ISO 4217 currency; ValueError naming it otherwise."""
    if code not in _codes():
        raise ValueError(f"{code!r} is not an ISO 4217 currency code (e.g. EUR, USD, JPY)")
    return code


def decimals(currency: str) -> int:
    """How many decimal places the currency's minor unit is: 2 for EUR, 0 for JPY."""
    return int(get_currency_precision(currency))


def major(amount: int, currency: str) -> Decimal:
    """Minor units as an amount of the currency: 1999 EUR → 19.99; 1999 JPY → 1999."""
    return Decimal(amount).scaleb(-decimals(currency))


def minor(whole: int, currency: str) -> int:
    """Whole units of the currency in minor units: 5 EUR → 500, 5 JPY → 5."""
    return whole * 10 ** decimals(currency)


def text(amount: int, currency: str, locale: str = "en") -> str:
    """The amount for people: 123450 EUR → "EUR 1,234.50"; 4900 JPY → "JPY 4,900"; in
    zh_CN 123450 EUR → "€1,234.50" (a Babel locale code: the page's language)."""
    pattern = PATTERN if locale in ISO_CODE_LOCALES else None
    return str(format_currency(major(amount, currency), currency, pattern, locale=locale))


def plain(amount: int, currency: str) -> str:
    """The amount as a form field holds it, without code or grouping: "1234.50"."""
    return f"{major(amount, currency):f}"


def parse(typed: str, currency: str) -> int | None:
    """A price as typed ("49", "49.90", "49,9"; no more decimals than the currency has)
    in minor units; None when it is not one."""
    found = PRICE.match(typed.strip())
    if found is None:
        return None
    whole, part = found.group(1), found.group(2) or ""
    places = decimals(currency)
    if len(part) > places:
        return None
    return int(whole) * 10**places + int(part.ljust(places, "0") or 0)
