"""Licensing services: offers and their terms, express acceptance, inquiries and
their threads, the deal pipeline, the NDA step and the access it grants.

Every accepted change appends the entries it documents in its own transaction;
every refused call raises before writing: no row, no entry.
"""

from dataclasses import replace

import pytest

from conceptcloud.core.errors import Conflict, InvalidInput, NotAuthenticated, NotFound, PermissionDenied
from conceptcloud.history.models import Entry
from conceptcloud.licensing import selectors
from conceptcloud.licensing.models import Deal, DealMessage, LicenceOffer, Nda, Stage
from conceptcloud.licensing.services import (
    TermsData,
    deal_message_post,
    deal_move,
    deal_terms_set,
    inquiry_create,
    nda_accept,
    nda_decline,
    nda_propose,
    offer_accept,
    offer_create,
    offer_template,
    offer_withdraw,
)
from conceptcloud.lineage.models import LineageTerms
from conceptcloud.registry.history import entries_for_user
from conceptcloud.registry.models import AccessGrant
from conceptcloud.registry.selectors import Access, asset_access

# Helpers ---------------------------------------------------------------------


def state() -> dict:
    """Everything the licensing services write (and the grants and terms they touch), and the log size."""
    return {
        "entries": Entry.objects.count(),
        "offers": list(LicenceOffer.objects.values_list("id", "status", "derivative_royalty_bp").order_by("id")),
        "deals": list(Deal.objects.values_list("id", "stage", "access_granted", "upfront_fee").order_by("id")),
        "messages": DealMessage.objects.count(),
        "ndas": list(Nda.objects.values_list("id", "status", "owner_accepted_at", "seeker_accepted_at").order_by("id")),
        "grants": list(AccessGrant.objects.values_list("id", "revoked_at").order_by("id")),
        "terms": list(LineageTerms.objects.values_list("asset_id", "derivative_royalty_bp").order_by("id")),
    }


class Log:
    def __init__(self):
        self.start = Entry.objects.count()

    def new(self) -> list[tuple[str, str, dict]]:
        return [(e.type, e.subject, e.payload) for e in Entry.objects.filter(seq__gte=self.start).order_by("seq")]

    def types(self) -> list[str]:
        return [entry[0] for entry in self.new()]


def refused(error_type, call, **kwargs):
    """Run a call that must be refused; assert it changed nothing; return the error."""
    before = state()
    with pytest.raises(error_type) as caught:
        call(**kwargs)
    assert state() == before
    return caught.value


def express(asset, **changes):
    return replace(offer_template(template="express", asset=asset), **changes)


# Offers: validation per term ---------------------------------------------------

BAD_TERMS = [
    ({"royalty_bp": 10001}, "royalty_bp"),
    ({"royalty_bp": -1}, "royalty_bp"),
    ({"royalty_bp": 2.5}, "royalty_bp"),
    ({"derivative_royalty_bp": 20000}, "derivative_royalty_bp"),
    ({"upfront_fee": -100, "currency": "JPY"}, "upfront_fee"),
    ({"upfront_fee": 10.5, "currency": "USD"}, "upfront_fee"),
    ({"upfront_fee": 2**53, "currency": "USD"}, "upfront_fee"),
    ({"upfront_fee": 1000, "currency": "XYZ"}, "currency"),
    ({"upfront_fee": 1000, "currency": ""}, "currency"),
    ({"revenue_ceiling": 0, "currency": "JPY"}, "revenue_ceiling"),
    ({"revenue_ceiling": 5000}, "currency"),
    ({"territories": ["JP", "ZZ"]}, "territories"),
    ({"territories": "JP"}, "territories"),
    ({"duration_months": 0}, "duration_months"),
    ({"duration_months": 5000}, "duration_months"),
    ({"fee_deferral_months": -1}, "fee_deferral_months"),
    ({"exclusivity": "shared"}, "exclusivity"),
    ({"derivatives": "sometimes"}, "derivatives"),
    ({"derivatives": "not-allowed", "derivative_royalty_bp": 500}, "derivative_royalty_bp"),
    ({"field_of_use": "x" * 301}, "field_of_use"),
    ({"title": "  "}, "title"),
    ({"template": "bespoke"}, "template"),
    ({"acceptance": "auction"}, "acceptance"),
    ({"exclusivity": "exclusive"}, "acceptance"),
    ({"exclusivity": "sole"}, "acceptance"),
    ({"cc_licence": "https://creativecommons.org/licenses/by/4.0/"}, "cc_licence"),
    ({"cc_licence": ["by"]}, "cc_licence"),
    ({"commercial_use": "yes"}, "commercial_use"),
    ({"sublicensing": None}, "sublicensing"),
]


