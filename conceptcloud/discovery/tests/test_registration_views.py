"""Help while registering in the UI (htmx fragments, the page without JavaScript, the
registry's forms) and in the API (POST /api/v1/discovery/similar, /sdg-suggestions)."""

import json
import re

import pytest
from django.test import Client

from conceptcloud.accounts.services import token_create
from conceptcloud.discovery.services.indexing import index_rebuild
from conceptcloud.registry.models import Asset, Need

pytestmark = pytest.mark.django_db

PUMP_TITLE = "Solar powered water pump for smallholder irrigation"
PUMP_SUMMARY = (
    "A brushless motor driven directly by photovoltaic panels lifts water from wells up to forty metres "
    "deep without batteries, so farms far from the grid can irrigate vegetables through the dry season "
    "at a fraction of the cost of diesel. The controller tracks the maximum power point of the panels."
)
SECRET = "zirconiumoxalate"
HTMX = {"HX-Request": "true"}


@pytest.fixture
def world(make_user, make_org, make_asset):
    owner = make_user("owner")
    tlo = make_org(owner, "Kansai University TLO", kind="tlo")
    pump = make_asset(owner, tlo, title=PUMP_TITLE, summary=PUMP_SUMMARY, details="Trials in three districts.", sdgs=[6])
    secret = make_asset(
        owner, tlo, visibility="confidential", title="Licensable production know-how",
        summary="An improvement to an industrial production process, offered under a non-disclosure agreement.",
        details=f"Spray {SECRET} slurry onto the turbine blade and sinter it in argon.",
    )
    index_rebuild()
    author = make_user("author")
    make_org(author, "Osaka Pumps", kind="company")
    client = Client()
    client.force_login(author)
    return {"owner": owner, "pump": pump, "secret": secret, "author": author, "client": client}


def text(response) -> str:
    return response.content.decode()


def checked_boxes(html: str) -> set[int]:
    return {int(value) for value in re.findall(r'<input type="checkbox" name="sdgs" value="(\d+)"[^>]*checked', html)}


# The registry's forms ------------------------------------------------------------------


def test_the_asset_form_has_the_similar_panel_and_the_suggest_button(world):
    html = text(world["client"].get("/assets/new/"))
    assert 'id="similar-assets"' in html and 'hx-post="/registration/similar/"' in html
    assert "input changed delay:600ms from:#id_title" in html
    assert "Check for similar assets" in html and 'formaction="/registration/similar/"' in html
    assert "Suggest SDGs" in html and 'formaction="/registration/sdgs/"' in html
    assert '<div id="sdg-field">' in html


def test_the_edit_form_leaves_the_asset_itself_out(world):
    client = Client()
    client.force_login(world["owner"])
    html = text(client.get(f"/assets/{world['pump'].pk}/edit/"))
    assert f'name="exclude" value="{world["pump"].pk}"' in html
    fragment = text(client.post("/registration/similar/", {"title": PUMP_TITLE, "summary": PUMP_SUMMARY, "exclude": world["pump"].pk}, headers=HTMX))
    assert PUMP_TITLE not in fragment


def test_the_need_form_has_the_suggest_button(world):
    html = text(world["client"].get("/needs/new/"))
    assert "Suggest SDGs" in html and 'hx-params="title,description,sdgs,form"' in html


# htmx fragments ------------------------------------------------------------------------


def test_similar_fragment_warns_of_a_near_duplicate_and_lists_similar_assets(world):
    response = world["client"].post(
        "/registration/similar/", {"title": PUMP_TITLE, "summary": PUMP_SUMMARY.replace("forty", "fifty")}, headers=HTMX
    )
    html = text(response)
    assert response.status_code == 200
    assert "<html" not in html
    assert "This looks like an asset that is already registered." in html
    assert f'href="/assets/{world["pump"].pk}/"' in html
    assert "Similar assets already registered" in html
    assert "similarity" in html


