"""Every write to people, organisations, memberships, invitations and tokens."""

import hashlib
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from conceptcloud.accounts import services
from conceptcloud.accounts.models import ApiToken, Invitation, Membership, Organisation, User
from conceptcloud.accounts.services import OrganisationData, ProfileData
from conceptcloud.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from conceptcloud.history.models import Entry
from conceptcloud.history.selectors import entries_for_subject

BASE = "https://cc.example/invitations/"


def history_types(subject: str) -> list[str]:
    return [entry.type for entry in entries_for_subject(subject=subject)]


# --- Accounts -----------------------------------------------------------------


def test_signup_creates_an_active_account_and_records_it_without_the_email(db):
    user = services.user_signup(username="hanako", email=" Hanako@Example.ORG ", password="a much better secret 77")
    assert user.is_active and user.email == "hanako@example.org" and user.check_password("a much better secret 77")
    entry = entries_for_subject(subject="user:hanako").get()
    assert entry.type == "account.created" and b"example.org" not in bytes(entry.canonical)


def test_signup_reports_every_bad_field_at_once_and_writes_nothing(make_user):
    make_user("alice")
    before = (User.objects.count(), Entry.objects.count())
    with pytest.raises(InvalidInput) as caught:
        services.user_signup(username="ALICE", email="nope", password="123")
    assert set(caught.value.errors) == {"username", "email", "password"}
    with pytest.raises(InvalidInput) as caught:
        services.user_signup(username="a b/c", email="ALICE@example.org", password="a much better secret 77")
    assert set(caught.value.errors) == {"username", "email"}
    assert (User.objects.count(), Entry.objects.count()) == before


def test_a_profile_update_cleans_lists_and_records_no_bio_or_email(make_user):
    alice = make_user("alice")
    user = services.profile_update(
        actor=alice,
        data=ProfileData(
            display_name=" Alice ", country="JP", languages=["ja", "en", "ja"], skills=[" optics ", "", "optics", "AI"],
            bio="Private-ish story", orcid="0000-0002-1825-0097",
        ),
    )
    assert user.display_name == "Alice" and user.languages == ["ja", "en"] and user.skills == ["optics", "AI"]
    entry = list(entries_for_subject(subject="user:alice"))[-1]
    assert entry.type == "account.profile_updated" and entry.payload["orcid"] == "0000-0002-1825-0097"
    assert "bio" not in entry.payload and "email" not in entry.payload


def test_a_bad_profile_reports_every_field_and_changes_nothing(make_user):
    alice = make_user("alice")
    with pytest.raises(InvalidInput) as caught:
        services.profile_update(
            actor=alice,
            data=ProfileData(country="XX", languages=["zz"], skills=["x" * 61], orcid="0000-0002-1825-0098", bio="b" * 2001),
        )
    assert set(caught.value.errors) == {"country", "languages", "skills", "orcid", "bio"}
    alice.refresh_from_db()
    assert alice.country == "" and alice.orcid == ""


def test_a_password_change_needs_the_current_password_and_a_good_new_one(make_user):
    alice = make_user("alice")
    with pytest.raises(InvalidInput) as caught:
        services.user_password_change(actor=alice, old_password="wrong", new_password="short")
    assert set(caught.value.errors) == {"old_password", "new_password"}
    services.user_password_change(actor=alice, old_password="correct horse 42", new_password="a much better secret 77")
    assert User.objects.get(pk=alice.pk).check_password("a much better secret 77")
    assert history_types("user:alice")[-1] == "account.password_changed"


def test_a_reset_password_is_validated_and_lifts_the_login_lockout(make_user, client):
    alice = make_user("alice")

    def sign_in(password):
        return client.post("/account/login/", {"username": "alice", "password": password})

    for _ in range(5):
        sign_in("wrong")
    with pytest.raises(InvalidInput) as caught:
        services.user_password_reset_complete(user=alice, new_password="password")
    assert "new_password1" in caught.value.errors
    assert sign_in("correct horse 42").status_code == 429, "a refused reset lifts nothing"
    services.user_password_reset_complete(user=alice, new_password="a much better secret 77")
    assert sign_in("a much better secret 77").status_code == 302
    assert history_types("user:alice")[-1] == "account.password_reset"


