"""The payouts API: recording revenue and refunds, statements with explained lines,
payouts; refusals as problem+json that change nothing; who may read what."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from conceptcloud.accounts.services import token_create
from conceptcloud.payouts.tests.conftest import EXPECTED, state

PROBLEM = "application/problem+json"


def bearer(user) -> Client:
    _token, secret = token_create(actor=user, name="tests")
    return Client(headers={"Authorization": f"Bearer {secret}", "Accept-Language": "en"})


def send(client: Client, method: str, url: str, body=None):
    return getattr(client, method)(url, data=json.dumps(body), content_type="application/json")


@pytest.fixture
def clients(lineage):
    return {name: bearer(user) for name, user in lineage.people.items()}


@pytest.fixture
def operator(make_user):
    user = make_user("operator")
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    return bearer(user)


REVENUE = {"amount": 10000, "currency": "EUR", "date": "2026-01-15", "idempotency_key": "bank-1"}


def revenue_url(lineage, asset=None) -> str:
    return f"/api/v1/assets/{(asset or lineage.e).pk}/revenue"


def test_recording_revenue_answers_201_then_200_for_the_same_key(lineage, clients):
    response = send(clients["erin"], "post", revenue_url(lineage), REVENUE)
    assert response.status_code == 201
    body = response.json()
    assert body["amount"] == {"amount": 10000, "currency": "EUR", "minor_units": 2, "display": "€100.00"}
    assert (body["distributed"], body["source"], body["refundable"]["amount"]) == (True, "manual", 10000)
    before = state()
    again = send(clients["erin"], "post", revenue_url(lineage), REVENUE)
    assert again.status_code == 200 and again.json()["id"] == body["id"]
    assert state() == before
    conflict = send(clients["erin"], "post", revenue_url(lineage), {**REVENUE, "amount": 10001})
    assert conflict.status_code == 409 and conflict["Content-Type"] == PROBLEM
    assert state() == before


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"amount": -100}, "amount"),
        ({"amount": 0}, "amount"),
        ({"amount": 12.5}, "amount"),
        ({"amount": "100"}, "amount"),
        ({"amount": 2**53}, "amount"),
        ({"currency": "ZZZ"}, "currency"),
        ({"currency": "eur"}, "currency"),
        ({"date": "2999-01-01"}, "date"),
        ({"idempotency_key": ""}, "idempotency_key"),
    ],
)
def test_bad_revenue_is_a_problem_by_the_field_and_changes_nothing(lineage, clients, changes, field):
    before = state()
    response = send(clients["erin"], "post", revenue_url(lineage), {**REVENUE, **changes})
    assert response.status_code == 422 and response["Content-Type"] == PROBLEM
    assert field in response.json()["errors"]
    assert state() == before


def test_revenue_on_someone_elses_asset_is_refused(lineage, clients):
    before = state()
    response = send(clients["mallory"], "post", revenue_url(lineage), REVENUE)
    assert response.status_code == 403 and response["Content-Type"] == PROBLEM
    assert send(Client(), "post", revenue_url(lineage), REVENUE).status_code == 401
    assert send(clients["erin"], "post", "/api/v1/assets/999999/revenue", REVENUE).status_code == 404
    assert clients["mallory"].get(revenue_url(lineage)).status_code == 404
    assert state() == before


def test_an_event_lists_who_was_paid_and_why(lineage, clients):
    created = send(clients["erin"], "post", revenue_url(lineage), REVENUE).json()
    body = clients["erin"].get(f"{revenue_url(lineage)}/{created['id']}").json()
    assert sorted(line["amount"]["amount"] for line in body["lines"]) == sorted(EXPECTED.values())
    frank = next(line for line in body["lines"] if line["recipient"] == "Frank")
    [why] = frank["explanations"]
    assert (why["asset"]["id"], why["percent"], why["fraction"], why["share_bp"]) == (lineage.b.pk, "5", "1/20", 4000)
    assert [hop["asset"]["id"] for hop in why["path"]] == [lineage.d.pk, lineage.b.pk]
    assert why["text"].startswith("A share of 40% of “Solar still, folding”")
    listed = clients["erin"].get(revenue_url(lineage)).json()
    assert listed["count"] == 1 and listed["items"][0]["id"] == created["id"]


def test_refunds_restore_every_balance_and_refuse_more_than_remains(lineage, clients):
    event = send(clients["erin"], "post", revenue_url(lineage), REVENUE).json()
    url = f"{revenue_url(lineage)}/{event['id']}/refunds"
    partial = send(clients["erin"], "post", url, {"amount": 2500, "idempotency_key": "r1"})
    assert partial.status_code == 201 and partial.json()["amount"]["amount"] == -2500
    before = state()
    too_much = send(clients["erin"], "post", url, {"amount": 7501, "idempotency_key": "r2"})
    assert too_much.status_code == 422 and "amount" in too_much.json()["errors"]
    other_currency = send(clients["erin"], "post", url, {"amount": 1, "currency": "USD", "idempotency_key": "r2"})
    assert other_currency.status_code == 422 and "currency" in other_currency.json()["errors"]
    refund_of_refund = send(
        clients["erin"],
        "post",
        f"{revenue_url(lineage)}/{partial.json()['id']}/refunds",
        {"amount": 1, "idempotency_key": "r2"},
    )
    assert refund_of_refund.status_code == 409 and refund_of_refund["Content-Type"] == PROBLEM
    assert state() == before
    assert send(clients["erin"], "post", url, {"amount": 7500, "idempotency_key": "r2"}).status_code == 201
    for name in ("frank", "dave", "erin"):
        statement = clients[name].get("/api/v1/payouts/statement").json()
        assert statement["balances"] == [{"amount": 0, "currency": "EUR", "minor_units": 2, "display": "€0.00"}]


def test_a_statement_shows_balances_and_explained_lines(lineage, clients):
    send(clients["erin"], "post", revenue_url(lineage), REVENUE)
    body = clients["carol"].get("/api/v1/payouts/statement").json()
    assert (body["account"], body["label"], body["kind"], body["count"]) == ("me", "Carol", "user", 1)
    assert body["balances"][0]["amount"] == 1200
    [line] = body["items"]
    assert (line["kind"], line["amount"]["amount"], line["asset"]["id"]) == ("revenue", 1200, lineage.e.pk)
    [why] = line["explanations"]
    assert (why["asset"]["id"], why["percent"], why["kept_bp"], why["paths"]) == (lineage.c.pk, "15", 8000, 1)
    org = clients["alice"].get(f"/api/v1/payouts/statement?account=org:{lineage.tlo.slug}").json()
    assert org["balances"][0]["amount"] == 400 and org["items"][0]["explanations"][0]["paths"] == 2
    assert [s["account"] for s in clients["alice"].get("/api/v1/payouts/statements").json()] == [
        "me",
        f"org:{lineage.tlo.slug}",
    ]


def test_statements_of_others_are_not_found(lineage, clients):
    for url in (
        f"/api/v1/payouts/statement?account=org:{lineage.tlo.slug}",
        "/api/v1/payouts/statement?account=user:alice",
    ):
        response = clients["mallory"].get(url)
        assert response.status_code == 404 and response["Content-Type"] == PROBLEM
    assert Client().get("/api/v1/payouts/statement").status_code == 401


def test_payouts_by_the_operator_and_org_admins_never_exceed_the_balance(lineage, clients, operator):
    send(clients["erin"], "post", revenue_url(lineage), REVENUE)
    body = {"account": "user:dave", "amount": 3000, "currency": "EUR", "idempotency_key": "t1", "reference": "SEPA"}
    before = state()
    assert send(clients["dave"], "post", "/api/v1/payouts/", body).status_code == 403
    assert send(clients["mallory"], "post", "/api/v1/payouts/", body).status_code == 404
    over = send(operator, "post", "/api/v1/payouts/", {**body, "amount": 3001})
    assert over.status_code == 422 and "amount" in over.json()["errors"]
    fractional = send(operator, "post", "/api/v1/payouts/", {**body, "amount": 10.5})
    assert fractional.status_code == 422
    assert state() == before
    paid = send(operator, "post", "/api/v1/payouts/", body)
    assert paid.status_code == 201 and paid.json()["account"] == "user:dave"
    assert send(operator, "post", "/api/v1/payouts/", body).status_code == 200
    org = send(
        clients["alice"],
        "post",
        "/api/v1/payouts/",
        {"account": f"org:{lineage.tlo.slug}", "amount": 400, "currency": "EUR", "idempotency_key": "t"},
    )
    assert org.status_code == 201
    lines = clients["dave"].get("/api/v1/payouts/statement").json()
    assert lines["balances"][0]["amount"] == 0
    assert [item["kind"] for item in lines["items"]] == ["payout", "revenue"]
