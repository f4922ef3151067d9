"""The licensing pages: the offers on the asset page, the offer form with its
template picker, express acceptance, inquiries, the deal page (stage moves, NDA,
thread) and my deals. Bad input shows by its field and changes nothing; deals
are 404 to everyone but their two sides."""

import html
import re

import pytest
from django.test import Client

from conceptcloud.history.models import Entry
from conceptcloud.licensing.models import Deal, DealMessage, LicenceOffer, Nda
from conceptcloud.licensing.services import inquiry_create, nda_propose

HTMX = {"HTTP_HX_REQUEST": "true"}


def signed_in(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def body(response) -> str:
    return response.content.decode()


def text(page: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


def state() -> tuple:
    return (
        Entry.objects.count(),
        list(LicenceOffer.objects.values_list("id", "status").order_by("id")),
        list(Deal.objects.values_list("id", "stage").order_by("id")),
        DealMessage.objects.count(),
        list(Nda.objects.values_list("id", "status").order_by("id")),
    )


def field_errors(page: str, name: str) -> list[str]:
    match = re.search(rf'<div id="id_{re.escape(name)}_error"[^>]*>(.*?)</div>', page, re.S)
    return [html.unescape(m) for m in re.findall(r'<p class="error">(.*?)</p>', match.group(1), re.S)] if match else []


def offer_form(**overrides) -> dict:
    values = {
        "template": "express",
        "title": "Standard licence",
        "acceptance": "express",
        "exclusivity": "non-exclusive",
        "field_of_use": "",
        "duration_months": "",
        "currency": "USD",
        "upfront_fee": "1500.50",
        "fee_deferral_months": "0",
        "royalty": "2.5",
        "derivative_royalty": "5",
        "revenue_ceiling": "",
        "commercial_use": "on",
        "derivatives": "allowed",
        "cc_licence": "",
        "notes": "",
    }
    values.update(overrides)
    return values


# The asset page ------------------------------------------------------------------


def test_the_asset_page_shows_open_offers_to_everyone_who_sees_the_asset(technology, make_offer):
    make_offer(technology, upfront_fee=150000, currency="JPY")
    page = text(body(Client().get(f"/assets/{technology.pk}/")))
    assert "Licensing" in page and "Standard non-exclusive licence" in page
    assert "¥150,000" in page and "3%" in page and "Worldwide" in page
    assert "Sign in to accept or inquire" in page


def test_offers_on_a_confidential_asset_show_with_its_teaser_but_not_its_details(outsider, secret, make_offer):
    make_offer(secret, title="Battery licence")
    page = body(signed_in(outsider).get(f"/assets/{secret.pk}/"))
    assert "Battery licence" in page and "Accept this licence" in page
    assert "Confidential tolerances" not in page


def test_the_owners_see_offer_a_licence_and_withdrawn_offers_others_do_not(tlo, company, technology, make_offer):
    offer = make_offer(technology, title="Old licence")
    signed_in(tlo["admin"]).post(f"/offers/{offer.pk}/withdraw/")
    owner_page = text(body(signed_in(tlo["member"]).get(f"/assets/{technology.pk}/")))
    assert "Offer a licence" in owner_page and "Old licence" in owner_page and "Withdrawn" in owner_page
    seeker_page = text(body(signed_in(company["user"]).get(f"/assets/{technology.pk}/")))
    assert "Old licence" not in seeker_page and "Offer a licence" not in seeker_page
    assert signed_in(company["user"]).get(f"/offers/{offer.pk}/").status_code == 404


# The offer form ------------------------------------------------------------------


def test_the_template_picker_prefills_the_terms(tlo, technology):
    page = body(signed_in(tlo["admin"]).get(f"/assets/{technology.pk}/offers/new/?template=evaluation"))
    assert 'name="duration_months" value="12"' in page
    assert re.search(r'<option value="not-allowed" selected>', page)
    fragment = body(signed_in(tlo["admin"]).get(f"/assets/{technology.pk}/offers/new/?template=exclusive", **HTMX))
    assert fragment.lstrip().startswith("{%") is False and "<html" not in fragment
    assert '<option value="exclusive" selected>' in fragment and '<option value="negotiation" selected>' in fragment


def test_the_offer_form_is_for_the_owners_only(company, technology):
    assert signed_in(company["user"]).get(f"/assets/{technology.pk}/offers/new/").status_code == 404
    assert Client().get(f"/assets/{technology.pk}/offers/new/").status_code == 302


def test_an_offer_from_the_form_stores_exact_minor_units_and_basis_points(tlo, technology):
    response = signed_in(tlo["admin"]).post(f"/assets/{technology.pk}/offers/new/", offer_form())
    assert response.status_code == 302
    offer = LicenceOffer.objects.get()
    assert (offer.upfront_fee, offer.currency, offer.royalty_bp, offer.derivative_royalty_bp) == (
        150050,
        "USD",
        250,
        500,
    )


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"upfront_fee": "12.345"}, "upfront_fee", "USD has 2 decimals at most."),
        (
            {"upfront_fee": "12.5", "currency": "JPY"},
            "upfront_fee",
            "Enter a whole amount: this currency has no smaller unit.",
        ),
        ({"upfront_fee": "lots"}, "upfront_fee", "Enter an amount, for example 1500 or 1500.50."),
        ({"royalty": "150"}, "royalty", "Enter at most 100%."),
        ({"currency": ""}, "currency", "Give the currency of the fee and the ceiling (ISO 4217, e.g. JPY)."),
        (
            {"acceptance": "express", "exclusivity": "exclusive"},
            "acceptance",
            "An exclusive or sole licence is granted by negotiation, not in one step.",
        ),
        (
            {
                "cc_licence": "https://creativecommons.org/licenses/by/4.0/",
                "template": "creative-commons",
                "upfront_fee": "",
                "royalty": "0",
                "derivative_royalty": "0",
            },
            "cc_licence",
            "Creative Commons licences are for creative works only.",
        ),
        (
            {"template": "evaluation", "royalty": "0", "derivatives": "not-allowed", "derivative_royalty": "0"},
            "duration_months",
            "An evaluation licence runs for a fixed number of months.",
        ),
        ({"derivatives": "not-allowed"}, "derivative_royalty", "Derivatives are not allowed, so they owe no royalty."),
    ],
)
def test_bad_input_on_the_offer_form_shows_by_its_field_and_changes_nothing(tlo, technology, changes, field, message):
    before = state()
    response = signed_in(tlo["admin"]).post(f"/assets/{technology.pk}/offers/new/", offer_form(**changes))
    assert response.status_code == 422
    assert message in field_errors(body(response), field)
    assert state() == before


