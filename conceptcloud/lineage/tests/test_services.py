"""Lineage services: terms, contributor shares and their agreement, building on
assets and declaring links, approval of links.

Every accepted change appends exactly the entries it documents, in its own
transaction; every refused call raises before writing: no row, no entry.
"""

import threading

import pytest
from django.db import connections

from conceptcloud.accounts.models import Membership
from conceptcloud.accounts.services import user_set_active
from conceptcloud.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from conceptcloud.history.models import Entry
from conceptcloud.lineage.models import Contribution, Derivation, LineageTerms, ShareProposal
from conceptcloud.lineage.services import (
    ContributionData,
    asset_build_on,
    contributions_propose,
    derivation_add,
    derivation_decide,
    share_proposal_agree,
    share_proposal_decline,
    terms_set,
)
from conceptcloud.registry.models import Asset
from conceptcloud.registry.services import AssetData, asset_set_status

# Helpers ---------------------------------------------------------------------


def state() -> dict:
    """Everything the lineage services write, the assets and the log size."""
    return {
        "entries": Entry.objects.count(),
        "assets": list(Asset.objects.values_list("id", "status", "version").order_by("id")),
        "terms": list(LineageTerms.objects.values_list("asset_id", "derivative_royalty_bp", "derivatives_need_approval",
                                                       "share_changes_need").order_by("id")),
        "contributions": list(Contribution.objects.values_list("asset_id", "user_id", "role", "share_bp").order_by("id")),
        "proposals": list(ShareProposal.objects.values_list("id", "status", "agreed").order_by("id")),
        "links": list(Derivation.objects.values_list("child_id", "parent_id", "relation", "royalty_bp", "status",
                                                     "decided_by_id").order_by("id")),
    }


class Log:
    """The entries appended since it was made: [(type, subject, payload)]."""

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


def data(title: str = "Improved gear", **fields) -> AssetData:
    return AssetData(kind="technology", title=title, summary="Built on another asset.", **fields)


def shares(*rows) -> list[ContributionData]:
    return [ContributionData(username=u, role=r, share_bp=s) for u, r, s in rows]


@pytest.fixture
def people(make_user):
    return {name: make_user(name) for name in ("alice", "bob", "carol", "dave")}


@pytest.fixture
def idea(people, make_asset):
    return make_asset(people["alice"], title="Gear bearing drive")


# Terms -----------------------------------------------------------------------


def test_setting_terms_stores_them_and_writes_one_entry(people, idea):
    log = Log()
    terms = terms_set(actor=people["alice"], asset=idea, derivative_royalty_bp=750,
                      derivatives_need_approval=True, share_changes_need="contributors")
    assert (terms.derivative_royalty_bp, terms.derivatives_need_approval, terms.share_changes_need) == (
        750, True, "contributors")
    assert log.new() == [("asset.terms_changed", f"asset:{idea.pk}", {
        "derivative_royalty_bp": 750, "derivatives_need_approval": True, "share_changes_need": "contributors"})]


def test_terms_that_change_nothing_write_nothing(people, idea):
    terms_set(actor=people["alice"], asset=idea, derivative_royalty_bp=0, derivatives_need_approval=False,
              share_changes_need="owner")
    log = Log()
    terms_set(actor=people["alice"], asset=idea, derivative_royalty_bp=0, derivatives_need_approval=False,
              share_changes_need="owner")
    assert log.new() == [] and LineageTerms.objects.count() == 1


@pytest.mark.parametrize(
    "royalty, agreement, field",
    [(10001, "owner", "derivative_royalty_bp"), (-1, "owner", "derivative_royalty_bp"),
     (True, "owner", "derivative_royalty_bp"), (100, "everyone", "share_changes_need")],
)
def test_terms_out_of_range_are_refused_by_field(people, idea, royalty, agreement, field):
    error = refused(InvalidInput, terms_set, actor=people["alice"], asset=idea, derivative_royalty_bp=royalty,
                    derivatives_need_approval=False, share_changes_need=agreement)
    assert list(error.errors) == [field]


