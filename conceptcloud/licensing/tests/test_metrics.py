"""The dashboard's reads (licensing/metrics.py) over records made through the real
services: who may look, the portfolio, the pipeline board, each yearly metric to the
unit, the year check, and the CSV rows.

The services stamp deals and assets with the present; where a test needs an earlier
year it moves those stamps back (`moved_back`), as no clock can be turned back here.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, replace

import pytest
from django.utils import timezone

from conceptcloud.accounts.services import invitation_accept, invitation_create, user_set_active, user_set_operator
from conceptcloud.core.errors import InvalidInput, NotFound
from conceptcloud.licensing import metrics
from conceptcloud.licensing.models import Deal, Stage
from conceptcloud.licensing.services import (
    deal_move,
    inquiry_create,
    offer_accept,
    offer_create,
    offer_template,
)
from conceptcloud.payouts.services import revenue_record, revenue_refund
from conceptcloud.registry.models import Asset

pytestmark = pytest.mark.django_db

THIS_YEAR = timezone.localdate().year
LAST_YEAR = THIS_YEAR - 1


# ---------------------------------------------------------------- building the records


def join(admin, organisation, user, role: str = "member") -> None:
    """`user` joins `organisation` by an invitation from its admin."""
    invitation, _secret = invitation_create(
        actor=admin, organisation=organisation, email=user.email, role=role, accept_url_base="https://cc.test/i/"
    )
    invitation_accept(actor=user, invitation=invitation)


def offer(actor, asset, template: str, **terms):
    data = replace(offer_template(template=template, asset=asset), **terms)
    return offer_create(actor=actor, asset=asset, data=data)


def moved_back(row, **stamps) -> None:
    """Set timestamps the services wrote to an earlier moment (see the module docstring)."""
    type(row).objects.filter(pk=row.pk).update(**stamps)
    for name, value in stamps.items():
        setattr(row, name, value)


def walk(actor, deal, *stages) -> Deal:
    for stage in stages:
        deal = deal_move(actor=actor, deal=deal, stage=stage)
    return deal


def earn(actor, asset, amount: int, currency: str, *, when: datetime.date, key: str, deal=None):
    event, _created = revenue_record(
        actor=actor,
        asset=asset,
        amount=amount,
        currency=currency,
        date=when,
        idempotency_key=key,
        source="deal" if deal is not None else "manual",
        deal_id=deal.pk if deal is not None else None,
    )
    return event


@dataclass
class World:
    tina: object  # admin of Kyoto TLO
    mark: object  # member of Kyoto TLO
    olga: object  # signed in, another organisation
    cora: object  # buys for Acme (a company)
    sam: object  # founder of Spark (a startup)
    dana: object  # an individual
    eve: object  # another buyer, last year
    tlo: object
    acme: object
    spark: object
    gear: Asset
    sensor: Asset
    draft_idea: Asset
    song: Asset
    lamp: Asset  # registered last year
    own: Asset  # tina's, in her own name
    foreign: Asset  # Acme's
    express: object
    evaluation: object
    startup: object
    cora_licence: Deal
    sam_option: Deal
    spark_licence: Deal
    dana_inquiry: Deal
    eve_licence: Deal  # signed last year, terminated this year
    lapsed_inquiry: Deal


def build_world(make_user, make_org, make_asset) -> World:
    """A TLO with a small portfolio, its offers, deals in several stages, and revenue.

    This year: 3 disclosures (gear, sensor, draft idea; the song is a work), licences
    executed 2 (Acme's express licence, Spark's startup licence), options 1 (Sam's
    evaluation licence), 1 startup (Spark), income 150000 JPY (120000 from Acme's deal,
    40000 manual less a 10000 refund); active at the end: 2 licences, 1 option.
    Last year: 1 disclosure (the lamp), 1 licence executed (Eve's, terminated this
    year), income 12.34 USD; active at its end: 1 licence.
    """
    tina, mark, olga = make_user("tina"), make_user("mark"), make_user("olga")
    cora, sam, dana, eve = make_user("cora"), make_user("sam"), make_user("dana"), make_user("eve")
    tlo = make_org(tina, "Kyoto TLO", kind="tlo")
    join(tina, tlo, mark)
    make_org(olga, "Olga Labs", kind="company")
    acme = make_org(cora, "Acme", kind="company")
    spark = make_org(sam, "Spark", kind="startup")

    gear = make_asset(tina, tlo, title="Gear bearing drive", availability=["licence", "collaboration"])
    sensor = make_asset(tina, tlo, "confidential", kind="patent", title="Soil moisture sensor")
    draft_idea = make_asset(tina, tlo, kind="idea", title="Folding bridge", publish=False)
    song = make_asset(tina, tlo, kind="work", title="Campus song")
    lamp = make_asset(tina, tlo, title="Solar lamp")
    moved_back(lamp, created_at=timezone.make_aware(datetime.datetime(LAST_YEAR, 6, 1)))
    own = make_asset(tina, title="Tina's own bicycle gear")
    foreign = make_asset(cora, acme, title="Acme press")

    express = offer(tina, gear, "express", currency="JPY")
    evaluation = offer(tina, gear, "evaluation", currency="JPY", upfront_fee=50000)
    startup = offer(tina, sensor, "startup", currency="JPY")

    cora_licence = offer_accept(actor=cora, offer=express, organisation="acme")
    sam_option = offer_accept(actor=sam, offer=evaluation)
    spark_inquiry = inquiry_create(
        actor=sam, asset=sensor, message="For our startup.", offer=startup, organisation="spark"
    )
    spark_licence = walk(tina, spark_inquiry, Stage.NEGOTIATION, Stage.SIGNED, Stage.ACTIVE)
    dana_inquiry = inquiry_create(actor=dana, asset=gear, message="Could we talk?")
    lapsed = inquiry_create(actor=olga, asset=gear, message="Interested.")
    lapsed_inquiry = walk(tina, lapsed, Stage.TERMINATED)

    eve_licence = offer_accept(actor=eve, offer=express)
    last_june = timezone.make_aware(datetime.datetime(LAST_YEAR, 6, 15))
    moved_back(eve_licence, created_at=last_june, signed_at=last_june, stage_changed_at=last_june)
    eve_licence = walk(tina, eve_licence, Stage.TERMINATED)

    today = timezone.localdate()
    earn(tina, gear, 120000, "JPY", when=today, key="acme-1", deal=cora_licence)
    manual = earn(mark, sensor, 40000, "JPY", when=today, key="sale-1")
    revenue_refund(actor=tina, event=manual, amount=10000, date=today, idempotency_key="sale-1-refund")
    earn(tina, gear, 1234, "USD", when=datetime.date(LAST_YEAR, 3, 1), key="old-usd")
    earn(cora, foreign, 999, "JPY", when=today, key="acme-own")
    earn(tina, own, 500, "JPY", when=today, key="tina-own")

    return World(
        tina=tina,
        mark=mark,
        olga=olga,
        cora=cora,
        sam=sam,
        dana=dana,
        eve=eve,
        tlo=tlo,
        acme=acme,
        spark=spark,
        gear=gear,
        sensor=sensor,
        draft_idea=draft_idea,
        song=song,
        lamp=lamp,
        own=own,
        foreign=foreign,
        express=express,
        evaluation=evaluation,
        startup=startup,
        cora_licence=cora_licence,
        sam_option=sam_option,
        spark_licence=spark_licence,
        dana_inquiry=dana_inquiry,
        eve_licence=eve_licence,
        lapsed_inquiry=lapsed_inquiry,
    )


@pytest.fixture
def world(make_user, make_org, make_asset) -> World:
    return build_world(make_user, make_org, make_asset)


def org_owner(world: World) -> metrics.DashboardOwner:
    return metrics.dashboard_owner_for_organisation(slug="kyoto-tlo", user=world.tina)


def by_year(owner, years) -> dict[int, metrics.YearMetrics]:
    return {row.year: row for row in metrics.metrics_for_owner(owner=owner, years=years)}


# ---------------------------------------------------------------- who may look


def test_admins_and_members_of_the_organisation_get_its_dashboard(world):
    for person in (world.tina, world.mark):
        owner = metrics.dashboard_owner_for_organisation(slug=world.tlo.slug, user=person)
        assert owner.organisation == world.tlo and owner.name == "Kyoto TLO"


def test_everyone_else_gets_the_not_found_of_an_absent_organisation(world, make_user):
    from django.contrib.auth.models import AnonymousUser

    operator = make_user("operator")
    user_set_operator(actor=None, user=operator, operator=True)
    user_set_active(actor=operator, user=world.mark, active=False)
    for person in (world.olga, world.cora, world.sam, AnonymousUser(), None, operator, world.mark):
        with pytest.raises(NotFound) as refused:
            metrics.dashboard_owner_for_organisation(slug=world.tlo.slug, user=person)
        with pytest.raises(NotFound) as absent:
            metrics.dashboard_owner_for_organisation(slug="no-such-org", user=person)
        assert refused.value.message == absent.value.message


# ---------------------------------------------------------------- portfolio


def test_the_portfolio_lists_every_asset_of_the_organisation_with_offers_and_deals(world):
    rows = {row.asset.title: row for row in metrics.portfolio_for_owner(owner=org_owner(world))}
    assert set(rows) == {"Gear bearing drive", "Soil moisture sensor", "Folding bridge", "Campus song", "Solar lamp"}
    gear = rows["Gear bearing drive"]
    assert gear.asset.availability == ["licence", "collaboration"] and gear.asset.status == "published"
    assert [o.template for o in gear.open_offers] == ["evaluation", "express"]  # newest first
    assert gear.open_deals == 1  # Dana's inquiry; Olga's was terminated
    assert gear.licences == 2  # Acme's licence and Sam's evaluation; Eve's was terminated
    sensor = rows["Soil moisture sensor"]
    assert [o.template for o in sensor.open_offers] == ["startup"]
    assert (sensor.open_deals, sensor.licences) == (0, 1)
    draft = rows["Folding bridge"]
    assert draft.asset.status == "draft" and draft.open_offers == [] and (draft.open_deals, draft.licences) == (0, 0)


# ---------------------------------------------------------------- pipeline


def test_the_pipeline_board_has_every_stage_in_order_with_its_deals(world):
    columns = metrics.pipeline_for_owner(owner=org_owner(world))
    assert [c.stage for c in columns] == [
        "inquiry",
        "nda",
        "evaluation",
        "negotiation",
        "signed",
        "active",
        "closed",
        "terminated",
    ]
    board = {c.stage: c for c in columns}
    assert [d.pk for d in board["inquiry"].deals] == [world.dana_inquiry.pk]
    assert {d.pk for d in board["active"].deals} == {world.cora_licence.pk, world.sam_option.pk, world.spark_licence.pk}
    assert board["active"].count == 3
    assert [d.pk for d in board["terminated"].deals] == [world.eve_licence.pk, world.lapsed_inquiry.pk]
    assert board["nda"].count == 0 and board["nda"].deals == []
    assert board["active"].label == "Active"
    # Deals on other owners' assets are not on the board.
    assert sum(c.count for c in columns) == 6


def test_each_stage_shows_its_most_recently_moved_deals_and_counts_them_all(world):
    active = {c.stage: c for c in metrics.pipeline_for_owner(owner=org_owner(world), per_stage=2)}["active"]
    assert active.count == 3 and len(active.deals) == 2
    assert active.deals[0].stage_changed_at >= active.deals[1].stage_changed_at


# ---------------------------------------------------------------- yearly metrics


def test_this_years_metrics_are_counted_from_the_records(world):
    row = by_year(org_owner(world), [THIS_YEAR])[THIS_YEAR]
    assert row.disclosures == 3  # gear, sensor, the draft idea; not the song (a work) nor the lamp (last year)
    assert row.licences_executed == 2  # Acme's express licence, Spark's startup licence
    assert row.options_executed == 1  # Sam's evaluation licence
    assert row.startups_formed == 1  # Spark
    assert row.income == {"JPY": 150000}  # 120000 + 40000 − 10000; not Acme's own asset, not Tina's own
    assert row.deal_income == {"JPY": 120000}
    assert row.active_licences == 2 and row.active_options == 1


def test_last_years_metrics_keep_what_was_executed_then_even_if_it_ended_since(world):
    row = by_year(org_owner(world), [LAST_YEAR, THIS_YEAR])[LAST_YEAR]
    assert row.disclosures == 1  # the lamp
    assert row.licences_executed == 1 and row.options_executed == 0  # Eve's, terminated this year
    assert row.active_licences == 1  # in force on 31 December
    assert row.income == {"USD": 1234} and row.deal_income == {}
    assert row.startups_formed == 0


def test_a_licence_ended_before_the_year_end_is_not_active_at_it(world):
    closed = walk(world.tina, world.cora_licence, Stage.CLOSED)
    row = by_year(org_owner(world), [THIS_YEAR])[THIS_YEAR]
    assert closed.ended_at is not None
    assert row.licences_executed == 2  # still executed this year
    assert row.active_licences == 1  # Spark's only


def test_a_withdrawn_disclosure_still_counts_but_one_the_operator_withdrew_does_not(world, make_user):
    from conceptcloud.registry.services import asset_set_status

    asset_set_status(actor=world.tina, asset=world.sensor, status="withdrawn")
    assert by_year(org_owner(world), [THIS_YEAR])[THIS_YEAR].disclosures == 3
    operator = make_user("operator")
    user_set_operator(actor=None, user=operator, operator=True)
    asset_set_status(actor=operator, asset=world.gear, status="withdrawn")
    assert by_year(org_owner(world), [THIS_YEAR])[THIS_YEAR].disclosures == 2


def test_a_startup_is_counted_once_in_the_year_of_its_first_startup_deal(world):
    # Spark takes a second licence, an express one: a startup's deal, but Spark is counted already.
    offer_accept(actor=world.sam, offer=world.express, organisation="spark")
    row = by_year(org_owner(world), [THIS_YEAR])[THIS_YEAR]
    assert row.startups_formed == 1 and row.licences_executed == 3
    # Moving Spark's first licence back a year counts Spark in that year instead.
    year_ago = timezone.make_aware(datetime.datetime(LAST_YEAR, 9, 1))
    moved_back(world.spark_licence, signed_at=year_ago)
    rows = by_year(org_owner(world), [LAST_YEAR, THIS_YEAR])
    assert (rows[LAST_YEAR].startups_formed, rows[THIS_YEAR].startups_formed) == (1, 0)


def test_a_person_signing_a_startup_licence_in_their_own_name_is_a_startup(world, make_user):
    founder = make_user("fay")
    deal = inquiry_create(actor=founder, asset=world.sensor, message="A company to come.", offer=world.startup)
    walk(world.tina, deal, Stage.NEGOTIATION, Stage.SIGNED)
    row = by_year(org_owner(world), [THIS_YEAR])[THIS_YEAR]
    assert row.startups_formed == 2 and row.licences_executed == 3 and row.active_licences == 3


def test_deals_not_signed_are_not_executed(world):
    row = by_year(org_owner(world), [THIS_YEAR])[THIS_YEAR]
    walk(world.tina, world.dana_inquiry, Stage.NEGOTIATION)
    assert by_year(org_owner(world), [THIS_YEAR])[THIS_YEAR] == row


def test_a_persons_dashboard_covers_the_assets_they_own_in_their_own_name(world):
    owner = metrics.dashboard_owner_for_person(user=world.tina)
    assert [row.asset.title for row in metrics.portfolio_for_owner(owner=owner)] == ["Tina's own bicycle gear"]
    row = by_year(owner, [THIS_YEAR])[THIS_YEAR]
    assert (row.disclosures, row.licences_executed, row.income) == (1, 0, {"JPY": 500})
    assert sum(c.count for c in metrics.pipeline_for_owner(owner=owner)) == 0


def test_an_owner_without_records_has_zeros(make_user, make_org):
    admin = make_user("nina")
    make_org(admin, "Empty University")
    owner = metrics.dashboard_owner_for_organisation(slug="empty-university", user=admin)
    rows = metrics.metrics_for_owner(owner=owner, years=metrics.metrics_years(year=THIS_YEAR))
    assert [row.year for row in rows] == list(range(THIS_YEAR - 4, THIS_YEAR + 1))
    assert all(row == metrics.YearMetrics(year=row.year) for row in rows)
    assert metrics.portfolio_for_owner(owner=owner) == []


# ---------------------------------------------------------------- the year


@pytest.mark.parametrize("value", ["", None])
def test_no_year_means_this_year(value):
    assert metrics.metrics_year_check(value=value) == THIS_YEAR


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("twenty", "Enter a year as four digits"),
        ("2026.0", "Enter a year as four digits"),
        ("-2020", "Enter a year as four digits"),
        ("１９９９", "Enter a year as four digits"),
        ("99", "Enter a year as four digits"),
        ("1979", "Choose a year from 1980 to"),
        (str(THIS_YEAR + 1), "Choose a year from 1980 to"),
    ],
)
def test_a_year_that_is_not_one_or_out_of_range_is_refused_under_year(value, message):
    with pytest.raises(InvalidInput) as refused:
        metrics.metrics_year_check(value=value)
    assert list(refused.value.errors) == ["year"] and refused.value.errors["year"][0].startswith(message)


def test_the_years_compared_are_the_chosen_one_and_the_four_before_it():
    assert metrics.metrics_years(year=2024) == [2020, 2021, 2022, 2023, 2024]
    assert metrics.metrics_years(year=1981) == [1980, 1981]
    assert metrics.metrics_year_choices()[0] == THIS_YEAR and metrics.metrics_year_choices()[-1] == 1980


# ---------------------------------------------------------------- CSV


def test_the_csv_rows_hold_the_same_numbers_with_income_in_major_units(world):
    rows = metrics.metrics_csv_rows(
        metrics=metrics.metrics_for_owner(owner=org_owner(world), years=[LAST_YEAR, THIS_YEAR])
    )
    assert rows == [
        [
            "year",
            "invention_disclosures",
            "licences_executed",
            "options_executed",
            "startups_formed",
            "active_licences_at_year_end",
            "active_options_at_year_end",
            "licence_income_JPY",
            "licence_income_USD",
        ],
        [str(LAST_YEAR), "1", "1", "0", "0", "1", "0", "0", "12.34"],
        [str(THIS_YEAR), "3", "2", "1", "1", "2", "1", "150000", "0.00"],
    ]
    text = metrics.metrics_csv(metrics=metrics.metrics_for_owner(owner=org_owner(world), years=[THIS_YEAR]))
    assert text == (
        "year,invention_disclosures,licences_executed,options_executed,startups_formed,"
        "active_licences_at_year_end,active_options_at_year_end,licence_income_JPY\r\n"
        f"{THIS_YEAR},3,2,1,1,2,1,150000\r\n"
    )