def test_only_the_operator_suspends_and_never_themselves(make_user, operator):
    alice, bob = make_user("alice"), make_user("bob")
    with pytest.raises(PermissionDenied):
        services.user_set_active(actor=bob, user=alice, active=False)
    with pytest.raises(Conflict):
        services.user_set_active(actor=operator, user=operator, active=False)
    services.user_set_active(actor=operator, user=alice, active=False, reason="spam")
    assert User.objects.get(pk=alice.pk).is_active is False
    entry = list(entries_for_subject(subject="user:alice"))[-1]
    assert entry.type == "moderation.user_suspended" and entry.payload == {"reason": "spam"}
    services.user_set_active(actor=operator, user=alice, active=True)
    assert history_types("user:alice")[-1] == "moderation.user_reinstated"


# --- Organisations and memberships --------------------------------------------


def test_an_organisation_gets_a_unique_slug_and_its_creator_as_admin(make_user):
    alice = make_user("alice")
    data = OrganisationData(name="Kyoto TLO", kind="tlo", country="JP", ror_id="02kpeqv85")
    first = services.organisation_create(actor=alice, data=data)
    second = services.organisation_create(actor=alice, data=data)
    assert (first.slug, second.slug) == ("kyoto-tlo", "kyoto-tlo-2")
    assert Membership.objects.get(organisation=first).role == "admin"
    assert history_types("org:kyoto-tlo") == ["organisation.created"]


def test_an_organisation_never_gets_a_slug_that_is_a_directory_path(make_user):
    org = services.organisation_create(actor=make_user("alice"), data=OrganisationData(name="New", kind="sme", country="JP"))
    assert org.slug == "new-2"


def test_bad_organisation_data_reports_every_field(make_user):
    with pytest.raises(InvalidInput) as caught:
        services.organisation_create(
            actor=make_user("alice"),
            data=OrganisationData(name=" ", kind="club", country="", website="javascript:alert(1)", ror_id="02kpeqv86"),
        )
    assert set(caught.value.errors) == {"name", "kind", "country", "website", "ror_id"}
    assert not Organisation.objects.exists()


def test_only_an_admin_updates_an_organisation(make_user, make_org):
    alice, bob = make_user("alice"), make_user("bob")
    org = make_org(alice, "Kyoto TLO")
    Membership.objects.create(user=bob, organisation=org, role="member")
    data = OrganisationData(name="Kyoto TLO Inc.", kind="company", country="JP", website="https://tlo.example")
    with pytest.raises(PermissionDenied):
        services.organisation_update(actor=bob, organisation=org, data=data)
    updated = services.organisation_update(actor=alice, organisation=org, data=data)
    assert updated.name == "Kyoto TLO Inc." and updated.slug == "kyoto-tlo"
    assert history_types("org:kyoto-tlo")[-1] == "organisation.updated"


def test_an_organisation_always_keeps_an_admin(make_user, make_org):
    alice, bob = make_user("alice"), make_user("bob")
    org = make_org(alice, "Kyoto TLO")
    Membership.objects.create(user=bob, organisation=org, role="member")
    with pytest.raises(Conflict):
        services.membership_set_role(actor=alice, organisation=org, user=alice, role="member")
    with pytest.raises(Conflict):
        services.membership_remove(actor=alice, organisation=org, user=alice)
    services.membership_set_role(actor=alice, organisation=org, user=bob, role="admin")
    services.membership_set_role(actor=bob, organisation=org, user=alice, role="member")
    assert dict(Membership.objects.values_list("user__username", "role")) == {"alice": "member", "bob": "admin"}
    with pytest.raises(PermissionDenied):
        services.membership_remove(actor=alice, organisation=org, user=bob)
    services.membership_remove(actor=alice, organisation=org, user=alice)
    assert not Membership.objects.filter(user=alice).exists()


def test_a_role_must_be_admin_or_member(make_user, make_org):
    alice = make_user("alice")
    org = make_org(alice, "Kyoto TLO")
    with pytest.raises(InvalidInput):
        services.membership_set_role(actor=alice, organisation=org, user=alice, role="owner")


# --- Invitations --------------------------------------------------------------


def test_an_invitation_is_mailed_with_its_secret_and_stored_hashed(make_user, make_org, django_capture_on_commit_callbacks):
    alice = make_user("alice")
    org = make_org(alice, "Kyoto TLO")
    with django_capture_on_commit_callbacks(execute=True):
        invitation, secret = services.invitation_create(
            actor=alice, organisation=org, email=" Bob@Example.org ", role="member", accept_url_base=BASE
        )
    assert invitation.email == "bob@example.org"
    assert invitation.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert mail.outbox[0].to == ["bob@example.org"] and BASE + secret in mail.outbox[0].body
    entry = list(entries_for_subject(subject="org:kyoto-tlo"))[-1]
    assert entry.type == "invitation.created" and b"bob@" not in bytes(entry.canonical)