@pytest.mark.parametrize(("changes", "field"), BAD_TERMS)
def test_each_bad_term_is_refused_by_its_field_and_changes_nothing(tlo, technology, changes, field):
    error = refused(
        InvalidInput, offer_create, actor=tlo["admin"], asset=technology, data=express(technology, **changes)
    )
    assert field in error.errors


def test_a_creative_commons_licence_is_for_works_only(tlo, technology):
    data = offer_template(template="creative-commons", asset=technology)
    error = refused(InvalidInput, offer_create, actor=tlo["admin"], asset=technology, data=data)
    assert error.errors["cc_licence"] == ["Creative Commons licences are for creative works only."]


def test_a_creative_commons_licence_takes_no_fee_and_fixes_its_own_terms(tlo, make_asset):
    work = make_asset(tlo["admin"], org=tlo["org"], kind="work", title="Harbour photographs")
    data = replace(offer_template(template="creative-commons", asset=work), upfront_fee=100, currency="JPY")
    assert "upfront_fee" in refused(InvalidInput, offer_create, actor=tlo["admin"], asset=work, data=data).errors
    nc_nd = replace(
        offer_template(template="creative-commons", asset=work),
        cc_licence="https://creativecommons.org/licenses/by-nc-nd/4.0/",
        commercial_use=True,
        sublicensing=True,
    )
    offer = offer_create(actor=tlo["admin"], asset=work, data=nc_nd)
    assert (offer.commercial_use, offer.derivatives, offer.attribution_required, offer.sublicensing) == (
        False,
        "not-allowed",
        True,
        False,
    )
    assert offer.acceptance == "express"


def test_a_rightsstatements_uri_is_not_a_creative_commons_licence(tlo, make_asset):
    work = make_asset(tlo["admin"], org=tlo["org"], kind="work")
    data = replace(
        offer_template(template="creative-commons", asset=work), cc_licence="http://rightsstatements.org/vocab/InC/1.0/"
    )
    assert "cc_licence" in refused(InvalidInput, offer_create, actor=tlo["admin"], asset=work, data=data).errors


@pytest.mark.parametrize(
    ("template", "changes", "field"),
    [
        ("evaluation", {"duration_months": None}, "duration_months"),
        ("evaluation", {"royalty_bp": 100}, "royalty_bp"),
        ("startup", {"fee_deferral_months": 0}, "fee_deferral_months"),
        ("exclusive", {"exclusivity": "non-exclusive"}, "exclusivity"),
        ("open-pledge", {"royalty_bp": 100}, "upfront_fee"),
        ("open-pledge", {"upfront_fee": 5, "currency": "EUR"}, "upfront_fee"),
        ("express", {"cc_licence": "https://creativecommons.org/licenses/by/4.0/"}, "cc_licence"),
    ],
)
def test_each_template_keeps_its_own_rules(tlo, technology, template, changes, field):
    data = replace(offer_template(template=template, asset=technology), **changes)
    assert field in refused(InvalidInput, offer_create, actor=tlo["admin"], asset=technology, data=data).errors


def test_only_the_assets_managers_offer_licences_and_others_see_nothing_of_a_draft(
    tlo, company, outsider, technology, make_asset
):
    refused(PermissionDenied, offer_create, actor=company["user"], asset=technology, data=express(technology))
    draft = make_asset(tlo["admin"], org=tlo["org"], publish=False)
    refused(NotFound, offer_create, actor=outsider, asset=draft, data=express(draft))