# Accepting and inquiring ------------------------------------------------------------


def test_accepting_an_express_offer_opens_the_active_deal_page(tlo, company, outsider, technology, make_offer):
    offer = make_offer(technology)
    response = signed_in(company["user"]).post(f"/offers/{offer.pk}/accept/", {"organisation": company["org"].slug})
    deal = Deal.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/deals/{deal.pk}/"
    assert deal.stage == "active" and deal.seeker_org == company["org"]
    page = text(body(signed_in(tlo["member"]).get(f"/deals/{deal.pk}/")))
    assert "Acme Robotics" in page and "Active" in page and "You are on the owner's side." in page
    assert signed_in(outsider).get(f"/deals/{deal.pk}/").status_code == 404


def test_acting_for_an_organisation_one_is_not_a_member_of_is_refused_by_the_field(
    company, outsider, technology, make_offer
):
    offer = make_offer(technology)
    before = state()
    response = signed_in(outsider).post(f"/offers/{offer.pk}/accept/", {"organisation": company["org"].slug})
    assert response.status_code == 422 and state() == before
    assert "Select a valid choice" in text(body(response))


def test_an_inquiry_needs_a_message_and_then_opens_the_deal(company, technology, make_offer):
    offer = make_offer(technology, template="startup")
    client = signed_in(company["user"])
    page = body(client.get(f"/assets/{technology.pk}/inquire/?offer={offer.pk}"))
    assert f'<option value="{offer.pk}" selected>' in page
    before = state()
    response = client.post(f"/assets/{technology.pk}/inquire/", {"offer": offer.pk, "message": ""})
    assert response.status_code == 422 and field_errors(body(response), "message") == ["This field is required."]
    assert state() == before
    response = client.post(f"/assets/{technology.pk}/inquire/", {"offer": offer.pk, "message": "We make gearboxes."})
    deal = Deal.objects.get()
    assert response["Location"] == f"/deals/{deal.pk}/" and deal.offer == offer
    assert "We make gearboxes." in body(client.get(f"/deals/{deal.pk}/"))


