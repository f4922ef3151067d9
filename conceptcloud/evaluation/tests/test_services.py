import json

import pytest

from conceptcloud.accounts.services import ProfileData, profile_update
from conceptcloud.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from conceptcloud.evaluation import services
from conceptcloud.evaluation.models import Praise, Review, ReviewReply, ReviewVersion
from conceptcloud.evaluation.tests.conftest import review_data
from conceptcloud.history.models import Entry
from conceptcloud.registry.history import entries_for_user
from conceptcloud.registry.services import access_grant


def _state() -> tuple:
    return (
        Praise.objects.count(),
        Review.objects.count(),
        ReviewVersion.objects.count(),
        ReviewReply.objects.count(),
        Entry.objects.count(),
    )


# Praise -----------------------------------------------------------------------------


def test_a_person_praises_an_asset_once_and_the_history_records_it(public_asset, reviewer):
    services.praise_give(actor=reviewer, asset_id=public_asset.pk)
    before = _state()
    with pytest.raises(Conflict):
        services.praise_give(actor=reviewer, asset_id=public_asset.pk)
    assert _state() == before
    entry = Entry.objects.order_by("-seq").first()
    assert entry.type == "praise.given"
    assert entry.subject == f"praise:{public_asset.pk}:yamada"
    assert entry.payload == {"asset": public_asset.pk}


def test_undoing_praise_deletes_it_and_appends_a_withdrawal_entry(public_asset, reviewer):
    services.praise_give(actor=reviewer, asset_id=public_asset.pk)
    services.praise_withdraw(actor=reviewer, asset_id=public_asset.pk)
    assert not Praise.objects.exists()
    assert list(Entry.objects.order_by("-seq").values_list("type", flat=True)[:2]) == [
        "praise.withdrawn",
        "praise.given",
    ]
    services.praise_give(actor=reviewer, asset_id=public_asset.pk)  # and may praise again
    assert Praise.objects.count() == 1


def test_undoing_praise_that_was_never_given_is_not_found_and_writes_nothing(public_asset, reviewer):
    before = _state()
    with pytest.raises(NotFound):
        services.praise_withdraw(actor=reviewer, asset_id=public_asset.pk)
    assert _state() == before


def test_no_praise_on_an_asset_the_person_cannot_see(make_asset, lab, reviewer):
    draft = make_asset(lab["admin"], org=lab["org"], publish=False, title="Unpublished")
    before = _state()
    with pytest.raises(NotFound):
        services.praise_give(actor=reviewer, asset_id=draft.pk)
    with pytest.raises(NotFound):
        services.praise_give(actor=reviewer, asset_id=999_999)
    assert _state() == before


def test_managers_may_not_praise_their_own_draft_either(make_asset, lab):
    draft = make_asset(lab["admin"], org=lab["org"], publish=False, title="Unpublished")
    with pytest.raises(Conflict):
        services.praise_give(actor=lab["admin"], asset_id=draft.pk)
    assert not Praise.objects.exists()


def test_anonymous_and_suspended_people_cannot_praise(public_asset, reviewer, django_user_model):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(PermissionDenied):
        services.praise_give(actor=AnonymousUser(), asset_id=public_asset.pk)
    django_user_model.objects.filter(pk=reviewer.pk).update(is_active=False)
    reviewer.refresh_from_db()
    with pytest.raises(PermissionDenied):
        services.praise_give(actor=reviewer, asset_id=public_asset.pk)
    assert not Praise.objects.exists()


def test_the_teaser_of_a_confidential_asset_is_enough_to_praise_it(confidential_asset, reviewer):
    services.praise_give(actor=reviewer, asset_id=confidential_asset.pk)
    assert Praise.objects.filter(asset=confidential_asset, user=reviewer).exists()


def test_praise_entries_of_a_person_who_hides_their_praise_are_redacted_for_others(public_asset, reviewer, make_user):
    profile_update(actor=reviewer, data=ProfileData(display_name="Yamada", show_praise=False))
    services.praise_give(actor=reviewer, asset_id=public_asset.pk)
    subject = f"praise:{public_asset.pk}:yamada"
    other = make_user("kato")
    seen_by_other = [row for row in entries_for_user(user=other)[:] if row.type == "praise.given"]
    assert seen_by_other == []  # redacted rows carry no type
    own = [row for row in entries_for_user(user=reviewer)[:] if row.subject == subject]
    assert [row.type for row in own] == ["praise.given"]


# Reviews ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"novelty": None}, "novelty"),
        ({"quality": 0}, "quality"),
        ({"challenge": 6}, "challenge"),
        ({"versatility": True}, "versatility"),
        ({"cause_analysis": 2.5}, "cause_analysis"),
        ({"inventive_step": "4"}, "inventive_step"),
    ],
)
def test_every_index_must_be_present_and_a_whole_number_from_1_to_5(public_asset, reviewer, changes, field):
    before = _state()
    with pytest.raises(InvalidInput) as error:
        services.review_write(actor=reviewer, asset_id=public_asset.pk, data=review_data(**changes))
    assert list(error.value.errors) == [field]
    assert _state() == before


