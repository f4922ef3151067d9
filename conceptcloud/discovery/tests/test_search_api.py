"""GET /api/v1/search: hits with highlights, facets with counts, sort, pages,
problem+json for bad parameters — and only what the caller may see.

Runs on the database in use (CC_DATABASE_URL picks PostgreSQL), with the real
embedding model.
"""

import pytest
from django.test import Client

from conceptcloud.accounts.services import token_create
from conceptcloud.discovery.services.indexing import index_rebuild

pytestmark = pytest.mark.django_db

SECRET = "zirconiumoxalate"
URL = "/api/v1/search"


@pytest.fixture
def world(make_user, make_org, make_asset):
    owner = make_user("owner")
    tlo = make_org(owner, "Kansai University TLO", kind="tlo")
    maker = make_user("maker")
    company = make_org(maker, "Osaka Pumps", kind="company", country="DE")
    assets = {
        "solar": make_asset(
            owner, tlo, title="Perovskite solar cell with a printed electrode",
            summary="Thin film photovoltaic cells made by printing, for cheap rooftop solar power.",
            sdgs=[7, 13], trl=4, countries_developed=["JP"], availability=["licence"],
        ),
        "batteries": make_asset(
            owner, tlo, title="Solid-state batteries for grid storage",
            summary="A sulfide electrolyte lets lithium batteries store renewable energy safely.",
            sdgs=[7], trl=6, kind="patent", countries_developed=["JP"], availability=["licence", "sale"],
        ),
        "water": make_asset(
            maker, company, title="Membrane filter for drinking water",
            summary="A ceramic membrane removes bacteria from river water without power.",
            sdgs=[6], trl=7, countries_developed=["DE"],
        ),
        "ja": make_asset(
            maker, company, title="全固体電池の量産技術",
            summary="硫化物系の全固体電池を低温で量産する製造方法。", language="ja", sdgs=[7], trl=5,
        ),
        "fibre": make_asset(
            maker, company, title="Carbon fibre reinforced bicycle frame",
            summary="A light frame of carbon fibre for city bicycles.", sdgs=[11], trl=8,
        ),
        "secret": make_asset(
            owner, tlo, visibility="confidential", title="Coating for turbine blades",
            summary="A ceramic coating that protects blades from heat.",
            details=f"The coating is sprayed {SECRET} powder; the solar industry reuses it.", sdgs=[9],
        ),
        "draft": make_asset(
            owner, tlo, publish=False, title="Unpublished battery tracker",
            summary="A battery tracker still in draft.", sdgs=[7], trl=6,
        ),
    }
    index_rebuild()
    return {"owner": owner, "maker": maker, "outsider": make_user("outsider"), **assets}


def bearer(user) -> Client:
    _token, secret = token_create(actor=user, name="tests")
    return Client(headers={"Authorization": f"Bearer {secret}"})


def search(client: Client, **params) -> dict:
    response = client.get(URL, params)
    assert response.status_code == 200, response.content
    return response.json()


def titles(body: dict) -> list[str]:
    return [hit["title"] for hit in body["results"]]


def marked(segments: list[dict]) -> list[str]:
    return [segment["text"] for segment in segments if segment["highlighted"]]


def facet(body: dict, name: str) -> dict[str, int]:
    return {value["value"]: value["count"] for value in body["facets"][name]}


# ---------------------------------------------------------------- results


def test_a_search_answers_a_page_of_teasers_with_highlights(world):
    body = search(Client(), q="battery")
    assert body["count"] >= 1 and body["page"] == 1 and body["pages"] == 1
    hit = body["results"][0]
    assert hit["title"] == "Solid-state batteries for grid storage"
    assert hit["id"] == world["batteries"].pk
    assert hit["url"].endswith(f"/api/v1/assets/{world['batteries'].pk}")
    assert marked(hit["title_highlight"]) == ["batteries"]
    assert "".join(s["text"] for s in hit["title_highlight"]) == hit["title"]
    assert marked(hit["snippet"]) == ["batteries"]
    assert hit["score"] > 0 and hit["lexical_rank"] == 1
    assert hit["access"] == "full"  # a public asset
    assert hit["kind"] == "patent" and hit["sdgs"] == [7] and hit["trl"] == 6
    assert hit["owner_org"] == "kansai-university-tlo"
    assert "details" not in hit


def test_a_japanese_query_finds_the_listing_by_a_word_inside_a_compound(world):
    body = search(Client(), q="電池")
    assert titles(body) == ["全固体電池の量産技術"]
    assert marked(body["results"][0]["title_highlight"]) == ["電池"]
    assert marked(body["results"][0]["snippet"]) == ["電池"]


def test_british_and_american_spellings_find_each_other(world):
    body = search(Client(), q="fiber")
    assert titles(body)[0] == "Carbon fibre reinforced bicycle frame"
    assert marked(body["results"][0]["title_highlight"]) == ["fibre"]


def test_an_empty_query_browses_all_visible_assets_newest_first(world):
    body = search(Client())
    assert body["count"] == 6
    assert body["results"][0]["title"] == "Coating for turbine blades"
    assert all(hit["score"] is None for hit in body["results"])
    assert all(not marked(hit["snippet"]) for hit in body["results"])


