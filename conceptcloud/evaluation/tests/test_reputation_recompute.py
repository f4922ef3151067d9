"""The reputation as the platform computes it: from the real rows, through the services."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from conceptcloud.evaluation import services
from conceptcloud.evaluation.models import AssetReputation, PersonReputation, ReputationRun
from conceptcloud.evaluation.selectors import asset_reputation_for_view, person_reputation_for_user
from conceptcloud.evaluation.tests.conftest import review_data
from conceptcloud.lineage.services import ContributionData, contributions_propose
from conceptcloud.registry.selectors import asset_get_for_user
from conceptcloud.registry.services import asset_set_status

User = get_user_model()


def _age(users, days: int) -> None:
    User.objects.filter(pk__in=[u.pk for u in users]).update(date_joined=timezone.now() - timedelta(days=days))


def test_a_ring_of_fresh_accounts_cannot_lift_an_asset_above_one_praised_by_established_people(
    make_user, make_asset, capsys
):
    """50 accounts joined yesterday each register an asset and praise all 49 others' and
    the target T1; 10 established, unrelated people (400 days, each with an asset of
    their own that nobody praises) praise T2 alone."""
    ring_owner = make_user("ring-owner")
    target = make_asset(ring_owner, title="T1 ring target")
    ring = [make_user(f"ring{n:02d}") for n in range(50)]
    ring_assets = [make_asset(person, title=f"Ring asset {n}") for n, person in enumerate(ring)]
    honest_owner = make_user("honest-owner")
    honest = make_asset(honest_owner, title="T2 honest asset")
    established = [make_user(f"expert{n}") for n in range(10)]
    for n, person in enumerate(established):
        make_asset(person, title=f"Expert work {n}")
    _age([honest_owner, ring_owner, *established], 400)
    _age(ring, 1)
    for person in ring:
        services.praise_give(actor=person, asset_id=target.pk)
        for asset in ring_assets:
            if asset.created_by_id != person.pk:
                services.praise_give(actor=person, asset_id=asset.pk)
    for person in established:
        services.praise_give(actor=person, asset_id=honest.pk)

    run = services.reputation_recompute()

    scores = dict(AssetReputation.objects.values_list("asset_id", "score"))
    ring_best = max(scores[a.pk] for a in ring_assets)
    with capsys.disabled():
        print(
            f"\nreputation: T2 (10 established) {scores[honest.pk]:.3f}, T1 (ring of 50) {scores[target.pk]:.3f}, "
            f"best ring asset {ring_best:.3f}; {run.endorsements} endorsements, {run.iterations} iterations"
        )
    assert scores[honest.pk] > scores[target.pk]
    assert scores[honest.pk] > ring_best
    discounted = AssetReputation.objects.get(asset=target).discounted
    assert discounted.get("burst", 0) >= 45  # the ring's praise arrived as a burst from new accounts


def test_recompute_stores_scores_percentiles_and_explanations(make_user, make_asset, lab, public_asset):
    inventor, helper, fan = make_user("inventor"), make_user("helper"), make_user("fan")
    _age([inventor, helper, fan, lab["admin"], lab["member"]], 200)
    improved = make_asset(inventor, title="Improved dryer")
    contributions_propose(
        actor=inventor,
        asset=improved,
        contributions=[
            ContributionData(username="inventor", role="originator", share_bp=7_000),
            ContributionData(username="helper", role="improver", share_bp=3_000),
        ],
    )
    services.praise_give(actor=fan, asset_id=improved.pk)
    services.review_write(actor=fan, asset_id=public_asset.pk, data=review_data(5))

    run = services.reputation_recompute()

    assert ReputationRun.objects.get() == run
    assert run.people == User.objects.count() and run.assets == 2 and run.endorsements == 2
    people = dict(PersonReputation.objects.values_list("user__username", "score"))
    assert people["inventor"] > people["helper"] > 0  # credit follows the shares
    row = PersonReputation.objects.get(user=inventor)
    assert 0 <= row.percentile <= 100
    assert any(item["kind"] == "credit" and item["source"] == ["asset", improved.pk] for item in row.explanation)
    view = asset_get_for_user(asset_id=improved.pk, user=fan)
    explained = asset_reputation_for_view(view=view, user=fan)
    assert "endorse" in [reason.kind for reason in explained.reasons] and explained.praise_weight == 1.0
    mine = person_reputation_for_user(person=inventor, user=fan)
    assert mine.reasons[0].asset == improved


def test_recompute_replaces_the_scores_so_undone_praise_stops_counting(make_user, make_asset):
    owner, fan = make_user("owner"), make_user("fan")
    _age([owner, fan], 200)
    asset = make_asset(owner, title="Water filter")
    other = make_asset(owner, title="Cooling box")
    services.praise_give(actor=fan, asset_id=asset.pk)
    services.reputation_recompute()
    praised = AssetReputation.objects.get(asset=asset).score
    assert praised > AssetReputation.objects.get(asset=other).score
    services.praise_withdraw(actor=fan, asset_id=asset.pk)
    services.reputation_recompute()
    assert AssetReputation.objects.get(asset=asset).score == pytest.approx(AssetReputation.objects.get(asset=other).score)
    assert AssetReputation.objects.count() == 2


def test_an_explanation_never_names_an_asset_the_viewer_cannot_see(make_user, make_asset, lab):
    fan = make_user("fan")
    _age([fan, lab["admin"], lab["member"]], 200)
    secret = make_asset(lab["admin"], org=lab["org"], visibility="confidential", title="Secret cell chemistry")
    services.praise_give(actor=fan, asset_id=secret.pk)
    services.reputation_recompute()
    outsider = make_user("outsider")
    creator = person_reputation_for_user(person=lab["admin"], user=outsider)
    titles = [reason.asset.title for reason in creator.reasons if reason.asset]
    assert titles == [] or "Secret cell chemistry" in titles  # the teaser title is public
    # A withdrawn asset is hidden from outsiders: it is no longer named.
    asset_set_status(actor=lab["admin"], asset=secret, status="withdrawn", reason="")
    creator = person_reputation_for_user(person=lab["admin"], user=outsider)
    assert all(reason.asset is None for reason in creator.reasons)
    assert any(reason.hidden for reason in creator.reasons)


def test_the_recompute_task_skips_when_a_later_run_has_finished(make_user, make_asset):
    from conceptcloud.evaluation.tasks import reputation_recompute

    owner = make_user("owner")
    make_asset(owner, title="Water filter")
    asked = timezone.now()
    services.reputation_recompute()
    reputation_recompute(requested_at=asked.isoformat())
    assert ReputationRun.objects.count() == 1  # the run after the request covered it
    reputation_recompute(requested_at=timezone.now().isoformat())
    assert ReputationRun.objects.count() == 2


def test_praise_reviews_and_lineage_changes_ask_for_a_recompute_after_their_commit(
    make_user, make_asset, django_capture_on_commit_callbacks
):
    owner, helper, fan = make_user("owner"), make_user("helper"), make_user("fan")
    asset = make_asset(owner, title="Water filter")
    with django_capture_on_commit_callbacks(execute=True):
        services.praise_give(actor=fan, asset_id=asset.pk)
    assert ReputationRun.objects.count() == 1
    assert AssetReputation.objects.get(asset=asset).praise_weight == 1.0  # a new account's praise counts (no burst)
    with django_capture_on_commit_callbacks(execute=True):
        contributions_propose(
            actor=owner,
            asset=asset,
            contributions=[
                ContributionData(username="owner", role="originator", share_bp=5_000),
                ContributionData(username="helper", role="improver", share_bp=5_000),
            ],
        )
    assert ReputationRun.objects.count() == 2
    assert PersonReputation.objects.get(user=helper).score > 0


def test_the_praise_of_a_suspended_person_stops_counting(make_user, make_asset):
    from conceptcloud.accounts.services import user_set_active, user_set_operator

    owner, fan, operator = make_user("owner"), make_user("fan"), make_user("operator")
    _age([owner, fan], 200)
    asset = make_asset(owner, title="Water filter")
    services.praise_give(actor=fan, asset_id=asset.pk)
    services.reputation_recompute()
    assert AssetReputation.objects.get(asset=asset).praise_weight == 1.0
    user_set_operator(actor=None, user=operator, operator=True)
    user_set_active(actor=operator, user=fan, active=False, reason="Spam")
    services.reputation_recompute()
    assert AssetReputation.objects.get(asset=asset).praise_weight == 0.0


def test_a_recompute_over_many_people_stores_every_row_and_its_explanation(make_user, make_asset):
    """More rows than one INSERT statement holds: PostgreSQL streams them with COPY
    (core.db.rows_insert), SQLite in several statements; both store what the ORM would."""
    owner = make_user("owner")
    asset = make_asset(owner, title="Water filter")
    User.objects.bulk_create(
        User(username=f"p{n:04d}", email=f"p{n:04d}@example.org", date_joined=timezone.now() - timedelta(days=200))
        for n in range(1_200)
    )
    services.reputation_recompute()
    assert PersonReputation.objects.count() == User.objects.count() == 1_201
    seeded = PersonReputation.objects.get(user__username="p0042")
    assert seeded.explanation == [{"kind": "seed", "source": None, "share": 1.0, "count": 1}]
    assert PersonReputation.objects.filter(explanation__0__kind="seed").count() == 1_200
    assert AssetReputation.objects.get(asset=asset).discounted == {}