@pytest.mark.parametrize("text", ["", "   ", "x" * 5001])
def test_a_review_needs_a_text_of_at_most_5000_characters(public_asset, reviewer, text):
    before = _state()
    with pytest.raises(InvalidInput) as error:
        services.review_write(actor=reviewer, asset_id=public_asset.pk, data=review_data(text=text))
    assert "text" in error.value.errors
    assert _state() == before


def test_a_review_is_one_per_person_and_editing_keeps_every_version(public_asset, reviewer):
    first = services.review_write(actor=reviewer, asset_id=public_asset.pk, data=review_data(3, text="First look."))
    second = services.review_write(
        actor=reviewer, asset_id=public_asset.pk, data=review_data(5, text="After the second pilot.")
    )
    assert first.pk == second.pk and second.version == 2
    assert Review.objects.count() == 1
    versions = list(ReviewVersion.objects.filter(review=second).order_by("number"))
    assert [(v.number, v.quality, v.text) for v in versions] == [
        (1, 3, "First look."),
        (2, 5, "After the second pilot."),
    ]
    types = list(Entry.objects.filter(subject=f"review:{public_asset.pk}:yamada").values_list("type", flat=True))
    assert types == ["review.written", "review.edited"]


def test_saving_an_unchanged_review_writes_nothing(public_asset, reviewer):
    services.review_write(actor=reviewer, asset_id=public_asset.pk, data=review_data())
    before = _state()
    services.review_write(actor=reviewer, asset_id=public_asset.pk, data=review_data())
    assert _state() == before


def test_a_review_of_a_confidential_asset_needs_access_to_its_details(confidential_asset, reviewer, lab):
    before = _state()
    with pytest.raises(PermissionDenied):
        services.review_write(actor=reviewer, asset_id=confidential_asset.pk, data=review_data())
    assert _state() == before
    access_grant(actor=lab["admin"], asset=confidential_asset, user=reviewer, reason="NDA")
    review = services.review_write(
        actor=reviewer, asset_id=confidential_asset.pk, data=review_data(text="The electrolyte mix is clever.")
    )
    entry = json.loads(bytes(Entry.objects.order_by("-seq").first().canonical))
    # The history is public: the text of a review of a hidden asset is only committed to.
    assert "text" not in entry["payload"] and "commitment" in entry["payload"]
    assert "electrolyte" not in json.dumps(entry)
    assert review.text == "The electrolyte mix is clever."


def test_a_review_of_a_public_asset_carries_its_scores_and_text_in_the_history(public_asset, reviewer):
    services.review_write(actor=reviewer, asset_id=public_asset.pk, data=review_data(4, quality=2))
    payload = Entry.objects.order_by("-seq").first().payload
    assert payload["scores"]["quality"] == 2 and payload["scores"]["novelty"] == 4
    assert payload["text"].startswith("A careful analysis") and payload["own_organisation"] is False


def test_reviewers_from_the_owning_organisation_are_marked(public_asset, lab, reviewer):
    own = services.review_write(actor=lab["member"], asset_id=public_asset.pk, data=review_data())
    outside = services.review_write(actor=reviewer, asset_id=public_asset.pk, data=review_data())
    assert own.own_organisation is True and outside.own_organisation is False


# Replies ----------------------------------------------------------------------------


def test_the_owners_reply_to_a_review_and_a_later_reply_replaces_it(public_asset, lab, reviewer):
    services.review_write(actor=reviewer, asset_id=public_asset.pk, data=review_data())
    services.review_reply(actor=lab["member"], asset_id=public_asset.pk, username="yamada", text="Thank you.")
    reply = services.review_reply(
        actor=lab["admin"], asset_id=public_asset.pk, username="yamada", text="We fixed the cooling."
    )
    assert ReviewReply.objects.count() == 1
    assert reply.text == "We fixed the cooling." and reply.author == lab["admin"]
    types = list(Entry.objects.filter(subject=f"review:{public_asset.pk}:yamada").values_list("type", flat=True))
    assert types == ["review.written", "review.replied", "review.replied"]
    assert reviewer.notifications.filter(kind="evaluation.reply").count() == 2


def test_only_the_owners_may_reply_and_bad_replies_change_nothing(public_asset, lab, reviewer, make_user):
    services.review_write(actor=reviewer, asset_id=public_asset.pk, data=review_data())
    kato = make_user("kato")
    before = _state()
    with pytest.raises(PermissionDenied):
        services.review_reply(actor=reviewer, asset_id=public_asset.pk, username="yamada", text="Me again.")
    with pytest.raises(PermissionDenied):
        services.review_reply(actor=kato, asset_id=public_asset.pk, username="yamada", text="Hi.")
    with pytest.raises(InvalidInput):
        services.review_reply(actor=lab["admin"], asset_id=public_asset.pk, username="yamada", text="  ")
    with pytest.raises(NotFound):
        services.review_reply(actor=lab["admin"], asset_id=public_asset.pk, username="nobody", text="Hello.")
    assert _state() == before


def test_a_review_notifies_the_assets_owner(make_asset, make_user, reviewer):
    owner = make_user("inoue")
    asset = make_asset(owner, title="Wind pump")
    services.review_write(actor=reviewer, asset_id=asset.pk, data=review_data())
    assert owner.notifications.filter(kind="evaluation.review").count() == 1
