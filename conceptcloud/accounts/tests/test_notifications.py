"""Notifications: sending (in the app, and by e-mail on commit), reading, the
notifications page with its header badge, and the API. One person never sees
or marks another's."""

import json

import pytest
from django.db import transaction
from django.test import Client

from conceptcloud.accounts import selectors, services
from conceptcloud.accounts.models import Notification
from conceptcloud.accounts.services import token_create
from conceptcloud.core.errors import NotFound
from conceptcloud.history.selectors import log_size

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice(make_user):
    return make_user("alice")


@pytest.fixture
def bob(make_user):
    return make_user("bob")


def send(recipient, title="A new listing", **extra):
    return services.notification_send(recipient=recipient, kind="saved_search.match", title=title, url="/assets/1/", **extra)


def bearer(user) -> Client:
    _token, secret = token_create(actor=user, name="tests")
    return Client(headers={"Authorization": f"Bearer {secret}"})


def test_a_notification_is_stored_and_e_mailed_after_the_commit_when_asked(
    alice, mailoutbox, django_capture_on_commit_callbacks
):
    size = log_size()
    with django_capture_on_commit_callbacks(execute=True):
        notification = send(alice, title="New match:\nGear", email=True)
        assert mailoutbox == []
    [mail] = mailoutbox
    assert mail.to == ["alice@example.org"] and mail.subject == "New match: Gear"
    assert "/assets/1/" in mail.body
    assert notification.read_at is None and log_size() == size  # a message, not a history entry


def test_no_e_mail_unless_asked_nor_to_a_suspended_person(alice, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        send(alice)
        alice.is_active = False
        send(alice, email=True)
    assert mailoutbox == [] and Notification.objects.filter(recipient=alice).count() == 2


def test_no_e_mail_leaves_when_the_transaction_rolls_back(alice, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        send(alice, email=True)
        raise RuntimeError("the caller fails")
    assert mailoutbox == [] and not Notification.objects.exists()


def test_notifications_list_unread_first_then_newest(alice, bob):
    send(alice, "one"), send(alice, "two")
    third = send(alice, "three")
    send(bob, "not yours")
    services.notification_mark_read(actor=alice, notification=third)
    assert [n.title for n in selectors.notifications_for_user(user=alice)] == ["two", "one", "three"]
    assert selectors.notifications_unread_count(user=alice) == 2
    assert services.notifications_mark_all_read(actor=alice) == 2
    assert selectors.notifications_unread_count(user=alice) == 0
    assert selectors.notifications_unread_count(user=bob) == 1


def test_one_person_cannot_read_or_mark_anothers_notification(alice, bob):
    notification = send(alice)
    with pytest.raises(NotFound):
        selectors.notification_get_for_user(user=bob, notification_id=notification.pk)
    with pytest.raises(NotFound):
        services.notification_mark_read(actor=bob, notification=notification)
    notification.refresh_from_db()
    assert notification.read_at is None


def test_the_header_shows_the_unread_count_and_the_page_marks_read(alice, bob, client):
    notification = send(alice, "Gear drive")
    send(alice, "Bearing")
    client.force_login(alice)
    page = client.get("/account/notifications/").content.decode()
    assert 'class="badge unread"' in page and ">2</span>" in page
    assert page.index("Bearing") < page.index("Gear drive")
    response = client.post(f"/account/notifications/{notification.pk}/read/")
    assert response.status_code == 302
    assert selectors.notifications_unread_count(user=alice) == 1
    assert ">1</span>" in client.get("/").content.decode()
    client.post("/account/notifications/read/")
    assert 'class="badge unread"' not in client.get("/").content.decode()


def test_the_notifications_page_is_for_its_owner_only(alice, bob, client):
    notification = send(alice)
    assert client.get("/account/notifications/").status_code == 302  # to sign in
    assert 'class="notifications-link"' not in client.get("/").content.decode()
    client.force_login(bob)
    assert client.post(f"/account/notifications/{notification.pk}/read/").status_code == 404
    assert "A new listing" not in client.get("/account/notifications/").content.decode()


def test_the_api_lists_and_marks_only_your_own_notifications(alice, bob):
    mine = send(alice, "Gear drive")
    send(bob, "Not yours")
    api = bearer(alice)
    body = api.get("/api/v1/notifications/").json()
    assert body["count"] == 1
    [item] = body["items"]
    assert item["title"] == "Gear drive" and item["read_at"] is None and item["url"] == "http://testserver/assets/1/"
    response = api.post(f"/api/v1/notifications/{mine.pk}/read")
    assert response.status_code == 200 and response.json()["read_at"]
    assert api.get("/api/v1/notifications/?unread=true").json()["count"] == 0

    theirs = Notification.objects.get(recipient=bob)
    response = api.post(f"/api/v1/notifications/{theirs.pk}/read")
    assert response.status_code == 404 and response["Content-Type"] == "application/problem+json"
    assert bearer(bob).post("/api/v1/notifications/read").json() == {"marked": 1}


def test_the_api_asks_for_authentication(alice):
    response = Client().get("/api/v1/notifications/")
    assert response.status_code == 401 and response["Content-Type"] == "application/problem+json"
    assert json.loads(response.content)["status"] == 401