def test_only_the_owners_set_terms(people, idea, make_asset):
    refused(PermissionDenied, terms_set, actor=people["bob"], asset=idea, derivative_royalty_bp=1,
            derivatives_need_approval=False, share_changes_need="owner")
    draft = make_asset(people["alice"], publish=False)
    refused(NotFound, terms_set, actor=people["bob"], asset=draft, derivative_royalty_bp=1,
            derivatives_need_approval=False, share_changes_need="owner")


def test_members_of_the_owning_organisation_manage_terms(people, make_org, make_asset):
    org = make_org(people["alice"], "Kansai TLO", kind="tlo")
    Membership.objects.create(user=people["bob"], organisation=org, role=Membership.Role.MEMBER)
    asset = make_asset(people["alice"], org=org)
    terms = terms_set(actor=people["bob"], asset=asset, derivative_royalty_bp=1, derivatives_need_approval=False,
                      share_changes_need="owner")
    assert terms.pk is not None


# Contributions -----------------------------------------------------------------


def test_shares_summing_to_exactly_100_percent_are_applied_at_once_when_the_owner_decides(people, idea):
    log = Log()
    proposal = contributions_propose(actor=people["alice"], asset=idea, contributions=shares(
        ("alice", "originator", 6000), ("bob", "implementer", 3999), ("carol", "funder", 1)))
    assert proposal.status == ShareProposal.Status.APPLIED and proposal.needed == []
    stored = list(Contribution.objects.filter(asset=idea).values_list("user__username", "role", "share_bp"))
    assert stored == [("alice", "originator", 6000), ("bob", "implementer", 3999), ("carol", "funder", 1)]
    assert log.new() == [("asset.shares_changed", f"asset:{idea.pk}", {
        "proposal": proposal.pk,
        "contributions": [{"user": "alice", "role": "originator", "share_bp": 6000},
                          {"user": "bob", "role": "implementer", "share_bp": 3999},
                          {"user": "carol", "role": "funder", "share_bp": 1}],
        "agreed": [],
        "withdrawn_proposals": [],
    })]


@pytest.mark.parametrize("second", [3999, 4001], ids=["99.99%", "100.01%"])
def test_shares_that_miss_100_percent_by_a_hundredth_are_refused(people, idea, second):
    error = refused(InvalidInput, contributions_propose, actor=people["alice"], asset=idea,
                    contributions=shares(("alice", "originator", 6000), ("bob", "improver", second)))
    total = "99.99" if second == 3999 else "100.01"
    assert error.errors == {"contributions": [f"The shares add up to {total}%; they must add up to exactly 100%."]}


@pytest.mark.parametrize(
    "rows, message",
    [
        ([("nobody", "originator", 10000)], "Contributor 1: no such person nobody."),
        ([("alice", "inventor", 10000)], "Contributor 1: unknown role inventor."),
        ([("alice", "originator", 5000), ("alice", "funder", 5000)], "alice is named more than once."),
        ([("alice", "originator", 10000), ("bob", "funder", 0)], "Contributor 2: a share is from 0.01% to 100%."),
        ([("alice", "originator", 10001)], "Contributor 1: a share is from 0.01% to 100%."),
        ([], "Name at least one contributor."),
    ],
    ids=["unknown person", "unknown role", "duplicate person", "zero share", "share above 100%", "empty"],
)
def test_invalid_contributions_are_refused_with_a_clear_message(people, idea, rows, message):
    error = refused(InvalidInput, contributions_propose, actor=people["alice"], asset=idea, contributions=shares(*rows))
    assert message in error.errors["contributions"]


def test_suspended_people_cannot_be_named_contributors(people, idea, make_user):
    operator = make_user("operator")
    operator.is_staff = True
    operator.save()
    user_set_active(actor=operator, user=people["bob"], active=False)
    error = refused(InvalidInput, contributions_propose, actor=people["alice"], asset=idea,
                    contributions=shares(("alice", "originator", 5000), ("bob", "improver", 5000)))
    assert "Contributor 2: no such person bob." in error.errors["contributions"]


def test_proposing_the_current_shares_is_refused(people, idea):
    error = refused(InvalidInput, contributions_propose, actor=people["alice"], asset=idea,
                    contributions=shares(("alice", "originator", 10000)))
    assert list(error.errors) == ["contributions"]


