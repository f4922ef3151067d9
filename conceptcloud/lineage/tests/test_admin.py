"""The operator's lineage screens list links, proposals, contributions and terms,
and change nothing."""

import pytest
from django.test import Client

from conceptcloud.lineage.models import Contribution, Derivation, LineageTerms, ShareProposal
from conceptcloud.lineage.services import ContributionData, contributions_propose, derivation_add, terms_set


@pytest.fixture
def operator_client(db):
    from conceptcloud.accounts.models import User

    operator = User.objects.create_superuser(username="operator", email="operator@example.org", password="x")
    client = Client()
    client.force_login(operator)
    return client


@pytest.fixture
def lineage(make_user, make_asset):
    alice, bob = make_user("alice"), make_user("bob")
    parent = make_asset(alice, title="Parent gear")
    child = make_asset(bob, title="Child gear")
    terms_set(actor=alice, asset=parent, derivative_royalty_bp=400, derivatives_need_approval=True,
              share_changes_need="owner")
    link = derivation_add(actor=bob, child=child, parent_id=parent.pk)
    contributions_propose(actor=bob, asset=child, contributions=[
        ContributionData(username="bob", role="improver", share_bp=9000),
        ContributionData(username="alice", role="reviewer", share_bp=1000)])
    return link


@pytest.mark.parametrize("model", ["derivation", "shareproposal", "contribution", "lineageterms"])
def test_each_lineage_screen_lists_its_rows(operator_client, lineage, model):
    page = operator_client.get(f"/admin/lineage/{model}/")
    assert page.status_code == 200 and "gear" in page.content.decode()


def test_the_screens_change_nothing(operator_client, lineage):
    before = [list(m.objects.values()) for m in (Derivation, ShareProposal, Contribution, LineageTerms)]
    assert operator_client.get("/admin/lineage/derivation/add/").status_code == 403
    operator_client.post(f"/admin/lineage/derivation/{lineage.pk}/change/", {"status": "approved"})
    operator_client.post(f"/admin/lineage/derivation/{lineage.pk}/delete/", {"post": "yes"})
    assert [list(m.objects.values()) for m in (Derivation, ShareProposal, Contribution, LineageTerms)] == before
    assert operator_client.get(f"/admin/lineage/derivation/{lineage.pk}/change/").status_code == 200
