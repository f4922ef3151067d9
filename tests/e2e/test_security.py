"""Security and correctness across the whole platform: who may do what, what bad
input does, what the browser is told, and that the creative history agrees with
the state it records.

    authorisation     other organisations, former members, suspended people, operators
    sign-in           the rate limit on both sign-in pages, however the name is spelt
    input             escaping, redirects, CSRF, uploads, sizes, ids, NUL and other
                      unstorable text, numbers past the database's range
    transactions      a failing write changes nothing, files included
    history           every change has its entry, every entry its change
    headers           frames, sniffing, referrers, cookies
"""

import hashlib
import json
from collections import Counter

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from conceptcloud.accounts.models import Membership, User
from conceptcloud.accounts.services import (
    OrganisationData,
    ProfileData,
    membership_remove,
    organisation_create,
    profile_update,
    token_create,
    user_set_active,
    user_set_operator,
)
from conceptcloud.core.errors import InvalidInput, NotFound, PermissionDenied
from conceptcloud.history.models import Entry
from conceptcloud.registry.models import AccessGrant, Asset, AssetVersion, Attachment, Need
from conceptcloud.registry.services import (
    AssetData,
    NeedData,
    access_grant,
    asset_register,
    asset_set_status,
    asset_update,
    attachment_add,
    attachment_remove,
    need_create,
    need_set_status,
    need_update,
)

PASSWORD = "correct horse 42"
PDF = b"%PDF-1.7 drawing"
SCRIPT = "<script>alert(1)</script>"
ATTRIBUTE = '"><img src=x onerror=alert(2)>'


def _client(user=None, **kwargs) -> Client:
    client = Client(**kwargs)
    if user is not None:
        client.force_login(user)
    return client


def _bearer(user) -> Client:
    _token, secret = token_create(actor=user, name="security test")
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def _json(client: Client, method: str, url: str, body) -> object:
    return getattr(client, method)(url, data=json.dumps(body), content_type="application/json")


def _state() -> dict:
    """What the registry and the history hold, to show that a refused request changed nothing."""
    return {
        "entries": Entry.objects.count(),
        "assets": list(Asset.objects.order_by("pk").values_list("pk", "version", "status", "title", "details")),
        "versions": AssetVersion.objects.count(),
        "attachments": list(Attachment.objects.order_by("pk").values_list("pk", "removed_at")),
        "grants": list(AccessGrant.objects.order_by("pk").values_list("pk", "revoked_at")),
        "needs": list(Need.objects.order_by("pk").values_list("pk", "status", "title", "budget_max")),
        "users": list(User.objects.order_by("pk").values_list("username", "display_name", "is_active")),
        "memberships": Membership.objects.count(),
    }


@pytest.fixture
def cast(make_user, make_org, make_asset):
    """An organisation with an admin and a member, another organisation, a published
    confidential asset with a file, and a need."""
    owner = make_user("owner")
    org = make_org(owner, "Owner University TLO", kind="tlo")
    member = make_user("member")
    Membership.objects.create(user=member, organisation=org, role=Membership.Role.MEMBER)
    rival = make_user("rival")
    rival_org = make_org(rival, "Rival Robotics", kind="company")
    asset = make_asset(owner, org=org, visibility="confidential", details="Tolerance 0.002 mm")
    attachment = attachment_add(
        actor=owner, asset=asset, upload=SimpleUploadedFile("drawing.pdf", PDF, content_type="application/pdf")
    )
    need = need_create(actor=owner, data=NeedData(title="Cheap sensors", description="For rivers.", seeker_org=org.slug))
    return {"owner": owner, "org": org, "member": member, "rival": rival, "rival_org": rival_org,
            "asset": Asset.objects.get(pk=asset.pk), "attachment": attachment, "need": need}


# ---------------------------------------------------------------- authorisation


def _write_attempts(cast):
    """Every change a person can try on the cast's asset and need: (name, page request, API request)."""
    a, att, need = cast["asset"].pk, cast["attachment"].pk, cast["need"].pk
    upload = lambda: SimpleUploadedFile("x.pdf", PDF, content_type="application/pdf")  # noqa: E731
    return [
        ("edit", ("post", f"/assets/{a}/edit/", {"kind": "idea", "title": "Hijacked", "summary": "s",
                                                 "language": "en", "visibility": "public"}),
         ("patch", f"/api/v1/assets/{a}", {"title": "Hijacked"})),
        ("withdraw", ("post", f"/assets/{a}/status/", {"status": "withdrawn"}),
         ("post", f"/api/v1/assets/{a}/status", {"status": "withdrawn"})),
        ("upload", ("post", f"/assets/{a}/attachments/", {"file": upload()}),
         ("post", f"/api/v1/assets/{a}/attachments", {"file": upload()})),
        ("remove file", ("post", f"/assets/{a}/attachments/{att}/remove/", {}),
         ("delete", f"/api/v1/assets/{a}/attachments/{att}", None)),
        ("grant", ("post", f"/assets/{a}/access/", {"username": "rival"}),
         ("post", f"/api/v1/assets/{a}/grants", {"username": "rival"})),
        ("need edit", ("post", f"/needs/{need}/edit/", {"title": "Hijacked", "description": "d"}),
         ("patch", f"/api/v1/needs/{need}", {"title": "Hijacked"})),
        ("need status", ("post", f"/needs/{need}/status/", {"status": "closed"}),
         ("post", f"/api/v1/needs/{need}/status", {"status": "closed"})),
    ]


