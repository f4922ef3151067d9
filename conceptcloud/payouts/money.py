"""Currencies and amounts in minor units.

    currency_problem(code)          why a code is not a currency we take, or None
    minor_units(code)               the ISO 4217 exponent: 2 for EUR, 0 for JPY, 3 for BHD (Babel's data)
    to_minor(text, currency)        "12.34" EUR → 1234; None when it has more decimals than the currency
    major_text(amount, currency)    1234 EUR → "12.34" (no grouping, no symbol: for CSV and forms)
    money(amount, currency)         1234 EUR → "€12.34" in the active language (Babel's formats)
    ratio_percent(n, d, tens=)      (1, 3) → "33.3333": a fraction as a percentage, 6 significant digits

Exact throughout: Decimal from integers, never floats.
"""

from __future__ import annotations

from decimal import MAX_EMAX, MIN_EMIN, ROUND_HALF_UP, Decimal, InvalidOperation, localcontext

from babel.core import Locale, UnknownLocaleError
from babel.numbers import format_currency, get_currency_precision, list_currencies
from django.utils.translation import get_language, to_locale

# Codes ISO 4217 reserves for tests and "no currency": never money.
_NOT_MONEY = {"XTS", "XXX"}
_CURRENCIES = frozenset(list_currencies()) - _NOT_MONEY


def currency_problem(code: object) -> str | None:
    """None for a known ISO 4217 code in capitals (e.g. "EUR"); else a short reason (untranslated key)."""
    if not isinstance(code, str) or len(code) != 3 or not code.isascii() or not code.isupper():
        return "format"
    if code not in _CURRENCIES:
        return "unknown"
    return None


def minor_units(currency: str) -> int:
    return get_currency_precision(currency)


def to_minor(text: str, currency: str) -> int | None:
    """An amount in the currency's major unit as exact minor units; None when it is not a
    number or has more decimals than the currency has (12.345 EUR, 1.5 JPY)."""
    try:
        value = Decimal(text.strip().replace(",", "").replace("_", ""))
    except (InvalidOperation, AttributeError):
        return None
    if not value.is_finite():
        return None
    scaled = value.scaleb(minor_units(currency))
    if scaled != scaled.to_integral_value():
        return None
    return int(scaled)


def _decimal(amount: int, currency: str) -> Decimal:
    return Decimal(amount).scaleb(-minor_units(currency))


def major_text(amount: int, currency: str) -> str:
    """Minor units as a plain decimal in the major unit: 1234 EUR → "12.34", −5 JPY → "-5"."""
    digits = minor_units(currency)
    sign = "-" if amount < 0 else ""
    whole, rest = divmod(abs(amount), 10**digits)
    return f"{sign}{whole}.{rest:0{digits}d}" if digits else f"{sign}{whole}"


def _locale() -> Locale:
    try:
        return Locale.parse(to_locale(get_language() or "en"))
    except (UnknownLocaleError, ValueError):
        return Locale.parse("en")


def money(amount: int, currency: str) -> str:
    """The amount with its currency as readers of the active language write it."""
    return format_currency(_decimal(amount, currency), currency, locale=_locale())


def ratio_percent(numerator: int, denominator: int = 1, *, tens: int = 0) -> str:
    """numerator / (denominator × 10**tens) as a percentage to 6 significant digits, trailing
    zeros dropped: (1, 5) → "20", (1, 3) → "33.3333", (1, 800000) → "0.000125", (2000, tens=4)
    → "20"; below a millionth of a percent in exponent form: (1, 10**12) → "1e-10".

    Deep lineages give numbers of thousands of digits, so only the leading bits of
    each are turned into decimals, in a context wide enough for any exponent.
    """
    if numerator == 0:
        return "0"
    with localcontext() as context:
        context.prec = 30
        context.rounding = ROUND_HALF_UP
        context.Emax, context.Emin = MAX_EMAX, MIN_EMIN
        value = (_leading(numerator) / _leading(denominator)).scaleb(2 - tens)
        text = f"{value:.6g}"
        if "e" in text and value >= Decimal("1e-6"):
            text = f"{Decimal(text):f}"
    mantissa, e, exponent = text.partition("e")
    if "." in mantissa:
        mantissa = mantissa.rstrip("0").rstrip(".")
    return f"{mantissa}{e}{exponent}"


def _leading(number: int) -> Decimal:
    """A positive int as a Decimal to about 30 digits (exact below 2**100)."""
    shift = max(0, number.bit_length() - 100)
    return Decimal(number >> shift) * Decimal(2) ** shift
