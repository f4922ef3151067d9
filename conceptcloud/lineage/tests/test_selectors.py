"""Lineage selectors: terms and contributors, the lineage graph (depths, diamonds,
the first idea, placeholders for hidden assets) and who sees which proposal or
link request."""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser

from conceptcloud.accounts.models import Membership
from conceptcloud.core.errors import NotFound
from conceptcloud.lineage.models import Derivation, LineageTerms
from conceptcloud.lineage.selectors import (
    contributions_for_asset,
    derivation_get_for_user,
    derivation_requests_for_user,
    descendant_ids,
    lineage_graph_for_user,
    share_proposal_get_for_user,
    share_proposals_for_asset,
    share_proposals_for_user,
    terms_for_asset,
)
from conceptcloud.lineage.services import (
    ContributionData,
    contributions_propose,
    derivation_add,
    derivation_decide,
    share_proposal_agree,
    terms_set,
)
from conceptcloud.registry.models import Asset


@pytest.fixture
def people(make_user):
    return {name: make_user(name) for name in ("alice", "bob", "carol", "dave")}


def link(actor, child, *parents):
    for parent in parents:
        derivation_add(actor=actor, child=child, parent_id=parent.pk)


def depths(graph) -> dict[int, int]:
    return {node.asset_id: node.depth for node in graph.nodes}


def shares(*rows):
    return [ContributionData(username=u, role=r, share_bp=s) for u, r, s in rows]


# Terms and contributions ---------------------------------------------------------


def test_an_asset_without_stored_terms_gets_unsaved_defaults(people, make_asset):
    terms = terms_for_asset(asset=make_asset(people["alice"]))
    assert terms.pk is None
    assert (terms.derivative_royalty_bp, terms.derivatives_need_approval, terms.share_changes_need) == (
        0, False, LineageTerms.Agreement.OWNER)


def test_the_registrant_is_the_implicit_originator_until_shares_are_set(people, make_org, make_asset):
    org = make_org(people["alice"], "Kansai TLO")
    Membership.objects.create(user=people["bob"], organisation=org, role=Membership.Role.MEMBER)
    asset = make_asset(people["bob"], org=org)
    [row] = contributions_for_asset(asset=asset)
    assert (row.user, row.role, row.share_bp, row.implicit) == (people["bob"], "originator", 10000, True)
    contributions_propose(actor=people["alice"], asset=asset, contributions=shares(
        ("bob", "originator", 2500), ("carol", "funder", 7500)))
    rows = contributions_for_asset(asset=asset)
    assert [(r.user.username, r.role_label, r.share_bp, r.implicit) for r in rows] == [
        ("carol", "Funder", 7500, False), ("bob", "Originator", 2500, False)]


# The lineage graph ------------------------------------------------------------------


@pytest.fixture
def diamond(people, make_asset):
    """A is built on by B and C; D combines B and C; E improves D. All public, alice's."""
    alice = people["alice"]
    a, b, c, d, e = (make_asset(alice, title=name) for name in "ABCDE")
    link(alice, b, a)
    link(alice, c, a)
    link(alice, d, b, c)
    link(alice, e, d)
    return a, b, c, d, e


def test_ancestors_have_negative_depths_and_descendants_positive_ones(people, diamond):
    a, b, c, d, e = diamond
    graph = lineage_graph_for_user(asset_id=d.pk, user=people["bob"])
    assert depths(graph) == {a.pk: -2, b.pk: -1, c.pk: -1, d.pk: 0, e.pk: 1}
    assert [n.asset_id for n in graph.nodes] == [a.pk, b.pk, c.pk, d.pk, e.pk]
    assert {(x.parent_id, x.child_id) for x in graph.edges} == {
        (a.pk, b.pk), (a.pk, c.pk), (b.pk, d.pk), (c.pk, d.pk), (d.pk, e.pk)}
    assert [n.asset_id for n in graph.nodes if n.focus] == [d.pk]


def test_a_diamond_below_the_focus_is_placed_by_its_longest_path(people, diamond):
    a, b, c, d, e = diamond
    link(people["alice"], e, a)  # a shortcut: E also builds on A directly
    graph = lineage_graph_for_user(asset_id=a.pk, user=people["bob"])
    assert depths(graph) == {a.pk: 0, b.pk: 1, c.pk: 1, d.pk: 2, e.pk: 3}
    assert (a.pk, e.pk) in {(x.parent_id, x.child_id) for x in graph.edges}


