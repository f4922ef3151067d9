"""Payouts selectors: the ancestor graph as the allocation takes it, who may read
which statement and revenue, and statements whose every line explains its path."""

from __future__ import annotations

import pytest
from django.utils import translation

from conceptcloud.accounts.models import Membership
from conceptcloud.core.errors import NotFound
from conceptcloud.lineage.models import Derivation
from conceptcloud.lineage.services import asset_build_on, terms_set
from conceptcloud.payouts import selectors
from conceptcloud.payouts.explain import explanation_text, statement_csv_rows
from conceptcloud.payouts.services import payout_record, revenue_record, revenue_refund
from conceptcloud.payouts.tests.conftest import TODAY, asset_data
from conceptcloud.registry.services import asset_set_status


def record(lineage, amount=10000, key="k1"):
    return revenue_record(
        actor=lineage.people["erin"], asset=lineage.e, amount=amount, currency="EUR", date=TODAY, idempotency_key=key
    )[0]


# The ancestor graph ------------------------------------------------------------------


def test_the_graph_holds_every_approved_ancestor_with_royalties_and_recipients(lineage):
    graph = selectors.ancestor_graph(asset_id=lineage.e.pk)
    p, x = lineage.people, lineage
    assert dict(graph.parents) == {
        x.e.pk: [(x.d.pk, 5000)],
        x.d.pk: sorted([(x.b.pk, 1000), (x.c.pk, 3000)]),
        x.b.pk: [(x.a.pk, 2000)],
        x.c.pk: [(x.a.pk, 2000)],
    }
    assert dict(graph.contributors) == {
        x.e.pk: [(f"user:{p['erin'].pk}", 10000)],
        x.d.pk: [(f"user:{p['dave'].pk}", 10000)],
        x.b.pk: sorted([(f"user:{p['bob'].pk}", 6000), (f"user:{p['frank'].pk}", 4000)]),
        x.c.pk: [(f"user:{p['carol'].pk}", 10000)],
        x.a.pk: [(f"org:{x.tlo.pk}", 10000)],
    }


def test_the_graph_of_an_ancestor_holds_nothing_below_it(lineage):
    graph = selectors.ancestor_graph(asset_id=lineage.b.pk)
    assert set(graph.contributors) == {lineage.b.pk, lineage.a.pk}


def test_pending_links_are_left_out_of_the_graph(people, make_asset):
    parent = make_asset(people["alice"], title="Parent")
    terms_set(
        actor=people["alice"],
        asset=parent,
        derivative_royalty_bp=100,
        derivatives_need_approval=True,
        share_changes_need="owner",
    )
    child = asset_build_on(actor=people["bob"], parent_ids=[parent.pk], data=asset_data("Child"))
    assert Derivation.objects.get(child=child).status == "pending"
    assert dict(selectors.ancestor_graph(asset_id=child.pk).parents) == {}


def test_a_long_chain_is_read_in_one_statement(people, make_asset, django_assert_num_queries):
    alice = people["alice"]
    chain = [make_asset(alice, title="Root")]
    for n in range(30):
        terms_set(
            actor=alice,
            asset=chain[-1],
            derivative_royalty_bp=1000,
            derivatives_need_approval=False,
            share_changes_need="owner",
        )
        chain.append(asset_build_on(actor=alice, parent_ids=[chain[-1].pk], data=asset_data(f"Step {n}")))
    with django_assert_num_queries(1):
        graph = selectors.ancestor_graph(asset_id=chain[-1].pk)
    assert len(graph.contributors) == 31


# Who reads what ------------------------------------------------------------------------


@pytest.fixture
def operator(make_user):
    user = make_user("operator")
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    return user


def test_each_person_reads_their_own_statement_only(lineage, operator):
    frank, mallory = lineage.people["frank"], lineage.people["mallory"]
    assert selectors.statement_owner_get_for_user(account="me", user=frank).key == lineage.key("frank")
    assert selectors.statement_owner_get_for_user(account="user:frank", user=frank).param == "me"
    with pytest.raises(NotFound):
        selectors.statement_owner_get_for_user(account="user:frank", user=mallory)
    seen_by_operator = selectors.statement_owner_get_for_user(account="user:frank", user=operator)
    assert (seen_by_operator.key, seen_by_operator.may_pay_out) == (lineage.key("frank"), True)
    assert not selectors.statement_owner_get_for_user(account="me", user=frank).may_pay_out