def test_an_organisation_member_offers_a_licence_on_its_asset(tlo, technology):
    offer = offer_create(actor=tlo["member"], asset=technology, data=express(technology))
    assert offer.created_by == tlo["member"] and offer.status == "open"


# Templates ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("express", {"acceptance": "express", "exclusivity": "non-exclusive", "royalty_bp": 300}),
        (
            "evaluation",
            {"acceptance": "express", "duration_months": 12, "commercial_use": False, "derivatives": "not-allowed"},
        ),
        ("startup", {"acceptance": "negotiation", "fee_deferral_months": 36}),
        ("exclusive", {"acceptance": "negotiation", "exclusivity": "exclusive", "sublicensing": True}),
        ("open-pledge", {"acceptance": "express", "royalty_bp": 0, "upfront_fee": 0, "derivative_royalty_bp": 0}),
        (
            "creative-commons",
            {
                "cc_licence": "https://creativecommons.org/licenses/by/4.0/",
                "attribution_required": True,
                "acceptance": "express",
            },
        ),
    ],
)
def test_templates_prefill_their_terms(technology, template, expected):
    data = offer_template(template=template, asset=technology)
    assert data.template == template and data.title
    assert {name: getattr(data, name) for name in expected} == expected


def test_every_template_as_prefilled_makes_a_valid_offer(tlo, technology, make_asset):
    work = make_asset(tlo["admin"], org=tlo["org"], kind="work", title="Songs")
    for template in ("express", "evaluation", "startup", "exclusive", "open-pledge"):
        offer_create(actor=tlo["admin"], asset=technology, data=offer_template(template=template, asset=technology))
    offer_create(actor=tlo["admin"], asset=work, data=offer_template(template="creative-commons", asset=work))
    assert LicenceOffer.objects.filter(status="open").count() == 6


def test_an_unknown_template_is_refused():
    with pytest.raises(InvalidInput) as caught:
        offer_template(template="bespoke")
    assert "template" in caught.value.errors


def test_templates_prefill_the_assets_lineage_royalty(tlo, technology, make_offer):
    make_offer(technology, derivative_royalty_bp=750)
    assert offer_template(template="startup", asset=technology).derivative_royalty_bp == 750
    assert offer_template(template="open-pledge", asset=technology).derivative_royalty_bp == 0


# Offers and the lineage terms --------------------------------------------------


def test_offering_a_licence_sets_the_assets_royalty_owed_by_derivatives(tlo, technology):
    log = Log()
    offer = offer_create(
        actor=tlo["admin"],
        asset=technology,
        data=express(technology, derivative_royalty_bp=500, derivatives="approval"),
    )
    terms = LineageTerms.objects.get(asset=technology)
    assert (terms.derivative_royalty_bp, terms.derivatives_need_approval) == (500, True)
    assert log.types() == ["asset.terms_changed", "licence.offered"]
    _type, subject, payload = log.new()[-1]
    assert subject == f"offer:{offer.pk}"
    assert payload["asset"] == technology.pk and payload["terms"]["derivative_royalty_bp"] == 500


def test_open_offers_on_an_asset_ask_one_royalty_of_derivatives(tlo, technology, make_offer):
    make_offer(technology, derivative_royalty_bp=500)
    error = refused(
        InvalidInput,
        offer_create,
        actor=tlo["admin"],
        asset=technology,
        data=express(technology, derivative_royalty_bp=800),
    )
    assert "derivative_royalty_bp" in error.errors
    # An evaluation licence that allows no derivatives states none and does not disagree.
    offer_create(actor=tlo["admin"], asset=technology, data=offer_template(template="evaluation", asset=technology))


def test_a_withdrawn_offer_no_longer_binds_the_royalty(tlo, technology, make_offer):
    first = make_offer(technology, derivative_royalty_bp=500)
    offer_withdraw(actor=tlo["admin"], offer=first)
    offer_create(actor=tlo["admin"], asset=technology, data=express(technology, derivative_royalty_bp=800))
    assert LineageTerms.objects.get(asset=technology).derivative_royalty_bp == 800


