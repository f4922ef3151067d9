"""The licensing API: the happy paths from offer to active deal, problem+json for
refusals (which change nothing), authentication for writes, and deals reaching
their two sides only."""

import json

import pytest
from django.test import Client

from conceptcloud.accounts.services import token_create
from conceptcloud.history.models import Entry
from conceptcloud.licensing.models import Deal, DealMessage, LicenceOffer, Nda

PROBLEM = "application/problem+json"


def bearer(user) -> Client:
    _token, secret = token_create(actor=user, name="tests")
    return Client(headers={"Authorization": f"Bearer {secret}"})


def send(client: Client, method: str, url: str, body=None):
    return getattr(client, method)(url, data=json.dumps(body), content_type="application/json")


def state() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in (Entry, LicenceOffer, Deal, DealMessage, Nda)}


def problem(response, status: int) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith(PROBLEM)
    return response.json()


@pytest.fixture
def clients(tlo, company, outsider):
    return {
        "tlo": bearer(tlo["admin"]),
        "member": bearer(tlo["member"]),
        "company": bearer(company["user"]),
        "outsider": bearer(outsider),
    }


def test_the_templates_are_listed_with_the_terms_they_prefill():
    rows = {row["template"]: row for row in Client().get("/api/v1/licence-templates/").json()}
    assert set(rows) == {"express", "evaluation", "startup", "exclusive", "creative-commons", "open-pledge", "custom"}
    assert rows["express"]["acceptance"] == "express" and rows["express"]["terms"]["royalty_bp"] == 300
    assert rows["exclusive"]["terms"]["exclusivity"] == "exclusive"


def test_an_offer_takes_its_templates_terms_for_the_fields_left_out(clients, technology):
    body = {"template": "express", "upfront_fee": 150000, "currency": "JPY", "territories": ["JP", "US"]}
    response = send(clients["tlo"], "post", f"/api/v1/assets/{technology.pk}/offers", body)
    assert response.status_code == 201, response.content
    offer = response.json()
    assert offer["title"] == "Standard non-exclusive licence" and offer["acceptance"] == "express"
    assert offer["terms"]["royalty_bp"] == 300 and offer["terms"]["upfront_fee"] == 150000
    assert offer["terms"]["territories"] == ["JP", "US"]
    listed = Client().get(f"/api/v1/assets/{technology.pk}/offers").json()
    assert [row["id"] for row in listed] == [offer["id"]]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"royalty_bp": 10001}, "royalty_bp"),
        ({"upfront_fee": -5, "currency": "JPY"}, "upfront_fee"),
        ({"upfront_fee": 10.5, "currency": "USD"}, "upfront_fee"),
        ({"upfront_fee": 100, "currency": "ABC"}, "currency"),
        ({"territories": ["XX"]}, "territories"),
        ({"exclusivity": "exclusive"}, "acceptance"),
        ({"cc_licence": "https://creativecommons.org/licenses/by/4.0/"}, "cc_licence"),
        ({"colour": "blue"}, "colour"),
    ],
)
def test_bad_terms_get_problem_json_by_the_field_and_change_nothing(clients, technology, body, field):
    before = state()
    response = send(clients["tlo"], "post", f"/api/v1/assets/{technology.pk}/offers", {"template": "express", **body})
    detail = problem(response, 422)
    assert any(key.split(".")[-1] == field or key.endswith(field) for key in detail["errors"]), detail
    assert state() == before


def test_offers_are_made_by_the_owners_only(clients, technology):
    url = f"/api/v1/assets/{technology.pk}/offers"
    assert problem(send(clients["company"], "post", url, {"template": "express"}), 403)
    assert problem(send(Client(), "post", url, {"template": "express"}), 401)