def test_sort_by_title_and_by_trl(world):
    by_title = titles(search(Client(), sort="title"))
    assert by_title == sorted(by_title)
    by_trl = [hit["trl"] for hit in search(Client(), sort="trl")["results"]]
    known = [trl for trl in by_trl if trl is not None]
    assert known == sorted(known, reverse=True) and by_trl[: len(known)] == known


def test_pages_split_the_results_without_overlap(world):
    first = search(Client(), per_page=4)
    second = search(Client(), per_page=4, page=2)
    assert (first["count"], first["pages"], second["page"]) == (6, 2, 2)
    assert len(first["results"]) == 4 and len(second["results"]) == 2
    assert not set(titles(first)) & set(titles(second))


# ---------------------------------------------------------------- facets


@pytest.mark.parametrize("query", ["", "energy power water", "battery"])
def test_every_facet_count_equals_the_matching_results_with_that_value(world, query):
    body = search(Client(), q=query, per_page=100)
    results = body["results"]
    assert body["count"] == len(results)
    assert facet(body, "kind") == _count(hit["kind"] for hit in results)
    assert facet(body, "sdg") == _count(str(n) for hit in results for n in hit["sdgs"])
    assert facet(body, "trl") == _count(str(hit["trl"]) for hit in results if hit["trl"] is not None)
    assert facet(body, "availability") == _count(value for hit in results for value in hit["availability"])


def _count(values) -> dict[str, int]:
    counts: dict[str, int] = {}
    for value in values:
        counts[value] = counts.get(value, 0) + 1
    return counts


def test_a_facet_value_narrows_the_results_and_is_marked_selected(world):
    body = search(Client(), sdg=7)
    assert set(titles(body)) == {
        "Perovskite solar cell with a printed electrode",
        "Solid-state batteries for grid storage",
        "全固体電池の量産技術",
    }
    assert [value for value in body["facets"]["sdg"] if value["selected"]] == [
        {"value": "7", "label": "7. Affordable and clean energy", "count": 3, "selected": True}
    ]


def test_facets_cover_country_organisation_type_and_labels(world):
    body = search(Client(), organisation_type="company")
    assert facet(body, "organisation_type") == {"company": 3}
    assert facet(body, "country") == {"DE": 1}
    assert {value["label"] for value in body["facets"]["kind"]} == {"Technology"}


# ---------------------------------------------------------------- bad parameters


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"page": "abc"}, "page"),
        ({"page": "0"}, "page"),
        ({"page": "²"}, "page"),
        ({"sdg": "²"}, "sdg"),
        ({"per_page": "500"}, "per_page"),
        ({"sort": "bogus"}, "sort"),
        ({"sdg": "99"}, "sdg"),
        ({"trl": "12"}, "trl"),
        ({"trl": "x"}, "trl"),
        ({"kind": "spaceship"}, "kind"),
        ({"country": "XX"}, "country"),
        ({"availability": "gift"}, "availability"),
        ({"organisation_type": "club"}, "organisation_type"),
        ({"rights": "http://example.org/mine"}, "rights"),
        ({"q": "x" * 501}, "q"),
    ],
)
def test_a_bad_parameter_is_a_422_problem_naming_the_field(world, params, field):
    response = Client().get(URL, params)
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert field in response.json()["errors"]


def test_blank_filters_mean_no_filter(world):
    assert search(Client(), kind="", sdg="", trl="", country="")["count"] == 6


def test_the_endpoint_is_documented_under_the_search_tag(world):
    schema = Client().get("/api/openapi.json").json()
    operation = schema["paths"]["/api/v1/search"]["get"]
    assert operation["tags"] == ["Search"]
    assert {p["name"] for p in operation["parameters"]} >= {"q", "kind", "sdg", "trl", "sort", "page", "per_page"}


# ---------------------------------------------------------------- confidentiality


def test_an_outsider_searching_a_confidential_details_word_gets_nothing(world):
    for client in (Client(), bearer(world["outsider"])):
        body = search(client, q=SECRET)
        assert body["count"] == 0 and body["results"] == []
        assert all(value["count"] == 0 for values in body["facets"].values() for value in values)


def test_an_outsider_sees_a_confidential_asset_only_by_its_teaser(world):
    body = search(bearer(world["outsider"]), q="ceramic coating solar industry", per_page=100)
    hit = next(hit for hit in body["results"] if hit["id"] == world["secret"].pk)
    assert hit["access"] == "teaser"
    assert "".join(s["text"] for s in hit["snippet"]) == "A ceramic coating that protects blades from heat."
    assert SECRET not in str(body) and "sprayed" not in str(body)


def test_a_draft_of_another_user_is_never_a_result_nor_counted(world):
    body = search(bearer(world["outsider"]), q="battery tracker", per_page=100)
    assert world["draft"].pk not in [hit["id"] for hit in body["results"]]
    assert "Unpublished" not in str(body)
    browse = search(bearer(world["outsider"]), trl=6)
    assert browse["count"] == 1 and facet(browse, "trl") == {"6": 1}


def test_the_owner_finds_the_confidential_asset_by_its_details_with_a_details_snippet(world):
    body = search(bearer(world["owner"]), q=SECRET)
    assert titles(body) == ["Coating for turbine blades"]
    hit = body["results"][0]
    assert hit["access"] == "full"
    assert marked(hit["snippet"]) == [SECRET]
    assert "sprayed" in "".join(s["text"] for s in hit["snippet"])