def test_a_withdrawn_offer_stays_and_is_withdrawn_once(tlo, company, technology, make_offer):
    offer = make_offer(technology)
    log = Log()
    offer_withdraw(actor=tlo["admin"], offer=offer)
    offer.refresh_from_db()
    assert offer.status == "withdrawn" and offer.withdrawn_by == tlo["admin"]
    assert log.types() == ["licence.withdrawn"]
    refused(Conflict, offer_withdraw, actor=tlo["admin"], offer=offer)
    refused(PermissionDenied, offer_withdraw, actor=company["user"], offer=offer)
    assert LicenceOffer.objects.filter(pk=offer.pk).exists()


# Express acceptance ----------------------------------------------------------


def test_express_acceptance_makes_an_active_deal_in_one_step(tlo, company, technology, make_offer):
    offer = make_offer(technology, upfront_fee=150000, currency="JPY", royalty_bp=250)
    log = Log()
    deal = offer_accept(actor=company["user"], offer=offer, organisation=company["org"].slug)
    assert deal.stage == Stage.ACTIVE and deal.origin == "express"
    assert deal.signed_at is not None and deal.seeker_org == company["org"]
    assert (deal.upfront_fee, deal.currency, deal.royalty_bp) == (150000, "JPY", 250)
    entries = log.new()
    assert [(t, p.get("stage"), p.get("from"), p.get("to")) for t, _s, p in entries] == [
        ("deal.opened", "signed", None, None),
        ("deal.moved", None, "signed", "active"),
    ]
    assert {subject for _t, subject, _p in entries} == {f"deal:{deal.pk}"}
    assert entries[0][2]["seeker"] == "yamada" and entries[0][2]["seeker_org"] == company["org"].slug
    # Both sides see it.
    assert selectors.deal_get_for_user(deal_id=deal.pk, user=company["user"]).side == "seeker"
    assert selectors.deal_get_for_user(deal_id=deal.pk, user=tlo["member"]).side == "owner"


def test_express_acceptance_is_refused_where_it_does_not_apply(tlo, company, outsider, technology, make_offer):
    negotiated = make_offer(technology, template="startup")
    refused(Conflict, offer_accept, actor=company["user"], offer=negotiated)
    refused(PermissionDenied, offer_accept, actor=tlo["member"], offer=make_offer(technology))
    offer = make_offer(technology)
    error = refused(InvalidInput, offer_accept, actor=outsider, offer=offer, organisation=company["org"].slug)
    assert "organisation" in error.errors
    offer_accept(actor=company["user"], offer=offer)
    refused(Conflict, offer_accept, actor=company["user"], offer=offer)
    offer_withdraw(actor=tlo["admin"], offer=offer)
    refused(Conflict, offer_accept, actor=outsider, offer=offer)


def test_an_anonymous_visitor_cannot_accept(technology, make_offer):
    from django.contrib.auth.models import AnonymousUser

    refused(NotAuthenticated, offer_accept, actor=AnonymousUser(), offer=make_offer(technology))


def test_an_exclusive_licence_in_force_blocks_every_other_licence(tlo, company, outsider, technology, make_offer):
    deal = inquiry_create(
        actor=company["user"],
        asset=technology,
        message="Exclusive, please.",
        offer=make_offer(technology, template="exclusive"),
    )
    deal_move(actor=tlo["admin"], deal=deal, stage="negotiation")
    deal_move(actor=tlo["admin"], deal=deal, stage="signed")
    refused(Conflict, offer_accept, actor=outsider, offer=make_offer(technology))


def test_an_exclusive_licence_is_not_signed_beside_licences_in_force(tlo, company, outsider, technology, make_offer):
    offer_accept(actor=outsider, offer=make_offer(technology))
    deal = inquiry_create(
        actor=company["user"],
        asset=technology,
        message="Exclusive, please.",
        offer=make_offer(technology, template="exclusive"),
    )
    deal_move(actor=tlo["admin"], deal=deal, stage="negotiation")
    refused(Conflict, deal_move, actor=tlo["admin"], deal=deal, stage="signed")