def test_express_acceptance_by_api_makes_an_active_deal_both_sides_see(clients, company, technology, make_offer):
    offer = make_offer(technology)
    response = send(
        clients["company"], "post", f"/api/v1/offers/{offer.pk}/accept", {"organisation": company["org"].slug}
    )
    assert response.status_code == 201, response.content
    deal = response.json()
    assert deal["stage"] == "active" and deal["side"] == "seeker" and deal["seeker_org"] == "acme-robotics"
    assert deal["signed_at"] is not None and deal["moves"] == []
    owner_view = clients["member"].get(f"/api/v1/deals/{deal['id']}").json()
    assert owner_view["side"] == "owner" and owner_view["moves"] == ["closed", "terminated"]
    problem(clients["outsider"].get(f"/api/v1/deals/{deal['id']}"), 404)
    again = {"organisation": company["org"].slug}
    problem(send(clients["company"], "post", f"/api/v1/offers/{offer.pk}/accept", again), 409)


def test_a_negotiated_offer_cannot_be_accepted_in_one_step(clients, technology, make_offer):
    offer = make_offer(technology, template="startup")
    before = state()
    detail = problem(send(clients["company"], "post", f"/api/v1/offers/{offer.pk}/accept", {}), 409)
    assert "inquiry" in detail["detail"]
    assert state() == before


def test_an_inquiry_runs_through_nda_and_the_pipeline_by_api(clients, company, secret):
    response = send(clients["company"], "post", f"/api/v1/assets/{secret.pk}/inquiries", {"message": "Interested"})
    assert response.status_code == 201, response.content
    deal_id = response.json()["id"]
    assert response.json()["moves"] == ["terminated"]
    nda = send(clients["company"], "post", f"/api/v1/deals/{deal_id}/nda", {"term_months": 24})
    assert nda.status_code == 201 and nda.json()["status"] == "proposed"
    assert "Confidential tolerances" not in clients["company"].get(f"/api/v1/assets/{secret.pk}").content.decode()
    accepted = send(clients["member"], "post", f"/api/v1/ndas/{nda.json()['id']}/accept")
    assert accepted.status_code == 200 and accepted.json()["status"] == "in-force"
    assert "Confidential tolerances" in clients["company"].get(f"/api/v1/assets/{secret.pk}").content.decode()
    deal = clients["company"].get(f"/api/v1/deals/{deal_id}").json()
    assert deal["stage"] == "evaluation" and deal["access_granted"] is True
    moved = send(clients["tlo"], "post", f"/api/v1/deals/{deal_id}/moves", {"stage": "negotiation"})
    assert moved.status_code == 200 and moved.json()["stage"] == "negotiation"
    terms = send(clients["tlo"], "put", f"/api/v1/deals/{deal_id}/terms", {"upfront_fee": 500000, "currency": "JPY"})
    assert terms.status_code == 200 and terms.json()["terms"]["upfront_fee"] == 500000


def test_pipeline_refusals_are_problem_json(clients, company, technology):
    deal_id = send(clients["company"], "post", f"/api/v1/assets/{technology.pk}/inquiries", {"message": "Hi"}).json()[
        "id"
    ]
    before = state()
    problem(send(clients["tlo"], "post", f"/api/v1/deals/{deal_id}/moves", {"stage": "active"}), 409)
    problem(send(clients["company"], "post", f"/api/v1/deals/{deal_id}/moves", {"stage": "evaluation"}), 403)
    assert (
        "stage"
        in problem(send(clients["tlo"], "post", f"/api/v1/deals/{deal_id}/moves", {"stage": "won"}), 422)["errors"]
    )
    problem(send(clients["outsider"], "post", f"/api/v1/deals/{deal_id}/moves", {"stage": "terminated"}), 404)
    problem(send(clients["company"], "put", f"/api/v1/deals/{deal_id}/terms", {"royalty_bp": 1}), 403)
    assert state() == before


