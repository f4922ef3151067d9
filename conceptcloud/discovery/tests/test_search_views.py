"""The search page (/search/): results with highlights, facets that toggle, sort,
pages, bad parameters named by their field — and only what the viewer may see.

Runs on the database in use (CC_DATABASE_URL picks PostgreSQL), with the real
embedding model.
"""

import re

import pytest
from django.urls import reverse
from django.utils import translation

from conceptcloud.discovery.services.indexing import index_rebuild

pytestmark = pytest.mark.django_db

SECRET = "zirconiumoxalate"
URL = "/search/"


@pytest.fixture
def world(make_user, make_org, make_asset):
    owner = make_user("owner")
    tlo = make_org(owner, "Kansai University TLO", kind="tlo")
    maker = make_user("maker")
    company = make_org(maker, "Osaka Pumps", kind="company")
    assets = {
        "solar": make_asset(
            owner, tlo, title="Perovskite solar cell with a printed electrode",
            summary="Thin film photovoltaic cells made by printing, for cheap rooftop solar power.",
            sdgs=[7, 13], trl=4,
        ),
        "batteries": make_asset(
            owner, tlo, title="Solid-state batteries for grid storage",
            summary="A sulfide electrolyte lets lithium batteries store renewable energy safely.",
            sdgs=[7], trl=6, kind="patent",
        ),
        "water": make_asset(
            maker, company, title="Membrane filter for drinking water",
            summary="A ceramic membrane removes bacteria from river water without power.",
            sdgs=[6], trl=7,
        ),
        "ja": make_asset(
            maker, company, title="全固体電池の量産技術",
            summary="硫化物系の全固体電池を低温で量産する製造方法。", language="ja", sdgs=[7], trl=5,
        ),
        "secret": make_asset(
            owner, tlo, visibility="confidential", title="Coating for turbine blades",
            summary="A ceramic coating that protects blades from heat.",
            details=f"The coating is sprayed {SECRET} powder.", sdgs=[9],
        ),
        "draft": make_asset(
            owner, tlo, publish=False, title="Unpublished battery tracker",
            summary="A battery tracker still in draft.", sdgs=[7],
        ),
    }
    index_rebuild()
    return {"owner": owner, "maker": maker, "outsider": make_user("outsider"), **assets}


def page(client, **params):
    response = client.get(URL, params)
    assert response.status_code == 200
    return response.content.decode()


def result_titles(html: str) -> list[str]:
    titles = re.findall(r'<li class="card search-hit">\s*<h3><a [^>]*>(.*?)</a></h3>', html, re.S)
    return [re.sub(r"</?mark>", "", title) for title in titles]


def test_the_search_page_is_named_and_linked_from_every_page(client, world):
    assert reverse("discovery:search") == URL
    assert f'action="{URL}"' in client.get(reverse("registry:asset_list")).content.decode()


def test_an_empty_query_browses_every_visible_asset_with_facets(client, world):
    html = page(client)
    assert len(result_titles(html)) == 5
    assert "5 assets" in html
    assert "Unpublished battery tracker" not in html
    assert "Sustainable Development Goal" in html and "Type of organisation" in html


def test_an_english_query_finds_inflections_and_marks_them(client, world):
    html = page(client, q="battery")
    assert result_titles(html)[0] == "Solid-state batteries for grid storage"
    assert "Solid-state <mark>batteries</mark> for grid storage" in html
    assert "lithium <mark>batteries</mark> store" in html


def test_a_japanese_query_finds_the_listing_by_a_word_inside_a_compound_and_marks_it(client, world):
    html = page(client, q="電池")
    assert result_titles(html) == ["全固体電池の量産技術"]
    assert "全固体<mark>電池</mark>の量産技術" in html
    assert "1 result for “電池”" in html


def test_a_facet_link_selects_the_value_and_links_back_to_unselect_it(client, world):
    html = page(client, q="power energy")
    assert 'href="/search/?q=power+energy&amp;sdg=7"' in html
    selected = page(client, q="power energy", sdg="7")
    assert 'aria-current="true"' in selected
    assert "✓ 7. " in selected
    assert 'href="/search/?q=power+energy"' in selected
    assert "Membrane filter for drinking water" not in result_titles(selected)