def test_only_the_owners_propose_shares(people, idea, make_asset):
    contributions_propose(actor=people["alice"], asset=idea,
                          contributions=shares(("alice", "originator", 5000), ("bob", "improver", 5000)))
    # A contributor who is not an owner may not propose either.
    refused(PermissionDenied, contributions_propose, actor=people["bob"], asset=idea,
            contributions=shares(("bob", "originator", 10000)))
    draft = make_asset(people["alice"], publish=False)
    refused(NotFound, contributions_propose, actor=people["bob"], asset=draft,
            contributions=shares(("bob", "originator", 10000)))


@pytest.fixture
def shared_idea(people, idea):
    """alice's idea with alice 50%, bob 30%, carol 20%, whose terms ask every contributor to agree."""
    contributions_propose(actor=people["alice"], asset=idea, contributions=shares(
        ("alice", "originator", 5000), ("bob", "improver", 3000), ("carol", "funder", 2000)))
    terms_set(actor=people["alice"], asset=idea, derivative_royalty_bp=0, derivatives_need_approval=False,
              share_changes_need="contributors")
    return idea


NEW_SHARES = (("alice", "originator", 4000), ("bob", "improver", 3000), ("carol", "funder", 2000),
              ("dave", "reviewer", 1000))


def current_shares(asset) -> list[tuple[str, int]]:
    return list(Contribution.objects.filter(asset=asset).values_list("user__username", "share_bp"))


def test_a_proposal_stays_pending_until_every_contributor_agrees(people, shared_idea):
    before = current_shares(shared_idea)
    log = Log()
    proposal = contributions_propose(actor=people["alice"], asset=shared_idea, contributions=shares(*NEW_SHARES))
    assert proposal.status == ShareProposal.Status.PENDING
    assert (proposal.needed, proposal.agreed) == (["alice", "bob", "carol"], ["alice"])
    assert current_shares(shared_idea) == before
    assert log.types() == ["asset.shares_proposed"]

    log = Log()
    proposal = share_proposal_agree(actor=people["bob"], proposal=proposal)
    assert proposal.status == ShareProposal.Status.PENDING and current_shares(shared_idea) == before
    assert log.new() == [("asset.shares_agreed", f"asset:{shared_idea.pk}",
                          {"proposal": proposal.pk, "agreed": ["alice", "bob"]})]

    log = Log()
    proposal = share_proposal_agree(actor=people["carol"], proposal=proposal)
    assert proposal.status == ShareProposal.Status.APPLIED and proposal.decided_at is not None
    assert current_shares(shared_idea) == [("alice", 4000), ("bob", 3000), ("carol", 2000), ("dave", 1000)]
    assert log.types() == ["asset.shares_changed"]
    assert log.new()[0][2]["agreed"] == ["alice", "bob", "carol"]


def test_a_declined_proposal_changes_no_share_and_takes_no_more_agreement(people, shared_idea):
    before = current_shares(shared_idea)
    proposal = contributions_propose(actor=people["alice"], asset=shared_idea, contributions=shares(*NEW_SHARES))
    log = Log()
    proposal = share_proposal_decline(actor=people["carol"], proposal=proposal)
    assert proposal.status == ShareProposal.Status.DECLINED
    assert log.new() == [("asset.shares_declined", f"asset:{shared_idea.pk}", {"proposal": proposal.pk})]
    assert current_shares(shared_idea) == before
    refused(Conflict, share_proposal_agree, actor=people["bob"], proposal=proposal)


def test_the_owners_may_withdraw_a_pending_proposal_and_others_may_not_touch_it(people, shared_idea, make_user):
    proposal = contributions_propose(actor=people["alice"], asset=shared_idea, contributions=shares(*NEW_SHARES))
    # dave is named in it but is no current contributor: his agreement is not needed.
    refused(NotFound, share_proposal_agree, actor=people["dave"], proposal=proposal)
    refused(NotFound, share_proposal_decline, actor=people["dave"], proposal=proposal)
    assert share_proposal_decline(actor=people["alice"], proposal=proposal).status == ShareProposal.Status.DECLINED


