"""The account pages and the directory, driven through the test client."""

import hashlib
import re

import pytest
from django.core import mail
from django.test import Client

from conceptcloud.accounts import services
from conceptcloud.accounts.models import ApiToken, Invitation, Membership, Organisation, User
from conceptcloud.accounts.services import ProfileData, profile_update
from conceptcloud.accounts.tests.conftest import PASSWORD
from conceptcloud.history.selectors import entries_for_subject

STRONG = "a much better secret 77"


def sign_in(client: Client, identifier: str, password: str = PASSWORD):
    return client.post("/account/login/", {"username": identifier, "password": password})


def is_signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def signup_data(**changes) -> dict:
    data = {
        "username": "hanako",
        "email": "hanako@example.org",
        "display_name": "Hanako Yamada",
        "password1": STRONG,
        "password2": STRONG,
    }
    data.update(changes)
    return data


def field_errors(response, field: str) -> list[str]:
    return response.context["form"].errors.get(field, [])


# --- Sign-up ------------------------------------------------------------------


def test_signing_up_creates_the_account_signs_in_and_records_it(client, db):
    response = client.post("/account/signup/", signup_data())
    assert response.status_code == 302 and response["Location"] == "/account/profile/"
    user = User.objects.get(username="hanako")
    assert user.display_name == "Hanako Yamada" and user.check_password(STRONG)
    assert is_signed_in(client)
    assert [e.type for e in entries_for_subject(subject="user:hanako")] == ["account.created"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"username": "Alice"}, "username"),
        ({"password1": "password", "password2": "password"}, "password1"),
        ({"password1": "12345678901", "password2": "12345678901"}, "password1"),
        ({"email": "not-an-address"}, "email"),
        ({"email": "ALICE@example.org"}, "email"),
        ({"password2": "something else entirely"}, "password2"),
    ],
    ids=["taken-username", "common-password", "numeric-password", "bad-email", "taken-email", "passwords-differ"],
)
def test_bad_signup_shows_the_error_by_its_field_and_creates_nothing(client, make_user, changes, field):
    make_user("alice")
    users, history = User.objects.count(), len(entries_for_subject(subject="user:hanako"))
    response = client.post("/account/signup/", signup_data(**changes))
    assert response.status_code == 200
    assert field_errors(response, field), response.context["form"].errors
    assert 'class="error"' in response.content.decode()
    assert User.objects.count() == users and not is_signed_in(client)
    assert len(entries_for_subject(subject="user:hanako")) == history == 0


def test_signup_returns_to_the_page_that_sent_the_person(client, db):
    response = client.post("/account/signup/?next=/invitations/abc", signup_data())
    assert response["Location"] == "/invitations/abc"
    other = Client().post("/account/signup/", signup_data(username="evil", email="e@example.org", next="https://evil.example/"))
    assert other["Location"] == "/account/profile/"


def test_signup_page_renders_with_every_field(client, db):
    body = client.get("/account/signup/").content.decode()
    for name in ("username", "email", "display_name", "password1", "password2", "csrfmiddlewaretoken"):
        assert f'name="{name}"' in body


# --- Sign-in, sign-out, lockout -----------------------------------------------


@pytest.mark.parametrize("identifier", ["alice", "ALICE", "alice@example.org", "Alice@Example.org"])
def test_people_sign_in_with_their_username_or_email_in_any_letter_case(client, make_user, identifier):
    make_user("alice")
    response = sign_in(client, identifier)
    assert response.status_code == 302 and is_signed_in(client)


def test_a_wrong_password_is_refused_with_a_message(client, make_user):
    make_user("alice")
    response = sign_in(client, "alice", "wrong password")
    assert response.status_code == 200 and not is_signed_in(client)
    assert response.context["form"].non_field_errors()


def test_signing_out_takes_a_post_and_ends_the_session(client, make_user):
    make_user("alice")
    sign_in(client, "alice")
    assert client.get("/account/logout/").status_code == 405
    assert is_signed_in(client)
    response = client.post("/account/logout/")
    assert response.status_code == 302 and not is_signed_in(client)


def test_the_sixth_attempt_is_refused_even_with_the_right_password(client, make_user):
    make_user("alice")
    for _ in range(5):
        sign_in(client, "alice", "wrong password")
    response = sign_in(client, "alice")
    assert response.status_code == 429
    assert not is_signed_in(client)
    assert "Too many sign-in attempts" in response.content.decode()
    assert "15 minutes" in response.content.decode()