def test_the_graph_of_a_middle_asset_leaves_out_its_siblings(people, diamond):
    a, b, c, d, e = diamond
    graph = lineage_graph_for_user(asset_id=b.pk, user=people["bob"])
    assert depths(graph) == {a.pk: -1, b.pk: 0, d.pk: 1, e.pk: 2}


def test_the_first_idea_is_the_earliest_registered_root_among_the_ancestors(people, diamond, make_asset):
    a, b, c, d, e = diamond
    later_root = make_asset(people["carol"], title="Later root")
    link(people["alice"], d, later_root)
    Asset.objects.filter(pk=later_root.pk).update(created_at=a.created_at + datetime.timedelta(days=1))
    graph = lineage_graph_for_user(asset_id=e.pk, user=people["bob"])
    assert [n.asset_id for n in graph.nodes if n.first_idea] == [a.pk] and graph.first_idea_id == a.pk
    Asset.objects.filter(pk=later_root.pk).update(created_at=a.created_at - datetime.timedelta(days=1))
    assert lineage_graph_for_user(asset_id=e.pk, user=people["bob"]).first_idea_id == later_root.pk


def test_an_asset_without_parents_is_its_own_first_idea(people, diamond):
    a, *_rest = diamond
    assert lineage_graph_for_user(asset_id=a.pk, user=people["bob"]).first_idea_id == a.pk


def test_pending_links_are_in_the_graph_and_declined_ones_are_not(people, make_asset):
    a = make_asset(people["alice"], title="A")
    terms_set(actor=people["alice"], asset=a, derivative_royalty_bp=200, derivatives_need_approval=True,
              share_changes_need="owner")
    b = make_asset(people["bob"], title="B")
    c = make_asset(people["carol"], title="C")
    link(people["bob"], b, a)
    link(people["carol"], c, a)
    graph = lineage_graph_for_user(asset_id=a.pk, user=people["dave"])
    assert {(x.child_id, x.status, x.royalty_bp) for x in graph.edges} == {(b.pk, "pending", 200), (c.pk, "pending", 200)}
    derivation_decide(actor=people["alice"], derivation=Derivation.objects.get(child=c), approve=False)
    graph = lineage_graph_for_user(asset_id=a.pk, user=people["dave"])
    assert set(depths(graph)) == {a.pk, b.pk}
    assert lineage_graph_for_user(asset_id=c.pk, user=people["dave"]).nodes[0].first_idea
    assert descendant_ids(asset_id=a.pk) == {b.pk}


def test_hidden_assets_are_placeholders_without_title_or_kind(people, make_asset):
    parent = make_asset(people["alice"], title="Private draft parent", publish=False)
    secret = make_asset(people["alice"], title="Confidential teaser parent", visibility="confidential")
    child = make_asset(people["alice"], title="Public child")
    link(people["alice"], child, parent, secret)
    draft_grandchild = make_asset(people["alice"], title="Unpublished grandchild", publish=False)
    link(people["alice"], draft_grandchild, child)

    for viewer in (people["bob"], AnonymousUser()):
        nodes = {n.asset_id: n for n in lineage_graph_for_user(asset_id=child.pk, user=viewer).nodes}
        assert (nodes[parent.pk].title, nodes[parent.pk].kind, nodes[parent.pk].visible) == (None, None, False)
        assert (nodes[draft_grandchild.pk].title, nodes[draft_grandchild.pk].visible) == (None, False)
        # A confidential asset's teaser (its title) is for everyone who may see it at all.
        assert (nodes[secret.pk].title, nodes[secret.pk].visible) == ("Confidential teaser parent", True)
        assert "Private draft parent" not in repr(nodes) and "Unpublished grandchild" not in repr(nodes)
    owner_view = {n.asset_id: n for n in lineage_graph_for_user(asset_id=child.pk, user=people["alice"]).nodes}
    assert owner_view[parent.pk].title == "Private draft parent"


def test_the_graph_of_an_asset_one_may_not_see_is_not_found(people, make_asset):
    draft = make_asset(people["alice"], publish=False)
    with pytest.raises(NotFound):
        lineage_graph_for_user(asset_id=draft.pk, user=people["bob"])
    with pytest.raises(NotFound):
        lineage_graph_for_user(asset_id=draft.pk + 100, user=people["alice"])