def test_only_admins_invite_and_only_valid_addresses_and_roles(make_user, make_org):
    alice, bob = make_user("alice"), make_user("bob")
    org = make_org(alice, "Kyoto TLO")
    Membership.objects.create(user=bob, organisation=org, role="member")
    with pytest.raises(PermissionDenied):
        services.invitation_create(actor=bob, organisation=org, email="c@example.org", role="member", accept_url_base=BASE)
    with pytest.raises(InvalidInput) as caught:
        services.invitation_create(actor=alice, organisation=org, email="nope", role="owner", accept_url_base=BASE)
    assert set(caught.value.errors) == {"email", "role"}
    with pytest.raises(Conflict):
        services.invitation_create(actor=alice, organisation=org, email="BOB@example.org", role="member", accept_url_base=BASE)
    assert not Invitation.objects.exists()


def test_an_invitation_is_accepted_once_and_not_after_expiry_or_revocation(make_user, make_org):
    alice, bob, carol, dave = make_user("alice"), make_user("bob"), make_user("carol"), make_user("dave")
    org = make_org(alice, "Kyoto TLO")

    def invite(email):
        return services.invitation_create(actor=alice, organisation=org, email=email, role="admin", accept_url_base=BASE)[0]

    used = invite("bob@example.org")
    membership = services.invitation_accept(actor=bob, invitation=used)
    assert membership.role == "admin" and history_types("org:kyoto-tlo")[-1] == "membership.joined"
    with pytest.raises(Conflict):
        services.invitation_accept(actor=carol, invitation=used)
    expired = invite("carol@example.org")
    Invitation.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    expired.refresh_from_db()
    with pytest.raises(Conflict):
        services.invitation_accept(actor=carol, invitation=expired)
    revoked = invite("dave@example.org")
    services.invitation_revoke(actor=alice, invitation=revoked)
    with pytest.raises(Conflict):
        services.invitation_accept(actor=dave, invitation=revoked)
    assert set(Membership.objects.values_list("user__username", flat=True)) == {"alice", "bob"}


# --- API tokens ---------------------------------------------------------------


def test_a_token_stores_only_the_hash_of_its_secret(make_user):
    alice = make_user("alice")
    token, secret = services.token_create(actor=alice, name=" CI ")
    assert token.name == "CI" and secret.startswith("cc_") and len(secret) > 40
    assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest() and token.prefix == secret[:10]
    entry = list(entries_for_subject(subject="user:alice"))[-1]
    assert entry.type == "token.created" and secret.encode() not in bytes(entry.canonical)


def test_a_token_needs_a_short_name(make_user):
    alice = make_user("alice")
    for name in ("", " ", "x" * 101):
        with pytest.raises(InvalidInput):
            services.token_create(actor=alice, name=name)
    assert not ApiToken.objects.exists()


def test_a_token_is_revoked_only_by_its_owner_and_once(make_user):
    alice, bob = make_user("alice"), make_user("bob")
    token, _ = services.token_create(actor=alice, name="CI")
    with pytest.raises(NotFound):
        services.token_revoke(actor=bob, token_id=token.pk)
    services.token_revoke(actor=alice, token_id=token.pk)
    services.token_revoke(actor=alice, token_id=token.pk)
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None
    assert history_types("user:alice").count("token.revoked") == 1


@pytest.mark.parametrize("name", ["me", "ME", "ｍｅ", "api"])
def test_names_that_address_the_platform_cannot_be_taken_by_a_person(db, name):
    from conceptcloud.accounts.models import User

    with pytest.raises(InvalidInput) as caught:
        services.user_signup(username=name, email="x@example.org", password="correct horse 42")
    assert "username" in caught.value.errors
    assert not User.objects.filter(email="x@example.org").exists()


def test_a_token_authenticates_until_it_is_revoked_or_its_owner_suspended(make_user, operator):
    alice = make_user("alice")
    token, secret = services.token_create(actor=alice, name="CI")
    entries = Entry.objects.count()
    assert services.token_authenticate(secret=secret) == alice
    # Its use is noted for the token list, and is not an entry of anyone's history.
    assert ApiToken.objects.get(pk=token.pk).last_used_at is not None
    assert Entry.objects.count() == entries
    assert services.token_authenticate(secret=secret + "x") is None
    services.user_set_active(actor=operator, user=alice, active=False)
    assert services.token_authenticate(secret=secret) is None
    services.user_set_active(actor=operator, user=alice, active=True)
    services.token_revoke(actor=alice, token_id=token.pk)
    assert services.token_authenticate(secret=secret) is None