def test_a_second_inquiry_while_one_is_open_is_refused_on_the_form(company, technology):
    inquiry_create(actor=company["user"], asset=technology, message="First")
    response = signed_in(company["user"]).post(f"/assets/{technology.pk}/inquire/", {"message": "Second"})
    assert response.status_code == 422
    assert "You are already in talks about this asset" in text(body(response))


def test_the_owners_cannot_inquire_about_their_own_asset(tlo, technology):
    response = signed_in(tlo["member"]).get(f"/assets/{technology.pk}/inquire/")
    assert response.status_code == 302 and response["Location"] == f"/assets/{technology.pk}/"


def test_nobody_inquires_about_an_asset_they_cannot_see(tlo, outsider, make_asset):
    draft = make_asset(tlo["admin"], org=tlo["org"], publish=False)
    assert signed_in(outsider).post(f"/assets/{draft.pk}/inquire/", {"message": "Hi"}).status_code == 404


# The deal page -----------------------------------------------------------------


def test_the_thread_takes_messages_by_htmx_and_shows_a_bad_one_by_its_field(tlo, company, outsider, technology):
    deal = inquiry_create(actor=company["user"], asset=technology, message="Hi")
    client = signed_in(tlo["member"])
    fragment = body(client.post(f"/deals/{deal.pk}/messages/", {"body": "Welcome aboard"}, **HTMX))
    assert fragment.startswith('<section id="deal-thread"') or 'id="deal-thread"' in fragment
    assert "Welcome aboard" in fragment and "<html" not in fragment
    before = state()
    bad = client.post(f"/deals/{deal.pk}/messages/", {"body": ""}, **HTMX)
    assert bad.status_code == 422 and field_errors(body(bad), "body") == ["This field is required."]
    assert signed_in(outsider).post(f"/deals/{deal.pk}/messages/", {"body": "Me too"}).status_code == 404
    assert state() == before


def test_the_nda_buttons_grant_the_seeker_the_confidential_details(tlo, company, secret):
    seeker = signed_in(company["user"])
    deal = inquiry_create(actor=company["user"], asset=secret, message="Interested")
    assert "Propose the standard NDA" in body(seeker.get(f"/deals/{deal.pk}/"))
    seeker.post(f"/deals/{deal.pk}/nda/")
    nda = Nda.objects.get()
    assert "Accept the NDA" not in body(seeker.get(f"/deals/{deal.pk}/"))
    assert "Confidential tolerances" not in body(seeker.get(f"/assets/{secret.pk}/"))
    owner = signed_in(tlo["member"])
    page = body(owner.get(f"/deals/{deal.pk}/"))
    assert "Accept the NDA" in page and "Sealed battery" in page
    owner.post(f"/ndas/{nda.pk}/decide/", {"decision": "accept"})
    assert "Confidential tolerances" in body(seeker.get(f"/assets/{secret.pk}/"))
    page = text(body(seeker.get(f"/deals/{deal.pk}/")))
    assert "In force" in page and "Evaluation" in page


def test_stage_buttons_move_the_deal_for_the_owners_and_refusals_become_messages(tlo, company, technology):
    deal = inquiry_create(actor=company["user"], asset=technology, message="Hi")
    owner = signed_in(tlo["admin"])
    page = body(owner.get(f"/deals/{deal.pk}/"))
    assert 'value="evaluation"' in page and 'value="signed"' not in page
    owner.post(f"/deals/{deal.pk}/move/", {"stage": "evaluation"})
    deal.refresh_from_db()
    assert deal.stage == "evaluation"
    before = state()
    response = owner.post(f"/deals/{deal.pk}/move/", {"stage": "active"}, follow=True)
    assert "cannot move to" in text(body(response)) and state() == before
    seeker_page = body(signed_in(company["user"]).get(f"/deals/{deal.pk}/"))
    assert 'value="negotiation"' not in seeker_page and "Withdraw" in seeker_page
    response = signed_in(company["user"]).post(f"/deals/{deal.pk}/move/", {"stage": "negotiation"}, follow=True)
    assert "Only the asset's owners move a deal on" in text(body(response)) and state() == before


