"""The operator's moderation sticks: an asset the operator withdrew, or a need the
operator closed, changes status only by the operator's hand again.

Services first (the rule itself), then the pages, the API and the admin actions
that all go through it.
"""

import json

import pytest
from django.test import Client

from conceptcloud.accounts.services import token_create, user_set_operator
from conceptcloud.core.errors import Conflict, PermissionDenied
from conceptcloud.history.models import Entry
from conceptcloud.history.selectors import entries_for_subject
from conceptcloud.registry.models import Asset, AssetVersion, Need
from conceptcloud.registry.services import (
    AssetData,
    NeedData,
    asset_set_status,
    asset_update,
    need_create,
    need_set_status,
    need_update,
)

WITHDRAWN_MESSAGE = "The operator withdrew this asset. Contact the operator to have it reviewed."
CLOSED_MESSAGE = "The operator closed this need. Contact the operator to have it reviewed."


@pytest.fixture
def operator(make_user):
    return user_set_operator(actor=None, user=make_user("olga", display_name="Olga Operator"), operator=True)


@pytest.fixture
def asset(cast, make_asset):
    return make_asset(cast.owner, org=cast.org, title="Perpetual motion gear")


@pytest.fixture
def moderated(asset, operator):
    """The asset, withdrawn by the operator from the admin."""
    return asset_set_status(actor=operator, asset=asset, status="withdrawn", reason="moderation")


@pytest.fixture
def need(cast):
    return need_create(
        actor=cast.owner,
        data=NeedData(title="Low-cost water filters", description="For 40 villages.", seeker_org=cast.org.slug),
    )


@pytest.fixture
def closed_need(need, operator):
    return need_set_status(actor=operator, need=need, status="closed")


def last_entry(subject: str) -> Entry:
    return list(entries_for_subject(subject=subject))[-1]


def snapshot(model, pk: int) -> tuple:
    """What a refused change must leave alone: the row, its versions and the whole history."""
    row = model.objects.get(pk=pk)
    versions = AssetVersion.objects.filter(asset_id=pk).count() if model is Asset else 0
    flag = row.withdrawn_by_operator if model is Asset else row.closed_by_operator
    return row.status, flag, row.updated_at, versions, Entry.objects.count()


def bearer(user) -> Client:
    _token, secret = token_create(actor=user, name="tests")
    return Client(headers={"Authorization": f"Bearer {secret}"})


def post_json(client: Client, url: str, body: dict):
    return client.post(url, data=json.dumps(body), content_type="application/json")


def run_action(client: Client, model: str, action: str, *objects):
    return client.post(
        f"/admin/registry/{model}/",
        {"action": action, "_selected_action": [obj.pk for obj in objects]},
        follow=True,
    )


# ---------------------------------------------------------------- services: assets


def test_the_operators_withdrawal_is_marked_on_the_asset_and_in_the_history(moderated, operator):
    assert moderated.status == "withdrawn" and moderated.withdrawn_by_operator
    entry = last_entry(f"asset:{moderated.pk}")
    assert entry.type == "asset.withdrawn" and entry.actor == operator
    assert entry.payload["by_operator"] is True
    assert moderated.versions.last().note == "moderation"


@pytest.mark.parametrize("status", ["published", "draft", "withdrawn"])
def test_no_manager_can_change_the_status_of_an_asset_the_operator_withdrew(moderated, cast, status):
    before = snapshot(Asset, moderated.pk)
    for manager in (cast.owner, cast.member):
        with pytest.raises(PermissionDenied) as refused:
            asset_set_status(actor=manager, asset=moderated, status=status)
        assert refused.value.message == WITHDRAWN_MESSAGE
    assert snapshot(Asset, moderated.pk) == before


def test_the_operator_publishing_the_asset_again_lifts_the_lock(moderated, operator, cast):
    reinstated = asset_set_status(actor=operator, asset=moderated, status="published")
    assert reinstated.status == "published" and not reinstated.withdrawn_by_operator
    entry = last_entry(f"asset:{moderated.pk}")
    assert entry.type == "asset.published" and entry.payload["by_operator"] is True
    # The owners decide again.
    assert asset_set_status(actor=cast.owner, asset=reinstated, status="draft").status == "draft"


def test_the_operator_returning_the_asset_to_draft_also_hands_it_back(moderated, operator, cast):
    drafted = asset_set_status(actor=operator, asset=moderated, status="draft")
    assert drafted.status == "draft" and not drafted.withdrawn_by_operator
    assert asset_set_status(actor=cast.owner, asset=drafted, status="published").status == "published"