def test_facet_counts_on_the_page_equal_the_results_with_each_value(client, world):
    html = page(client, kind="technology")
    titles = result_titles(html)
    assert len(titles) == 4
    counts = dict(re.findall(r"TRL (\d)</a>\s*<span class=\"muted\">\((\d+)\)</span>", html))
    assert counts == {"4": "1", "5": "1", "7": "1"}


def test_sorting_by_title_and_pages(client, world, settings):
    html = page(client, sort="title")
    assert result_titles(html) == sorted(result_titles(html))
    assert '<option value="title" selected>' in html


def test_pages_link_to_each_other(client, world, make_asset):
    for n in range(25):
        make_asset(world["owner"], title=f"Gear number {n}", summary="A gear.")
    index_rebuild()
    first = page(client, q="gear")
    assert "Page 1 of 2" in first and 'rel="next" href="/search/?q=gear&amp;page=2"' in first
    second = page(client, q="gear", page="2")
    assert "Page 2 of 2" in second and 'rel="prev"' in second
    assert not set(result_titles(first)) & set(result_titles(second))


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"page": "abc"}, "Page must be a number from 1 to 1000."),
        ({"sort": "bogus"}, "Sort by relevance, newest, title, TRL, praise or reputation."),
        ({"standing": "famous"}, "Unknown standing."),
        ({"sdg": "99"}, "SDG must be a number from 1 to 17."),
        ({"trl": "12"}, "TRL must be a number from 1 to 9."),
        ({"kind": "spaceship"}, "Unknown kind of asset."),
        ({"country": "XX"}, "Unknown country code."),
        ({"page": "²"}, "Page must be a number from 1 to 1000."),
        ({"trl": "٧٧"}, "TRL must be a number from 1 to 9."),
    ],
)
def test_a_bad_parameter_is_named_and_the_page_still_works(client, world, params, message):
    html = page(client, q="battery", **params)
    assert 'class="error-summary"' in html
    assert message in html
    assert result_titles(html)[0] == "Solid-state batteries for grid storage"


def test_links_from_a_page_with_a_bad_parameter_leave_it_out(client, world):
    html = page(client, q="battery", sdg="99")
    assert not re.search(r'href="[^"]*sdg=99', html)
    assert 'name="sdg" value="99"' not in html
    assert 'href="/search/?q=battery&amp;sdg=7"' in html


def test_a_bad_sort_is_shown_by_the_sort_field(client, world):
    html = page(client, sort="bogus")
    assert 'id="search-sort-error"' in html and 'aria-invalid="true"' in html


def test_markup_in_a_listing_or_a_query_is_escaped(client, world, make_asset):
    make_asset(world["owner"], title="<script>alert(1)</script> battery", summary="<b>battery</b> & more")
    index_rebuild()
    html = page(client, q="battery")
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; <mark>battery</mark>" in html
    assert "&lt;b&gt;<mark>battery</mark>&lt;/b&gt; &amp; more" in html
    assert "<b>battery</b>" not in html
    assert "<i>x</i>" not in page(client, q="<i>x</i> battery")


def test_the_page_speaks_japanese(client, world):
    with translation.override("ja"):
        response = client.get(URL, {"q": "電池"}, HTTP_ACCEPT_LANGUAGE="ja")
    assert response.status_code == 200
    assert 'lang="ja"' in response.content.decode()


# ---------------------------------------------------------------- confidentiality


def test_an_outsider_searching_a_confidential_details_word_finds_nothing(client, world):
    client.force_login(world["outsider"])
    html = page(client, q=SECRET)
    assert result_titles(html) == []
    assert f"0 results for “{SECRET}”" in html
    assert "sprayed" not in html and "powder" not in html


def test_an_outsider_sees_a_confidential_asset_only_by_its_teaser(client, world):
    client.force_login(world["outsider"])
    html = page(client, q="ceramic coating")
    assert "Coating for turbine blades" in result_titles(html)
    assert "sprayed" not in html and "powder" not in html


def test_drafts_of_others_are_neither_shown_nor_counted(client, world):
    client.force_login(world["outsider"])
    html = page(client, q="battery tracker")
    assert "Unpublished battery tracker" not in html
    assert "draft" not in html.lower().replace("badge draft", "")


def test_the_owner_finds_the_confidential_asset_by_its_details_with_a_details_snippet(client, world):
    client.force_login(world["owner"])
    html = page(client, q=SECRET)
    assert result_titles(html) == ["Coating for turbine blades"]
    assert f"sprayed <mark>{SECRET}</mark> powder" in html