# Inquiries and the thread -----------------------------------------------------


def test_an_inquiry_opens_a_deal_with_its_first_message_kept_out_of_the_history(tlo, company, technology, make_offer):
    offer = make_offer(technology, template="startup")
    log = Log()
    deal = inquiry_create(
        actor=company["user"],
        asset=technology,
        message="We build gearboxes; secret plan X.",
        offer=offer,
        organisation=company["org"].slug,
    )
    assert deal.stage == "inquiry" and deal.offer == offer and deal.fee_deferral_months == 36
    assert [m.body for m in deal.messages.all()] == ["We build gearboxes; secret plan X."]
    assert log.types() == ["deal.opened", "deal.message_posted"]
    assert "secret plan" not in str(log.new())
    # The owners are told, without the message.
    assert tlo["member"].notifications.filter(kind="licensing.deal").exists()


def test_both_sides_write_in_the_thread_and_outsiders_cannot(tlo, company, outsider, technology):
    deal = inquiry_create(actor=company["user"], asset=technology, message="Hello")
    log = Log()
    deal_message_post(actor=tlo["member"], deal=deal, body="Hello back, terms attached: confidential.")
    assert log.new() == [
        ("deal.message_posted", f"deal:{deal.pk}", {"message": deal.messages.last().pk, "side": "owner"})
    ]
    refused(NotFound, deal_message_post, actor=outsider, deal=deal, body="Let me in")
    refused(InvalidInput, deal_message_post, actor=company["user"], deal=deal, body="   ")
    refused(InvalidInput, deal_message_post, actor=company["user"], deal=deal, body="x" * 5001)


def test_inquiries_are_refused_on_own_invisible_or_already_discussed_assets(
    tlo, company, outsider, technology, make_asset
):
    refused(PermissionDenied, inquiry_create, actor=tlo["member"], asset=technology, message="Mine")
    draft = make_asset(tlo["admin"], org=tlo["org"], publish=False)
    refused(NotFound, inquiry_create, actor=outsider, asset=draft, message="Let me see")
    refused(InvalidInput, inquiry_create, actor=outsider, asset=technology, message="")
    inquiry_create(actor=outsider, asset=technology, message="First")
    refused(Conflict, inquiry_create, actor=outsider, asset=technology, message="Second")


def test_an_inquiry_about_another_assets_offer_is_refused(tlo, company, technology, make_asset, make_offer):
    other = make_asset(tlo["admin"], org=tlo["org"], title="Other")
    offer = make_offer(other)
    error = refused(InvalidInput, inquiry_create, actor=company["user"], asset=technology, message="Hi", offer=offer)
    assert "offer" in error.errors


def test_a_confidential_asset_takes_inquiries_from_those_who_see_its_teaser(company, secret):
    deal = inquiry_create(actor=company["user"], asset=secret, message="Interested")
    assert deal.stage == "inquiry"


# The pipeline -----------------------------------------------------------------


def _through(deal, actor, *stages):
    for stage in stages:
        deal = deal_move(actor=actor, deal=deal, stage=stage)
    return deal


def test_the_owners_move_a_deal_along_the_pipeline_each_move_an_entry(tlo, company, technology):
    deal = inquiry_create(actor=company["user"], asset=technology, message="Hi")
    log = Log()
    deal = _through(deal, tlo["member"], "evaluation", "negotiation", "signed", "active", "closed")
    assert deal.stage == "closed" and deal.signed_at and deal.ended_at
    assert [(p["from"], p["to"]) for _t, _s, p in log.new()] == [
        ("inquiry", "evaluation"),
        ("evaluation", "negotiation"),
        ("negotiation", "signed"),
        ("signed", "active"),
        ("active", "closed"),
    ]