def test_the_operator_withdrawing_an_asset_its_owners_had_withdrawn_locks_it(asset, operator, cast):
    withdrawn = asset_set_status(actor=cast.owner, asset=asset, status="withdrawn")
    assert not withdrawn.withdrawn_by_operator
    locked = asset_set_status(actor=operator, asset=withdrawn, status="withdrawn", reason="moderation")
    assert locked.withdrawn_by_operator and locked.version == withdrawn.version + 1
    assert last_entry(f"asset:{asset.pk}").payload["by_operator"] is True
    with pytest.raises(PermissionDenied):
        asset_set_status(actor=cast.owner, asset=locked, status="published")
    # A second withdrawal by the operator changes nothing.
    assert asset_set_status(actor=operator, asset=locked, status="withdrawn").version == locked.version


def test_the_owners_own_withdrawal_leaves_them_free_to_publish_again(asset, cast):
    withdrawn = asset_set_status(actor=cast.owner, asset=asset, status="withdrawn", reason="Superseded")
    assert not withdrawn.withdrawn_by_operator
    assert "by_operator" not in last_entry(f"asset:{asset.pk}").payload
    assert asset_set_status(actor=cast.member, asset=withdrawn, status="published").status == "published"


def test_staff_withdrawing_their_own_asset_act_as_its_owner_not_as_the_operator(operator, make_asset):
    own = make_asset(operator, title="The operator's own idea")
    withdrawn = asset_set_status(actor=operator, asset=own, status="withdrawn")
    assert not withdrawn.withdrawn_by_operator
    assert "by_operator" not in last_entry(f"asset:{own.pk}").payload


def test_owners_may_still_edit_an_asset_the_operator_withdrew_and_it_stays_withdrawn(moderated, cast):
    data = AssetData(
        kind="technology", title="Gear drive (claims corrected)", summary="A gear and a bearing in one unit.",
        details="Confidential tolerances: 0.002 mm.", owner_org=cast.org.slug,
    )
    edited = asset_update(actor=cast.member, asset=moderated, data=data, note="Removed the claims")
    assert edited.title == "Gear drive (claims corrected)" and edited.version == moderated.version + 1
    stored = Asset.objects.get(pk=moderated.pk)
    assert stored.status == "withdrawn" and stored.withdrawn_by_operator


# ---------------------------------------------------------------- services: needs


def test_the_operators_closing_is_marked_on_the_need_and_in_the_history(closed_need, operator):
    assert closed_need.status == "closed" and closed_need.closed_by_operator
    entry = last_entry(f"need:{closed_need.pk}")
    assert entry.actor == operator and entry.payload == {"status": "closed", "by_operator": True}


@pytest.mark.parametrize("status", ["open", "in-discussion", "solved", "closed"])
def test_no_member_can_change_the_status_of_a_need_the_operator_closed(closed_need, cast, status):
    before = snapshot(Need, closed_need.pk)
    with pytest.raises(PermissionDenied) as refused:
        need_set_status(actor=cast.member, need=closed_need, status=status)
    assert refused.value.message == CLOSED_MESSAGE
    assert snapshot(Need, closed_need.pk) == before


def test_the_operator_reopening_the_need_hands_it_back_to_its_organisation(closed_need, operator, cast):
    reopened = need_set_status(actor=operator, need=closed_need, status="open")
    assert reopened.status == "open" and not reopened.closed_by_operator
    assert need_set_status(actor=cast.owner, need=reopened, status="solved").status == "solved"


def test_the_operator_closing_a_need_its_organisation_had_closed_locks_it(need, operator, cast):
    closed = need_set_status(actor=cast.owner, need=need, status="closed")
    assert not closed.closed_by_operator and last_entry(f"need:{need.pk}").payload == {"status": "closed"}
    locked = need_set_status(actor=operator, need=closed, status="closed")
    assert locked.closed_by_operator
    with pytest.raises(PermissionDenied):
        need_set_status(actor=cast.owner, need=locked, status="open")
    with pytest.raises(Conflict):
        need_set_status(actor=operator, need=locked, status="closed")


def test_members_may_still_edit_a_need_the_operator_closed(closed_need, cast):
    data = NeedData(title="Water filters for clinics", description="For 40 villages.", seeker_org=cast.org.slug)
    edited = need_update(actor=cast.member, need=closed_need, data=data)
    assert edited.title == "Water filters for clinics"
    stored = Need.objects.get(pk=closed_need.pk)
    assert stored.status == "closed" and stored.closed_by_operator


# ---------------------------------------------------------------- pages


