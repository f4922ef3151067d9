"""The operator's screens for people and organisations: read-only, actions through services."""

from django.test import Client

from conceptcloud.accounts.models import User
from conceptcloud.accounts.tests.conftest import PASSWORD
from conceptcloud.history.selectors import entries_for_subject


def run_action(client: Client, model: str, action: str, *objects):
    return client.post(
        f"/admin/accounts/{model}/",
        {"action": action, "_selected_action": [obj.pk for obj in objects]},
        follow=True,
    )


def test_suspending_a_person_in_the_admin_makes_their_sign_in_fail(client_for, make_user, operator):
    alice = make_user("alice")
    alice_browser = Client()
    alice_browser.post("/account/login/", {"username": "alice", "password": PASSWORD})
    assert "_auth_user_id" in alice_browser.session
    response = run_action(client_for(operator), "user", "suspend", alice)
    assert response.status_code == 200 and "1 person suspended" in response.content.decode()
    assert User.objects.get(pk=alice.pk).is_active is False
    assert [e.type for e in entries_for_subject(subject="user:alice")][-1] == "moderation.user_suspended"
    # The open session ends at once, and signing in again fails.
    assert alice_browser.get("/account/profile/").status_code == 302
    fresh = Client()
    fresh.post("/account/login/", {"username": "alice", "password": PASSWORD})
    assert "_auth_user_id" not in fresh.session


def test_reinstating_lets_the_person_sign_in_again(client_for, make_user, operator):
    alice = make_user("alice")
    admin = client_for(operator)
    run_action(admin, "user", "suspend", alice)
    run_action(admin, "user", "reinstate", alice)
    assert User.objects.get(pk=alice.pk).is_active is True
    browser = Client()
    assert browser.post("/account/login/", {"username": "alice", "password": PASSWORD}).status_code == 302


def test_the_operator_cannot_suspend_their_own_account(client_for, operator):
    response = run_action(client_for(operator), "user", "suspend", operator)
    assert "cannot suspend your own account" in response.content.decode()
    assert User.objects.get(pk=operator.pk).is_active is True


def test_people_screens_are_read_only_and_searchable(client_for, make_user, make_org, operator):
    alice = make_user("alice", display_name="Alice Liddell")
    org = make_org(alice, "Kyoto TLO", kind="tlo")
    admin = client_for(operator)
    listing = admin.get("/admin/accounts/user/", {"q": "liddell"}).content.decode()
    assert "alice@example.org" in listing
    assert "/admin/accounts/user/add/" not in listing
    page = admin.get(f"/admin/accounts/user/{alice.pk}/change/")
    assert page.status_code == 200 and "Kyoto TLO" in page.content.decode()
    admin.post(f"/admin/accounts/user/{alice.pk}/change/", {"username": "renamed", "email": "x@example.org"})
    assert User.objects.get(pk=alice.pk).username == "alice"
    assert admin.get(f"/admin/accounts/organisation/{org.pk}/change/").status_code == 200
    assert admin.get("/admin/accounts/organisation/add/").status_code == 403
    assert admin.post(f"/admin/accounts/organisation/{org.pk}/delete/", {"post": "yes"}).status_code == 403
    for model in ("organisation", "membership", "invitation", "apitoken"):
        assert admin.get(f"/admin/accounts/{model}/").status_code == 200, model


def test_people_who_are_not_staff_cannot_reach_the_admin(client_for, make_user):
    response = client_for(make_user("alice")).get("/admin/accounts/user/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