@pytest.mark.parametrize(
    ("path", "stage"),
    [
        ((), "signed"),
        ((), "active"),
        ((), "closed"),
        ((), "inquiry"),
        (("evaluation",), "nda"),
        (("negotiation", "signed"), "negotiation"),
        (("terminated",), "evaluation"),
    ],
)
def test_moves_the_pipeline_does_not_allow_are_refused(tlo, company, technology, path, stage):
    deal = _through(inquiry_create(actor=company["user"], asset=technology, message="Hi"), tlo["admin"], *path)
    refused(Conflict, deal_move, actor=tlo["admin"], deal=deal, stage=stage)


def test_an_unknown_stage_is_refused_by_its_field(tlo, company, technology):
    deal = inquiry_create(actor=company["user"], asset=technology, message="Hi")
    assert "stage" in refused(InvalidInput, deal_move, actor=tlo["admin"], deal=deal, stage="won").errors


def test_the_seeker_may_only_withdraw_before_signing(tlo, company, outsider, technology):
    deal = inquiry_create(actor=company["user"], asset=technology, message="Hi")
    refused(PermissionDenied, deal_move, actor=company["user"], deal=deal, stage="evaluation")
    refused(NotFound, deal_move, actor=outsider, deal=deal, stage="terminated")
    deal = deal_move(actor=company["user"], deal=deal, stage="terminated")
    assert deal.stage == "terminated"
    signed = _through(
        inquiry_create(actor=company["user"], asset=technology, message="Again"), tlo["admin"], "negotiation", "signed"
    )
    refused(PermissionDenied, deal_move, actor=company["user"], deal=signed, stage="terminated")


def test_a_deal_waiting_for_its_nda_moves_to_evaluation_only_once_it_is_in_force(tlo, company, technology):
    deal = deal_move(
        actor=tlo["admin"], deal=inquiry_create(actor=company["user"], asset=technology, message="Hi"), stage="nda"
    )
    refused(Conflict, deal_move, actor=tlo["admin"], deal=deal, stage="evaluation")


def test_the_owners_change_the_terms_until_signing(tlo, company, technology):
    deal = inquiry_create(actor=company["user"], asset=technology, message="Hi")
    terms = TermsData(
        exclusivity="exclusive", upfront_fee=5_000_000, currency="JPY", royalty_bp=400, territories=["JP"]
    )
    log = Log()
    deal = deal_terms_set(actor=tlo["admin"], deal=deal, data=terms)
    assert (deal.exclusivity, deal.upfront_fee, deal.territories) == ("exclusive", 5_000_000, ["JP"])
    assert log.new()[0][2]["terms"]["upfront_fee"] == 5_000_000
    refused(PermissionDenied, deal_terms_set, actor=company["user"], deal=deal, data=terms)
    assert (
        "currency"
        in refused(InvalidInput, deal_terms_set, actor=tlo["admin"], deal=deal, data=replace(terms, currency="")).errors
    )
    deal = _through(deal, tlo["admin"], "negotiation", "signed")
    refused(Conflict, deal_terms_set, actor=tlo["admin"], deal=deal, data=terms)


# The NDA step -----------------------------------------------------------------


def test_the_nda_grants_access_only_once_both_sides_accept(tlo, company, secret):
    seeker = company["user"]
    deal = inquiry_create(actor=seeker, asset=secret, message="Interested")
    log = Log()
    nda = nda_propose(actor=seeker, deal=deal)
    deal.refresh_from_db()
    assert deal.stage == "nda" and nda.status == "proposed"
    assert asset_access(asset=secret, user=seeker) == Access.TEASER
    assert "Sealed battery" in nda.text and "Acme Robotics" not in nda.text  # the seeker acts for themself here
    refused(Conflict, nda_accept, actor=seeker, nda=nda)  # their side accepted by proposing
    nda = nda_accept(actor=tlo["member"], nda=nda)
    deal.refresh_from_db()
    assert nda.status == "in-force" and nda.owner_accepted_by == tlo["member"]
    assert deal.stage == "evaluation" and deal.access_granted
    assert asset_access(asset=secret, user=seeker) == Access.FULL
    grant = AccessGrant.objects.get(asset=secret, user=seeker)
    assert grant.granted_by == tlo["member"] and f"NDA {nda.pk}" in grant.reason
    assert log.types() == [
        "deal.nda_proposed",
        "deal.moved",
        "asset.access_granted",
        "deal.nda_accepted",
        "deal.moved",
    ]


