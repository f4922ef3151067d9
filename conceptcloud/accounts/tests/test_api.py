"""The accounts API: organisations, members and invitations, people and
profiles, API tokens. Happy paths, refusals as problem+json that change nothing,
and what the public shapes leave out (e-mail addresses, token secrets).
"""

import json
import re

import pytest
from django.core import mail
from django.test import Client

from conceptcloud.accounts.models import ApiToken, Invitation, Membership, Organisation, User
from conceptcloud.accounts.services import token_create, token_revoke, user_set_active
from conceptcloud.history.models import Entry


def bearer(user) -> Client:
    _token, secret = token_create(actor=user, name="tests")
    return Client(headers={"Authorization": f"Bearer {secret}"})


def send(client: Client, method: str, url: str, body=None):
    return getattr(client, method)(url, data=json.dumps(body), content_type="application/json")


def state() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (User, Organisation, Membership, Invitation, ApiToken, Entry)
    } | {"revoked": ApiToken.objects.filter(revoked_at__isnull=False).count()}


def assert_problem(response, status: int, *fields: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert {"type", "title", "status", "detail", "instance"} <= set(body) and body["status"] == status
    for field in fields:
        assert body["errors"][field], body
    return body


ORGANISATION = {
    "name": "Nagoya Robotics",
    "kind": "startup",
    "country": "JP",
    "website": "https://robotics.example.jp/",
    "description": "Robot joints.",
}


@pytest.fixture
def alice(make_user):
    return make_user("alice", display_name="Alice Tanaka")


@pytest.fixture
def api(alice):
    return bearer(alice)


# Organisations ---------------------------------------------------------------


def test_a_signed_in_person_creates_an_organisation_and_becomes_its_admin(api, alice):
    response = send(api, "post", "/api/v1/organisations/", ORGANISATION)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["slug"] == "nagoya-robotics" and body["kind"] == "startup"
    assert body["url"] == "http://testserver/api/v1/organisations/nagoya-robotics"
    assert Client().get("/api/v1/organisations/nagoya-robotics").json() == body
    members = Client().get("/api/v1/organisations/nagoya-robotics/members").json()
    assert members["count"] == 1
    assert members["items"][0] | {"since": None} == {
        "username": "alice", "display_name": "Alice Tanaka", "role": "admin", "since": None
    }


def test_the_directory_lists_and_filters_organisations(alice, make_org):
    make_org(alice, "Kyoto TLO", kind="tlo", country="JP")
    make_org(alice, "Nairobi Water", kind="ngo", country="KE")
    anonymous = Client()

    def names(**query):
        return [item["name"] for item in anonymous.get("/api/v1/organisations/", query).json()["items"]]

    assert names() == ["Kyoto TLO", "Nairobi Water"]
    assert names(q="water") == ["Nairobi Water"]
    assert names(kind="tlo") == ["Kyoto TLO"]
    assert names(country="KE") == ["Nairobi Water"]
    assert_problem(anonymous.get("/api/v1/organisations/", {"kind": "club"}), 422, "kind")


def test_admins_edit_their_organisation_and_others_get_403(api, alice, make_user, make_org):
    org = make_org(alice, "Kyoto TLO", kind="tlo")
    edited = send(api, "patch", f"/api/v1/organisations/{org.slug}", {"website": "https://tlo.example.ac.jp/"})
    assert edited.status_code == 200, edited.content
    assert edited.json()["website"] == "https://tlo.example.ac.jp/" and edited.json()["name"] == "Kyoto TLO"

    outsider = bearer(make_user("mallory"))
    before = state()
    assert_problem(send(outsider, "patch", f"/api/v1/organisations/{org.slug}", {"name": "Mine"}), 403)
    assert_problem(send(api, "patch", f"/api/v1/organisations/{org.slug}", {"country": "XX"}), 422, "country")
    assert_problem(send(api, "patch", f"/api/v1/organisations/{org.slug}", {"name": None}), 422, "name")
    assert_problem(send(api, "patch", f"/api/v1/organisations/{org.slug}", {"website": "ftp://files"}), 422, "website")
    assert_problem(send(api, "patch", "/api/v1/organisations/no-such-org", {"name": "X"}), 404)
    assert state() == before
    org.refresh_from_db()
    assert (org.name, org.country) == ("Kyoto TLO", "JP")


def test_admins_invite_by_email_and_the_secret_goes_only_to_the_invitee(
    api, alice, make_org, django_capture_on_commit_callbacks
):
    org = make_org(alice, "Kyoto TLO", kind="tlo")
    with django_capture_on_commit_callbacks(execute=True):
        response = send(api, "post", f"/api/v1/organisations/{org.slug}/invitations", {"email": "bob@example.org", "role": "member"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["email"] == "bob@example.org" and body["role"] == "member" and set(body) == {
        "id", "email", "role", "created_at", "expires_at"
    }
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["bob@example.org"]
    link = re.search(r"http://testserver/invitations/(\S+)", mail.outbox[0].body).group(1)
    assert link not in response.content.decode()


def test_only_admins_invite_and_bad_invitations_change_nothing(api, alice, make_user, make_org):
    org = make_org(alice, "Kyoto TLO", kind="tlo")
    outsider = bearer(make_user("mallory"))
    before = state()
    assert_problem(send(outsider, "post", f"/api/v1/organisations/{org.slug}/invitations", {"email": "x@example.org"}), 403)
    assert_problem(send(api, "post", f"/api/v1/organisations/{org.slug}/invitations", {"email": "not an address"}), 422, "email")
    assert_problem(send(api, "post", f"/api/v1/organisations/{org.slug}/invitations", {"email": "x@example.org", "role": "owner"}), 422, "role")
    assert_problem(send(api, "post", f"/api/v1/organisations/{org.slug}/invitations", {"email": "alice@example.org"}), 409, "email")
    assert_problem(send(api, "post", "/api/v1/organisations/nowhere/invitations", {"email": "x@example.org"}), 404)
    assert state() == before


@pytest.mark.parametrize(
    "body, fields",
    [
        ({}, ["name", "kind", "country"]),
        ({**ORGANISATION, "kind": "club"}, ["kind"]),
        ({**ORGANISATION, "country": "Japan"}, ["country"]),
        ({**ORGANISATION, "name": ["list"]}, ["name"]),
        ({**ORGANISATION, "ror_id": "nope"}, ["ror_id"]),
        ({**ORGANISATION, "slug": "chosen"}, ["slug"]),
    ],
)
def test_bad_organisation_input_is_a_422_problem_and_creates_nothing(api, body, fields):
    before = state()
    assert_problem(send(api, "post", "/api/v1/organisations/", body), 422, *fields)
    assert state() == before


# People ----------------------------------------------------------------------


def test_the_people_directory_shows_public_profiles_without_email(alice, make_user):
    make_user("bob", display_name="Bob Mwangi")
    anonymous = Client()
    listing = anonymous.get("/api/v1/people/")
    assert [p["username"] for p in listing.json()["items"]] == ["alice", "bob"]
    assert [p["username"] for p in anonymous.get("/api/v1/people/", {"q": "mwangi"}).json()["items"]] == ["bob"]
    person = anonymous.get("/api/v1/people/alice")
    assert person.status_code == 200 and person.json()["display_name"] == "Alice Tanaka"
    assert b"@example.org" not in listing.content + person.content


def test_suspended_people_are_404(alice, make_user):
    operator = User.objects.create_superuser(username="operator", email="op@example.org", password="correct horse 42")
    bob = make_user("bob")
    user_set_active(actor=operator, user=bob, active=False)
    assert_problem(Client().get("/api/v1/people/bob"), 404)
    assert_problem(Client().get("/api/v1/people/nobody"), 404)


def test_me_shows_and_edits_the_own_profile(api, alice):
    me = api.get("/api/v1/people/me")
    assert me.status_code == 200 and me.json()["username"] == "alice" and me.json()["email"] == "alice@example.org"
    edited = send(api, "patch", "/api/v1/people/me", {"country": "JP", "skills": ["licensing"], "orcid": "0000-0002-1825-0097"})
    assert edited.status_code == 200, edited.content
    assert edited.json() | {"url": None} == {
        "username": "alice", "url": None, "display_name": "Alice Tanaka", "affiliation": "", "country": "JP",
        "languages": [], "skills": ["licensing"], "bio": "", "orcid": "0000-0002-1825-0097", "email": "alice@example.org",
        "show_praise": True,
    }
    alice.refresh_from_db()
    assert alice.skills == ["licensing"]
    hidden = send(api, "patch", "/api/v1/people/me", {"show_praise": False})
    assert hidden.json()["show_praise"] is False and hidden.json()["skills"] == ["licensing"]
    alice.refresh_from_db()
    assert alice.show_praise is False


@pytest.mark.parametrize(
    "body, fields",
    [
        ({"country": "XX"}, ["country"]),
        ({"languages": ["klingon"]}, ["languages"]),
        ({"orcid": "0000-0002-1825-0098"}, ["orcid"]),
        ({"skills": "licensing"}, ["skills"]),
        ({"display_name": None}, ["display_name"]),
        ({"email": "new@example.org"}, ["email"]),
    ],
)
def test_a_bad_profile_edit_is_a_422_problem_and_changes_nothing(api, alice, body, fields):
    before = state()
    assert_problem(send(api, "patch", "/api/v1/people/me", body), 422, *fields)
    assert state() == before
    alice.refresh_from_db()
    assert (alice.country, alice.orcid, alice.email) == ("", "", "alice@example.org")


def test_me_needs_credentials():
    assert_problem(Client().get("/api/v1/people/me"), 401)
    assert_problem(send(Client(), "patch", "/api/v1/people/me", {"bio": "x"}), 401)


# Tokens ----------------------------------------------------------------------


def test_a_new_token_shows_its_secret_once_and_works_as_a_bearer_token(alice):
    session = Client()
    session.force_login(alice)
    created = session.post(
        "/api/v1/tokens/", data=json.dumps({"name": "import script"}), content_type="application/json"
    )
    assert created.status_code == 201, created.content
    secret = created.json()["secret"]
    assert secret.startswith("cc_") and created.json()["prefix"] == secret[:10]

    listing = session.get("/api/v1/tokens/")
    assert [t["name"] for t in listing.json()] == ["import script"]
    assert secret.encode() not in listing.content and "secret" not in listing.json()[0]

    me = Client(headers={"Authorization": f"Bearer {secret}"}).get("/api/v1/people/me")
    assert me.status_code == 200 and me.json()["username"] == "alice"


def test_a_revoked_token_stops_working_at_once(alice):
    token, secret = token_create(actor=alice, name="old")
    client = Client(headers={"Authorization": f"Bearer {secret}"})
    assert client.delete(f"/api/v1/tokens/{token.pk}").status_code == 204
    assert_problem(client.get("/api/v1/people/me"), 401)
    assert_problem(client.get("/api/v1/assets/"), 401)
    other = bearer(alice)
    assert other.get("/api/v1/tokens/").json()[-1]["revoked_at"] is not None


def test_other_peoples_tokens_are_404_and_stay_valid(alice, make_user):
    bob = make_user("bob")
    token, secret = token_create(actor=bob, name="bob's")
    before = state()
    assert_problem(bearer(alice).delete(f"/api/v1/tokens/{token.pk}"), 404)
    assert state()["revoked"] == before["revoked"]
    assert Client(headers={"Authorization": f"Bearer {secret}"}).get("/api/v1/people/me").json()["username"] == "bob"


@pytest.mark.parametrize("body, fields", [({}, ["name"]), ({"name": "   "}, ["name"]), ({"name": 7}, ["name"])])
def test_a_token_needs_a_name(api, body, fields):
    before = state()
    assert_problem(send(api, "post", "/api/v1/tokens/", body), 422, *fields)
    assert state() == before


def test_tokens_need_credentials_and_a_revoked_token_cannot_revoke(alice):
    token, secret = token_create(actor=alice, name="t")
    token_revoke(actor=alice, token_id=token.pk)
    assert_problem(Client().get("/api/v1/tokens/"), 401)
    assert_problem(Client(headers={"Authorization": f"Bearer {secret}"}).post("/api/v1/tokens/"), 401)