def test_failures_count_against_the_account_however_it_was_spelt(client, make_user):
    make_user("alice")
    for identifier in ("alice", "ALICE", "alice@example.org", "Alice", "alice"):
        sign_in(client, identifier, "wrong password")
    assert sign_in(client, "alice").status_code == 429


def test_the_lockout_is_per_account_so_others_can_still_sign_in(client, make_user):
    make_user("alice")
    make_user("bob")
    for _ in range(5):
        sign_in(client, "alice", "wrong password")
    assert sign_in(client, "bob").status_code == 302


def test_the_lockout_page_is_japanese_for_japanese_readers(client, make_user):
    make_user("alice")
    client.post("/i18n/setlang/", {"language": "ja"})
    for _ in range(6):
        response = sign_in(client, "alice", "wrong password")
    assert response.status_code == 429
    assert "サインインの試行回数が多すぎます" in response.content.decode()


def test_a_suspended_person_is_told_so_only_when_the_password_is_right(client, make_user, operator):
    from conceptcloud.accounts.services import user_set_active

    alice = make_user("alice")
    user_set_active(actor=operator, user=alice, active=False)
    wrong = sign_in(client, "alice", "wrong password")
    assert "suspended" not in wrong.content.decode()
    right = sign_in(client, "alice")
    assert right.status_code == 200 and not is_signed_in(client)
    assert "suspended" in right.content.decode()


# --- Passwords ----------------------------------------------------------------


def test_changing_the_password_keeps_this_session_and_the_new_password_works(client, make_user):
    make_user("alice")
    sign_in(client, "alice")
    response = client.post(
        "/account/password/",
        {"old_password": PASSWORD, "new_password1": STRONG, "new_password2": STRONG},
    )
    assert response.status_code == 302
    assert is_signed_in(client), "the session survives its own password change"
    assert User.objects.get(username="alice").check_password(STRONG)
    assert "account.password_changed" in [e.type for e in entries_for_subject(subject="user:alice")]
    assert sign_in(Client(), "alice", STRONG).status_code == 302


def test_a_wrong_current_password_or_a_weak_new_one_changes_nothing(client, make_user):
    make_user("alice")
    sign_in(client, "alice")
    wrong = client.post("/account/password/", {"old_password": "nope", "new_password1": STRONG, "new_password2": STRONG})
    assert field_errors(wrong, "old_password")
    weak = client.post("/account/password/", {"old_password": PASSWORD, "new_password1": "abc", "new_password2": "abc"})
    assert field_errors(weak, "new_password1")
    assert User.objects.get(username="alice").check_password(PASSWORD)


def test_the_password_page_needs_a_signed_in_person(client, db):
    response = client.get("/account/password/")
    assert response.status_code == 302 and response["Location"].startswith("/account/login/?next=")


def _reset_link(email: str, client: Client) -> str:
    client.post("/account/password/reset/", {"email": email})
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [email]
    return re.search(r"https?://[^/\s]+(/account/password/reset/\S+/)", mail.outbox[0].body).group(1)


def test_a_password_reset_by_email_sets_the_new_password_through_the_service(client, make_user):
    make_user("alice")
    link = _reset_link("alice@example.org", client)
    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200 and form_page.context["validlink"]
    set_url = form_page.redirect_chain[-1][0]
    response = client.post(set_url, {"new_password1": STRONG, "new_password2": STRONG})
    assert response.status_code == 302 and response["Location"] == "/account/password/reset/complete/"
    assert User.objects.get(username="alice").check_password(STRONG)
    assert "account.password_reset" in [e.type for e in entries_for_subject(subject="user:alice")]
    # The link works once.
    assert client.get(link, follow=True).context["validlink"] is False


def test_a_weak_password_at_reset_is_refused_by_its_field(client, make_user):
    make_user("alice")
    link = _reset_link("alice@example.org", client)
    set_url = client.get(link, follow=True).redirect_chain[-1][0]
    response = client.post(set_url, {"new_password1": "password", "new_password2": "password"})
    assert response.status_code == 200 and field_errors(response, "new_password1")
    assert User.objects.get(username="alice").check_password(PASSWORD)


def test_a_reset_for_an_unknown_address_looks_the_same_and_sends_nothing(client, db):
    response = client.post("/account/password/reset/", {"email": "nobody@example.org"})
    assert response.status_code == 302 and response["Location"] == "/account/password/reset/sent/"
    assert mail.outbox == []