def test_an_owner_whose_agreement_is_not_needed_cannot_agree(people, make_org, make_asset):
    org = make_org(people["alice"], "Kansai TLO", kind="tlo")
    Membership.objects.create(user=people["bob"], organisation=org, role=Membership.Role.MEMBER)
    asset = make_asset(people["alice"], org=org)
    terms_set(actor=people["alice"], asset=asset, derivative_royalty_bp=0, derivatives_need_approval=False,
              share_changes_need="contributors")
    proposal = contributions_propose(actor=people["bob"], asset=asset,
                                     contributions=shares(("alice", "originator", 5000), ("bob", "improver", 5000)))
    assert proposal.needed == ["alice"] and proposal.agreed == []
    refused(PermissionDenied, share_proposal_agree, actor=people["bob"], proposal=proposal)
    assert share_proposal_agree(actor=people["alice"], proposal=proposal).status == ShareProposal.Status.APPLIED


def test_agreeing_twice_is_a_conflict(people, shared_idea):
    proposal = contributions_propose(actor=people["alice"], asset=shared_idea, contributions=shares(*NEW_SHARES))
    refused(Conflict, share_proposal_agree, actor=people["alice"], proposal=proposal)


def test_the_proposers_own_agreement_is_enough_when_they_are_the_only_contributor(people, idea):
    terms_set(actor=people["alice"], asset=idea, derivative_royalty_bp=0, derivatives_need_approval=False,
              share_changes_need="contributors")
    log = Log()
    proposal = contributions_propose(actor=people["alice"], asset=idea,
                                     contributions=shares(("alice", "originator", 7000), ("bob", "improver", 3000)))
    assert proposal.status == ShareProposal.Status.APPLIED and proposal.needed == proposal.agreed == ["alice"]
    assert log.types() == ["asset.shares_changed"]


def test_applying_a_proposal_withdraws_the_other_pending_ones(people, shared_idea):
    first = contributions_propose(actor=people["alice"], asset=shared_idea, contributions=shares(*NEW_SHARES))
    second = contributions_propose(actor=people["alice"], asset=shared_idea, contributions=shares(
        ("alice", "originator", 6000), ("bob", "improver", 2000), ("carol", "funder", 2000)))
    share_proposal_agree(actor=people["bob"], proposal=second)
    log = Log()
    share_proposal_agree(actor=people["carol"], proposal=second)
    first.refresh_from_db()
    assert first.status == ShareProposal.Status.WITHDRAWN
    assert log.new()[0][2]["withdrawn_proposals"] == [first.pk]
    refused(Conflict, share_proposal_agree, actor=people["bob"], proposal=first)


# Building on assets -----------------------------------------------------------


def test_building_on_one_asset_improves_it_with_the_royalty_its_terms_ask(people, idea):
    terms_set(actor=people["alice"], asset=idea, derivative_royalty_bp=500, derivatives_need_approval=False,
              share_changes_need="owner")
    log = Log()
    child = asset_build_on(actor=people["bob"], parent_ids=[idea.pk], data=data())
    link = Derivation.objects.get(child=child)
    assert (link.parent_id, link.relation, link.royalty_bp, link.status, link.requested_by) == (
        idea.pk, "improves", 500, "approved", people["bob"])
    assert current_shares(child) == [("bob", 10000)]
    assert Contribution.objects.get(asset=child).role == "improver"
    described = {"derivation": link.pk, "parent": idea.pk, "relation": "improves", "royalty_bp": 500,
                 "status": "approved"}
    assert log.new()[1:] == [
        ("asset.derived_from", f"asset:{child.pk}", {
            "parents": [described], "contributions": [{"user": "bob", "role": "improver", "share_bp": 10000}]}),
        ("derivation.requested", f"asset:{idea.pk}", {"child": child.pk, **described}),
    ]
    assert log.types()[0] == "asset.registered"


def test_combining_several_assets_makes_one_link_to_each(people, idea, make_asset):
    others = [make_asset(people["carol"], title=f"Part {n}") for n in range(3)]
    log = Log()
    child = asset_build_on(actor=people["bob"], parent_ids=[idea.pk, *(o.pk for o in others)], data=data("Robot arm"))
    links = list(Derivation.objects.filter(child=child).order_by("id"))
    assert [link.parent_id for link in links] == [idea.pk, *(o.pk for o in others)]
    assert {link.relation for link in links} == {"combines"}
    assert Contribution.objects.get(asset=child).role == "combiner"
    assert log.types() == ["asset.registered", "asset.derived_from"] + ["derivation.requested"] * 4