def test_an_nda_proposed_by_the_owners_grants_in_the_name_of_the_owner_who_accepted(tlo, company, secret):
    deal = inquiry_create(actor=company["user"], asset=secret, message="Interested", organisation=company["org"].slug)
    nda = nda_propose(actor=tlo["admin"], deal=deal)
    assert "Acme Robotics" in nda.text
    nda_accept(actor=company["user"], nda=nda)
    assert AccessGrant.objects.get(asset=secret, user=company["user"]).granted_by == tlo["admin"]


def test_a_declined_nda_grants_nothing_and_a_new_one_can_be_proposed(tlo, company, secret):
    deal = inquiry_create(actor=company["user"], asset=secret, message="Interested")
    nda = nda_propose(actor=company["user"], deal=deal)
    refused(Conflict, nda_propose, actor=tlo["admin"], deal=deal)
    nda_decline(actor=tlo["admin"], nda=nda)
    refused(Conflict, nda_accept, actor=tlo["admin"], nda=nda)
    assert asset_access(asset=secret, user=company["user"]) == Access.TEASER
    assert nda_propose(actor=tlo["admin"], deal=deal).status == "proposed"


def test_outsiders_cannot_touch_a_deals_nda(tlo, company, outsider, secret):
    deal = inquiry_create(actor=company["user"], asset=secret, message="Interested")
    nda = nda_propose(actor=company["user"], deal=deal)
    refused(NotFound, nda_accept, actor=outsider, nda=nda)
    refused(NotFound, nda_propose, actor=outsider, deal=deal)
    with pytest.raises(NotFound):
        selectors.nda_get_for_user(nda_id=nda.pk, user=outsider)


def test_terminating_before_signing_revokes_the_ndas_access(tlo, company, secret):
    deal = inquiry_create(actor=company["user"], asset=secret, message="Interested")
    nda_accept(actor=tlo["admin"], nda=nda_propose(actor=company["user"], deal=deal))
    log = Log()
    deal = deal_move(actor=tlo["admin"], deal=deal, stage="terminated")
    assert asset_access(asset=secret, user=company["user"]) == Access.TEASER
    assert log.types() == ["asset.access_revoked", "deal.moved"]
    assert log.new()[-1][2]["access_revoked"] is True


def test_when_the_seeker_withdraws_the_access_stays_for_the_owners_to_revoke(tlo, company, secret):
    deal = inquiry_create(actor=company["user"], asset=secret, message="Interested")
    nda_accept(actor=tlo["admin"], nda=nda_propose(actor=company["user"], deal=deal))
    deal_move(actor=company["user"], deal=deal, stage="terminated")
    assert asset_access(asset=secret, user=company["user"]) == Access.FULL


def test_a_signed_deal_keeps_the_access_when_terminated_later(tlo, company, secret):
    deal = inquiry_create(actor=company["user"], asset=secret, message="Interested")
    nda_accept(actor=tlo["admin"], nda=nda_propose(actor=company["user"], deal=deal))
    deal = _through(deal, tlo["admin"], "negotiation", "signed", "terminated")
    assert asset_access(asset=secret, user=company["user"]) == Access.FULL


# Visibility --------------------------------------------------------------------


def test_deals_are_visible_to_their_two_sides_only(tlo, company, outsider, technology):
    deal = inquiry_create(actor=company["user"], asset=technology, message="Hi")
    for user in (company["user"], tlo["admin"], tlo["member"]):
        assert selectors.deal_get_for_user(deal_id=deal.pk, user=user).deal == deal
        assert deal in selectors.deals_for_user(user=user)
    with pytest.raises(NotFound):
        selectors.deal_get_for_user(deal_id=deal.pk, user=outsider)
    assert not selectors.deals_for_user(user=outsider).exists()


