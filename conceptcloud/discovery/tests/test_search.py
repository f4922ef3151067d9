"""Hybrid search, its facets and its parameters (selectors/search.py), on the
database in use (CC_DATABASE_URL picks PostgreSQL), with the real embedding model.
"""

import pytest

from conceptcloud.core.errors import InvalidInput
from conceptcloud.discovery.selectors.search import (
    DENSE_MIN,
    SearchFilters,
    SearchParams,
    assets_ranked,
    assets_search,
    search_params,
)
from conceptcloud.discovery.services.indexing import index_rebuild

pytestmark = pytest.mark.django_db

SECRET = "zirconiumoxalate"


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
            keywords=["photovoltaics", "solar energy"], sdgs=[7, 13], trl=4,
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
        "hydro": make_asset(
            maker, company, title="小水力発電機の開発",
            summary="山間部の水路で使える小型の発電装置。", language="ja", sdgs=[7],
        ),
        "secret": make_asset(
            owner, tlo, visibility="confidential", title="Coating for turbine blades",
            summary="A ceramic coating that protects blades from heat.",
            details=f"The coating is sprayed {SECRET} powder; photovoltaic panels reuse it.", sdgs=[9],
        ),
        "draft": make_asset(
            owner, tlo, publish=False, title="Unpublished solar tracker",
            summary="A solar tracker still in draft.", sdgs=[7],
        ),
    }
    index_rebuild()
    return {"owner": owner, "maker": maker, "outsider": make_user("outsider"), **assets}


def titles(page):
    return [hit.asset.title for hit in page.hits]


def search(user, **params):
    return assets_search(user=user, params=search_params(params))


def test_a_query_ranks_the_listing_about_it_first(world):
    page = search(world["outsider"], q="solar power photovoltaic")
    assert titles(page)[0] == "Perovskite solar cell with a printed electrode"


def test_english_stemming_finds_singular_and_plural(world):
    assert "Solid-state batteries for grid storage" in titles(search(None, q="battery"))
    assert "Membrane filter for drinking water" in titles(search(None, q="filters"))


def test_a_japanese_word_inside_a_compound_finds_the_japanese_listing(world):
    # 発電 is a part of 発電機 and of 発電装置.
    page = search(None, q="発電")
    assert titles(page) == ["小水力発電機の開発"]
    assert any(highlighted for _text, highlighted in page.hits[0].title)


def test_a_meaning_without_shared_words_is_found_by_the_embedding(world):
    ranked = assets_ranked(user=None, query="clean drinking water for villages")
    first = ranked[0]
    assert first.id == world["water"].pk
    assert first.dense_rank == 1 and first.similarity >= DENSE_MIN


def test_confidential_details_never_match_or_show_for_an_outsider(world):
    for user in (None, world["outsider"], world["maker"]):
        page = search(user, q=SECRET)
        assert page.total == 0 and page.hits == []
        assert all(value.count == 0 for values in page.facets.values() for value in values)
        page = search(user, q="ceramic coating")
        hit = next(hit for hit in page.hits if hit.asset.pk == world["secret"].pk)
        shown = "".join(text for text, _ in hit.snippet)
        assert SECRET not in shown and "sprayed" not in shown


def test_the_owner_finds_a_confidential_asset_by_its_details_with_a_details_snippet(world):
    page = search(world["owner"], q=SECRET)
    assert titles(page) == ["Coating for turbine blades"]
    assert (SECRET, True) in [(text.lower(), marked) for text, marked in page.hits[0].snippet]


def test_drafts_of_others_are_neither_results_nor_counted(world):
    page = search(world["outsider"], q="solar tracker")
    assert world["draft"].pk not in [hit.asset.pk for hit in page.hits]
    browse = search(world["outsider"])
    assert browse.total == 5
    assert sum(value.count for value in browse.facets["kind"]) == 5
    assert browse.total == 5 and search(world["owner"]).total == 6


def test_facet_counts_equal_the_matching_results_with_each_value(world):
    page = search(world["maker"], q="energy solar power batteries")
    by_id = {hit.asset.pk: hit.asset for hit in page.hits}
    assert page.total == len(page.hits) >= 2
    sdg = {value.value: value.count for value in page.facets["sdg"]}
    for goal, count in sdg.items():
        assert count == sum(1 for asset in by_id.values() if int(goal) in asset.sdgs)
    trl = {value.value: value.count for value in page.facets["trl"]}
    assert trl == {str(a.trl): sum(1 for b in by_id.values() if b.trl == a.trl) for a in by_id.values() if a.trl}
    types = {value.value: value.count for value in page.facets["organisation_type"]}
    assert sum(types.values()) == page.total


def test_a_selected_facet_narrows_results_and_counts(world):
    page = search(None, q="energy", sdg="7", kind="patent")
    assert titles(page) == ["Solid-state batteries for grid storage"]
    assert [(v.value, v.count, v.selected) for v in page.facets["kind"]] == [("patent", 1, True)]
    page = search(None, trl="7")
    assert titles(page) == ["Membrane filter for drinking water"]
    page = search(None, organisation_type="company")
    assert set(titles(page)) == {"Membrane filter for drinking water", "小水力発電機の開発"}


def test_sorting_and_pages(world):
    by_title = search(None, sort="title")
    assert titles(by_title) == sorted(titles(by_title))
    by_trl = [hit.asset.trl for hit in search(None, sort="trl").hits]
    assert by_trl == [7, 6, 4, None, None]
    first = assets_search(user=None, params=SearchParams(sort="title"), per_page=2)
    third = assets_search(user=None, params=SearchParams(sort="title", page=3), per_page=2)
    assert (first.pages, first.total, len(third.hits)) == (3, 5, 1)
    beyond = assets_search(user=None, params=SearchParams(sort="title", page=9), per_page=2)
    assert beyond.page == 3


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"sdg": "18"}, "sdg"), ({"sdg": "x"}, "sdg"), ({"trl": "0"}, "trl"), ({"trl": "12"}, "trl"),
        ({"kind": "spaceship"}, "kind"), ({"sort": "price"}, "sort"), ({"page": "abc"}, "page"),
        ({"page": "0"}, "page"), ({"page": "²"}, "page"), ({"sdg": "٧"}, "sdg"), ({"country": "XX"}, "country"), ({"availability": "free"}, "availability"),
        ({"organisation_type": "club"}, "organisation_type"), ({"rights": "http://example.org/"}, "rights"),
        ({"q": "x" * 501}, "q"),
    ],
)
def test_bad_parameters_are_refused_by_name(params, field):
    with pytest.raises(InvalidInput) as refused:
        search_params(params)
    assert list(refused.value.errors) == [field]


def test_good_parameters_are_parsed():
    params = search_params({"q": " 電池 ", "sdg": "7", "trl": "4", "country": "jp", "sort": "trl", "page": "2"})
    assert params == SearchParams(query="電池", filters=SearchFilters(sdg=7, trl=4, country="JP"), sort="trl", page=2)