def test_a_parent_whose_owner_requires_approval_gets_a_pending_link(people, idea, make_asset):
    terms_set(actor=people["alice"], asset=idea, derivative_royalty_bp=0, derivatives_need_approval=True,
              share_changes_need="owner")
    child = asset_build_on(actor=people["bob"], parent_ids=[idea.pk], data=data())
    assert Derivation.objects.get(child=child).status == "pending"
    # Its own owner needs no approval.
    own = asset_build_on(actor=people["alice"], parent_ids=[idea.pk], data=data("Alice's next gear"))
    assert Derivation.objects.get(child=own).status == "approved"


def test_sixteen_parents_are_accepted_and_a_seventeenth_is_refused(people, make_asset):
    parents = [make_asset(people["alice"], title=f"Part {n}") for n in range(17)]
    error = refused(InvalidInput, asset_build_on, actor=people["bob"], parent_ids=[p.pk for p in parents], data=data())
    assert error.errors == {"parents": ["An asset builds on at most 16 others."]}
    child = asset_build_on(actor=people["bob"], parent_ids=[p.pk for p in parents[:16]], data=data())
    assert child.parent_links.count() == 16


@pytest.mark.parametrize("ids, message", [
    ([], "Choose at least one asset to build on."),
    ("twice", "Name each asset to build on once."),
])
def test_building_on_no_asset_or_one_asset_twice_is_refused(people, idea, ids, message):
    ids = [idea.pk, idea.pk] if ids == "twice" else ids
    error = refused(InvalidInput, asset_build_on, actor=people["bob"], parent_ids=ids, data=data())
    assert error.errors == {"parents": [message]}


def test_royalties_summing_to_more_than_100_percent_are_refused(people, idea, make_asset):
    other = make_asset(people["carol"], title="Bearing")
    for owner, asset in ((people["alice"], idea), (people["carol"], other)):
        terms_set(actor=owner, asset=asset, derivative_royalty_bp=5001, derivatives_need_approval=False,
                  share_changes_need="owner")
    error = refused(InvalidInput, asset_build_on, actor=people["bob"], parent_ids=[idea.pk, other.pk], data=data())
    assert error.errors == {"parents": ["These assets ask royalties of 100.02% together; at most 100% is possible."]}


def test_a_hidden_parent_is_refused_exactly_like_an_absent_one(people, make_asset):
    draft = make_asset(people["alice"], publish=False)
    absent = draft.pk + 1000
    hidden = refused(InvalidInput, asset_build_on, actor=people["bob"], parent_ids=[draft.pk], data=data())
    missing = refused(InvalidInput, asset_build_on, actor=people["bob"], parent_ids=[absent], data=data())
    assert hidden.errors == {"parents": [f"No such asset: {draft.pk}."]}
    assert missing.errors == {"parents": [f"No such asset: {absent}."]}


def test_a_withdrawn_parent_cannot_be_built_on_even_by_its_owner(people, idea):
    asset_set_status(actor=people["alice"], asset=idea, status="withdrawn")
    refused(InvalidInput, asset_build_on, actor=people["bob"], parent_ids=[idea.pk], data=data())
    error = refused(InvalidInput, asset_build_on, actor=people["alice"], parent_ids=[idea.pk], data=data())
    assert error.errors == {"parents": [f"Asset {idea.pk} was withdrawn; it cannot be built on."]}


def test_a_confidential_parent_seen_as_a_teaser_can_be_built_on(people, make_asset):
    secret = make_asset(people["alice"], visibility="confidential", title="Secret alloy")
    child = asset_build_on(actor=people["bob"], parent_ids=[secret.pk], data=data())
    assert child.parent_links.get().parent_id == secret.pk


def test_invalid_asset_fields_leave_no_asset_and_no_link(people, idea):
    error = refused(InvalidInput, asset_build_on, actor=people["bob"], parent_ids=[idea.pk], data=data(title=""))
    assert "title" in error.errors


