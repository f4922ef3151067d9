"""The dashboard's pages (dashboard_views.py) and API (dashboard_api.py) through the
test client: who gets what (sign-in, 404, problem+json), what the page shows, the
year selector and its errors, the htmx fragment, the CSV downloads."""

from __future__ import annotations

import csv
import html
import io
import re

import pytest
from django.test import Client

from conceptcloud.accounts.services import token_create
from conceptcloud.history.models import Entry
from conceptcloud.licensing.tests.test_metrics import LAST_YEAR, THIS_YEAR, World, build_world

pytestmark = pytest.mark.django_db

PAGE = "/organisations/kyoto-tlo/licensing/"
CSV = "/organisations/kyoto-tlo/licensing/metrics.csv"
API = "/api/v1/organisations/kyoto-tlo/licensing"
PROBLEM = "application/problem+json"


@pytest.fixture
def world(make_user, make_org, make_asset) -> World:
    return build_world(make_user, make_org, make_asset)


def signed_in(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def bearer(user) -> Client:
    _token, secret = token_create(actor=user, name="tests")
    return Client(headers={"Authorization": f"Bearer {secret}"})


def text(response) -> str:
    """What a reader sees: the tags dropped (each as a space), entities decoded, spaces collapsed."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())))


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode())))


# ---------------------------------------------------------------- who may look


def test_anonymous_visitors_are_asked_to_sign_in(world):
    for url in (PAGE, CSV, "/licensing/dashboard/", "/licensing/dashboard/metrics.csv"):
        response = Client().get(url)
        assert response.status_code == 302 and response.url.startswith("/account/login/"), url


def test_people_outside_the_organisation_get_a_404_like_an_absent_one(world):
    for person in (world.olga, world.cora):
        client = signed_in(person)
        for url in (PAGE, CSV, f"{PAGE}?year=1900"):
            assert client.get(url).status_code == 404, (person, url)
    assert signed_in(world.tina).get("/organisations/no-such-org/licensing/").status_code == 404


def test_members_of_either_role_see_the_dashboard(world):
    for person in (world.tina, world.mark):
        response = signed_in(person).get(PAGE)
        assert response.status_code == 200
        assert "Licensing dashboard: Kyoto TLO" in text(response)


# ---------------------------------------------------------------- the page


def test_the_page_shows_the_portfolio_the_pipeline_and_this_years_metrics(world):
    response = signed_in(world.mark).get(PAGE)
    page = text(response)
    assert response["Content-Type"].startswith("text/html")
    # Portfolio: every asset, with its status, availability and offers.
    for title in ("Gear bearing drive", "Soil moisture sensor", "Folding bridge", "Campus song", "Solar lamp"):
        assert title in page
    assert "Tina's own bicycle gear" not in page and "Acme press" not in page
    assert "Evaluation licence (Accepted in one step) Standard non-exclusive licence (Accepted in one step)" in page
    assert "Startup licence (By inquiry and negotiation)" in page
    assert f'href="/offers/{world.startup.pk}/"' in response.content.decode()
    assert "Draft" in page and "Licence Collaboration" in page
    # Pipeline board: every stage, each deal linked to its page.
    for label in ("Inquiry", "NDA", "Evaluation", "Negotiation", "Signed", "Active", "Closed", "Terminated"):
        assert f"{label} " in page
    body = response.content.decode()
    for deal in (world.dana_inquiry, world.cora_licence, world.spark_licence, world.eve_licence):
        assert f'href="/deals/{deal.pk}/"' in body
    assert "Acme" in page and "Spark" in page
    # Metrics: this year's figures, and the years before it.
    assert f"In {THIS_YEAR} Invention disclosures 3 Licences executed 2 Options executed 1 " in page
    assert (
        "Licence income ¥150,000 Startups formed 1 Active licences at year end 2 Active options at year end 1" in page
    )
    assert f"Metric {THIS_YEAR - 4} {THIS_YEAR - 3} {THIS_YEAR - 2} {LAST_YEAR} {THIS_YEAR} " in page
    assert "Licence income — — — $12.34 ¥150,000 of which from deals — — — — ¥120,000" in page
    assert f'href="{CSV}?year={THIS_YEAR}"' in body


def test_another_year_is_chosen_with_the_year_selector(world):
    response = signed_in(world.tina).get(PAGE, {"year": str(LAST_YEAR)})
    page = text(response)
    assert response.status_code == 200
    assert f"In {LAST_YEAR} Invention disclosures 1 Licences executed 1 Options executed 0 " in page
    assert "Licence income $12.34 Startups formed 0 Active licences at year end 1" in page
    assert f'<option value="{LAST_YEAR}" selected>' in response.content.decode()
    assert f"{THIS_YEAR} " not in page.split("Metric")[1].split("Invention")[0]


@pytest.mark.parametrize("year", ["twenty", "1979", str(THIS_YEAR + 1), "２０２５"])
def test_a_bad_year_shows_its_error_by_the_selector_and_no_figures(world, year):
    before = Entry.objects.count()
    response = signed_in(world.tina).get(PAGE, {"year": year})
    page = text(response)
    assert response.status_code == 400
    body = response.content.decode()
    assert re.search(r'<div id="metrics-year_error"><p class="error">(Enter a year|Choose a year)', body)
    assert 'aria-invalid="true"' in body
    assert "Invention disclosures 3" not in page and "Download as CSV" not in page
    # The rest of the page is still there, and nothing changed.
    assert "Gear bearing drive" in page and Entry.objects.count() == before


def test_an_htmx_request_gets_the_metrics_fragment_alone(world):
    client = signed_in(world.tina)
    response = client.get(PAGE, {"year": str(LAST_YEAR)}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert response.status_code == 200 and body.lstrip().startswith('<div id="metrics">')
    assert "<html" not in body and "Gear bearing drive" not in body
    assert f"In {LAST_YEAR}" in text(response)
    bad = client.get(PAGE, {"year": "1492"}, headers={"HX-Request": "true"})
    assert bad.status_code == 200 and "Choose a year from 1980 to" in text(bad)


def test_the_persons_own_dashboard_links_their_organisations(world):
    response = signed_in(world.tina).get("/licensing/dashboard/")
    page = text(response)
    assert response.status_code == 200
    assert "Licensing dashboard: Tina" in page and "Tina's own bicycle gear" in page
    assert "Gear bearing drive" not in page
    assert 'href="/organisations/kyoto-tlo/licensing/"' in response.content.decode()
    assert "Licence income ¥500" in page


# ---------------------------------------------------------------- CSV


def test_the_csv_download_holds_the_pages_numbers(world):
    response = signed_in(world.mark).get(CSV, {"year": str(THIS_YEAR)})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="kyoto-tlo-licensing-metrics-{THIS_YEAR - 4}-{THIS_YEAR}.csv"'
    )
    rows = csv_rows(response)
    assert rows[0][-2:] == ["licence_income_JPY", "licence_income_USD"]
    assert [row[0] for row in rows[1:]] == [str(year) for year in range(THIS_YEAR - 4, THIS_YEAR + 1)]
    assert rows[-2] == [str(LAST_YEAR), "1", "1", "0", "0", "1", "0", "0", "12.34"]
    assert rows[-1] == [str(THIS_YEAR), "3", "2", "1", "1", "2", "1", "150000", "0.00"]


def test_the_csv_without_a_year_is_this_years_and_with_a_bad_one_is_the_page_with_the_error(world):
    client = signed_in(world.tina)
    assert csv_rows(client.get(CSV))[-1][0] == str(THIS_YEAR)
    response = client.get(CSV, {"year": "next year"})
    assert response.status_code == 400 and response["Content-Type"].startswith("text/html")
    assert "Enter a year as four digits" in text(response)


def test_the_persons_csv_covers_their_own_assets(world):
    rows = csv_rows(signed_in(world.tina).get("/licensing/dashboard/metrics.csv"))
    assert rows[0][-1] == "licence_income_JPY" and rows[-1] == [str(THIS_YEAR), "1", "0", "0", "0", "0", "0", "500"]


# ---------------------------------------------------------------- the API


def test_the_api_gives_members_the_portfolio_pipeline_and_metrics(world):
    client = bearer(world.mark)
    portfolio = client.get(f"{API}/portfolio").json()
    assert portfolio["count"] == 5
    gear = next(item for item in portfolio["items"] if item["asset"]["title"] == "Gear bearing drive")
    assert gear["asset"]["availability"] == ["licence", "collaboration"] and gear["asset"]["status"] == "published"
    assert gear["asset"]["url"].endswith(f"/api/v1/assets/{world.gear.pk}")
    assert [o["template"] for o in gear["open_offers"]] == ["evaluation", "express"]
    assert (gear["open_deals"], gear["licences"]) == (1, 2)

    pipeline = client.get(f"{API}/pipeline").json()
    assert [column["stage"] for column in pipeline] == [
        "inquiry",
        "nda",
        "evaluation",
        "negotiation",
        "signed",
        "active",
        "closed",
        "terminated",
    ]
    inquiry = pipeline[0]
    assert inquiry["count"] == 1
    deal = inquiry["deals"][0]
    assert deal["id"] == world.dana_inquiry.pk and deal["licensee"] == "Dana" and deal["licensee_organisation"] is None
    assert deal["url"].endswith(f"/deals/{world.dana_inquiry.pk}/") and deal["signed_at"] is None
    active = pipeline[5]
    assert {d["licensee_organisation"] for d in active["deals"]} == {"acme", "spark", None}

    answer = client.get(f"{API}/metrics", {"year": str(THIS_YEAR)}).json()
    assert answer["organisation"] == "kyoto-tlo" and answer["year"] == THIS_YEAR
    assert [row["year"] for row in answer["years"]] == list(range(THIS_YEAR - 4, THIS_YEAR + 1))
    assert answer["years"][-1] == {
        "year": THIS_YEAR,
        "invention_disclosures": 3,
        "licences_executed": 2,
        "options_executed": 1,
        "startups_formed": 1,
        "active_licences_at_year_end": 2,
        "active_options_at_year_end": 1,
        "licence_income": [{"currency": "JPY", "amount": 150000, "text": "150000"}],
        "licence_income_from_deals": [{"currency": "JPY", "amount": 120000, "text": "120000"}],
    }
    assert answer["years"][-2]["licence_income"] == [{"currency": "USD", "amount": 1234, "text": "12.34"}]


def test_the_api_csv_matches_the_page_csv(world):
    api = bearer(world.tina).get(f"{API}/metrics.csv", {"year": str(LAST_YEAR)})
    page = signed_in(world.tina).get(CSV, {"year": str(LAST_YEAR)})
    assert api.status_code == 200 and api["Content-Type"] == "text/csv; charset=utf-8"
    assert api.content == page.content
    assert api["Content-Disposition"] == page["Content-Disposition"]


def test_the_api_answers_outsiders_with_a_problem_404_and_anonymous_callers_with_401(world):
    for path in ("portfolio", "pipeline", "metrics", "metrics.csv"):
        outsider = bearer(world.olga).get(f"{API}/{path}")
        assert outsider.status_code == 404 and outsider["Content-Type"] == PROBLEM, path
        absent = bearer(world.olga).get(f"/api/v1/organisations/no-such-org/licensing/{path}")
        assert absent.json()["detail"] == outsider.json()["detail"]
        anonymous = Client().get(f"{API}/{path}")
        assert anonymous.status_code == 401 and anonymous["Content-Type"] == PROBLEM, path


@pytest.mark.parametrize("year", ["MMXXVI", "1850", str(THIS_YEAR + 1)])
def test_the_api_refuses_a_bad_year_under_year(world, year):
    for path in ("metrics", "metrics.csv"):
        response = bearer(world.tina).get(f"{API}/{path}", {"year": year})
        assert response.status_code == 422 and response["Content-Type"] == PROBLEM
        assert list(response.json()["errors"]) == ["year"]


def test_the_api_endpoints_are_documented_under_their_tag():
    schema = Client().get("/api/openapi.json").json()
    tagged = {
        (path, method)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if operation.get("tags") == ["Licensing dashboard"]
    }
    assert tagged == {
        (f"/api/v1/organisations/{{slug}}/licensing/{name}", "get")
        for name in ("portfolio", "pipeline", "metrics", "metrics.csv")
    }