def _attempt(client: Client, method: str, url: str, body):
    if "/api/" in url and body is not None and "file" not in body:
        return _json(client, method, url, body)
    return getattr(client, method)(url, data=body) if body is not None else getattr(client, method)(url)


@pytest.mark.parametrize("who", ["rival", "former member", "suspended member"])
def test_people_outside_the_owning_organisation_change_nothing_by_page_or_api(cast, who):
    person = cast["rival"] if who == "rival" else cast["member"]
    page_client, api_client = _client(person), _bearer(person)
    if who == "former member":
        membership_remove(actor=cast["member"], organisation=cast["org"], user=cast["member"])
    if who == "suspended member":
        operator = User.objects.create_superuser(username="operator", email="op@example.org", password=PASSWORD)
        user_set_active(actor=operator, user=cast["member"], active=False)
    before = _state()
    for name, (method, url, body), (api_method, api_url, api_body) in _write_attempts(cast):
        page = _attempt(page_client, method, url, body)
        api = _attempt(api_client, api_method, api_url, api_body)
        if who == "suspended member":
            assert page.status_code == 302 and page["Location"].startswith("/account/login/"), name
            assert api.status_code == 401, name
        else:
            assert page.status_code in (403, 404), name
            assert api.status_code in (403, 404), name
        assert _state() == before, name


@pytest.mark.parametrize("who", ["member", "rival"])
def test_only_an_organisations_admins_change_it_or_its_members(cast, who):
    org = cast["org"].slug
    page_client, api_client = _client(cast[who]), _bearer(cast[who])
    before = _state()
    for url, body in ((f"/organisations/{org}/edit/", {"name": "Hijacked", "kind": "tlo", "country": "JP"}),
                      (f"/organisations/{org}/members/", {"email": "spy@example.org", "role": "admin"}),
                      (f"/organisations/{org}/members/owner/role/", {"m1-role": "member"}),
                      (f"/organisations/{org}/members/owner/remove/", {})):
        assert page_client.post(url, body).status_code == 404, url
    assert _json(api_client, "patch", f"/api/v1/organisations/{org}", {"name": "Hijacked"}).status_code == 403
    assert _json(api_client, "post", f"/api/v1/organisations/{org}/invitations",
                 {"email": "spy@example.org", "role": "admin"}).status_code == 403
    assert _state() == before
    assert cast["org"].invitations.count() == 0


def test_members_of_the_owning_organisation_may_make_each_change(cast):
    member = _bearer(cast["member"])
    assert _json(member, "patch", f"/api/v1/assets/{cast['asset'].pk}", {"title": "Renamed"}).status_code == 200
    assert _json(member, "post", f"/api/v1/assets/{cast['asset'].pk}/grants", {"username": "rival"}).status_code == 201
    assert _json(member, "post", f"/api/v1/needs/{cast['need'].pk}/status", {"status": "solved"}).status_code == 200


def test_a_former_member_loses_the_details_and_the_edit_controls(cast):
    member = cast["member"]
    page_client, api_client = _client(member), _bearer(member)
    assert "Tolerance 0.002 mm" in page_client.get(f"/assets/{cast['asset'].pk}/").content.decode()
    membership_remove(actor=cast["owner"], organisation=cast["org"], user=member)
    page = page_client.get(f"/assets/{cast['asset'].pk}/").content.decode()
    assert "Tolerance 0.002 mm" not in page and f"/assets/{cast['asset'].pk}/edit/" not in page
    assert api_client.get(f"/api/v1/assets/{cast['asset'].pk}").json()["access"] == "teaser"
    assert page_client.get(f"/assets/{cast['asset'].pk}/attachments/{cast['attachment'].pk}/").status_code == 404


def test_a_suspended_persons_session_and_tokens_stop_working_at_once(cast):
    member = cast["member"]
    session = Client()
    assert session.post("/account/login/", {"username": "member", "password": PASSWORD}).status_code == 302
    token = _bearer(member)
    assert session.get("/dashboard/").status_code == 200 and token.get("/api/v1/people/me").status_code == 200
    operator = User.objects.create_superuser(username="operator", email="op@example.org", password=PASSWORD)
    user_set_active(actor=operator, user=member, active=False)
    assert session.get("/dashboard/")["Location"].startswith("/account/login/")
    assert session.get("/api/v1/people/me").status_code == 401
    assert token.get("/api/v1/people/me").status_code == 401
    assert token.get(f"/api/v1/assets/{cast['asset'].pk}").status_code == 401
    assert "Tolerance 0.002 mm" not in session.get(f"/assets/{cast['asset'].pk}/").content.decode()