def test_lineage_entries_name_assets_by_id_only(people, make_asset):
    secret = make_asset(people["alice"], visibility="confidential", title="Secret alloy")
    draft_child_data = data(title="Unpublished successor", visibility="members")
    log = Log()
    child = asset_build_on(actor=people["bob"], parent_ids=[secret.pk], data=draft_child_data, publish=False)
    lineage_entries = [e for e in Entry.objects.filter(seq__gte=log.start) if e.type != "asset.registered"]
    assert [e.type for e in lineage_entries] == ["asset.derived_from", "derivation.requested"]
    for entry in lineage_entries:
        assert b"Secret alloy" not in bytes(entry.canonical)
        assert b"Unpublished successor" not in bytes(entry.canonical)
        assert str(child.pk).encode() in bytes(entry.canonical)


# Declaring links between existing assets --------------------------------------


@pytest.fixture
def chain(people, make_asset):
    """A ← B ← C: B builds on A, C builds on B (each owned by alice)."""
    a = make_asset(people["alice"], title="A")
    b = make_asset(people["alice"], title="B")
    c = make_asset(people["alice"], title="C")
    derivation_add(actor=people["alice"], child=b, parent_id=a.pk)
    derivation_add(actor=people["alice"], child=c, parent_id=b.pk)
    return a, b, c


def test_declaring_a_link_writes_one_entry_on_each_side(people, idea, make_asset):
    mine = make_asset(people["bob"], title="Bob's gear")
    log = Log()
    link = derivation_add(actor=people["bob"], child=mine, parent_id=idea.pk)
    assert (link.relation, link.status) == ("improves", "approved")
    assert [(t, s) for t, s, _p in log.new()] == [("asset.derived_from", f"asset:{mine.pk}"),
                                                   ("derivation.requested", f"asset:{idea.pk}")]
    second = derivation_add(actor=people["bob"], child=mine, parent_id=make_asset(people["carol"]).pk)
    assert second.relation == "combines"


def test_a_link_that_would_close_a_cycle_is_refused(people, chain):
    a, _b, c = chain
    error = refused(InvalidInput, derivation_add, actor=people["alice"], child=a, parent_id=c.pk)
    assert error.errors == {"parent_id": ["That asset builds on this one: the link would close a cycle."]}


def test_an_asset_cannot_build_on_itself_or_twice_on_the_same_asset(people, chain):
    a, b, _c = chain
    assert refused(InvalidInput, derivation_add, actor=people["alice"], child=a, parent_id=a.pk).errors == {
        "parent_id": ["An asset cannot build on itself."]}
    assert refused(InvalidInput, derivation_add, actor=people["alice"], child=b, parent_id=a.pk).errors == {
        "parent_id": ["This asset builds on that one already."]}


def test_a_seventeenth_parent_is_refused(people, make_asset):
    child = make_asset(people["bob"], title="Child")
    for n in range(16):
        derivation_add(actor=people["bob"], child=child, parent_id=make_asset(people["alice"], title=f"P{n}").pk)
    extra = make_asset(people["alice"], title="One too many")
    error = refused(InvalidInput, derivation_add, actor=people["bob"], child=child, parent_id=extra.pk)
    assert error.errors == {"parents": ["An asset builds on at most 16 others."]}


def test_pending_links_count_in_the_royalty_sum_and_declined_ones_drop_out(people, idea, make_asset):
    other = make_asset(people["carol"], title="Bearing")
    terms_set(actor=people["alice"], asset=idea, derivative_royalty_bp=6000, derivatives_need_approval=True,
              share_changes_need="owner")
    terms_set(actor=people["carol"], asset=other, derivative_royalty_bp=5000, derivatives_need_approval=False,
              share_changes_need="owner")
    child = make_asset(people["bob"], title="Child")
    pending = derivation_add(actor=people["bob"], child=child, parent_id=idea.pk)
    assert pending.status == "pending"
    error = refused(InvalidInput, derivation_add, actor=people["bob"], child=child, parent_id=other.pk)
    assert error.errors == {
        "parents": ["With this link the royalties would add up to 110.00%; at most 100% is possible."]}
    derivation_decide(actor=people["alice"], derivation=pending, approve=False)
    assert derivation_add(actor=people["bob"], child=child, parent_id=other.pk).royalty_bp == 5000
    # A declined link is not asked again.
    error = refused(InvalidInput, derivation_add, actor=people["bob"], child=child, parent_id=idea.pk)
    assert error.errors == {"parent_id": ["The owners of that asset declined this link."]}