def test_a_password_reset_lifts_the_login_lockout(client, make_user):
    make_user("alice")
    for _ in range(5):
        sign_in(client, "alice", "wrong password")
    assert sign_in(client, "alice").status_code == 429
    link = _reset_link("alice@example.org", client)
    set_url = client.get(link, follow=True).redirect_chain[-1][0]
    client.post(set_url, {"new_password1": STRONG, "new_password2": STRONG})
    assert sign_in(client, "alice", STRONG).status_code == 302


# --- Profile ------------------------------------------------------------------


def profile_data(**changes) -> dict:
    data = {
        "display_name": "Alice Liddell",
        "affiliation": "Kyoto University",
        "country": "JP",
        "languages": ["en", "ja"],
        "skills": "robotics, patent drafting、電池",
        "bio": "Soft robotics.",
        "orcid": "0000-0002-1825-0097",
    }
    data.update(changes)
    return data


def test_the_profile_page_needs_a_signed_in_person(client, db):
    assert client.get("/account/profile/")["Location"].startswith("/account/login/")


def test_a_bad_orcid_is_refused_by_its_field_and_nothing_is_saved(client_for, make_user):
    alice = make_user("alice")
    client = client_for(alice)
    history = len(entries_for_subject(subject="user:alice"))
    response = client.post("/account/profile/", profile_data(orcid="0000-0002-1825-0098"))
    assert response.status_code == 200 and field_errors(response, "orcid")
    alice.refresh_from_db()
    assert alice.affiliation == "" and alice.orcid == ""
    assert len(entries_for_subject(subject="user:alice")) == history


def test_a_good_profile_is_saved_and_shown_publicly_with_the_orcid_link(client_for, make_user):
    alice = make_user("alice")
    client = client_for(alice)
    response = client.post("/account/profile/", profile_data(orcid="https://orcid.org/0000-0002-1825-0097"))
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.orcid == "0000-0002-1825-0097"
    assert alice.skills == ["robotics", "patent drafting", "電池"] and alice.languages == ["en", "ja"]
    public = Client().get("/people/alice/").content.decode()
    assert 'href="https://orcid.org/0000-0002-1825-0097"' in public
    assert "Kyoto University" in public and "電池" in public and "Japanese" in public


def test_the_profile_form_shows_what_is_saved(client_for, make_user):
    alice = make_user("alice")
    profile_update(actor=alice, data=ProfileData(skills=["robotics", "optics"], country="JP"))
    body = client_for(alice).get("/account/profile/").content.decode()
    assert 'value="robotics, optics"' in body and '<option value="JP" selected>' in body


def test_an_unknown_country_or_language_is_refused_by_its_field(client_for, make_user):
    client = client_for(make_user("alice"))
    response = client.post("/account/profile/", profile_data(country="XX", languages=["xx"]))
    assert field_errors(response, "country") and field_errors(response, "languages")


# --- API tokens ---------------------------------------------------------------