def test_an_organisations_statement_is_for_its_admins_and_the_operator(lineage, operator):
    alice, mallory = lineage.people["alice"], lineage.people["mallory"]
    Membership.objects.create(user=mallory, organisation=lineage.tlo, role=Membership.Role.MEMBER)
    account = f"org:{lineage.tlo.slug}"
    owner = selectors.statement_owner_get_for_user(account=account, user=alice)
    assert (owner.key, owner.may_pay_out, owner.label) == (lineage.key("tlo"), True, "Kansai TLO")
    assert selectors.statement_owner_get_for_user(account=account, user=operator).may_pay_out
    for bad in (account, "org:nowhere", "bank:1", "user:", "me:x"):
        with pytest.raises(NotFound):
            selectors.statement_owner_get_for_user(account=bad, user=mallory)
    assert [o.param for o in selectors.statement_owners_for_user(user=alice)] == ["me", account]
    assert [o.param for o in selectors.statement_owners_for_user(user=mallory)] == ["me"]


def test_revenue_reaches_only_the_assets_managers(lineage):
    event = record(lineage)
    assert selectors.revenue_event_get_for_user(asset_id=lineage.e.pk, event_id=event.pk, user=lineage.people["erin"])
    for user, asset in ((lineage.people["dave"], lineage.e), (lineage.people["erin"], lineage.d)):
        with pytest.raises(NotFound):
            selectors.revenue_event_get_for_user(asset_id=asset.pk, event_id=event.pk, user=user)


# Statements ----------------------------------------------------------------------------------


def test_a_statement_explains_each_line_through_the_diamond_and_three_generations(lineage):
    record(lineage)
    with translation.override("en"):
        frank = selectors.statement_for_user(
            owner=selectors.statement_owner_get_for_user(account="me", user=lineage.people["frank"]),
            user=lineage.people["frank"],
        )
        assert frank.balances == {"EUR": 160}
        [line] = list(frank.lines)
        assert (line.kind, line.amount, line.earning_asset.title) == ("revenue", 160, "Village water kit")
        [why] = line.explanations
        assert (why.asset.asset_id, why.percent, why.share_bp, why.kept_bp, why.direct) == (
            lineage.b.pk,
            "5",
            4000,
            8000,
            False,
        )
        assert explanation_text(why, earning=line.earning_asset) == (
            f"Your share 40% of “Solar still, folding” (#{lineage.b.pk}) (its contributors keep 80%), which "
            f"received 5% of this revenue along “Village water kit” (#{lineage.e.pk}) → 50% to “Folding ceramic "
            f"still” (#{lineage.d.pk}) → 10% to “Solar still, folding” (#{lineage.b.pk})."
        )
        assert explanation_text(why, earning=line.earning_asset, own=False).startswith(
            f"A share of 40% of “Solar still, folding” (#{lineage.b.pk})"
        )

        alice = lineage.people["alice"]
        tlo = selectors.statement_for_user(
            owner=selectors.statement_owner_get_for_user(account=f"org:{lineage.tlo.slug}", user=alice), user=alice
        )
        [line] = list(tlo.lines)
        [why] = line.explanations
        assert (line.amount, why.percent, why.paths, [hop.royalty_bp for hop in why.path]) == (
            400,
            "4",
            2,
            [5000, 3000, 2000],
        )
        assert explanation_text(why, earning=line.earning_asset).endswith("2 paths lead there; the heaviest is shown.")

        erin = selectors.statement_for_user(
            owner=selectors.statement_owner_get_for_user(account="me", user=lineage.people["erin"]),
            user=lineage.people["erin"],
        )
        [why] = erin.lines[0].explanations
        assert why.direct and explanation_text(why, earning=erin.lines[0].earning_asset) == (
            f"Your share 100% of “Village water kit” (#{lineage.e.pk}), whose contributors keep 50% of its revenue."
        )


def test_an_asset_the_reader_may_not_see_is_named_by_number_only(lineage):
    record(lineage)
    asset_set_status(actor=lineage.people["dave"], asset=lineage.d, status="withdrawn")
    frank = lineage.people["frank"]
    statement = selectors.statement_for_user(
        owner=selectors.statement_owner_get_for_user(account="me", user=frank), user=frank
    )
    [why] = statement.lines[0].explanations
    hidden = why.path[0].asset
    assert (hidden.asset_id, hidden.title, hidden.visible) == (lineage.d.pk, None, False)
    with translation.override("en"):
        text = explanation_text(why, earning=statement.lines[0].earning_asset)
    assert f"an asset you cannot see (#{lineage.d.pk})" in text and "Folding ceramic" not in text