def test_pending_links_count_in_the_graph_for_cycles(people, make_asset):
    a = make_asset(people["alice"], title="A")
    terms_set(actor=people["alice"], asset=a, derivative_royalty_bp=0, derivatives_need_approval=True,
              share_changes_need="owner")
    b = make_asset(people["bob"], title="B")
    assert derivation_add(actor=people["bob"], child=b, parent_id=a.pk).status == "pending"
    refused(InvalidInput, derivation_add, actor=people["alice"], child=a, parent_id=b.pk)


def test_only_the_owners_of_the_child_declare_its_parents(people, idea, make_asset):
    other = make_asset(people["carol"], title="Bearing")
    refused(PermissionDenied, derivation_add, actor=people["bob"], child=idea, parent_id=other.pk)
    draft = make_asset(people["alice"], publish=False)
    refused(NotFound, derivation_add, actor=people["bob"], child=draft, parent_id=other.pk)


def test_hidden_absent_and_withdrawn_parents_are_refused(people, idea, make_asset):
    draft = make_asset(people["carol"], publish=False)
    hidden = refused(InvalidInput, derivation_add, actor=people["alice"], child=idea, parent_id=draft.pk)
    assert hidden.errors == {"parent_id": [f"No such asset: {draft.pk}."]}
    refused(InvalidInput, derivation_add, actor=people["alice"], child=idea, parent_id=draft.pk + 1000)
    gone = make_asset(people["alice"], title="Old")
    asset_set_status(actor=people["alice"], asset=gone, status="withdrawn")
    assert refused(InvalidInput, derivation_add, actor=people["alice"], child=idea, parent_id=gone.pk).errors == {
        "parent_id": [f"Asset {gone.pk} was withdrawn; it cannot be built on."]}


# Deciding links --------------------------------------------------------------


@pytest.fixture
def request_link(people, idea):
    terms_set(actor=people["alice"], asset=idea, derivative_royalty_bp=300, derivatives_need_approval=True,
              share_changes_need="owner")
    child = asset_build_on(actor=people["bob"], parent_ids=[idea.pk], data=data())
    return Derivation.objects.get(child=child)


@pytest.mark.parametrize("approve, status", [(True, "approved"), (False, "declined")])
def test_the_parents_owner_approves_or_declines_a_pending_link(people, idea, request_link, approve, status):
    log = Log()
    link = derivation_decide(actor=people["alice"], derivation=request_link, approve=approve)
    assert (link.status, link.decided_by) == (status, people["alice"]) and link.decided_at is not None
    assert log.new() == [(f"derivation.{status}", f"asset:{idea.pk}", {
        "derivation": link.pk, "child": link.child_id, "parent": idea.pk, "relation": "improves", "royalty_bp": 300})]


def test_a_link_is_decided_once(people, request_link):
    derivation_decide(actor=people["alice"], derivation=request_link, approve=True)
    refused(Conflict, derivation_decide, actor=people["alice"], derivation=request_link, approve=False)


def test_only_the_parents_owners_decide(people, request_link):
    refused(PermissionDenied, derivation_decide, actor=people["bob"], derivation=request_link, approve=True)
    refused(NotFound, derivation_decide, actor=people["carol"], derivation=request_link, approve=True)


# Concurrency (on SQLite the writers take turns; on PostgreSQL the graph lock keeps them apart)


@pytest.mark.django_db(transaction=True)
def test_two_links_added_at_once_never_close_a_cycle(make_user, make_asset):
    alice = make_user("alice")
    a, b, c, d = (make_asset(alice, title=name) for name in "ABCD")
    derivation_add(actor=alice, child=b, parent_id=a.pk)
    derivation_add(actor=alice, child=d, parent_id=c.pk)
    # C on B and A on D would close A ← B ← C ← D ← A; the two calls lock
    # disjoint rows, so only the graph lock can keep them apart.
    barrier = threading.Barrier(2)
    outcomes = []

    def add(child, parent):
        try:
            barrier.wait()
            derivation_add(actor=alice, child=child, parent_id=parent.pk)
            outcomes.append("linked")
        except InvalidInput as error:
            outcomes.append(error.errors)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=add, args=pair) for pair in ((c, b), (a, d))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes, key=str) == sorted(
        ["linked", {"parent_id": ["That asset builds on this one: the link would close a cycle."]}], key=str)
    assert Derivation.objects.count() == 3