def test_a_new_token_is_shown_once_and_only_its_hash_is_stored(client_for, make_user):
    client = client_for(make_user("alice"))
    response = client.post("/account/tokens/", {"name": "nightly import"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]
    secret = response.context["secret"]
    assert secret.startswith("cc_") and secret in response.content.decode()
    token = ApiToken.objects.get(name="nightly import")
    assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in {token.token_hash, token.prefix, token.name}
    listing = client.get("/account/tokens/").content.decode()
    assert "nightly import" in listing and token.prefix in listing
    assert secret not in listing
    assert services.token_authenticate(secret=secret).username == "alice"


def test_a_token_needs_a_name(client_for, make_user):
    client = client_for(make_user("alice"))
    response = client.post("/account/tokens/", {"name": "   "})
    assert response.status_code == 200 and field_errors(response, "name")
    assert not ApiToken.objects.exists()


def test_a_revoked_token_no_longer_authenticates(client_for, make_user):
    client = client_for(make_user("alice"))
    secret = client.post("/account/tokens/", {"name": "ci"}).context["secret"]
    token = ApiToken.objects.get(name="ci")
    response = client.post(f"/account/tokens/{token.pk}/revoke/")
    assert response.status_code == 302
    assert services.token_authenticate(secret=secret) is None
    assert "Revoked" in client.get("/account/tokens/").content.decode()


def test_nobody_revokes_someone_elses_token(client_for, make_user):
    alice_client = client_for(make_user("alice"))
    alice_client.post("/account/tokens/", {"name": "ci"})
    token = ApiToken.objects.get(name="ci")
    response = client_for(make_user("mallory")).post(f"/account/tokens/{token.pk}/revoke/")
    assert response.status_code == 404
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None


# --- Organisations ------------------------------------------------------------


def org_data(**changes) -> dict:
    data = {
        "name": "Kyoto Robotics Lab",
        "kind": "university",
        "country": "JP",
        "website": "https://robotics.example.jp",
        "ror_id": "https://ror.org/02kpeqv85",
        "description": "Soft grippers.",
    }
    data.update(changes)
    return data


def test_creating_an_organisation_makes_its_creator_the_admin(client_for, make_user):
    alice = make_user("alice")
    response = client_for(alice).post("/organisations/new/", org_data())
    org = Organisation.objects.get(name="Kyoto Robotics Lab")
    assert response["Location"] == f"/organisations/{org.slug}/"
    assert org.ror_id == "02kpeqv85"
    assert Membership.objects.get(organisation=org).user == alice
    assert Membership.objects.get(organisation=org).role == "admin"


def test_bad_organisation_input_is_shown_by_the_fields_and_nothing_is_created(client_for, make_user):
    client = client_for(make_user("alice"))
    response = client.post("/organisations/new/", org_data(website="ftp://x", ror_id="02kpeqv86"))
    assert field_errors(response, "website") and field_errors(response, "ror_id")
    assert not Organisation.objects.exists()


def test_an_organisation_named_new_does_not_hide_behind_the_create_page(client_for, make_user):
    client_for(make_user("alice")).post("/organisations/new/", org_data(name="New"))
    org = Organisation.objects.get(name="New")
    assert org.slug != "new"
    assert Client().get(f"/organisations/{org.slug}/").status_code == 200


def test_only_admins_edit_an_organisation(client_for, make_user, make_org):
    alice = make_user("alice")
    org = make_org(alice, "Kyoto Robotics Lab")
    member = make_user("member")
    Membership.objects.create(user=member, organisation=org, role="member")
    outsider = make_user("outsider")
    for person in (member, outsider):
        client = client_for(person)
        assert client.get(f"/organisations/{org.slug}/edit/").status_code == 404
        assert client.post(f"/organisations/{org.slug}/edit/", org_data(name="Hijacked")).status_code == 404
        assert client.get(f"/organisations/{org.slug}/members/").status_code == 404
    assert Client().get(f"/organisations/{org.slug}/edit/").status_code == 302
    response = client_for(alice).post(f"/organisations/{org.slug}/edit/", org_data(name="Kyoto Soft Robotics"))
    assert response.status_code == 302
    org.refresh_from_db()
    assert org.name == "Kyoto Soft Robotics" and org.slug == "kyoto-robotics-lab"


def test_the_organisation_list_filters_by_type_country_and_text(client, make_user, make_org):
    alice = make_user("alice")
    make_org(alice, "Kyoto TLO", kind="tlo", country="JP")
    make_org(alice, "Nairobi Water NGO", kind="ngo", country="KE")
    make_org(alice, "Osaka Motors", kind="company", country="JP")

    def names(**query):
        return [o.name for o in client.get("/organisations/", query).context["page_obj"]]

    assert names() == ["Kyoto TLO", "Nairobi Water NGO", "Osaka Motors"]
    assert names(country="JP") == ["Kyoto TLO", "Osaka Motors"]
    assert names(kind="ngo") == ["Nairobi Water NGO"]
    assert names(q="motors") == ["Osaka Motors"]
    assert names(country="nonsense") == ["Kyoto TLO", "Nairobi Water NGO", "Osaka Motors"]


def test_the_organisation_list_is_paginated(client, make_user, make_org):
    alice = make_user("alice")
    for n in range(23):
        make_org(alice, f"Org {n:02d}")
    first = client.get("/organisations/")
    assert len(first.context["page_obj"]) == 20 and 'rel="next"' in first.content.decode()
    assert len(client.get("/organisations/", {"page": 2}).context["page_obj"]) == 3


def test_an_organisation_page_lists_only_the_assets_this_viewer_may_see(client, client_for, make_user, make_org, make_asset):
    from conceptcloud.registry.services import asset_set_status

    alice = make_user("alice")
    org = make_org(alice, "Kyoto TLO", kind="tlo")
    make_asset(alice, org=org, title="Open gear", details="public details here")
    make_asset(alice, org=org, title="Secret gear", visibility="confidential", details="Tolerance-secret-7731")
    make_asset(alice, org=org, title="Members gear", visibility="members")
    make_asset(alice, org=org, title="Draft gear", publish=False)
    gone = make_asset(alice, org=org, title="Withdrawn gear")
    asset_set_status(actor=alice, asset=gone, status="withdrawn")
    anonymous = client.get(f"/organisations/{org.slug}/").content.decode()
    assert "Open gear" in anonymous and "Secret gear" in anonymous and "Members gear" in anonymous
    assert "Draft gear" not in anonymous and "Withdrawn gear" not in anonymous
    assert "Tolerance-secret-7731" not in anonymous and "public details here" not in anonymous
    member_view = client_for(alice).get(f"/organisations/{org.slug}/").content.decode()
    assert "Draft gear" not in member_view, "the page shows published assets; drafts live on the dashboard"
    assert "Alice" in member_view and "Members and invitations" in member_view
    assert "Members and invitations" not in anonymous


def test_an_unknown_organisation_is_a_404(client, db):
    assert client.get("/organisations/nope/").status_code == 404


def test_an_invitation_by_email_makes_the_invitee_a_member(
    make_user, make_org, client_for, django_capture_on_commit_callbacks
):
    alice = make_user("alice")
    org = make_org(alice, "Kyoto TLO", kind="tlo")
    admin = client_for(alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(f"/organisations/{org.slug}/members/", {"email": "Bob@Example.org", "role": "admin"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["bob@example.org"]
    link = re.search(r"http://testserver(/invitations/\S+)", mail.outbox[0].body).group(1)
    assert "bob@example.org" in admin.get(f"/organisations/{org.slug}/members/").content.decode()

    bob_browser = Client()
    page = bob_browser.get(link)
    assert page.status_code == 200 and "Sign in first" in page.content.decode()
    assert bob_browser.post(link)["Location"].startswith("/account/login/")
    signup = bob_browser.post(f"/account/signup/?next={link}", signup_data(username="bob", email="bob@example.org"))
    assert signup["Location"] == link
    accepted = bob_browser.post(link)
    assert accepted["Location"] == f"/organisations/{org.slug}/"
    bob = User.objects.get(username="bob")
    assert Membership.objects.get(organisation=org, user=bob).role == "admin"
    assert "membership.joined" in [e.type for e in entries_for_subject(subject=f"org:{org.slug}")]
    assert Invitation.objects.get().accepted_by == bob
    # Used once: a second person cannot reuse the link.
    carol_browser = client_for(make_user("carol"))
    assert "expired" in carol_browser.get(link).content.decode()
    carol_browser.post(link)
    assert not Membership.objects.filter(user__username="carol").exists()


def test_an_invitation_to_an_existing_member_is_refused_by_the_email_field(make_user, make_org, client_for):
    alice = make_user("alice")
    org = make_org(alice, "Kyoto TLO")
    response = client_for(alice).post(f"/organisations/{org.slug}/members/", {"email": "alice@example.org", "role": "member"})
    assert response.status_code == 200 and field_errors(response, "email")
    assert not Invitation.objects.exists() and mail.outbox == []


def test_a_revoked_invitation_cannot_be_accepted(make_user, make_org, client_for, django_capture_on_commit_callbacks):
    alice = make_user("alice")
    org = make_org(alice, "Kyoto TLO")
    admin = client_for(alice)
    with django_capture_on_commit_callbacks(execute=True):
        admin.post(f"/organisations/{org.slug}/members/", {"email": "bob@example.org", "role": "member"})
    link = re.search(r"http://testserver(/invitations/\S+)", mail.outbox[0].body).group(1)
    invitation = Invitation.objects.get()
    assert admin.post(f"/organisations/{org.slug}/invitations/{invitation.pk}/revoke/").status_code == 302
    bob = client_for(make_user("bob"))
    bob.post(link)
    assert not Membership.objects.filter(user__username="bob").exists()
    assert Client().get("/invitations/not-a-real-token").status_code == 404


def test_admins_change_roles_and_remove_members_but_keep_one_admin(make_user, make_org, client_for):
    alice = make_user("alice")
    org = make_org(alice, "Kyoto TLO")
    bob = make_user("bob")
    Membership.objects.create(user=bob, organisation=org, role="member")
    admin = client_for(alice)
    membership = Membership.objects.get(user=bob)
    admin.post(f"/organisations/{org.slug}/members/bob/role/", {f"m{membership.pk}-role": "admin"})
    assert Membership.objects.get(user=bob).role == "admin"
    admin.post(f"/organisations/{org.slug}/members/bob/remove/")
    assert not Membership.objects.filter(user=bob).exists()
    own = Membership.objects.get(user=alice)
    response = admin.post(f"/organisations/{org.slug}/members/alice/role/", {f"m{own.pk}-role": "member"}, follow=True)
    assert "at least one admin" in response.content.decode()
    assert Membership.objects.get(user=alice).role == "admin"
    assert client_for(bob).post(f"/organisations/{org.slug}/members/alice/remove/").status_code == 404


def test_a_member_can_leave_but_the_last_admin_cannot(make_user, make_org, client_for):
    alice = make_user("alice")
    org = make_org(alice, "Kyoto TLO")
    bob = make_user("bob")
    Membership.objects.create(user=bob, organisation=org, role="member")
    assert client_for(bob).post(f"/organisations/{org.slug}/leave/").status_code == 302
    assert not Membership.objects.filter(user=bob).exists()
    client_for(alice).post(f"/organisations/{org.slug}/leave/")
    assert Membership.objects.filter(user=alice).exists()
    assert client_for(bob).post(f"/organisations/{org.slug}/leave/").status_code == 404


# --- People -------------------------------------------------------------------


def test_the_people_directory_filters_by_text_skill_and_country(client, make_user):
    alice, bob, carol = make_user("alice"), make_user("bob"), make_user("carol")
    profile_update(actor=alice, data=ProfileData(country="JP", skills=["Robotics", "電池"], affiliation="Kyoto University"))
    profile_update(actor=bob, data=ProfileData(country="KE", skills=["Water purification"]))
    profile_update(actor=carol, data=ProfileData(country="JP", skills=["Patent drafting"]))

    def names(**query):
        return [p.username for p in client.get("/people/", query).context["page_obj"]]

    assert names() == ["alice", "bob", "carol"]
    assert names(country="JP") == ["alice", "carol"]
    assert names(skill="robot") == ["alice"]
    assert names(skill="電池") == ["alice"]
    assert names(q="kyoto") == ["alice"]
    assert names(q="water") == ["bob"]


def test_suspended_people_leave_the_directory(client, make_user, operator):
    from conceptcloud.accounts.services import user_set_active

    alice = make_user("alice")
    make_user("bob")
    user_set_active(actor=operator, user=alice, active=False)
    assert "alice" not in [p.username for p in client.get("/people/").context["page_obj"]]
    assert client.get("/people/alice/").status_code == 404


def test_a_profile_lists_only_the_assets_the_viewer_may_see(client, client_for, make_user, make_org, make_asset):
    alice = make_user("alice")
    make_asset(alice, title="Alice public idea")
    make_asset(alice, title="Alice secret idea", visibility="confidential", details="Tolerance-secret-7731")
    make_asset(alice, title="Alice draft idea", publish=False)
    org = make_org(alice, "Kyoto TLO")
    make_asset(alice, org=org, title="Registered for the TLO")
    body = client.get("/people/alice/").content.decode()
    assert "Alice public idea" in body and "Alice secret idea" in body and "Registered for the TLO" in body
    assert "Alice draft idea" not in body and "Tolerance-secret-7731" not in body
    assert "Kyoto TLO" in body


# --- Language -----------------------------------------------------------------


def test_switching_to_japanese_makes_the_following_pages_japanese(client, make_user):
    make_user("alice")
    english = client.get("/organisations/").content.decode()
    assert "Organisations" in english and 'lang="en"' in english
    response = client.post("/i18n/setlang/", {"language": "ja", "next": "/organisations/"})
    assert response.status_code == 302 and response["Location"] == "/organisations/"
    cookie = response.cookies["django_language"]
    assert cookie.value == "ja" and int(cookie["max-age"]) == 365 * 24 * 3600
    for path in ("/organisations/", "/people/", "/account/login/", "/account/signup/"):
        body = client.get(path).content.decode()
        assert 'lang="ja"' in body and "資産" in body and "サインイン" in body, path
    assert "組織" in client.get("/organisations/").content.decode()
