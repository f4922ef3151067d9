"""The licensing filters: money from minor units, basis points, territories."""

import pytest
from django.utils import translation

from conceptcloud.licensing.templatetags.licensing import bp_percent, cc_name, money, territory


@pytest.mark.parametrize(
    ("amount", "currency", "shown"),
    [(150000, "JPY", "¥150,000"), (150050, "USD", "$1,500.50"), (5, "USD", "$0.05"), (0, "EUR", "€0.00")],
)
def test_money_is_shown_from_exact_minor_units(amount, currency, shown):
    with translation.override("en"):
        assert money(amount, currency) == shown


def test_basis_points_read_as_percentages():
    assert [bp_percent(bp) for bp in (0, 250, 300, 3333, 10000)] == ["0%", "2.5%", "3%", "33.33%", "100%"]


def test_no_territory_is_worldwide_and_codes_read_as_names():
    with translation.override("en"):
        assert territory([]) == "Worldwide"
        assert territory(["JP", "US"]) == "Japan, United States"


def test_a_creative_commons_uri_reads_as_its_name():
    assert cc_name("https://creativecommons.org/licenses/by-sa/4.0/") == "CC BY-SA 4.0"