def test_similar_fragment_for_an_unrelated_text_warns_of_nothing(world):
    html = text(world["client"].post(
        "/registration/similar/",
        {"title": "Knitted wool insoles", "summary": "Warm insoles knitted from undyed sheep wool for winter boots."},
        headers=HTMX,
    ))
    assert "already registered." not in html


def test_similar_fragment_asks_for_text_when_there_is_none(world):
    html = text(world["client"].post("/registration/similar/", {"title": " ", "summary": ""}, headers=HTMX))
    assert "Type a title or a summary first." in html


def test_similar_fragment_never_shows_a_confidential_asset_by_its_details(world):
    html = text(world["client"].post(
        "/registration/similar/",
        {"title": "Blade coating", "summary": f"Spray {SECRET} slurry onto the turbine blade and sinter it in argon."},
        headers=HTMX,
    ))
    assert "Licensable production know-how" not in html
    assert SECRET not in html


def test_sdg_fragment_suggests_goals_and_ticks_them_with_those_already_chosen(world):
    response = world["client"].post(
        "/registration/sdgs/",
        {"title": "Solar home systems", "summary": "Solar panels and batteries bring clean electricity to off-grid villages.",
         "sdgs": ["9"], "form": "asset"},
        headers=HTMX,
    )
    html = text(response)
    assert "SDG 7." in html and "matches target 7." in html
    assert 'hx-swap-oob="true"' in html
    assert {7, 9} <= checked_boxes(html)


def test_sdg_fragment_for_a_need_reads_its_description(world):
    html = text(world["client"].post(
        "/registration/sdgs/",
        {"title": "Clean drinking water", "description": "Membrane filters that purify drinking water for rural households.", "form": "need"},
        headers=HTMX,
    ))
    assert 6 in checked_boxes(html)


def test_sdg_fragment_asks_for_text_when_there_is_none(world):
    html = text(world["client"].post("/registration/sdgs/", {"title": "", "summary": "", "form": "asset"}, headers=HTMX))
    assert "Type some text first" in html
    assert "hx-swap-oob" not in html


def test_without_javascript_the_buttons_open_one_help_page(world):
    form = {"title": PUMP_TITLE, "summary": PUMP_SUMMARY, "sdgs": ["6"], "form": "asset"}
    for url in ("/registration/similar/", "/registration/sdgs/"):
        html = text(world["client"].post(url, form))
        assert "<h1>Help while registering</h1>" in html
        assert "This looks like an asset that is already registered." in html
        assert "Suggested Sustainable Development Goals" in html and "SDG 7." in html
        assert "hx-swap-oob" not in html


def test_registration_help_needs_a_signed_in_person_and_a_post(world):
    anonymous = Client()
    response = anonymous.post("/registration/similar/", {"title": PUMP_TITLE, "summary": PUMP_SUMMARY})
    assert response.status_code == 302 and "/account/login/" in response["Location"]
    assert world["client"].get("/registration/sdgs/").status_code == 405


# Saving the forms with edited SDGs -------------------------------------------------------


def test_the_asset_form_saves_the_sdgs_the_person_left_ticked(world):
    form = {
        "kind": "technology", "title": "Solar home systems", "language": "en", "visibility": "public",
        "summary": "Solar panels and batteries bring clean electricity to off-grid villages.",
        "details": "", "owner_org": "", "trl": "", "cpc_codes": "", "keywords": "", "rights_statement": "",
        "reference": "", "action": "publish", "ip-TOTAL_FORMS": "0", "ip-INITIAL_FORMS": "0",
        "ip-MIN_NUM_FORMS": "0", "ip-MAX_NUM_FORMS": "50",
    }
    suggested = checked_boxes(text(world["client"].post("/registration/sdgs/", {**form, "form": "asset"}, headers=HTMX)))
    assert 7 in suggested
    kept = sorted(suggested - {7}) or [13]
    response = world["client"].post("/assets/new/", {**form, "sdgs": [str(n) for n in kept]})
    assert response.status_code == 302
    assert Asset.objects.get(title="Solar home systems").sdgs == kept


