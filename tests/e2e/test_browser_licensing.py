"""Licensing in a real browser: the technology-transfer journey.

    tanaka (Tokyo TLO) offers an express licence on a technology, trying the
    evaluation template first (the terms change in place) → yamada accepts it in
    one step for Acme Robotics → the deal is active for both → tanaka records the
    upfront fee from the deal page. Then yamada inquires about a confidential
    technology, proposes the NDA, tanaka accepts it in the deal's thread page, and
    the confidential details appear on the asset page for yamada.

Preconditions (people, organisations, assets) come from the services; everything
under test is done by clicking, typing and reading in Chromium, each person in a
browser context of their own.
"""

import re

import pytest
from playwright.sync_api import expect

from conceptcloud.accounts.services import OrganisationData, organisation_create
from conceptcloud.licensing.models import Deal
from conceptcloud.payouts.models import RevenueEvent
from conceptcloud.registry.services import AssetData, asset_register

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse 42"


def field(scope, label: str):
    return scope.get_by_label(re.compile(rf"^{re.escape(label)}( \*)?$"))


def sign_in(page, base_url: str, username: str) -> None:
    page.goto(base_url + "/")
    page.get_by_role("link", name="Sign in", exact=True).click()
    page.get_by_label("Username or e-mail address").fill(username)
    field(page, "Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("heading", name="Dashboard", level=1)).to_be_visible()


def test_a_tlo_licenses_a_technology_in_one_step_and_an_nda_opens_a_confidential_one(
    live_server, page, new_context, make_user
):
    base = live_server.url
    tanaka, yamada = make_user("tanaka"), make_user("yamada")
    tlo = organisation_create(actor=tanaka, data=OrganisationData(name="Tokyo TLO", kind="tlo", country="JP"))
    organisation_create(actor=yamada, data=OrganisationData(name="Acme Robotics", kind="company", country="US"))
    gear = asset_register(
        actor=tanaka,
        data=AssetData(
            kind="technology",
            title="Gear bearing drive",
            summary="A gear and a bearing in one.",
            owner_org=tlo.slug,
            visibility="public",
        ),
        publish=True,
    )
    battery = asset_register(
        actor=tanaka,
        data=AssetData(
            kind="technology",
            title="Sealed battery",
            summary="A battery that never leaks.",
            details="Electrolyte recipe: Quuxfrobium 12%.",
            owner_org=tlo.slug,
            visibility="confidential",
        ),
        publish=True,
    )

    # tanaka offers a licence: the evaluation template first, then the express one.
    sign_in(page, base, "tanaka")
    page.goto(f"{base}/assets/{gear.pk}/")
    page.get_by_role("link", name="Offer a licence").click()
    field(page, "Template").select_option(label="Evaluation licence")
    expect(field(page, "Duration (months)")).to_have_value("12")
    field(page, "Template").select_option(label="Standard non-exclusive licence (express)")
    expect(field(page, "Duration (months)")).to_have_value("")
    field(page, "Currency").select_option("JPY")
    field(page, "Upfront fee").fill("150000.5")
    page.get_by_role("button", name="Publish the offer").click()
    expect(page.locator("#id_upfront_fee_error")).to_contain_text("no smaller unit")
    field(page, "Upfront fee").fill("150000")
    page.get_by_role("button", name="Publish the offer").click()
    expect(page.get_by_role("heading", name="Gear bearing drive", level=1)).to_be_visible()
    expect(page.locator("section.licensing")).to_contain_text("¥150,000")

    # yamada accepts it in one step, for Acme Robotics.
    seeker = new_context().new_page()
    sign_in(seeker, base, "yamada")
    seeker.goto(f"{base}/assets/{gear.pk}/")
    seeker.locator("section.licensing").get_by_label("Acting for").select_option(label="Acme Robotics")
    seeker.get_by_role("button", name=re.compile("^Accept this licence")).click()
    expect(seeker.get_by_text("Accepted: your licence is active.")).to_be_visible()
    expect(seeker.locator(".pipeline [aria-current=step]")).to_have_text("Active")
    deal = Deal.objects.get(asset=gear)

    # tanaka sees the deal and records the upfront fee.
    page.goto(f"{base}/deals/")
    page.get_by_role("link", name=f"Deal {deal.pk}").click()
    expect(page.get_by_text("Acme Robotics").first).to_be_visible()
    field(page, "Amount").fill("150000")
    field(page, "Currency").select_option("JPY")
    page.get_by_role("button", name="Record the payment").click()
    expect(page.get_by_text("Payment recorded")).to_be_visible()
    assert RevenueEvent.objects.get().deal_ref == deal.pk

    # yamada inquires about the confidential battery and proposes the NDA.
    seeker.goto(f"{base}/assets/{battery.pk}/")
    expect(seeker.get_by_text("Quuxfrobium")).to_have_count(0)
    seeker.get_by_role("link", name="Ask the owners about licensing or collaboration").click()
    field(seeker, "Message").fill("We would evaluate it for our robots.")
    seeker.get_by_role("button", name="Send").click()
    seeker.get_by_role("button", name="Propose the standard NDA").click()
    expect(seeker.get_by_text("NDA proposed.")).to_be_visible()

    # tanaka answers in the thread (htmx) and accepts the NDA.
    battery_deal = Deal.objects.get(asset=battery)
    page.goto(f"{base}/deals/{battery_deal.pk}/")
    field(page, "Message").fill("Welcome; the NDA is fine.")
    page.get_by_role("button", name="Send").click()
    expect(page.locator("#deal-thread")).to_contain_text("Welcome; the NDA is fine.")
    page.get_by_role("button", name="Accept the NDA").click()
    expect(page.get_by_text("the NDA is in force")).to_be_visible()

    # The details reach yamada now.
    seeker.goto(f"{base}/assets/{battery.pk}/")
    expect(seeker.get_by_text("Quuxfrobium", exact=False)).to_be_visible()
