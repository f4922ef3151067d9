"""Operator moderation of assets and needs: read-only screens, actions through services."""

import pytest
from django.test import Client

from conceptcloud.core.errors import NotFound
from conceptcloud.history.selectors import entries_for_subject
from conceptcloud.registry.models import Asset, Need
from conceptcloud.registry.selectors import AssetFilters, asset_get_for_user, asset_list
from conceptcloud.registry.services import NeedData, need_create

SECRET = "Tolerance-secret-7731"


@pytest.fixture
def operator_client(db):
    from conceptcloud.accounts.models import User

    operator = User.objects.create_superuser(username="operator", email="operator@example.org", password="x")
    client = Client()
    client.force_login(operator)
    return client


def run_action(client: Client, model: str, action: str, *objects):
    return client.post(
        f"/admin/registry/{model}/",
        {"action": action, "_selected_action": [obj.pk for obj in objects]},
        follow=True,
    )


def test_withdrawing_an_asset_hides_it_at_once_and_records_why(operator_client, make_user, make_asset):
    alice = make_user("alice")
    asset = make_asset(alice, title="Spam listing")
    bob = make_user("bob")
    response = run_action(operator_client, "asset", "withdraw", asset)
    assert response.status_code == 200 and "1 asset withdrawn" in response.content.decode()
    assert Asset.objects.get(pk=asset.pk).status == "withdrawn"
    for viewer in (None, bob):
        with pytest.raises(NotFound):
            asset_get_for_user(asset_id=asset.pk, user=viewer)
    assert asset not in asset_list(user=None, filters=AssetFilters())
    assert Client().get(f"/assets/{asset.pk}/").status_code == 404
    assert asset_get_for_user(asset_id=asset.pk, user=alice).can_manage, "the owner still sees it"
    entry = list(entries_for_subject(subject=f"asset:{asset.pk}"))[-1]
    assert entry.type == "asset.withdrawn" and entry.actor.username == "operator"


def test_the_asset_screen_is_read_only_and_shows_no_confidential_details(operator_client, make_user, make_asset):
    asset = make_asset(make_user("alice"), visibility="confidential", title="Secret gear", details=SECRET)
    listing = operator_client.get("/admin/registry/asset/", {"status__exact": "published", "q": "secret"})
    assert "Secret gear" in listing.content.decode()
    page = operator_client.get(f"/admin/registry/asset/{asset.pk}/change/")
    assert page.status_code == 200 and "Secret gear" in page.content.decode()
    assert SECRET not in page.content.decode()
    operator_client.post(f"/admin/registry/asset/{asset.pk}/change/", {"title": "Edited by the operator"})
    assert Asset.objects.get(pk=asset.pk).title == "Secret gear"
    assert operator_client.get("/admin/registry/asset/add/").status_code == 403


def test_closing_a_need_in_the_admin_goes_through_the_service(operator_client, make_user, make_org):
    alice = make_user("alice")
    org = make_org(alice, "Nairobi Water NGO", kind="ngo", country="KE")
    need = need_create(
        actor=alice,
        data=NeedData(title="Low-cost water filters", description="For 40 villages.", seeker_org=org.slug),
    )
    response = run_action(operator_client, "need", "close", need)
    assert "1 need closed" in response.content.decode()
    assert Need.objects.get(pk=need.pk).status == "closed"
    assert list(entries_for_subject(subject=f"need:{need.pk}"))[-1].type == "need.status_changed"
    again = run_action(operator_client, "need", "close", need)
    assert "0 needs closed" in again.content.decode()