def test_the_owners_change_the_terms_and_bad_terms_show_by_the_field(tlo, company, technology):
    deal = inquiry_create(actor=company["user"], asset=technology, message="Hi")
    owner = signed_in(tlo["admin"])
    form = {k: v for k, v in offer_form().items() if k not in ("template", "title", "acceptance", "notes")}
    before = state()
    bad = owner.post(f"/deals/{deal.pk}/terms/", {**form, "territories": ["JP", "QQ"]})
    assert bad.status_code == 422 and field_errors(body(bad), "territories")
    assert state() == before
    assert owner.post(f"/deals/{deal.pk}/terms/", {**form, "territories": ["JP"]}).status_code == 302
    deal.refresh_from_db()
    assert (deal.upfront_fee, deal.territories) == (150050, ["JP"])
    assert signed_in(company["user"]).get(f"/deals/{deal.pk}/terms/").status_code == 404


def test_my_deals_lists_both_sides_with_counts_by_stage(tlo, company, outsider, technology, make_offer):
    make_offer(technology)
    inquiry_create(actor=company["user"], asset=technology, message="Hi")
    page = text(body(signed_in(tlo["member"]).get("/deals/")))
    assert "Gear bearing drive" in page and "Yamada" in page and "Inquiry (1)" in page
    assert "No deals here yet." in text(body(signed_in(outsider).get("/deals/")))
    assert "No deals here yet." in text(body(signed_in(tlo["member"]).get("/deals/?stage=active")))


def test_an_nda_is_decided_by_the_deals_sides_only(tlo, company, outsider, secret):
    deal = inquiry_create(actor=company["user"], asset=secret, message="Interested")
    nda = nda_propose(actor=company["user"], deal=deal)
    assert signed_in(outsider).post(f"/ndas/{nda.pk}/decide/", {"decision": "accept"}).status_code == 404
    signed_in(tlo["admin"]).post(f"/ndas/{nda.pk}/decide/", {"decision": "decline"})
    nda.refresh_from_db()
    assert nda.status == "declined"


@pytest.mark.parametrize(
    "url", ["/deals/99999999999999999999/", "/offers/99999999999999999999/", "/deals/abc/", "/ndas/1/decide/"]
)
def test_absurd_ids_are_404_not_errors(company, url):
    assert signed_in(company["user"]).get(url).status_code in (404, 405)


def test_the_owners_record_a_payment_from_the_deal_page(tlo, company, technology, make_offer):
    from conceptcloud.payouts.models import RevenueEvent

    deal = Deal.objects.get(
        pk=signed_in(company["user"]).post(f"/offers/{make_offer(technology).pk}/accept/").url.split("/")[2]
    )
    assert "Record the payment" not in body(signed_in(company["user"]).get(f"/deals/{deal.pk}/"))
    owner = signed_in(tlo["admin"])
    page = body(owner.get(f"/deals/{deal.pk}/"))
    key = re.search(r'name="idempotency_key" value="(\w+)"', page).group(1)
    form = {"amount": "abc", "currency_code": "JPY", "date": "2026-04-01", "note": "", "idempotency_key": key}
    before = (state(), RevenueEvent.objects.count())
    bad = owner.post(f"/deals/{deal.pk}/payments/", form)
    assert bad.status_code == 422 and field_errors(body(bad), "amount")
    assert (state(), RevenueEvent.objects.count()) == before
    response = owner.post(f"/deals/{deal.pk}/payments/", {**form, "amount": "150000"})
    event = RevenueEvent.objects.get()
    assert response.status_code == 302 and (event.amount, event.deal_ref) == (150000, deal.pk)
    assert "¥150,000" in body(owner.get(f"/deals/{deal.pk}/"))
    assert signed_in(company["user"]).post(f"/deals/{deal.pk}/payments/", form).status_code == 404