def test_the_thread_reaches_the_two_sides_only(clients, technology):
    deal_id = send(clients["company"], "post", f"/api/v1/assets/{technology.pk}/inquiries", {"message": "Hi"}).json()[
        "id"
    ]
    posted = send(clients["member"], "post", f"/api/v1/deals/{deal_id}/messages", {"body": "Welcome"})
    assert posted.status_code == 201 and posted.json()["side"] == "owner"
    thread = clients["company"].get(f"/api/v1/deals/{deal_id}/messages").json()
    assert [(m["author"], m["body"]) for m in thread] == [("yamada", "Hi"), ("sato", "Welcome")]
    problem(clients["outsider"].get(f"/api/v1/deals/{deal_id}/messages"), 404)
    problem(send(clients["outsider"], "post", f"/api/v1/deals/{deal_id}/messages", {"body": "Me too"}), 404)
    problem(Client().get(f"/api/v1/deals/{deal_id}/messages"), 401)
    for client in (Client(), clients["company"]):
        log = client.get("/api/v1/log/entries?page_size=100").content.decode()
        assert "Welcome" not in log and '"Hi"' not in log


def test_my_deals_list_both_sides_and_filters_by_stage(clients, technology, make_offer):
    send(clients["company"], "post", f"/api/v1/offers/{make_offer(technology).pk}/accept", {})
    send(clients["outsider"], "post", f"/api/v1/assets/{technology.pk}/inquiries", {"message": "Hi"})
    owner = clients["tlo"].get("/api/v1/deals/").json()
    assert owner["count"] == 2
    assert [d["stage"] for d in clients["tlo"].get("/api/v1/deals/?stage=active").json()["items"]] == ["active"]
    assert clients["company"].get("/api/v1/deals/").json()["count"] == 1
    problem(Client().get("/api/v1/deals/"), 401)


def test_an_inquiry_about_an_invisible_asset_is_404_and_about_ones_own_403(clients, tlo, technology, make_asset):
    draft = make_asset(tlo["admin"], org=tlo["org"], publish=False)
    problem(send(clients["outsider"], "post", f"/api/v1/assets/{draft.pk}/inquiries", {"message": "Hi"}), 404)
    problem(send(clients["member"], "post", f"/api/v1/assets/{technology.pk}/inquiries", {"message": "Hi"}), 403)


def test_an_offer_is_withdrawn_once(clients, technology, make_offer):
    offer = make_offer(technology)
    response = send(clients["member"], "post", f"/api/v1/offers/{offer.pk}/withdraw")
    assert response.status_code == 200 and response.json()["status"] == "withdrawn"
    problem(send(clients["member"], "post", f"/api/v1/offers/{offer.pk}/withdraw"), 409)
    problem(Client().get(f"/api/v1/offers/{offer.pk}"), 404)
    assert clients["tlo"].get(f"/api/v1/offers/{offer.pk}").status_code == 200


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/deals/99999999999999999999",
        "/api/v1/offers/99999999999999999999",
        "/api/v1/deals/99999999999999999999/messages",
        "/api/v1/assets/99999999999999999999/offers",
    ],
)
def test_absurd_ids_are_404_problems(clients, url):
    for client in (Client(), clients["company"]):
        response = client.get(url)
        assert response.status_code in (401, 404), url
        assert response["Content-Type"].startswith(PROBLEM)


def test_a_payment_under_an_active_deal_is_recorded_once_by_its_key(clients, technology, make_offer):
    deal_id = send(clients["company"], "post", f"/api/v1/offers/{make_offer(technology).pk}/accept", {}).json()["id"]
    body = {"amount": 150000, "currency": "JPY", "date": "2026-04-01", "idempotency_key": "april"}
    first = send(clients["member"], "post", f"/api/v1/deals/{deal_id}/payments", body)
    assert first.status_code == 201 and first.json()["created"] is True
    again = send(clients["member"], "post", f"/api/v1/deals/{deal_id}/payments", body)
    assert again.status_code == 200 and again.json()["revenue_event"] == first.json()["revenue_event"]
    before = state()
    problem(
        send(clients["company"], "post", f"/api/v1/deals/{deal_id}/payments", {**body, "idempotency_key": "x"}), 403
    )
    assert (
        "amount"
        in problem(
            send(
                clients["member"],
                "post",
                f"/api/v1/deals/{deal_id}/payments",
                {**body, "amount": -5, "idempotency_key": "y"},
            ),
            422,
        )["errors"]
    )
    assert state() == before
