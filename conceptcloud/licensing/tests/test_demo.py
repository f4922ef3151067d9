"""The demo's licensing: three offers, an express licence with one payment shared out
along DEMO-INV-004's lineage, and an inquiry waiting for its NDA, written on top of
the registry and lineage demos, idempotently."""

import datetime

import pytest

from conceptcloud.accounts.models import Organisation, User
from conceptcloud.history.selectors import log_size
from conceptcloud.licensing.demo import PAYMENT_KEY, demo_licensing_load
from conceptcloud.licensing.models import Deal, LicenceOffer, Nda
from conceptcloud.licensing.services import nda_accept
from conceptcloud.lineage.demo import demo_lineage_load
from conceptcloud.payouts.models import RevenueEvent
from conceptcloud.payouts.selectors import balances, statement_for_user, statement_owner_get_for_user
from conceptcloud.registry.demo import demo_load
from conceptcloud.registry.models import Asset
from conceptcloud.registry.selectors import Access, asset_access

# What each demo person and organisation receives of the ¥100,000 paid for DEMO-INV-004.
EXPECTED = {
    "demo-inventor": 59_000,  # 54,000 as combiner, 5,000 as owner of DEMO-INV-003
    "demo-company": 31_750,  # 27,000 as implementer, 4,750 as the improver who made DEMO-SME-002
    "demo-tlo": 9_000,  # as reviewer
    "org:demo-university-tlo": 250,  # DEMO-TLO-001's 5% of DEMO-SME-002's 5,000
}


def asset(reference: str) -> Asset:
    return Asset.objects.get(reference=reference)


def user(username: str) -> User:
    return User.objects.get(username=username)


def load(limit: int = 2):
    demo_load(limit=limit)  # 2: GSC-TOPS-12, NASA's gear bearings, is the second NASA technology
    demo_lineage_load()
    return demo_licensing_load()


def statement_balances(account: str) -> dict[str, int]:
    """The balances of a statement as its owner (or, for an organisation, demo-tlo, its admin) reads it."""
    reader = user("demo-tlo" if account.startswith("org:") else account)
    owner = statement_owner_get_for_user(account="me" if reader.username == account else account, user=reader)
    return statement_for_user(owner=owner, user=reader).balances


@pytest.mark.django_db
def test_the_offers_the_licence_and_its_payment_are_loaded():
    demo_load(limit=2)
    demo_lineage_load()
    entries = log_size()
    report = demo_licensing_load()
    # 3 offers (2 of them stating their asset's royalty for derivatives), the licence opened and
    # moved to active, the payment (payouts' and the deal's entries), the inquiry with its first
    # message, the NDA proposed and the move to "nda".
    assert log_size() - entries == 5 + 2 + 2 + 4
    assert report.created == {"offers": 3, "licences": 1, "payments": 1, "inquiries": 1}
    assert not report.skipped and not report.refused and not report.present

    offers = {(o.asset.reference, o.template, o.status, o.acceptance) for o in LicenceOffer.objects.all()}
    assert offers == {
        ("DEMO-INV-004", "express", "open", "express"),
        ("GSC-TOPS-12", "evaluation", "open", "express"),
        ("DEMO-INV-001", "open-pledge", "open", "express"),
    }
    evaluation = LicenceOffer.objects.get(template="evaluation")
    assert (evaluation.duration_months, evaluation.commercial_use, evaluation.upfront_fee) == (12, False, 0)
    assert "not an offer by NASA" in evaluation.notes

    licence = Deal.objects.get(asset=asset("DEMO-INV-004"))
    assert (licence.stage, licence.origin, licence.seeker.username, licence.seeker_org.slug) == (
        "active", "express", "demo-company", "demo-precision-works",
    )
    assert (licence.upfront_fee, licence.currency, licence.royalty_bp) == (100_000, "JPY", 300)
    payment = RevenueEvent.objects.get()
    assert (payment.asset_id, payment.amount, payment.currency, payment.date) == (
        licence.asset_id, 100_000, "JPY", datetime.date(2025, 4, 1),
    )
    assert (payment.source, payment.deal_ref, payment.idempotency_key) == ("deal", licence.pk, PAYMENT_KEY)
    assert payment.recorded_by.username == "demo-inventor" and payment.distributed_at is not None
    assert "created 3 licence offers, 1 licence accepted in one step, 1 payment under a licence" in report.summary()