def test_services_refuse_changes_from_people_who_do_not_manage_the_asset(cast):
    rival, asset = cast["rival"], cast["asset"]
    before = _state()
    data = AssetData(kind="idea", title="Hijacked", summary="s", visibility="public", owner_org=cast["org"].slug)
    with pytest.raises(NotFound):
        asset_update(actor=rival, asset=asset, data=data)
    with pytest.raises(NotFound):
        attachment_add(actor=rival, asset=asset, upload=SimpleUploadedFile("x.pdf", PDF, content_type="application/pdf"))
    with pytest.raises(NotFound):
        attachment_remove(actor=rival, asset=asset, attachment_id=cast["attachment"].pk)
    with pytest.raises(NotFound):
        asset_set_status(actor=rival, asset=asset, status="withdrawn")
    with pytest.raises(PermissionDenied):
        access_grant(actor=rival, asset=asset, user=rival)
    with pytest.raises(NotFound):
        need_set_status(actor=rival, need=cast["need"], status="closed")
    assert _state() == before


def test_operator_actions_need_an_operator(cast):
    with pytest.raises(PermissionDenied):
        user_set_active(actor=cast["owner"], user=cast["rival"], active=False)
    with pytest.raises(PermissionDenied):
        user_set_operator(actor=cast["owner"], user=cast["owner"], operator=True)
    assert User.objects.get(username="rival").is_active and not User.objects.get(username="owner").is_staff
    operator = User.objects.create_superuser(username="operator", email="op@example.org", password=PASSWORD)
    asset_set_status(actor=operator, asset=cast["asset"], status="withdrawn", reason="moderation")
    need_set_status(actor=operator, need=cast["need"], status="closed")
    assert Asset.objects.get(pk=cast["asset"].pk).status == "withdrawn"


@pytest.mark.parametrize("via", ["page", "api"])
def test_a_grant_of_a_person_suspended_since_can_still_be_revoked(cast, via):
    asset, rival = cast["asset"], cast["rival"]
    access_grant(actor=cast["owner"], asset=asset, user=rival)
    operator = User.objects.create_superuser(username="operator", email="op@example.org", password=PASSWORD)
    user_set_active(actor=operator, user=rival, active=False)
    if via == "page":
        response = _client(cast["owner"]).post(f"/assets/{asset.pk}/access/revoke/", {"username": "rival"})
        assert response.status_code == 302
    else:
        assert _bearer(cast["owner"]).delete(f"/api/v1/assets/{asset.pk}/grants/rival").status_code == 204
    assert not AccessGrant.objects.filter(asset=asset, user=rival, revoked_at__isnull=True).exists()
    assert Entry.objects.filter(type="asset.access_revoked").count() == 1


# ---------------------------------------------------------------- sign-in rate limit


@pytest.mark.parametrize("spelling", [
    "ALICE", "Alice", " alice ", "alice@example.org", "ALICE@EXAMPLE.ORG", "ａｌｉｃｅ", "ＡＬＩＣＥ＠ＥＸＡＭＰＬＥ．ＯＲＧ",
])
def test_the_login_rate_limit_counts_every_spelling_of_one_account(make_user, spelling):
    make_user("alice")
    client = Client()
    for attempt in range(5):
        client.post("/account/login/", {"username": spelling if attempt % 2 else "alice", "password": "wrong"})
    for identifier in ("alice", spelling):
        response = client.post("/account/login/", {"username": identifier, "password": PASSWORD})
        assert response.status_code == 429, identifier
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("spelling", ["ａｌｉｃｅ", "ＡＬＩＣＥ", "ａｌｉｃｅ＠ｅｘａｍｐｌｅ．ｏｒｇ"])
def test_people_typing_in_full_width_sign_in_as_themselves(make_user, spelling):
    make_user("alice")
    client = Client()
    assert client.post("/account/login/", {"username": spelling, "password": PASSWORD}).status_code == 302
    assert client.get("/api/v1/people/me").json()["username"] == "alice"


def test_the_admin_sign_in_is_rate_limited_too(make_user):
    boss = make_user("boss")
    user_set_operator(actor=None, user=boss, operator=True)
    client = Client()
    for _attempt in range(5):
        client.post("/admin/login/", {"username": "boss", "password": "wrong", "next": "/admin/"})
    response = client.post("/admin/login/", {"username": "boss", "password": PASSWORD, "next": "/admin/"})
    assert response.status_code == 429
    assert client.get("/admin/").status_code == 302


# ---------------------------------------------------------------- escaping


