"""Licensing reads: offers through the asset visibility rule, deals for their two
sides only, and the stage moves each side may make."""

import pytest
from django.contrib.auth.models import AnonymousUser

from conceptcloud.core.errors import NotFound
from conceptcloud.licensing import selectors
from conceptcloud.licensing.services import deal_move, inquiry_create, nda_accept, nda_propose, offer_withdraw
from conceptcloud.registry.selectors import asset_get_for_user


def test_offers_for_an_asset_are_the_open_ones_and_the_withdrawn_ones_for_its_owners(
    tlo, company, technology, make_offer
):
    kept, gone = make_offer(technology, title="Kept"), make_offer(technology, title="Gone")
    offer_withdraw(actor=tlo["admin"], offer=gone)
    seen = selectors.offers_for_asset(view=asset_get_for_user(asset_id=technology.pk, user=company["user"]))
    assert list(seen) == [kept]
    managed = selectors.offers_for_asset(view=asset_get_for_user(asset_id=technology.pk, user=tlo["member"]))
    assert set(managed) == {kept, gone}


def test_an_anonymous_visitor_sees_offers_on_a_public_asset_but_has_no_deals(technology, make_offer):
    offer = make_offer(technology)
    assert selectors.offer_get_for_user(offer_id=offer.pk, user=AnonymousUser()) == offer
    assert not selectors.deals_for_user(user=AnonymousUser()).exists()


def test_a_deal_is_found_by_its_two_sides_and_absent_for_everyone_else(tlo, company, outsider, technology):
    deal = inquiry_create(actor=company["user"], asset=technology, message="Hi")
    assert selectors.deal_get_for_user(deal_id=deal.pk, user=tlo["member"]).is_owner
    assert not selectors.deal_get_for_user(deal_id=deal.pk, user=company["user"]).is_owner
    for user in (outsider, AnonymousUser()):
        with pytest.raises(NotFound):
            selectors.deal_get_for_user(deal_id=deal.pk, user=user)
    with pytest.raises(NotFound):
        selectors.deal_get_for_user(deal_id=deal.pk + 1000, user=company["user"])


def test_deals_managed_by_are_the_owner_side_only(tlo, company, technology, make_asset):
    theirs = make_asset(company["user"], org=company["org"], title="Robot arm")
    deal = inquiry_create(actor=company["user"], asset=technology, message="Hi")
    inquiry_create(actor=tlo["admin"], asset=theirs, message="Hi")
    assert list(selectors.deals_managed_by(user=tlo["member"])) == [deal]


def test_the_moves_offered_follow_the_side_and_the_nda(tlo, company, secret):
    deal = inquiry_create(actor=company["user"], asset=secret, message="Hi")
    assert selectors.stage_moves(deal=deal, side="owner") == ["nda", "evaluation", "negotiation", "terminated"]
    assert selectors.stage_moves(deal=deal, side="seeker") == ["terminated"]
    nda = nda_propose(actor=company["user"], deal=deal)
    deal.refresh_from_db()
    assert selectors.stage_moves(deal=deal, side="owner") == ["terminated"]
    nda_accept(actor=tlo["admin"], nda=nda)
    deal = deal_move(
        actor=tlo["admin"],
        deal=selectors.deal_get_for_user(deal_id=deal.pk, user=tlo["admin"]).deal,
        stage="negotiation",
    )
    assert selectors.stage_moves(deal=deal, side="owner") == ["signed", "terminated"]
    assert selectors.deal_counts_by_stage(user=company["user"])["negotiation"] == 1
