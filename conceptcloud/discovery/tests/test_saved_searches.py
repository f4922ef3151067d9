"""Saved searches: saving, deleting, and the notification of each new listing that
matches (in the app and by e-mail), with the one visibility rule (run on SQLite
and on PostgreSQL)."""

import pytest

from conceptcloud.accounts.models import Membership, Notification
from conceptcloud.core.errors import Conflict, InvalidInput, NotAuthenticated, NotFound
from conceptcloud.discovery.models import SavedSearch, SavedSearchMatch
from conceptcloud.discovery.selectors.saved import (
    saved_search_get_for_user,
    saved_search_rerun_query,
    saved_searches_for_user,
)
from conceptcloud.discovery.services import saved_searches
from conceptcloud.discovery.services.saved_searches import (
    saved_search_create,
    saved_search_delete,
    saved_searches_notify,
)
from conceptcloud.history.selectors import entries_for_subject
from conceptcloud.registry.history import entries_for_user
from conceptcloud.registry.services import (
    AssetData,
    NeedData,
    access_grant,
    asset_set_status,
    asset_update,
    need_create,
    need_set_status,
)

pytestmark = pytest.mark.django_db

ELECTROLYSER = {
    "title": "Hydrogen electrolyser with a ceramic membrane",
    "summary": "Splits water into hydrogen and oxygen at high efficiency.",
    "details": "Stack layout and catalyst loading.",
}
CHOPSTICKS = {
    "title": "Bamboo chopstick packaging",
    "summary": "Paper sleeves for disposable chopsticks.",
    "details": "Folding pattern.",
}


@pytest.fixture
def people(make_user, make_org):
    seeker = make_user("seeker")
    tlo_admin = make_user("tlo")
    tlo = make_org(tlo_admin, "Kyoto TLO", kind="tlo")
    return seeker, tlo_admin, tlo


@pytest.fixture
def publish(make_asset, django_capture_on_commit_callbacks):
    """publish(owner, org, **fields) → an asset registered with its tasks (indexing, notifying) run."""

    def register(owner, org=None, **fields):
        with django_capture_on_commit_callbacks(execute=True):
            return make_asset(owner, org=org, **fields)

    return register


def notifications(user):
    return list(Notification.objects.filter(recipient=user))


def test_a_saved_query_is_notified_once_when_a_matching_asset_is_published(
    people, publish, mailoutbox, django_capture_on_commit_callbacks
):
    seeker, tlo_admin, tlo = people
    saved = saved_search_create(actor=seeker, name="", query="hydrogen electrolyser", filters={})
    asset = publish(tlo_admin, tlo, **ELECTROLYSER)

    [notification] = notifications(seeker)
    assert notification.title == f"New match for your saved search “hydrogen electrolyser”: {asset.title}"
    assert notification.url == f"/assets/{asset.pk}/"
    assert notification.kind == "saved_search.match" and notification.read_at is None
    assert SavedSearchMatch.objects.filter(saved_search=saved, asset=asset).count() == 1
    [mail] = mailoutbox
    assert mail.to == ["seeker@example.org"]
    assert asset.title in mail.subject and f"/assets/{asset.pk}/" in mail.body

    with django_capture_on_commit_callbacks(execute=True):
        edited = {**ELECTROLYSER, "summary": "Now at even higher efficiency."}
        asset_update(
            actor=tlo_admin,
            asset=asset,
            data=AssetData(owner_org=tlo.slug, visibility="public", kind="technology", **edited),
        )
    saved_searches_notify(asset_id=asset.pk)
    assert len(notifications(seeker)) == 1 and len(mailoutbox) == 1


def test_a_listing_that_does_not_match_is_not_notified(people, publish, mailoutbox):
    seeker, tlo_admin, tlo = people
    saved_search_create(actor=seeker, name="Electrolysers", query="hydrogen electrolyser", filters={})
    publish(tlo_admin, tlo, **CHOPSTICKS)
    assert notifications(seeker) == [] and mailoutbox == []


def test_a_listing_outside_the_saved_filters_is_not_notified(people, publish):
    seeker, tlo_admin, tlo = people
    saved_search_create(actor=seeker, name="", query="hydrogen electrolyser", filters={"kind": "dataset"})
    publish(tlo_admin, tlo, **ELECTROLYSER)
    assert notifications(seeker) == []
    saved_search_create(actor=seeker, name="", query="hydrogen electrolyser", filters={"kind": "technology", "sdg": "7"})
    publish(tlo_admin, tlo, sdgs=[7], **ELECTROLYSER)
    assert len(notifications(seeker)) == 1


