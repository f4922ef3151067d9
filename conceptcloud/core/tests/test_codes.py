from django.utils import translation

from conceptcloud.core.codes import check_countries, check_sdgs, country_names, is_country, language_names


def test_country_and_language_names_follow_the_ui_language():
    with translation.override("ja"):
        assert country_names()["JP"] == "日本"
        assert language_names()["en"] == "英語"
    with translation.override("en"):
        assert country_names()["JP"] == "Japan"
        assert language_names()["ja"] == "Japanese"


def test_codes_are_checked_whatever_the_ui_language():
    with translation.override("ja"):
        assert is_country("JP") and not is_country("XX")
        assert check_countries(["JP", "XX"]) and len(check_countries(["JP", "XX"])) == 1
    assert check_sdgs([1, 17]) == [] and len(check_sdgs([0, 18])) == 2