def test_user_text_is_escaped_on_every_page(make_user):
    owner = make_user("owner", display_name=SCRIPT)
    org = organisation_create(actor=owner, data=OrganisationData(
        name=SCRIPT + ATTRIBUTE, kind="tlo", country="JP", description=SCRIPT))
    profile_update(actor=owner, data=ProfileData(display_name=SCRIPT + ATTRIBUTE, affiliation=SCRIPT,
                                                 skills=[SCRIPT, ATTRIBUTE], bio=SCRIPT))
    data = dict(kind="idea", summary=SCRIPT + ATTRIBUTE, keywords=[SCRIPT, ATTRIBUTE], reference="<b>r</b>",
                owner_org=org.slug)
    asset = asset_register(actor=owner, data=AssetData(title=SCRIPT, details=ATTRIBUTE, **data))
    asset = asset_update(actor=owner, asset=asset, note=SCRIPT,
                         data=AssetData(title=SCRIPT + " 2", details=ATTRIBUTE + " more " + SCRIPT, **data))
    attachment_add(actor=owner, asset=asset, upload=SimpleUploadedFile(SCRIPT + ".txt", b"hi", content_type="text/plain"))
    need = need_create(actor=owner, data=NeedData(title=SCRIPT, description=ATTRIBUTE, seeker_org=org.slug,
                                                  region=SCRIPT, sector=ATTRIBUTE))
    urls = [
        "/", "/assets/", f"/assets/?q={ATTRIBUTE}", f"/assets/?organisation={org.slug}", f"/assets/{asset.pk}/",
        f"/assets/{asset.pk}/versions/", *[f"/assets/{asset.pk}/versions/{n}/" for n in (1, 2, 3)],
        f"/assets/{asset.pk}/edit/", "/organisations/", f"/organisations/{org.slug}/",
        f"/organisations/{org.slug}/members/", f"/organisations/{org.slug}/edit/", "/people/", "/people/owner/",
        "/dashboard/", "/needs/", f"/needs/{need.pk}/", f"/needs/{need.pk}/edit/", "/account/profile/",
        f"/assets/cpc-check/?cpc_codes={SCRIPT}", f"/people/?q={SCRIPT}", f"/needs/?q={SCRIPT}",
        f"/account/login/?next={ATTRIBUTE}",
    ]
    for client in (Client(), _client(owner)):
        for url in urls:
            response = client.get(url)
            assert response.status_code in (200, 302), url
            page = response.content.decode()
            assert "<script>alert" not in page and "<img src=x" not in page, url


# ---------------------------------------------------------------- redirects and CSRF


@pytest.mark.parametrize("target", [
    "https://evil.example/", "//evil.example/", "/\\evil.example", "\\\\evil.example", "javascript:alert(1)",
    "https:evil.example", " //evil.example", "http://testserver@evil.example/",
])
def test_next_never_leads_off_the_site(make_user, target):
    make_user("alice")
    answers = [
        Client().post(f"/account/login/?next={target}", {"username": "alice", "password": PASSWORD, "next": target}),
        Client().post("/account/signup/", {"username": "bob", "email": "bob@example.org", "password1": PASSWORD,
                                           "password2": PASSWORD, "next": target}),
        Client().post("/i18n/setlang/", {"language": "ja", "next": target}),
        _client(User.objects.get(username="alice")).post("/account/logout/", {"next": target}),
    ]
    for response in answers:
        assert response.status_code == 302
        assert response["Location"].startswith("/") and not response["Location"].startswith(("//", "/\\")), target


def test_every_form_and_every_session_api_change_needs_the_csrf_token(cast):
    a, org = cast["asset"].pk, cast["org"].slug
    client = _client(cast["owner"], enforce_csrf_checks=True)
    pages = [
        "/account/logout/", "/account/profile/", "/account/password/", "/account/tokens/", "/account/tokens/1/revoke/",
        "/organisations/new/", f"/organisations/{org}/edit/", f"/organisations/{org}/members/",
        f"/organisations/{org}/members/member/role/", f"/organisations/{org}/members/member/remove/",
        f"/organisations/{org}/leave/", "/assets/new/", f"/assets/{a}/edit/", f"/assets/{a}/status/",
        f"/assets/{a}/attachments/", f"/assets/{a}/attachments/{cast['attachment'].pk}/remove/", f"/assets/{a}/access/",
        f"/assets/{a}/access/revoke/", "/needs/new/", f"/needs/{cast['need'].pk}/edit/",
        f"/needs/{cast['need'].pk}/status/", "/i18n/setlang/", "/account/signup/", "/account/login/",
        "/account/password/reset/",
    ]
    before = _state()
    for url in pages:
        assert client.post(url, {}).status_code == 403, url
    for method, url in [
        ("post", "/api/v1/assets/"), ("patch", f"/api/v1/assets/{a}"), ("post", f"/api/v1/assets/{a}/status"),
        ("post", f"/api/v1/assets/{a}/attachments"), ("delete", f"/api/v1/assets/{a}/attachments/1"),
        ("post", f"/api/v1/assets/{a}/grants"), ("delete", f"/api/v1/assets/{a}/grants/member"),
        ("post", "/api/v1/needs/"), ("patch", f"/api/v1/needs/{cast['need'].pk}"), ("post", "/api/v1/tokens/"),
        ("delete", "/api/v1/tokens/1"), ("patch", "/api/v1/people/me"), ("post", "/api/v1/organisations/"),
        ("patch", f"/api/v1/organisations/{org}"), ("post", f"/api/v1/organisations/{org}/invitations"),
    ]:
        response = getattr(client, method)(url, data="{}", content_type="application/json")
        assert response.status_code == 403, url
        assert response["Content-Type"] == "application/problem+json", url
    assert _state() == before


