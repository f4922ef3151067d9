"""Who sees which praise, review and challenge: the visibility rules of the evaluation reads."""

from django.contrib.auth.models import AnonymousUser

from conceptcloud.accounts.services import ProfileData, profile_update
from conceptcloud.evaluation import selectors, services
from conceptcloud.evaluation.tests.conftest import review_data
from conceptcloud.lineage.services import ContributionData, contributions_propose
from conceptcloud.registry.selectors import asset_get_for_user
from conceptcloud.registry.services import access_grant


def test_praise_entries_follow_the_asset_and_the_praisers_choice(public_asset, reviewer, make_user, make_asset, lab):
    key = f"{public_asset.pk}:yamada"
    assert selectors.praise_subject_visible(key, AnonymousUser())
    profile_update(actor=reviewer, data=ProfileData(show_praise=False))
    assert not selectors.praise_subject_visible(key, AnonymousUser())
    assert selectors.praise_subject_visible(key, reviewer)
    draft = make_asset(lab["admin"], org=lab["org"], publish=False, title="Draft")
    assert not selectors.praise_subject_visible(f"{draft.pk}:tanaka", reviewer)
    assert not selectors.praise_subject_visible("x:tanaka", reviewer)


def test_review_entries_need_access_to_the_details(confidential_asset, public_asset, reviewer, lab):
    assert selectors.review_subject_visible(f"{public_asset.pk}:yamada", AnonymousUser())
    assert not selectors.review_subject_visible(f"{confidential_asset.pk}:yamada", reviewer)
    access_grant(actor=lab["admin"], asset=confidential_asset, user=reviewer)
    assert selectors.review_subject_visible(f"{confidential_asset.pk}:yamada", reviewer)


def test_the_praise_summary_names_only_those_who_show_their_praise(public_asset, reviewer, make_user):
    shy = make_user("shy")
    profile_update(actor=shy, data=ProfileData(show_praise=False))
    services.praise_give(actor=reviewer, asset_id=public_asset.pk)
    services.praise_give(actor=shy, asset_id=public_asset.pk)
    view = asset_get_for_user(asset_id=public_asset.pk, user=None)
    summary = selectors.praise_summary(view=view, user=AnonymousUser())
    assert (summary.count, summary.mine, [p.username for p in summary.shown], summary.unnamed) == (2, False, ["yamada"], 1)
    own = selectors.praise_summary(view=asset_get_for_user(asset_id=public_asset.pk, user=shy), user=shy)
    assert own.mine and sorted(p.username for p in own.shown) == ["shy", "yamada"] and own.unnamed == 0


def test_a_challenge_record_lists_lessons_first_and_only_what_the_viewer_may_see(
    make_asset, make_user, public_asset, lab, reviewer
):
    helper = make_user("helper")
    technology = make_asset(lab["admin"], org=lab["org"], title="Pump")
    contributions_propose(
        actor=lab["admin"],
        asset=technology,
        contributions=[
            ContributionData(username="tanaka", role="originator", share_bp=6_000),
            ContributionData(username="helper", role="improver", share_bp=4_000),
        ],
    )
    make_asset(lab["admin"], org=lab["org"], publish=False, title="Draft idea")
    services.review_write(actor=reviewer, asset_id=public_asset.pk, data=review_data(4, cause_analysis=5))
    record = selectors.challenges_for_person(person=lab["admin"], user=reviewer)
    assert [row.asset.title for row in record] == ["Solar dryer", "Pump"]  # the lesson first; no draft
    assert record[0].averages.means["cause_analysis"] == 5.0 and record[0].averages.count == 1
    assert [(row.asset.title, row.role) for row in selectors.challenges_for_person(person=helper, user=reviewer)] == [
        ("Pump", "improver")
    ]
    own = selectors.challenges_for_person(person=lab["admin"], user=lab["admin"])
    assert "Draft idea" not in [row.asset.title for row in own]  # a record of published work only
