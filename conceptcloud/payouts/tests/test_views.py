"""The payouts pages, driven through the test client against a real database.

revenue of an asset   managers only, amounts typed in the currency's unit, errors by
                      the field, a form sent twice records once
an event              who was paid and why, refunds by the form
statement             balances, explained lines, organisations' statements, payouts,
                      the CSV download (same lines, same words)
"""

from __future__ import annotations

import csv
import html
import io
import re

import pytest
from django.test import Client

from conceptcloud.payouts.models import Payout, RevenueEvent
from conceptcloud.payouts.services import revenue_record
from conceptcloud.payouts.tests.conftest import TODAY, state


def signed_in(user=None) -> Client:
    client = Client(headers={"Accept-Language": "en"})
    if user is not None:
        client.force_login(user)
    return client


def text(response) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode())))


def field_errors(response, name: str) -> str:
    match = re.search(rf'id="id_{name}_error">(.*?)</div>', response.content.decode(), re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", match.group(1))).strip() if match else ""


def record(lineage, amount=10000, key="k1"):
    return revenue_record(
        actor=lineage.people["erin"], asset=lineage.e, amount=amount, currency="EUR", date=TODAY, idempotency_key=key
    )[0]


def form_data(**values) -> dict:
    return {
        "amount": "100.00",
        "currency_code": "EUR",
        "date": "2026-01-15",
        "note": "",
        "idempotency_key": "f1",
        **values,
    }


# ---------------------------------------------------------------- revenue of an asset


def test_the_revenue_page_is_for_the_assets_managers(lineage):
    url = f"/assets/{lineage.e.pk}/revenue/"
    response = signed_in(lineage.people["erin"]).get(url)
    assert response.status_code == 200 and "Record revenue" in text(response)
    assert signed_in(lineage.people["mallory"]).get(url).status_code == 404
    assert signed_in().get(url).status_code == 302


def test_recording_revenue_in_the_currencys_unit_shares_it_out(lineage):
    client = signed_in(lineage.people["erin"])
    response = client.post(f"/assets/{lineage.e.pk}/revenue/", form_data(amount="1,234.56"))
    event = RevenueEvent.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/assets/{lineage.e.pk}/revenue/{event.pk}/"
    assert (event.amount, event.currency, event.source) == (123456, "EUR", "manual")
    page = text(client.get(response["Location"]))
    assert "Revenue of €1,234.56" in page and "Frank" in page and "Kansai TLO" in page
    assert "2 paths lead there; the heaviest is shown." in page
    again = client.post(f"/assets/{lineage.e.pk}/revenue/", form_data(amount="1,234.56"))
    assert again.status_code == 302 and RevenueEvent.objects.count() == 1


@pytest.mark.parametrize(
    "values, field, message",
    [
        ({"amount": "12.345"}, "amount", "Enter an amount with at most 2 decimals for EUR."),
        ({"amount": "12.5", "currency_code": "JPY"}, "amount", "Enter a whole amount: JPY has no smaller unit."),
        ({"amount": "-5"}, "amount", "The amount must be more than zero."),
        ({"amount": "ten"}, "amount", "Enter an amount with at most 2 decimals for EUR."),
        ({"currency_code": "ZZZ"}, "currency_code", "Select a valid choice."),
        ({"date": "2999-01-01"}, "date", "The date cannot be in the future."),
    ],
)
def test_bad_revenue_is_shown_by_the_field_and_changes_nothing(lineage, values, field, message):
    before = state()
    response = signed_in(lineage.people["erin"]).post(f"/assets/{lineage.e.pk}/revenue/", form_data(**values))
    assert response.status_code == 200
    assert message in field_errors(response, field)
    assert state() == before


def test_revenue_on_someone_elses_asset_is_not_recorded(lineage):
    before = state()
    response = signed_in(lineage.people["mallory"]).post(f"/assets/{lineage.e.pk}/revenue/", form_data())
    assert response.status_code == 404 and state() == before


# ---------------------------------------------------------------- an event and its refunds


def test_a_refund_by_the_form_takes_back_from_every_line(lineage):
    event = record(lineage)
    client = signed_in(lineage.people["erin"])
    url = f"/assets/{lineage.e.pk}/revenue/{event.pk}/"
    assert "€100.00 remains to be refunded" in text(client.get(url))
    before = state()
    too_much = client.post(url, {"amount": "100.01", "date": "2026-01-16", "idempotency_key": "r1"})
    assert "At most €100.00 of this revenue remains to be refunded." in field_errors(too_much, "amount")
    assert state() == before
    done = client.post(url, {"amount": "100", "date": "2026-01-16", "idempotency_key": "r1"})
    assert done.status_code == 302
    page = text(client.get(url))
    assert "This revenue has been refunded in full." in page
    frank = text(signed_in(lineage.people["frank"]).get("/payouts/statement/"))
    assert "€0.00" in frank and "Refund" in frank


def test_an_event_of_someone_elses_asset_is_not_found(lineage):
    event = record(lineage)
    assert signed_in(lineage.people["dave"]).get(f"/assets/{lineage.e.pk}/revenue/{event.pk}/").status_code == 404
    assert signed_in(lineage.people["dave"]).get(f"/assets/{lineage.d.pk}/revenue/{event.pk}/").status_code == 404


# ---------------------------------------------------------------- statements


def test_a_statement_shows_the_balance_and_why_each_line_was_paid(lineage):
    record(lineage)
    page = text(signed_in(lineage.people["frank"]).get("/payouts/statement/"))
    assert "Your statement" in page and "€1.60" in page
    assert (
        f"Your share 40% of “Solar still, folding” (#{lineage.b.pk}) (its contributors keep 80%), which received "
        f"5% of this revenue along “Village water kit” (#{lineage.e.pk}) → 50% to “Folding ceramic still”"
    ) in page
    assert "Record a payout" not in page


def test_an_organisations_statement_is_for_its_admins(lineage):
    record(lineage)
    url = f"/payouts/statement/?account=org:{lineage.tlo.slug}"
    page = text(signed_in(lineage.people["alice"]).get(url))
    assert "Statement of Kansai TLO" in page and "€4.00" in page and "Record a payout" in page
    assert signed_in(lineage.people["mallory"]).get(url).status_code == 404


def test_an_org_admin_records_a_payout_by_the_form_never_above_the_balance(lineage):
    record(lineage)
    client = signed_in(lineage.people["alice"])
    url = f"/payouts/pay/?account=org:{lineage.tlo.slug}"
    before = state()
    over = client.post(url, {"amount": "4.01", "currency_code": "EUR", "reference": "", "idempotency_key": "p1"})
    assert "Only €4.00 is available to pay out." in field_errors(over, "amount")
    assert state() == before
    done = client.post(url, {"amount": "4", "currency_code": "EUR", "reference": "TT-1", "idempotency_key": "p1"})
    assert done.status_code == 302 and Payout.objects.get().amount == 400
    assert (
        signed_in(lineage.people["frank"])
        .post("/payouts/pay/?account=me", {"amount": "1", "currency_code": "EUR", "idempotency_key": "x"})
        .status_code
        == 200
    )
    assert Payout.objects.count() == 1


def test_the_csv_has_the_same_lines_and_words_as_the_page(lineage):
    record(lineage)
    response = signed_in(lineage.people["frank"]).get("/payouts/statement.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][0] == "line" and len(rows) == 2
    assert rows[1][2:7] == ["revenue", "1.60", "EUR", "160", str(lineage.e.pk)]
    assert rows[1][10].startswith("Your share 40% of “Solar still, folding”")
    org = signed_in(lineage.people["alice"]).get(f"/payouts/statement.csv?account=org:{lineage.tlo.slug}")
    assert "400" in b"".join(org.streaming_content).decode()
    assert (
        signed_in(lineage.people["mallory"]).get(f"/payouts/statement.csv?account=org:{lineage.tlo.slug}").status_code
        == 404
    )