# ---------------------------------------------------------------- uploads and downloads


@pytest.mark.parametrize("name, stored", [
    ("../../etc/passwd.txt", "passwd.txt"), ("..\\..\\boot.txt", "boot.txt"), ("日本語 図面.txt", "日本語 図面.txt"),
    ("‮txt.exe", "txt.exe"), ("a\x00b.txt", "ab.txt"),
])
@pytest.mark.parametrize("via", ["page", "api"])
def test_uploaded_names_never_choose_a_path_and_download_as_attachments(cast, settings, name, stored, via):
    asset, client = cast["asset"], _client(cast["owner"])
    url = f"/assets/{asset.pk}/attachments/" if via == "page" else f"/api/v1/assets/{asset.pk}/attachments"
    response = client.post(url, {"file": SimpleUploadedFile(name, b"plain text", content_type="text/plain")})
    assert response.status_code in (201, 302)
    attachment = Attachment.objects.latest("pk")
    assert attachment.filename == stored
    digest = hashlib.sha256(b"plain text").hexdigest()
    assert attachment.file.name.startswith(f"attachments/{digest[:2]}/{digest}")
    assert (settings.MEDIA_ROOT / attachment.file.name).is_file()
    for download_url in (f"/assets/{asset.pk}/attachments/{attachment.pk}/",
                         f"/api/v1/assets/{asset.pk}/attachments/{attachment.pk}"):
        download = client.get(download_url)
        assert download.status_code == 200
        assert download["Content-Disposition"].startswith("attachment;")
        assert "\n" not in download["Content-Disposition"] and "/" not in download["Content-Disposition"]
        assert download["X-Content-Type-Options"] == "nosniff"
        assert download["Content-Security-Policy"] == "default-src 'none'; sandbox"
        assert download["Content-Type"].startswith("text/plain")


@pytest.mark.parametrize("name, content, declared", [
    ("page.html", b"<html><script>alert(1)</script></html>", "text/html"),
    ("logo.svg", b"<svg onload=alert(1)>", "image/svg+xml"),
    ("fake.png", b"<html><script>alert(1)</script>", "image/png"),
    ("fake.pdf", b"MZ\x90\x00 a program", "application/pdf"),
    ("binary.txt", b"\xff\xfe\x00\x00\xc3\x28", "text/plain"),
])
def test_uploads_whose_content_does_not_match_an_accepted_type_are_refused(cast, name, content, declared):
    owner = _bearer(cast["owner"])
    before = _state()
    response = owner.post(
        f"/api/v1/assets/{cast['asset'].pk}/attachments", {"file": SimpleUploadedFile(name, content, content_type=declared)}
    )
    assert response.status_code == 422 and "file" in response.json()["errors"]
    assert _state() == before


def test_oversize_bodies_are_refused_with_413_and_change_nothing(cast, settings):
    settings.CC_ATTACHMENT_MAX_BYTES = 1024
    owner = _bearer(cast["owner"])
    before = _state()
    big_file = SimpleUploadedFile("big.pdf", b"%PDF" + b"0" * 2048, content_type="application/pdf")
    assert owner.post(f"/api/v1/assets/{cast['asset'].pk}/attachments", {"file": big_file}).status_code == 413
    big_json = _json(owner, "patch", f"/api/v1/assets/{cast['asset'].pk}", {"details": "x" * (6 * 1024 * 1024)})
    assert big_json.status_code == 413 and big_json["Content-Type"] == "application/problem+json"
    page = _client(cast["owner"]).post(
        f"/assets/{cast['asset'].pk}/attachments/", {"file": SimpleUploadedFile("big.pdf", b"%PDF" + b"0" * 2048,
                                                                                 content_type="application/pdf")}
    )
    assert page.status_code == 200 and "larger than" in page.content.decode()
    assert _state() == before


@pytest.mark.parametrize("size", [10_000, 8 * 1024 * 1024])  # held in memory / in a temporary file
def test_an_upload_is_not_kept_beyond_the_size_limit_while_it_arrives(settings, rf, size):
    settings.CC_ATTACHMENT_MAX_BYTES = 1024
    request = rf.post("/assets/1/attachments/", {
        "file": SimpleUploadedFile("big.pdf", b"%PDF" + b"0" * size, content_type="application/pdf"),
        "note": "kept"})
    assert request.FILES["file"].size == 1025 and request.POST["note"] == "kept"
    settings.CC_ATTACHMENT_MAX_BYTES = 20 * 1024 * 1024
    request = rf.post("/assets/1/attachments/", {"file": SimpleUploadedFile("ok.pdf", b"%PDF" + b"0" * size)})
    assert request.FILES["file"].read() == b"%PDF" + b"0" * size


# ---------------------------------------------------------------- ids, pages and unstorable text