def test_statement_lines_come_newest_first_with_refunds_and_payouts(lineage, operator):
    event = record(lineage)
    revenue_refund(actor=lineage.people["erin"], event=event, amount=1000, date=TODAY, idempotency_key="r")
    payout_record(
        actor=operator,
        account_key=lineage.key("dave"),
        amount=100,
        currency="EUR",
        idempotency_key="p",
        reference="=HYPERLINK(1)",
    )
    dave = lineage.people["dave"]
    statement = selectors.statement_for_user(
        owner=selectors.statement_owner_get_for_user(account="me", user=dave), user=dave
    )
    assert [(line.kind, line.amount) for line in statement.lines] == [
        ("payout", -100),
        ("refund", -300),
        ("revenue", 3000),
    ]
    assert statement.balances == {"EUR": 2600} and len(statement.lines) == 3
    assert statement.lines[1].explanations == statement.lines[2].explanations
    rows = list(statement_csv_rows(statement.lines))
    assert rows[0][:6] == ["line", "date", "kind", "amount", "currency", "amount_minor_units"]
    assert [row[2:6] for row in rows[1:]] == [
        ["payout", "-1.00", "EUR", "-100"],
        ["refund", "-3.00", "EUR", "-300"],
        ["revenue", "30.00", "EUR", "3000"],
    ]
    assert rows[1][9] == "'=HYPERLINK(1)"


def test_an_events_lines_show_what_remains_after_refunds(lineage):
    event = record(lineage)
    revenue_refund(actor=lineage.people["erin"], event=event, amount=5000, date=TODAY, idempotency_key="r")
    lines = selectors.event_lines(event=event, user=lineage.people["erin"])
    assert [(line.recipient, line.amount, line.remaining) for line in lines] == [
        ("Erin", 5000, 2500),
        ("Dave", 3000, 1500),
        ("Carol", 1200, 600),
        ("Kansai TLO", 400, 200),
        ("Bob", 240, 120),
        ("Frank", 160, 80),
    ]
    assert selectors.refundable(event=event) == 5000


def test_a_long_path_is_shown_by_its_ends(people, make_asset):
    alice, bob = people["alice"], people["bob"]
    chain = [make_asset(alice, title="Root")]
    for n in range(1, 11):
        terms_set(
            actor=chain[-1].owner_user,
            asset=chain[-1],
            derivative_royalty_bp=5000,
            derivatives_need_approval=False,
            share_changes_need="owner",
        )
        chain.append(asset_build_on(actor=bob if n % 2 else alice, parent_ids=[chain[-1].pk], data=asset_data(f"G{n}")))
    revenue_record(
        actor=chain[-1].owner_user, asset=chain[-1], amount=2**20, currency="JPY", date=TODAY, idempotency_key="k"
    )
    statement = selectors.statement_for_user(
        owner=selectors.statement_owner_get_for_user(account="me", user=alice), user=alice
    )
    [line] = list(statement.lines)
    assert [e.asset.asset_id for e in line.explanations] == [a.pk for a in chain[10::-2]]
    why = line.explanations[-1]
    assert (why.path_length, len(why.path), why.percent) == (10, 6, "0.0976563")
    assert [hop.asset.asset_id for hop in why.path] == [a.pk for a in (*chain[9:6:-1], *chain[2::-1])]
    with translation.override("en"):
        text = explanation_text(why, earning=line.earning_asset)
    assert "→ … 4 more links … → 50% to “G2”" in text
    assert text.endswith(f"→ 50% to “Root” (#{chain[0].pk}).")


def test_the_revenue_link_shows_only_to_the_assets_managers(lineage):
    from django.template import Context, Template
    from django.test import RequestFactory

    from conceptcloud.registry.selectors import asset_get_for_user

    template = Template("{% load payouts %}{% revenue_link view %}")
    for user, shown in ((lineage.people["erin"], True), (lineage.people["mallory"], False)):
        view = asset_get_for_user(asset_id=lineage.e.pk, user=user)
        html = template.render(Context({"view": view, "request": RequestFactory().get("/")}))
        assert (f"/assets/{lineage.e.pk}/revenue/" in html) is shown


def test_a_line_names_the_fifty_nearest_assets_and_counts_the_rest(people, make_asset):
    alice = people["alice"]
    chain = [make_asset(alice, title="Root")]
    for n in range(1, 53):
        terms_set(
            actor=alice,
            asset=chain[-1],
            derivative_royalty_bp=5000,
            derivatives_need_approval=False,
            share_changes_need="owner",
        )
        chain.append(asset_build_on(actor=alice, parent_ids=[chain[-1].pk], data=asset_data(f"G{n}")))
    revenue_record(actor=alice, asset=chain[-1], amount=2**53 - 1, currency="JPY", date=TODAY, idempotency_key="k")
    statement = selectors.statement_for_user(
        owner=selectors.statement_owner_get_for_user(account="me", user=alice), user=alice
    )
    [line] = list(statement.lines)
    assert line.amount == 2**53 - 1
    assert [e.asset.asset_id for e in line.explanations] == [a.pk for a in chain[:2:-1]]
    assert line.more_sources == 3
    with translation.override("en"):
        rows = list(statement_csv_rows(statement.lines))
    assert rows[1][10].endswith("It also came through 3 more assets further up the lineage.")
