"""Controlled vocabularies shared by every app: SDGs, countries, languages, currencies.

Display names are marked for translation; the codes are what is stored.
"""

from __future__ import annotations

import gettext as gettext_module
from functools import lru_cache

import pycountry
from django.utils.translation import get_language, gettext, gettext_lazy as _

# The 17 Sustainable Development Goals, short names (UN wording; Japanese in the
# core locale).
SDG_NAMES: dict[int, str] = {
    1: _("No poverty"),
    2: _("Zero hunger"),
    3: _("Good health and well-being"),
    4: _("Quality education"),
    5: _("Gender equality"),
    6: _("Clean water and sanitation"),
    7: _("Affordable and clean energy"),
    8: _("Decent work and economic growth"),
    9: _("Industry, innovation and infrastructure"),
    10: _("Reduced inequalities"),
    11: _("Sustainable cities and communities"),
    12: _("Responsible consumption and production"),
    13: _("Climate action"),
    14: _("Life below water"),
    15: _("Life on land"),
    16: _("Peace, justice and strong institutions"),
    17: _("Partnerships for the goals"),
}
SDG_CHOICES = [(number, f"{number}. {name}") for number, name in SDG_NAMES.items()]

CONTENT_LANGUAGES = [("en", _("English")), ("ja", _("Japanese"))]


def _iso_translator(domain: str, language: str):
    """pycountry's own translations of ISO names (e.g. Japanese country names)."""
    return _iso_catalogue(domain, language.split("-")[0])


@lru_cache(maxsize=16)
def _iso_catalogue(domain: str, language: str):
    return gettext_module.translation(domain, pycountry.LOCALES_DIR, languages=[language], fallback=True)


@lru_cache(maxsize=8)
def _country_names(language: str) -> dict[str, str]:
    translate = _iso_translator("iso3166-1", language).gettext
    return {c.alpha_2: translate(getattr(c, "common_name", c.name)) for c in pycountry.countries}


def country_names() -> dict[str, str]:
    """ISO 3166-1 alpha-2 code → short name in the active UI language."""
    return _country_names(get_language() or "en")


def country_choices() -> list[tuple[str, str]]:
    return sorted(country_names().items(), key=lambda item: item[1])


def is_country(code: str) -> bool:
    return code in _country_names("en")


@lru_cache(maxsize=8)
def _language_names(language: str) -> dict[str, str]:
    translate = _iso_translator("iso639-3", language).gettext
    return {lang.alpha_2: translate(lang.name) for lang in pycountry.languages if hasattr(lang, "alpha_2")}


def language_names() -> dict[str, str]:
    """ISO 639-1 code → language name in the active UI language."""
    return _language_names(get_language() or "en")


@lru_cache(maxsize=8)
def _currency_names(language: str) -> dict[str, str]:
    translate = _iso_translator("iso4217", language).gettext
    return {c.alpha_3: translate(c.name) for c in pycountry.currencies}


def currency_names() -> dict[str, str]:
    """ISO 4217 code → currency name in the active UI language."""
    return _currency_names(get_language() or "en")


def check_sdgs(values: list[int]) -> list[str]:
    bad = [v for v in values if not isinstance(v, int) or v not in SDG_NAMES]
    return [gettext("Unknown SDG: %(value)s. SDGs are numbered 1 to 17.") % {"value": v} for v in bad]


def check_countries(values: list[str]) -> list[str]:
    return [
        gettext("Unknown country code: %(value)s. Use ISO 3166-1 alpha-2 (e.g. JP, US).")
        % {"value": v}
        for v in values
        if not is_country(v)
    ]