@pytest.mark.parametrize("url", [
    "/assets/99999999999999999999/", "/assets/9223372036854775808/", "/assets/1/versions/99999999999999999999/",
    "/assets/1/attachments/99999999999999999999/", "/needs/99999999999999999999/",
    "/api/v1/assets/99999999999999999999", "/api/v1/assets/1/versions/99999999999999999999",
    "/api/v1/assets/1/attachments/99999999999999999999", "/api/v1/needs/99999999999999999999",
    "/api/v1/assets/abc", "/api/v1/assets/-1", "/assets/abc/", "/api/v1/people/" + "x" * 5000,
])
def test_absurd_ids_are_404_not_errors(cast, url):
    for client in (Client(), _bearer(cast["owner"])):
        response = client.get(url)
        assert response.status_code == 404, url
        if url.startswith("/api/"):
            assert response["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize("page", ["99999999999999999999", "9223372036854775807", "1000"])
def test_a_page_far_past_the_end_is_empty_not_an_error(cast, page):
    for url in ("/api/v1/assets/", "/api/v1/needs/", "/api/v1/people/", "/api/v1/organisations/",
                f"/api/v1/assets/{cast['asset'].pk}/versions"):
        response = Client().get(url, {"page": page})
        assert response.status_code == 200, url
        body = response.json()
        assert body["items"] == [] and body["next"] is None and body["count"] >= 1, url
    assert Client().get("/assets/", {"page": page}).status_code == 200


@pytest.mark.parametrize("path, field, limit", [
    ("/api/v1/assets/", "q", 200), ("/api/v1/needs/", "q", 200), ("/api/v1/organisations/", "q", 100),
    ("/api/v1/people/", "q", 100), ("/api/v1/people/", "skill", 60),
])
def test_search_text_longer_than_the_pages_accept_is_refused_by_the_api(cast, path, field, limit):
    # 20,000 katakana are 60,000 bytes: past SQLite's limit for a LIKE pattern.
    assert Client().get(path, {field: "ア" * 20000}).status_code == 422
    assert Client().get(path, {field: "ア" * limit}).status_code == 200
    page = {"/api/v1/assets/": "/assets/", "/api/v1/needs/": "/needs/", "/api/v1/organisations/": "/organisations/",
            "/api/v1/people/": "/people/"}[path]
    assert Client().get(page, {field: "ア" * 20000}).status_code == 200


@pytest.mark.parametrize("url", [
    "/api/v1/assets/?q=%00", "/api/v1/assets/?organisation=a%00", "/api/v1/assets/?country=%00",
    "/api/v1/needs/?q=%00", "/api/v1/people/?q=%00", "/api/v1/organisations/?q=%00", "/api/v1/people/a%00b",
    "/api/v1/organisations/a%00b", "/api/v1/organisations/a%00b/members", "/api/v1/assets/1/grants/a%00b",
    "/people/a%00b/", "/assets/?q=%00", "/people/?q=%00", "/needs/?q=a%00", "/invitations/a%00b", "/?a%00=1",
])
def test_a_nul_character_in_the_address_is_a_400(cast, url):
    response = _bearer(cast["owner"]).get(url)
    assert response.status_code == 400
    if url.startswith("/api/"):
        assert response["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize("method, url, body, field", [
    ("post", "/api/v1/assets/", {"kind": "idea", "title": "a\u0000b", "summary": "s"}, "title"),
    ("post", "/api/v1/assets/", {"kind": "idea", "title": "t", "summary": "s", "keywords": ["k\u0000"]}, "keywords"),
    ("post", "/api/v1/assets/", {"kind": "idea", "title": "t", "summary": "s", "keywords": ["\udfff"]}, "keywords"),
    ("post", "/api/v1/assets/", {"kind": "idea", "title": "t", "summary": "s", "ip_records": [
        {"office": "JP", "number": "1\u0000", "kind": "patent", "status": "granted"}]}, "ip_records.0.number"),
    ("patch", "/api/v1/assets/ASSET", {"details": "x\u0000"}, "details"),
    ("post", "/api/v1/assets/ASSET/grants", {"username": "rival\u0000"}, "username"),
    ("post", "/api/v1/organisations/", {"name": "x\u0000", "kind": "tlo", "country": "JP"}, "name"),
    ("patch", "/api/v1/people/me", {"display_name": "x\u0000"}, "display_name"),
    ("patch", "/api/v1/people/me", {"skills": ["\ud800"]}, "skills"),
    ("post", "/api/v1/tokens/", {"name": "x\u0000"}, "name"),
    ("post", "/api/v1/needs/", {"title": "t\u0000", "description": "d", "seeker_org": "owner-university-tlo"}, "title"),
])
def test_unstorable_text_in_an_api_body_is_refused_by_its_field(cast, method, url, body, field):
    owner = _bearer(cast["owner"])
    before = _state()
    response = _json(owner, method, url.replace("ASSET", str(cast["asset"].pk)), body)
    assert response.status_code == 422
    assert field in response.json()["errors"]
    assert _state() == before