@pytest.mark.django_db
def test_the_payment_reaches_the_statements_of_the_four_people_and_organisation_along_the_lineage():
    load()
    got = {account: statement_balances(account) for account in EXPECTED}
    assert got == {account: {"JPY": amount} for account, amount in EXPECTED.items()}
    assert sum(EXPECTED.values()) == 100_000
    # NASA's gear bearings, two generations back, ask no royalty of derivatives; the
    # licensee's organisation holds no asset on the way.
    for org in (asset("GSC-TOPS-12").owner_org, Organisation.objects.get(slug="demo-precision-works")):
        assert balances(key=f"org:{org.pk}") == {}


@pytest.mark.django_db
def test_the_inquiry_waits_for_demo_tlo_to_accept_the_nda_and_the_details_stay_hidden_until_then():
    load(limit=0)
    secret = asset("DEMO-TLO-002")
    company = user("demo-company")
    deal = Deal.objects.get(asset=secret)
    assert (deal.stage, deal.origin, deal.seeker, deal.seeker_org.slug) == (
        "nda", "inquiry", company, "demo-precision-works",
    )
    assert deal.messages.count() == 1 and not deal.access_granted
    nda = deal.ndas.get()
    assert (nda.status, nda.proposed_by, nda.owner_accepted_at) == (Nda.Status.PROPOSED, company, None)
    assert nda.seeker_accepted_at is not None
    assert asset_access(asset=secret, user=company) == Access.TEASER

    # What the demo visitor does, signed in as demo-tlo.
    nda_accept(actor=user("demo-tlo"), nda=nda)
    deal.refresh_from_db()
    assert deal.stage == "evaluation" and deal.access_granted
    assert asset_access(asset=secret, user=company) == Access.FULL


@pytest.mark.django_db
def test_a_second_run_adds_no_entries_and_reports_everything_as_already_there():
    load()
    entries = log_size()
    second = demo_licensing_load()
    assert log_size() == entries
    assert sum(second.created.values()) == 0 and not second.skipped and not second.refused
    assert second.present == {"offers": 3, "licences": 1, "payments": 1, "inquiries": 1}
    assert "created nothing new" in second.summary()
    assert RevenueEvent.objects.count() == 1 and Deal.objects.count() == 2


@pytest.mark.django_db
def test_a_withdrawn_offer_and_an_accepted_nda_are_left_as_the_visitor_left_them():
    from conceptcloud.licensing.services import offer_withdraw

    load(limit=0)
    pledge = LicenceOffer.objects.get(template="open-pledge")
    offer_withdraw(actor=user("demo-inventor"), offer=pledge)
    nda_accept(actor=user("demo-tlo"), nda=Nda.objects.get())
    entries = log_size()
    demo_licensing_load()
    assert log_size() == entries
    assert LicenceOffer.objects.filter(template="open-pledge").count() == 1
    assert Nda.objects.get().status == Nda.Status.IN_FORCE


@pytest.mark.django_db
def test_without_the_nasa_record_its_evaluation_licence_is_skipped():
    report = load(limit=1)
    assert report.skipped == ["the evaluation licence on GSC-TOPS-12"]
    assert report.created == {"offers": 2, "licences": 1, "payments": 1, "inquiries": 1}
    assert "Skipped for want of what they build on: the evaluation licence on GSC-TOPS-12" in report.summary()


@pytest.mark.django_db
def test_without_the_lineage_demo_the_licence_and_its_payment_are_skipped():
    demo_load(limit=0)
    report = demo_licensing_load()
    assert report.skipped == [
        "the express licence on DEMO-INV-004",
        "the evaluation licence on GSC-TOPS-12",
        "demo-company's licence on DEMO-INV-004",
        "the payment under the licence on DEMO-INV-004",
    ]
    assert report.created == {"offers": 1, "inquiries": 1}
    assert RevenueEvent.objects.count() == 0