def test_deal_entries_are_redacted_for_everyone_but_the_two_sides(tlo, company, outsider, technology):
    deal = inquiry_create(actor=company["user"], asset=technology, message="Hi")
    subject = f"deal:{deal.pk}"
    assert len(entries_for_user(user=company["user"], subject=subject)) == 2
    assert len(entries_for_user(user=outsider, subject=subject)) == 0
    rows = [row for row in entries_for_user(user=outsider) if row.seq >= Entry.objects.count() - 2]
    assert all(row.redacted for row in rows)


def test_offers_on_a_confidential_asset_show_to_those_who_see_its_teaser(tlo, outsider, secret, make_offer, make_asset):
    offer = make_offer(secret)
    assert selectors.offer_get_for_user(offer_id=offer.pk, user=outsider) == offer
    draft = make_asset(tlo["admin"], org=tlo["org"], publish=False, title="Unpublished")
    hidden = make_offer(draft)
    with pytest.raises(NotFound):
        selectors.offer_get_for_user(offer_id=hidden.pk, user=outsider)
    assert len(entries_for_user(user=outsider, subject=f"offer:{hidden.pk}")) == 0
    assert len(entries_for_user(user=outsider, subject=f"offer:{offer.pk}")) == 1


# Payments under a deal --------------------------------------------------------


def test_the_owners_record_a_payment_under_a_signed_deal_once_per_key(tlo, company, technology, make_offer):
    import datetime

    from conceptcloud.licensing.services import deal_payment_record
    from conceptcloud.payouts.models import RevenueEvent

    deal = offer_accept(actor=company["user"], offer=make_offer(technology, upfront_fee=150000, currency="JPY"))
    log = Log()
    arguments = {"amount": 150000, "currency": "JPY", "date": datetime.date(2026, 4, 1), "idempotency_key": "fee-1"}
    event, created = deal_payment_record(actor=tlo["member"], deal=deal, **arguments)
    assert created and (event.source, event.deal_ref, event.amount) == ("deal", deal.pk, 150000)
    assert log.types()[0] == "revenue.recorded" and log.types()[-1] == "deal.payment_recorded"
    assert log.new()[-1][2] == {"revenue_event": event.pk}
    again, created = deal_payment_record(actor=tlo["member"], deal=deal, **arguments)
    assert again == event and not created and RevenueEvent.objects.count() == 1
    with pytest.raises(PermissionDenied):
        deal_payment_record(actor=company["user"], deal=deal, **{**arguments, "idempotency_key": "fee-2"})
    assert RevenueEvent.objects.count() == 1


def test_a_refunded_deal_payment_counts_against_that_deal(tlo, company, technology, make_offer):
    import datetime

    from conceptcloud.licensing.services import deal_payment_record
    from conceptcloud.payouts.services import revenue_refund

    deal = offer_accept(actor=company["user"], offer=make_offer(technology, upfront_fee=150000, currency="JPY"))
    event, _ = deal_payment_record(
        actor=tlo["member"], deal=deal, amount=150000, currency="JPY", date=datetime.date(2026, 4, 1),
        idempotency_key="fee-1",
    )  # fmt: skip
    refund, _ = revenue_refund(
        actor=tlo["member"], event=event, amount=50000, date=datetime.date(2026, 4, 2), idempotency_key="back-1"
    )
    assert (refund.source, refund.deal_ref, refund.amount) == ("deal", deal.pk, -50000)


def test_no_payment_is_recorded_before_signing(tlo, company, technology):
    import datetime

    from conceptcloud.licensing.services import deal_payment_record
    from conceptcloud.payouts.models import RevenueEvent

    deal = inquiry_create(actor=company["user"], asset=technology, message="Hi")
    with pytest.raises(Conflict):
        deal_payment_record(
            actor=tlo["admin"],
            deal=deal,
            amount=100,
            currency="JPY",
            date=datetime.date(2026, 4, 1),
            idempotency_key="early",
        )
    assert not RevenueEvent.objects.exists()