@pytest.mark.parametrize("amount", [2**53, 2**63, 10**30])
def test_a_budget_past_what_the_history_and_database_hold_is_refused_by_its_field(cast, amount):
    owner = _bearer(cast["owner"])
    before = _state()
    body = {"title": "t", "description": "d", "seeker_org": cast["org"].slug, "budget_max": amount,
            "budget_currency": "JPY"}
    response = _json(owner, "post", "/api/v1/needs/", body)
    assert response.status_code == 422 and "budget_min" in response.json()["errors"]
    page = _client(cast["owner"]).post(f"/needs/{cast['need'].pk}/edit/", {
        "title": "Cheap sensors", "description": "For rivers.", "budget_max": str(amount), "budget_currency": "JPY"})
    assert page.status_code == 200 and "This budget is too large." in page.content.decode()
    assert _state() == before
    assert _json(owner, "post", "/api/v1/needs/", {**body, "budget_max": 2**53 - 1}).status_code == 201


@pytest.mark.parametrize("spelling", ["ｏｗｎｅｒ", "ＯＷＮＥＲ", "Owner"])
def test_a_username_that_normalises_to_a_taken_one_is_refused_by_its_field(cast, spelling):
    before = _state()
    response = Client().post("/account/signup/", {"username": spelling, "email": "new@example.org",
                                                  "password1": PASSWORD, "password2": PASSWORD})
    assert response.status_code == 200 and "This username is taken." in response.content.decode()
    assert _state() == before


def test_a_fullwidth_username_is_stored_and_recorded_in_its_normal_form(db):
    response = Client().post("/account/signup/", {"username": "ｈａｎａｋｏ", "email": "h@example.org",
                                                  "password1": PASSWORD, "password2": PASSWORD})
    assert response.status_code == 302
    assert User.objects.filter(username="hanako").exists()
    assert Entry.objects.get(type="account.created").payload == {"username": "hanako"}


def test_an_organisation_name_with_a_line_break_does_not_stop_its_invitations(
    make_user, mailoutbox, django_capture_on_commit_callbacks
):
    admin = make_user("admin")
    org = organisation_create(actor=admin, data=OrganisationData(
        name="Kyoto\nBcc: all@evil.example", kind="tlo", country="JP"))
    with django_capture_on_commit_callbacks(execute=True):
        response = _client(admin).post(f"/organisations/{org.slug}/members/", {"email": "new@example.org",
                                                                                "role": "member"})
    assert response.status_code == 302
    assert [message.subject for message in mailoutbox] == ["Invitation to join Kyoto Bcc: all@evil.example on Concept Cloud"]
    assert mailoutbox[0].to == ["new@example.org"] and not mailoutbox[0].bcc


# ---------------------------------------------------------------- transactions


def test_a_registration_whose_second_file_fails_to_store_leaves_nothing_behind(make_user, settings):
    owner = make_user("owner")
    first, second = b"%PDF-1.7 first", b"%PDF-1.7 second"
    first_dir = settings.MEDIA_ROOT / "attachments" / hashlib.sha256(first).hexdigest()[:2]
    second_dir = settings.MEDIA_ROOT / "attachments" / hashlib.sha256(second).hexdigest()[:2]
    assert first_dir != second_dir
    second_dir.parent.mkdir(parents=True)
    second_dir.write_bytes(b"")  # a file where the folder should be: storing the second file fails
    before = _state()
    uploads = [SimpleUploadedFile("one.pdf", first, content_type="application/pdf"),
               SimpleUploadedFile("two.pdf", second, content_type="application/pdf")]
    with pytest.raises(OSError):
        asset_register(actor=owner, data=AssetData(kind="idea", title="t", summary="s"), attachments=uploads)
    assert _state() == before
    stored = [path for path in (settings.MEDIA_ROOT / "attachments").rglob("*") if path.is_file()]
    assert stored == [second_dir], "the first file, stored before the failure, is deleted again"


def test_a_failing_need_or_profile_change_changes_nothing(cast):
    owner, need = cast["owner"], cast["need"]
    api = _bearer(owner)
    before = _state()
    with pytest.raises(InvalidInput):
        need_update(actor=owner, need=need, data=NeedData(title="New", description="d", seeker_org=cast["org"].slug,
                                                          sdgs=[18], budget_min=5, budget_max=1))
    with pytest.raises(InvalidInput):
        need_update(actor=owner, need=need, data=NeedData(title="New", description="d", seeker_org="rival-robotics"))
    with pytest.raises(InvalidInput):
        profile_update(actor=owner, data=ProfileData(display_name="New name", country="XX"))
    assert _json(api, "patch", "/api/v1/people/me", {"display_name": "New", "orcid": "0000-0000-0000-0000"}
                 ).status_code == 422
    assert _json(api, "patch", f"/api/v1/needs/{need.pk}", {"title": "New", "countries": ["XX"]}).status_code == 422
    assert _state() == before


# ---------------------------------------------------------------- history and state agree