def test_the_need_form_saves_the_sdgs_the_person_chose(world):
    org = world["author"].memberships.first().organisation
    form = {
        "title": "Clean drinking water", "description": "Membrane filters that purify drinking water for rural households.",
        "seeker_org": org.slug, "sdgs": ["3", "6"], "countries": ["KE"], "region": "", "sector": "",
        "deal_types": ["licence"], "budget_min": "", "budget_max": "", "budget_currency": "", "deadline": "", "reference": "",
    }
    response = world["client"].post("/needs/new/", form)
    assert response.status_code == 302
    assert Need.objects.get(title="Clean drinking water").sdgs == [3, 6]


# The API ----------------------------------------------------------------------------------


def bearer(user) -> Client:
    _token, secret = token_create(actor=user, name="tests")
    return Client(headers={"Authorization": f"Bearer {secret}"})


def send(client: Client, url: str, body: dict):
    return client.post(url, data=json.dumps(body), content_type="application/json")


def test_api_similar_returns_teasers_with_similarity_and_near_duplicates(world):
    response = send(bearer(world["author"]), "/api/v1/discovery/similar",
                    {"title": PUMP_TITLE, "summary": PUMP_SUMMARY.replace("forty", "fifty")})
    assert response.status_code == 200
    data = response.json()
    assert [item["id"] for item in data["near_duplicates"]] == [world["pump"].pk]
    assert data["near_duplicates"][0]["similarity"] >= 0.7
    first = data["similar"][0]
    assert first["id"] == world["pump"].pk and first["similarity"] > 0.5 and first["access"] == "full"
    assert "details" not in first and first["url"].endswith(f"/api/v1/assets/{world['pump'].pk}")


def test_api_similar_never_reveals_confidential_details(world):
    for client in (bearer(world["author"]), Client()):
        response = send(client, "/api/v1/discovery/similar",
                        {"title": "Blade coating", "summary": f"Spray {SECRET} slurry onto the turbine blade and sinter it in argon."})
        assert response.status_code == 200
        assert SECRET not in response.content.decode()
        assert world["secret"].pk not in [item["id"] for item in response.json()["similar"] + response.json()["near_duplicates"]]


def test_api_similar_refuses_an_empty_or_too_long_draft_as_problem_json(world):
    client = bearer(world["author"])
    empty = send(client, "/api/v1/discovery/similar", {"title": "", "summary": " "})
    assert empty.status_code == 422 and empty["Content-Type"].startswith("application/problem+json")
    assert "title" in empty.json()["errors"]
    long = send(client, "/api/v1/discovery/similar", {"title": "x" * 301, "summary": "pump"})
    assert long.status_code == 422 and "title" in long.json()["errors"]
    unknown = send(client, "/api/v1/discovery/similar", {"title": "Pump", "colour": "red"})
    assert unknown.status_code == 422


def test_api_sdg_suggestions_name_the_goal_and_the_target(world):
    response = send(bearer(world["author"]), "/api/v1/discovery/sdg-suggestions",
                    {"text": "A ceramic membrane filter that purifies drinking water for rural households."})
    assert response.status_code == 200
    first = response.json()[0]
    assert first["goal"] == 6 and first["title"] == "Clean water and sanitation"
    assert first["target"].startswith("6.") and first["reason"].startswith(f"matches target {first['target']}: ")
    assert 0 < first["score"] <= 2


def test_api_sdg_suggestions_refuse_empty_and_too_long_text(world):
    client = bearer(world["author"])
    for body in ({"text": "  "}, {"text": "water " * 5000}):
        response = send(client, "/api/v1/discovery/sdg-suggestions", body)
        assert response.status_code == 422 and response["Content-Type"].startswith("application/problem+json")
        assert "text" in response.json()["errors"]
