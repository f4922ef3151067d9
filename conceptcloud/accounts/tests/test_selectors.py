"""Reads of people, organisations, memberships, invitations and tokens."""

from datetime import timedelta

import pytest
from django.utils import timezone

from conceptcloud.accounts import selectors, services
from conceptcloud.accounts.models import ApiToken, Membership
from conceptcloud.accounts.services import ProfileData, profile_update
from conceptcloud.core.errors import NotFound


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("alice", "alice"),
        ("ALICE", "alice"),
        (" alice@example.org ", "alice"),
        ("Alice@EXAMPLE.org", "alice"),
        ("nobody", "nobody"),
        ("nobody@example.org", "nobody@example.org"),
    ],
)
def test_a_typed_username_or_email_resolves_to_the_stored_username(make_user, typed, expected):
    make_user("alice")
    assert selectors.login_username(identifier=typed) == expected


def test_a_suspension_is_revealed_only_with_the_right_password(make_user, operator):
    alice = make_user("alice")
    assert not selectors.account_is_suspended(username="alice", password="correct horse 42")
    services.user_set_active(actor=operator, user=alice, active=False)
    assert selectors.account_is_suspended(username="alice", password="correct horse 42")
    assert not selectors.account_is_suspended(username="alice", password="guess")
    assert not selectors.account_is_suspended(username="nobody", password="guess")


def test_the_organisation_directory_filters_and_counts_members(make_user, make_org):
    alice, bob = make_user("alice"), make_user("bob")
    kyoto = make_org(alice, "Kyoto TLO", kind="tlo", country="JP")
    make_org(alice, "Nairobi Water NGO", kind="ngo", country="KE")
    Membership.objects.create(user=bob, organisation=kyoto, role="member")
    everything = selectors.organisation_list()
    assert [(o.name, o.member_count) for o in everything] == [("Kyoto TLO", 2), ("Nairobi Water NGO", 1)]
    assert [o.name for o in selectors.organisation_list(kind="ngo")] == ["Nairobi Water NGO"]
    assert [o.name for o in selectors.organisation_list(country="JP")] == ["Kyoto TLO"]
    assert [o.name for o in selectors.organisation_list(q="water")] == ["Nairobi Water NGO"]
    assert selectors.organisation_countries() == ["JP", "KE"]


def test_organisation_admin_checks(make_user, make_org):
    alice, bob = make_user("alice"), make_user("bob")
    org = make_org(alice, "Kyoto TLO")
    Membership.objects.create(user=bob, organisation=org, role="member")
    assert selectors.organisation_get_for_admin(slug=org.slug, user=alice) == org
    for user in (bob, None):
        with pytest.raises(NotFound):
            selectors.organisation_get_for_admin(slug=org.slug, user=user)
    with pytest.raises(NotFound):
        selectors.organisation_get(slug="nope")
    assert selectors.organisation_ids_for_user(user=bob) == {org.pk}
    assert selectors.organisation_admin_ids_for_user(user=bob) == set()


def test_members_are_listed_admins_first_and_suspended_people_only_on_request(make_user, make_org, operator):
    alice, bob, zed = make_user("alice"), make_user("bob"), make_user("zed")
    org = make_org(zed, "Kyoto TLO")
    for user in (alice, bob):
        Membership.objects.create(user=user, organisation=org, role="member")
    services.user_set_active(actor=operator, user=bob, active=False)
    assert [m.user.username for m in selectors.organisation_members(organisation=org)] == ["zed", "alice"]
    everyone = selectors.organisation_members(organisation=org, include_suspended=True)
    assert [m.user.username for m in everyone] == ["zed", "alice", "bob"]
    assert selectors.membership_get(organisation=org, username="alice").user == alice
    with pytest.raises(NotFound):
        selectors.membership_get(organisation=org, username="nobody")


def test_the_people_directory_finds_skills_in_any_script_and_hides_suspended_people(make_user, operator):
    alice, bob, carol = make_user("alice"), make_user("bob"), make_user("carol")
    profile_update(actor=alice, data=ProfileData(skills=["全固体電池", "Robotics"], country="JP"))
    profile_update(actor=bob, data=ProfileData(skills=["Water"], country="KE", affiliation="Maji Labs"))
    profile_update(actor=carol, data=ProfileData(skills=["Robotics"], country="JP"))
    assert [p.username for p in selectors.person_list(skill="電池")] == ["alice"]
    assert [p.username for p in selectors.person_list(skill="robotics")] == ["alice", "carol"]
    assert [p.username for p in selectors.person_list(q="maji")] == ["bob"]
    assert [p.username for p in selectors.person_list(country="JP", skill="robot")] == ["alice", "carol"]
    services.user_set_active(actor=operator, user=carol, active=False)
    assert [p.username for p in selectors.person_list(skill="robotics")] == ["alice"]
    assert selectors.person_countries() == ["JP", "KE"]
    with pytest.raises(NotFound):
        selectors.person_get(username="carol")
    assert selectors.person_get(username="alice") == alice


def test_invitations_are_found_by_their_secret_and_pending_ones_listed(make_user, make_org):
    alice = make_user("alice")
    org = make_org(alice, "Kyoto TLO")
    other = make_org(alice, "Osaka Motors")
    base = "https://cc.example/invitations/"
    first, secret = services.invitation_create(actor=alice, organisation=org, email="b@example.org", role="member", accept_url_base=base)
    second, _ = services.invitation_create(actor=alice, organisation=org, email="c@example.org", role="member", accept_url_base=base)
    assert selectors.invitation_get_by_token(token=secret) == first
    with pytest.raises(NotFound):
        selectors.invitation_get_by_token(token="guess")
    assert selectors.invitation_get_for_admin(organisation=org, invitation_id=first.pk) == first
    with pytest.raises(NotFound):
        selectors.invitation_get_for_admin(organisation=other, invitation_id=first.pk)
    second.expires_at = timezone.now() - timedelta(minutes=1)
    second.save(update_fields=["expires_at"])
    assert list(selectors.invitations_pending(organisation=org)) == [first]
    assert first.is_open and not second.is_open


def test_a_tokens_secret_finds_it_only_while_it_is_valid(make_user, operator):
    alice = make_user("alice")
    token, secret = services.token_create(actor=alice, name="CI")
    assert selectors.token_get_by_secret(secret=secret) == token
    assert selectors.token_get_by_secret(secret=secret + "x") is None
    services.token_revoke(actor=alice, token_id=token.pk)
    assert selectors.token_get_by_secret(secret=secret) is None
    assert list(selectors.tokens_for_user(user=alice)) == [ApiToken.objects.get(pk=token.pk)]