def test_every_change_by_page_or_api_has_exactly_its_history_entry(make_user, mailoutbox):
    client = Client()
    signup = {"username": "hana", "email": "hana@example.org", "password1": PASSWORD, "password2": PASSWORD}
    assert client.post("/account/signup/", signup).status_code == 302
    hana = User.objects.get(username="hana")
    api = _bearer(hana)  # token.created
    make_user("other")  # account.created
    assert client.post("/organisations/new/", {"name": "Hana Lab", "kind": "university", "country": "JP"}
                       ).status_code == 302
    assert client.post("/account/profile/", {"display_name": "Hana", "skills": "optics"}).status_code == 302
    form = {"kind": "technology", "title": "Lens", "summary": "A lens.", "details": "Glass.", "language": "en",
            "visibility": "confidential", "owner_org": "hana-lab", "ip-TOTAL_FORMS": "0", "ip-INITIAL_FORMS": "0",
            "file": SimpleUploadedFile("lens.pdf", PDF, content_type="application/pdf")}
    assert client.post("/assets/new/", form).status_code == 302
    asset = Asset.objects.get(title="Lens")
    assert _json(api, "patch", f"/api/v1/assets/{asset.pk}", {"details": "Better glass.", "note": "n"}).status_code == 200
    assert _json(api, "patch", f"/api/v1/assets/{asset.pk}", {"details": "Better glass."}).status_code == 200  # no change
    assert _json(api, "patch", f"/api/v1/assets/{asset.pk}", {"sdgs": [18]}).status_code == 422  # refused
    upload = api.post(f"/api/v1/assets/{asset.pk}/attachments",
                      {"file": SimpleUploadedFile("b.pdf", b"%PDF-1.7 b", content_type="application/pdf")})
    assert upload.status_code == 201
    first = asset.attachments.get(filename="lens.pdf")
    assert client.post(f"/assets/{asset.pk}/attachments/{first.pk}/remove/").status_code == 302
    assert client.post(f"/assets/{asset.pk}/access/", {"username": "other"}).status_code == 302
    assert client.post(f"/assets/{asset.pk}/access/", {"username": "other"}).status_code == 302  # already granted
    assert api.delete(f"/api/v1/assets/{asset.pk}/grants/other").status_code == 204
    assert client.post(f"/assets/{asset.pk}/status/", {"status": "draft"}).status_code == 302
    assert _json(api, "post", f"/api/v1/assets/{asset.pk}/status", {"status": "published"}).status_code == 200
    assert _json(api, "post", f"/api/v1/assets/{asset.pk}/status", {"status": "published"}).status_code == 200  # same
    need = _json(api, "post", "/api/v1/needs/", {"title": "Cheap glass", "description": "d", "seeker_org": "hana-lab"})
    assert need.status_code == 201
    assert client.post(f"/needs/{need.json()['id']}/status/", {"status": "solved"}).status_code == 302
    assert _json(api, "post", "/api/v1/organisations/hana-lab/invitations", {"email": "x@example.org"}).status_code == 201
    token = client.post("/account/tokens/", {"name": "script"})
    assert token.status_code == 200
    assert api.delete(f"/api/v1/tokens/{hana.api_tokens.get(name='script').pk}").status_code == 204

    assert Counter(Entry.objects.values_list("type", flat=True)) == {
        "account.created": 2, "token.created": 2, "organisation.created": 1, "account.profile_updated": 1,
        "asset.registered": 1, "asset.updated": 1, "asset.attachment_added": 1, "asset.attachment_removed": 1,
        "asset.access_granted": 1, "asset.access_revoked": 1, "asset.unpublished": 1, "asset.published": 1,
        "need.posted": 1, "need.status_changed": 1, "invitation.created": 1, "token.revoked": 1,
    }
    asset.refresh_from_db()
    asset_entries = Entry.objects.filter(subject=f"asset:{asset.pk}").exclude(type__startswith="asset.access_")
    assert asset.version == asset.versions.count() == asset_entries.count() == 6
    assert [e.payload["version"] for e in asset_entries] == [1, 2, 3, 4, 5, 6]
    entries = list(Entry.objects.order_by("seq"))
    assert [e.seq for e in entries] == list(range(len(entries)))
    for entry in entries:
        assert bytes(entry.leaf_hash) == hashlib.sha256(b"\x00" + bytes(entry.canonical)).digest()
        assert json.loads(bytes(entry.canonical))["payload"] == entry.payload


# ---------------------------------------------------------------- headers and cookies


def test_pages_forbid_framing_and_sniffing_and_keep_referrers_on_site(make_user):
    for url in ("/", "/assets/", "/account/login/", "/api/v1/assets/", "/api/v1/nowhere", "/no-such-page/"):
        response = Client().get(url)
        assert response["X-Frame-Options"] == "DENY", url
        assert response["X-Content-Type-Options"] == "nosniff", url
        assert response["Referrer-Policy"] == "same-origin", url


def test_the_session_cookie_is_http_only_and_both_cookies_are_same_site(make_user):
    make_user("alice")
    client = Client()
    assert client.get("/account/login/").cookies["csrftoken"]["samesite"] == "Lax"
    response = client.post("/account/login/", {"username": "alice", "password": PASSWORD})
    session = response.cookies["sessionid"]
    assert session["httponly"] is True and session["samesite"] == "Lax"