def test_a_draft_is_not_notified_until_it_is_published(people, publish, mailoutbox, django_capture_on_commit_callbacks):
    seeker, tlo_admin, tlo = people
    saved_search_create(actor=seeker, name="", query="hydrogen electrolyser", filters={})
    draft = publish(tlo_admin, tlo, publish=False, **ELECTROLYSER)
    assert notifications(seeker) == []
    with django_capture_on_commit_callbacks(execute=True):
        asset_set_status(actor=tlo_admin, asset=draft, status="published")
    assert len(notifications(seeker)) == 1 and len(mailoutbox) == 1


def test_a_confidential_details_word_is_not_notified_but_a_teaser_word_is(people, publish, mailoutbox):
    seeker, tlo_admin, tlo = people
    saved_search_create(actor=seeker, name="", query="zirconia", filters={})
    saved_search_create(actor=seeker, name="", query="gearbox", filters={})
    asset = publish(
        tlo_admin,
        tlo,
        visibility="confidential",
        title="Compact planetary gearbox",
        summary="A gearbox for small robots.",
        details="Teeth are sintered zirconia.",
    )
    [notification] = notifications(seeker)
    assert "“gearbox”" in notification.title and "zirconia" not in notification.title + notification.body
    [mail] = mailoutbox
    assert "zirconia" not in mail.subject + mail.body
    assert SavedSearchMatch.objects.filter(asset=asset).count() == 1


def test_a_confidential_details_word_is_notified_to_someone_granted_access(
    people, publish, make_user, django_capture_on_commit_callbacks
):
    seeker, tlo_admin, tlo = people
    partner = make_user("partner")
    saved_search_create(actor=partner, name="", query="zirconia", filters={})
    asset = publish(
        tlo_admin,
        tlo,
        visibility="confidential",
        title="Compact planetary gearbox",
        summary="A gearbox for small robots.",
        details="Teeth are sintered zirconia.",
    )
    assert notifications(partner) == []
    with django_capture_on_commit_callbacks(execute=True):
        access_grant(actor=tlo_admin, asset=asset, user=partner)
    saved_searches_notify(asset_id=asset.pk)
    assert len(notifications(partner)) == 1


def test_the_owner_is_not_notified_of_their_own_asset(people, publish, mailoutbox):
    seeker, tlo_admin, tlo = people
    saved_search_create(actor=tlo_admin, name="", query="hydrogen electrolyser", filters={})
    publish(tlo_admin, tlo, **ELECTROLYSER)
    assert notifications(tlo_admin) == [] and mailoutbox == []


def test_listings_found_when_the_search_is_saved_are_not_reported_later(
    people, publish, django_capture_on_commit_callbacks
):
    seeker, tlo_admin, tlo = people
    asset = publish(tlo_admin, tlo, **ELECTROLYSER)
    saved = saved_search_create(actor=seeker, name="", query="hydrogen electrolyser", filters={})
    assert list(saved.matches.values_list("asset_id", flat=True)) == [asset.pk]
    saved_searches_notify(asset_id=asset.pk)
    assert notifications(seeker) == []


def test_a_saved_search_without_e_mail_notifies_in_the_app_only(people, publish, mailoutbox):
    seeker, tlo_admin, tlo = people
    saved_search_create(actor=seeker, name="", query="hydrogen electrolyser", filters={}, email=False)
    publish(tlo_admin, tlo, **ELECTROLYSER)
    assert len(notifications(seeker)) == 1 and mailoutbox == []


def test_a_saved_need_is_notified_of_a_similar_technology(
    people, make_user, make_org, publish, mailoutbox, django_capture_on_commit_callbacks
):
    seeker, tlo_admin, tlo = people
    company = make_org(seeker, "Osaka Water Works", kind="company")
    with django_capture_on_commit_callbacks(execute=True):
        need = need_create(
            actor=seeker,
            data=NeedData(
                title="Low-cost hydrogen production by water electrolysis",
                description="We look for an efficient electrolyser that splits water into hydrogen for our plants.",
                seeker_org=company.slug,
            ),
        )
    scout = make_user("scout")
    saved = saved_search_create(actor=scout, name="", query="", filters={}, need=need)
    assert saved.name == need.title
    publish(tlo_admin, tlo, **CHOPSTICKS)
    assert notifications(scout) == []
    asset = publish(tlo_admin, tlo, **ELECTROLYSER)
    [notification] = notifications(scout)
    assert notification.url == f"/assets/{asset.pk}/" and len(mailoutbox) == 1