# Proposals and link requests: who sees them --------------------------------------


@pytest.fixture
def pending_proposal(people, make_asset):
    asset = make_asset(people["alice"], title="Shared")
    contributions_propose(actor=people["alice"], asset=asset, contributions=shares(
        ("alice", "originator", 5000), ("bob", "improver", 2500), ("carol", "funder", 2500)))
    terms_set(actor=people["alice"], asset=asset, derivative_royalty_bp=0, derivatives_need_approval=False,
              share_changes_need="contributors")
    return contributions_propose(actor=people["alice"], asset=asset, contributions=shares(
        ("alice", "originator", 4000), ("bob", "improver", 3500), ("carol", "funder", 2500)))


def test_proposals_wait_in_the_lists_of_those_who_have_not_agreed_yet(people, pending_proposal):
    assert [row.proposal for row in share_proposals_for_user(user=people["bob"])] == [pending_proposal]
    row = share_proposals_for_user(user=people["carol"])[0]
    assert (row.asset.title, row.waiting_for) == ("Shared", ["bob", "carol"])
    assert share_proposals_for_user(user=people["alice"]) == []  # agreed as its proposer
    assert share_proposals_for_user(user=people["dave"]) == []
    assert share_proposals_for_user(user=AnonymousUser()) == []
    share_proposal_agree(actor=people["bob"], proposal=pending_proposal)
    assert share_proposals_for_user(user=people["bob"]) == []


def test_a_proposal_is_found_only_by_the_people_it_concerns(people, pending_proposal):
    for person in ("alice", "bob", "carol"):
        assert share_proposal_get_for_user(proposal_id=pending_proposal.pk, user=people[person]) == pending_proposal
    for viewer in (people["dave"], AnonymousUser()):
        with pytest.raises(NotFound):
            share_proposal_get_for_user(proposal_id=pending_proposal.pk, user=viewer)
    with pytest.raises(NotFound):
        share_proposal_get_for_user(proposal_id="x", user=people["alice"])
    asset = pending_proposal.asset
    assert share_proposals_for_asset(asset=asset, user=people["alice"]) == [pending_proposal]
    assert share_proposals_for_asset(asset=asset, user=people["bob"]) == [pending_proposal]
    assert share_proposals_for_asset(asset=asset, user=people["dave"]) == []


@pytest.fixture
def requests(people, make_org, make_asset):
    """An organisation's asset asking for approval, and two requests to it: one from a draft."""
    org = make_org(people["alice"], "Kansai TLO")
    Membership.objects.create(user=people["bob"], organisation=org, role=Membership.Role.MEMBER)
    parent = make_asset(people["alice"], org=org, title="Org asset")
    terms_set(actor=people["alice"], asset=parent, derivative_royalty_bp=0, derivatives_need_approval=True,
              share_changes_need="owner")
    public_child = make_asset(people["carol"], title="Carol's public child")
    draft_child = make_asset(people["dave"], title="Dave's draft child", publish=False)
    link(people["carol"], public_child, parent)
    link(people["dave"], draft_child, parent)
    return parent, public_child, draft_child


def test_link_requests_reach_every_manager_of_the_parent_with_hidden_children_untitled(people, requests):
    parent, public_child, draft_child = requests
    for manager in (people["alice"], people["bob"]):
        rows = derivation_requests_for_user(user=manager)
        assert [(r.child.asset_id, r.child.title, r.parent.title) for r in rows] == [
            (public_child.pk, "Carol's public child", "Org asset"), (draft_child.pk, None, "Org asset")]
        assert not rows[1].child.visible
    assert derivation_requests_for_user(user=people["carol"]) == []
    assert derivation_requests_for_user(user=AnonymousUser()) == []


def test_a_link_is_found_by_the_managers_of_either_asset_only(people, requests):
    parent, public_child, _draft_child = requests
    pending = Derivation.objects.get(child=public_child)
    for person in ("alice", "bob", "carol"):
        assert derivation_get_for_user(derivation_id=pending.pk, user=people[person]) == pending
    for viewer in (people["dave"], AnonymousUser()):
        with pytest.raises(NotFound):
            derivation_get_for_user(derivation_id=pending.pk, user=viewer)
    with pytest.raises(NotFound):
        derivation_get_for_user(derivation_id=pending.pk + 100, user=people["alice"])
