"""The demo's lineage: terms, a three-generation chain, combinations, a pending
approval and shared contributions, written on top of the registry demo, idempotently."""

import pytest

from conceptcloud.accounts.models import User
from conceptcloud.history.selectors import log_size
from conceptcloud.lineage.demo import demo_lineage_load
from conceptcloud.lineage.selectors import (
    contributions_for_asset,
    derivation_requests_for_user,
    lineage_graph_for_user,
    terms_for_asset,
)
from conceptcloud.registry.demo import demo_load
from conceptcloud.registry.models import Asset


def asset(reference: str) -> Asset:
    return Asset.objects.get(reference=reference)


def user(username: str) -> User:
    return User.objects.get(username=username)


@pytest.mark.django_db
def test_the_third_generation_asset_goes_back_through_two_lines_to_nasas_gear_bearings():
    demo_load(limit=2)  # GSC-TOPS-12 is the second NASA technology
    report = demo_lineage_load()
    assert (report.created["terms"], report.created["links"], report.created["derivatives"]) == (3, 1, 3)
    assert not report.skipped and not report.refused

    runner = asset("DEMO-INV-004")
    graph = lineage_graph_for_user(asset_id=runner.pk, user=user("demo-inventor"))
    depth = {node.asset_id: node.depth for node in graph.nodes}
    assert depth == {
        runner.pk: 0,
        asset("DEMO-SME-002").pk: -1,
        asset("DEMO-INV-003").pk: -1,
        asset("DEMO-TLO-001").pk: -2,
        asset("GSC-TOPS-12").pk: -2,
    }
    assert graph.first_idea_id == asset("GSC-TOPS-12").pk  # registered before the hand-written records
    parents = {edge.parent_id: (edge.relation, edge.royalty_bp, edge.status) for edge in graph.edges if edge.child_id == runner.pk}
    assert parents == {
        asset("DEMO-SME-002").pk: ("combines", 500, "approved"),
        asset("DEMO-INV-003").pk: ("combines", 500, "approved"),
    }


@pytest.mark.django_db
def test_without_the_nasa_record_the_link_to_it_is_skipped_and_the_bamboo_cnf_is_the_first_idea():
    demo_load(limit=1)
    report = demo_lineage_load()
    assert report.skipped == ["DEMO-INV-003 → GSC-TOPS-12"]
    assert report.created["derivatives"] == 3
    graph = lineage_graph_for_user(asset_id=asset("DEMO-INV-004").pk, user=user("demo-inventor"))
    assert len(graph.nodes) == 4
    assert graph.first_idea_id == asset("DEMO-TLO-001").pk
    assert "Skipped for want of the assets they build on: DEMO-INV-003 → GSC-TOPS-12" in report.summary()


@pytest.mark.django_db
def test_the_combination_of_the_micro_hole_drilling_waits_on_demo_companys_dashboard():
    demo_load(limit=0)
    report = demo_lineage_load()
    assert report.pending == 1 and "1 link waits for approval" in report.summary()

    requests = derivation_requests_for_user(user=user("demo-company"))
    assert [(r.child.asset_id, r.parent.asset_id) for r in requests] == [
        (asset("DEMO-TLO-004").pk, asset("DEMO-SME-001").pk)
    ]
    assert (requests[0].derivation.royalty_bp, requests[0].derivation.relation) == (1000, "combines")
    assert derivation_requests_for_user(user=user("demo-tlo")) == []
    terms = terms_for_asset(asset=asset("DEMO-SME-001"))
    assert (terms.derivative_royalty_bp, terms.derivatives_need_approval) == (1000, True)


@pytest.mark.django_db
def test_the_runner_has_three_contributors_whose_shares_make_one_hundred_percent():
    demo_load(limit=0)
    demo_lineage_load()
    rows = contributions_for_asset(asset=asset("DEMO-INV-004"))
    assert [(r.user.username, r.role, r.share_bp) for r in rows] == [
        ("demo-inventor", "combiner", 6000),
        ("demo-company", "implementer", 3000),
        ("demo-tlo", "reviewer", 1000),
    ]
    assert sum(r.share_bp for r in rows) == 10000 and not any(r.implicit for r in rows)


@pytest.mark.django_db
def test_a_second_run_adds_no_entries_and_reports_everything_as_already_there():
    demo_load(limit=2)
    demo_lineage_load()
    entries = log_size()
    second = demo_lineage_load()
    assert log_size() == entries
    assert sum(second.created.values()) == 0 and second.pending == 0
    assert sum(second.present.values()) == 3 + 1 + 3
    assert "created nothing new" in second.summary()


@pytest.mark.django_db
def test_terms_a_visitor_changed_are_left_as_they_are():
    from conceptcloud.lineage.services import terms_set

    demo_load(limit=0)
    demo_lineage_load()
    terms_set(
        actor=user("demo-tlo"), asset=asset("DEMO-TLO-001"), derivative_royalty_bp=0,
        derivatives_need_approval=True, share_changes_need="contributors",
    )
    entries = log_size()
    demo_lineage_load()
    assert log_size() == entries
    assert terms_for_asset(asset=asset("DEMO-TLO-001")).derivative_royalty_bp == 0


@pytest.mark.django_db
def test_without_the_registry_demo_everything_is_skipped_and_nothing_written():
    report = demo_lineage_load()
    assert log_size() == 0
    assert sum(report.created.values()) == 0 and len(report.skipped) == 3 + 1 + 3
