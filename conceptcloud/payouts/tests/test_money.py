"""Currencies and amounts: ISO 4217 codes Babel knows, exponents from the currency,
exact conversions, formatting in the reader's language, percentages of any depth."""

from __future__ import annotations

import pytest
from django.utils import translation

from conceptcloud.payouts.money import currency_problem, major_text, minor_units, money, ratio_percent, to_minor


@pytest.mark.parametrize(
    "code, problem",
    [
        ("EUR", None),
        ("JPY", None),
        ("BHD", None),
        ("eur", "format"),
        ("EURO", "format"),
        ("ZZZ", "unknown"),
        ("XXX", "unknown"),
        (None, "format"),
    ],
)
def test_currencies_are_iso_4217_codes_in_capitals(code, problem):
    assert currency_problem(code) == problem


def test_minor_units_come_from_the_currency():
    assert (minor_units("EUR"), minor_units("JPY"), minor_units("BHD")) == (2, 0, 3)


@pytest.mark.parametrize(
    "text, currency, minor",
    [
        ("12.34", "EUR", 1234),
        ("1,234.5", "EUR", 123450),
        ("12.345", "EUR", None),
        ("1200", "JPY", 1200),
        ("1.5", "JPY", None),
        ("0.001", "BHD", 1),
        ("-2", "EUR", -200),
        ("ten", "EUR", None),
        ("NaN", "EUR", None),
        ("Infinity", "EUR", None),
    ],
)
def test_typed_amounts_become_exact_minor_units(text, currency, minor):
    assert to_minor(text, currency) == minor


def test_amounts_are_written_with_the_currencys_decimals():
    assert (major_text(1234, "EUR"), major_text(-5, "EUR"), major_text(1200, "JPY"), major_text(5, "BHD")) == (
        "12.34",
        "-0.05",
        "1200",
        "0.005",
    )
    assert major_text(2**53 - 1, "EUR") == "90071992547409.91"


def test_money_is_formatted_for_the_readers_language():
    with translation.override("en"):
        assert money(123456, "EUR") == "€1,234.56"
        assert money(1200, "JPY") == "¥1,200"
    with translation.override("ja"):
        assert money(1200, "JPY") == "￥1,200"


@pytest.mark.parametrize(
    "numerator, denominator, tens, text",
    [
        (1, 5, 0, "20"),
        (1, 3, 0, "33.3333"),
        (1, 800000, 0, "0.000125"),
        (2000, 1, 4, "20"),
        (1, 1, 0, "100"),
        (1, 10**12, 0, "1e-10"),
        (0, 1, 0, "0"),
    ],
)
def test_percentages_have_six_significant_digits(numerator, denominator, tens, text):
    assert ratio_percent(numerator, denominator, tens=tens) == text


def test_percentages_of_very_deep_lineages_are_cheap_and_right():
    # 20% per generation over 10,000 generations: 0.2**10000 = 10**-6989.7
    assert ratio_percent(2000**10000, tens=4 * 10000) == "1.99506e-6988"