def test_the_asset_page_tells_its_managers_why_and_offers_no_way_to_publish(moderated, cast, client_of):
    page = client_of(cast.member).get(f"/assets/{moderated.pk}/").content.decode()
    assert "The operator withdrew this asset" in page
    assert "only the operator can publish it again" in page
    assert f"/assets/{moderated.pk}/status/" not in page and "Publish again" not in page
    assert f"/assets/{moderated.pk}/edit/" in page, "they may still fix it"


def test_the_asset_page_of_an_asset_its_owners_withdrew_still_offers_to_publish_it(asset, cast, client_of):
    asset_set_status(actor=cast.owner, asset=asset, status="withdrawn")
    page = client_of(cast.owner).get(f"/assets/{asset.pk}/").content.decode()
    assert "Publish again" in page and "The operator withdrew" not in page


def test_posting_a_status_change_anyway_shows_the_reason_and_changes_nothing(moderated, cast, client_of):
    before = snapshot(Asset, moderated.pk)
    response = client_of(cast.owner).post(f"/assets/{moderated.pk}/status/", {"status": "published"})
    assert response.status_code == 200
    assert WITHDRAWN_MESSAGE in response.content.decode()
    assert snapshot(Asset, moderated.pk) == before


def test_the_notice_is_in_japanese_for_japanese_readers(moderated, cast, client_of):
    page = client_of(cast.owner).get(f"/assets/{moderated.pk}/", HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert "この資産は運営者が取り下げました" in page and "The operator withdrew" not in page
    refused = client_of(cast.owner).post(
        f"/assets/{moderated.pk}/status/", {"status": "published"}, HTTP_ACCEPT_LANGUAGE="ja"
    )
    assert "見直しを希望する場合は運営者にご連絡ください" in refused.content.decode()


def test_the_need_page_tells_its_members_why_and_offers_no_status_form(closed_need, cast, client_of):
    page = client_of(cast.member).get(f"/needs/{closed_need.pk}/").content.decode()
    assert "The operator closed this need, and only the operator can reopen it." in page
    assert f"/needs/{closed_need.pk}/status/" not in page
    assert f"/needs/{closed_need.pk}/edit/" in page


def test_posting_a_need_status_anyway_shows_the_reason_and_changes_nothing(closed_need, cast, client_of):
    before = snapshot(Need, closed_need.pk)
    response = client_of(cast.owner).post(f"/needs/{closed_need.pk}/status/", {"status": "open"})
    assert response.status_code == 200 and CLOSED_MESSAGE in response.content.decode()
    assert snapshot(Need, closed_need.pk) == before


def test_readers_outside_the_organisation_see_no_moderation_notice(closed_need, cast, client_of):
    page = client_of(cast.outsider).get(f"/needs/{closed_need.pk}/").content.decode()
    assert "The operator closed" not in page and "Low-cost water filters" in page


# ---------------------------------------------------------------- API


def test_the_api_refuses_the_status_change_with_403_and_the_reason(moderated, cast):
    owner = bearer(cast.owner)
    before = snapshot(Asset, moderated.pk)
    response = post_json(owner, f"/api/v1/assets/{moderated.pk}/status", {"status": "published"})
    assert response.status_code == 403 and response["Content-Type"] == "application/problem+json"
    assert response.json()["detail"] == WITHDRAWN_MESSAGE
    assert snapshot(Asset, moderated.pk) == before


def test_the_api_tells_managers_only_that_the_operator_withdrew_the_asset(asset, operator, cast):
    owner = bearer(cast.owner)
    assert owner.get(f"/api/v1/assets/{asset.pk}").json()["withdrawn_by_operator"] is False
    reader = bearer(cast.outsider).get(f"/api/v1/assets/{asset.pk}").json()
    assert reader["access"] == "full" and "withdrawn_by_operator" not in reader
    listed = owner.get("/api/v1/assets/").json()["items"]
    assert listed and all("withdrawn_by_operator" not in item for item in listed)

    asset_set_status(actor=operator, asset=asset, status="withdrawn", reason="moderation")
    body = owner.get(f"/api/v1/assets/{asset.pk}").json()
    assert body["access"] == "manage" and body["withdrawn_by_operator"] is True
    assert bearer(cast.outsider).get(f"/api/v1/assets/{asset.pk}").status_code == 404


def test_the_api_lets_managers_edit_an_asset_the_operator_withdrew(moderated, cast):
    response = bearer(cast.owner).patch(
        f"/api/v1/assets/{moderated.pk}", data=json.dumps({"title": "Gear drive, claims corrected"}),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "withdrawn" and body["withdrawn_by_operator"] is True


def test_the_api_refuses_a_need_status_change_with_403_and_the_reason(closed_need, cast):
    member = bearer(cast.member)
    before = snapshot(Need, closed_need.pk)
    response = post_json(member, f"/api/v1/needs/{closed_need.pk}/status", {"status": "open"})
    assert response.status_code == 403 and response["Content-Type"] == "application/problem+json"
    assert response.json()["detail"] == CLOSED_MESSAGE
    assert snapshot(Need, closed_need.pk) == before


# ---------------------------------------------------------------- admin actions


@pytest.fixture
def operator_client(operator):
    client = Client()
    client.force_login(operator)
    return client


def test_the_admin_withdrawal_locks_the_asset_and_the_reinstate_action_publishes_it(
    asset, cast, operator_client, client_of
):
    response = run_action(operator_client, "asset", "withdraw", asset)
    assert "1 asset withdrawn" in response.content.decode()
    assert Asset.objects.get(pk=asset.pk).withdrawn_by_operator
    refused = client_of(cast.owner).post(f"/assets/{asset.pk}/status/", {"status": "published"})
    assert WITHDRAWN_MESSAGE in refused.content.decode()
    assert Asset.objects.get(pk=asset.pk).status == "withdrawn"

    response = run_action(operator_client, "asset", "reinstate", asset)
    assert "1 asset reinstated: it is published again." in response.content.decode()
    reinstated = Asset.objects.get(pk=asset.pk)
    assert reinstated.status == "published" and not reinstated.withdrawn_by_operator
    assert Client().get(f"/assets/{asset.pk}/").status_code == 200


def test_the_admin_withdraws_an_asset_its_owners_had_withdrawn(asset, cast, operator_client):
    asset_set_status(actor=cast.owner, asset=asset, status="withdrawn")
    response = run_action(operator_client, "asset", "withdraw", asset)
    assert "1 asset withdrawn" in response.content.decode()
    assert Asset.objects.get(pk=asset.pk).withdrawn_by_operator
    again = run_action(operator_client, "asset", "withdraw", asset)
    assert "0 assets withdrawn" in again.content.decode()


def test_the_reinstate_action_leaves_drafts_and_the_owners_own_withdrawals_alone(
    cast, make_asset, operator_client
):
    draft = make_asset(cast.owner, org=cast.org, title="Unfinished draft", publish=False)
    retired = make_asset(cast.owner, org=cast.org, title="Retired design")
    asset_set_status(actor=cast.owner, asset=retired, status="withdrawn")
    entries = Entry.objects.count()
    page = run_action(operator_client, "asset", "reinstate", draft, retired).content.decode()
    assert "Unfinished draft: not withdrawn by the operator; only its owners can publish it." in page
    assert "Retired design: not withdrawn by the operator" in page
    assert Asset.objects.get(pk=draft.pk).status == "draft"
    assert Asset.objects.get(pk=retired.pk).status == "withdrawn"
    assert Entry.objects.count() == entries


def test_the_admin_closes_a_need_for_good_and_the_reopen_action_hands_it_back(need, cast, operator_client):
    response = run_action(operator_client, "need", "close", need)
    assert "1 need closed" in response.content.decode()
    assert Need.objects.get(pk=need.pk).closed_by_operator
    with pytest.raises(PermissionDenied):
        need_set_status(actor=cast.owner, need=Need.objects.get(pk=need.pk), status="open")

    response = run_action(operator_client, "need", "reopen", need)
    assert "1 need reopened." in response.content.decode()
    reopened = Need.objects.get(pk=need.pk)
    assert reopened.status == "open" and not reopened.closed_by_operator


def test_the_reopen_action_leaves_needs_the_operator_did_not_close_alone(need, cast, operator_client):
    need_set_status(actor=cast.owner, need=need, status="solved")
    page = run_action(operator_client, "need", "reopen", need).content.decode()
    assert "Low-cost water filters: not closed by the operator; only its organisation can reopen it." in page
    assert Need.objects.get(pk=need.pk).status == "solved"


def test_the_moderation_flags_show_in_the_admin_lists(moderated, closed_need, operator_client):
    assets = operator_client.get("/admin/registry/asset/", {"withdrawn_by_operator__exact": "1"}).content.decode()
    assert "Perpetual motion gear" in assets
    needs = operator_client.get("/admin/registry/need/", {"closed_by_operator__exact": "1"}).content.decode()
    assert "Low-cost water filters" in needs
    none = operator_client.get("/admin/registry/need/", {"closed_by_operator__exact": "0"}).content.decode()
    assert "Low-cost water filters" not in none