def test_saving_needs_words_or_a_need_and_valid_filters(people):
    seeker, _tlo_admin, _tlo = people
    with pytest.raises(InvalidInput) as error:
        saved_search_create(actor=seeker, name="", query="  ", filters={})
    assert "query" in error.value.errors
    with pytest.raises(InvalidInput) as error:
        saved_search_create(actor=seeker, name="x" * 201, query="gear", filters={"sdg": "18", "colour": "red"})
    assert set(error.value.errors) == {"name", "filters.sdg", "filters"}
    with pytest.raises(NotAuthenticated):
        saved_search_create(actor=None, name="", query="gear", filters={})
    assert not SavedSearch.objects.exists()


def test_one_person_keeps_a_limited_number_of_saved_searches(people, monkeypatch):
    seeker, _tlo_admin, _tlo = people
    monkeypatch.setattr(saved_searches, "SAVED_SEARCHES_PER_PERSON", 2)
    saved_search_create(actor=seeker, name="", query="gear", filters={})
    saved_search_create(actor=seeker, name="", query="bearing", filters={})
    with pytest.raises(Conflict):
        saved_search_create(actor=seeker, name="", query="winch", filters={})
    assert SavedSearch.objects.filter(owner=seeker).count() == 2


def test_the_history_records_saving_and_deleting_without_the_search_text(people):
    seeker, tlo_admin, _tlo = people
    saved = saved_search_create(actor=seeker, name="Secret plans", query="secret topic", filters={"sdg": 7})
    assert saved.filters == {"sdg": "7"} and saved_search_rerun_query(saved) == "q=secret+topic&sdg=7"
    subject = f"saved_search:{saved.pk}"
    saved_search_delete(actor=seeker, saved_search=saved)
    rows = [row for row in entries_for_user(user=seeker) if not row.redacted and row.subject == subject]
    assert rows == []  # a saved search is nobody's public subject: its entries come redacted
    entries = list(entries_for_subject(subject=subject))
    assert [(e.type, e.payload) for e in entries] == [("search.saved", {"id": saved.pk}), ("search.removed", {"id": saved.pk})]
    assert all("secret" not in bytes(e.canonical).decode() for e in entries)


def test_one_person_never_sees_or_deletes_anothers_saved_search(people):
    seeker, tlo_admin, _tlo = people
    saved = saved_search_create(actor=seeker, name="", query="gear", filters={})
    assert list(saved_searches_for_user(user=tlo_admin)) == []
    with pytest.raises(NotFound):
        saved_search_get_for_user(user=tlo_admin, saved_search_id=saved.pk)
    with pytest.raises(NotFound):
        saved_search_delete(actor=tlo_admin, saved_search=saved)
    assert [s.pk for s in saved_searches_for_user(user=seeker)] == [saved.pk]


def test_a_deleted_saved_search_is_no_longer_notified(people, publish):
    seeker, tlo_admin, tlo = people
    saved = saved_search_create(actor=seeker, name="", query="hydrogen electrolyser", filters={})
    saved_search_delete(actor=seeker, saved_search=saved)
    publish(tlo_admin, tlo, **ELECTROLYSER)
    assert notifications(seeker) == []


def test_a_colleague_of_the_owner_organisation_is_not_notified_of_its_asset(people, make_user, publish):
    seeker, tlo_admin, tlo = people
    colleague = make_user("colleague")
    Membership.objects.create(user=colleague, organisation=tlo)
    saved_search_create(actor=colleague, name="", query="hydrogen electrolyser", filters={})
    publish(tlo_admin, tlo, **ELECTROLYSER)
    assert notifications(colleague) == []


def test_a_withdrawn_listing_is_not_notified(people, publish, django_capture_on_commit_callbacks):
    seeker, tlo_admin, tlo = people
    draft = publish(tlo_admin, tlo, publish=False, **ELECTROLYSER)
    saved_search_create(actor=seeker, name="", query="hydrogen electrolyser", filters={})
    with django_capture_on_commit_callbacks(execute=True):
        asset_set_status(actor=tlo_admin, asset=draft, status="withdrawn")
    assert notifications(seeker) == []


def test_a_closed_need_is_no_longer_notified(people, make_user, make_org, publish, django_capture_on_commit_callbacks):
    seeker, tlo_admin, tlo = people
    company = make_org(seeker, "Osaka Water Works", kind="company")
    with django_capture_on_commit_callbacks(execute=True):
        need = need_create(
            actor=seeker,
            data=NeedData(
                title="Low-cost hydrogen production by water electrolysis",
                description="We look for an efficient electrolyser that splits water into hydrogen for our plants.",
                seeker_org=company.slug,
            ),
        )
    scout = make_user("scout")
    saved_search_create(actor=scout, name="", query="", filters={}, need=need)
    with django_capture_on_commit_callbacks(execute=True):
        need_set_status(actor=seeker, need=need, status="closed")
    publish(tlo_admin, tlo, **ELECTROLYSER)
    assert notifications(scout) == []
