"""The registry API: assets, versions, files, access grants and needs.

Happy paths for every endpoint, the bad-input catalogue (each refused request
is problem+json and changes no row and no history entry), and the visibility
rule across the API's read paths, checked on the raw response bytes.
"""

import json
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from conceptcloud.accounts.services import invitation_accept, invitation_create, token_create
from conceptcloud.history.models import Entry
from conceptcloud.registry.models import (
    AccessGrant,
    Asset,
    AssetFacet,
    AssetVersion,
    Attachment,
    IpRecord,
    Need,
    NeedFacet,
)
from conceptcloud.registry.services import (
    AssetData,
    IpRecordData,
    NeedData,
    access_grant,
    asset_update,
    attachment_add,
    need_create,
)

PDF = b"%PDF-1.4 drawing of the gear"
SECRET = "Tolerance-secret-7731"
SECRET_V2 = "Revised-secret-9904"
IP_NUMBER = "JP2023-SECRET-4410"


# Helpers ---------------------------------------------------------------------


def bearer(user) -> Client:
    _token, secret = token_create(actor=user, name="tests")
    return Client(headers={"Authorization": f"Bearer {secret}"})


def send(client: Client, method: str, url: str, body=None):
    return getattr(client, method)(url, data=json.dumps(body), content_type="application/json")


def upload(client: Client, asset_id: int, content: bytes = PDF, name="drawing.pdf", content_type="application/pdf"):
    return client.post(
        f"/api/v1/assets/{asset_id}/attachments",
        {"file": SimpleUploadedFile(name, content, content_type=content_type)},
    )


def join(org, admin, user) -> None:
    invitation, _secret = invitation_create(
        actor=admin, organisation=org, email=user.email, role="member", accept_url_base="http://testserver/i/"
    )
    invitation_accept(actor=user, invitation=invitation)


def state() -> dict[str, int]:
    """Row counts of everything the registry writes, history included, and stored files."""
    counts = {
        model.__name__: model.objects.count()
        for model in (Asset, AssetFacet, AssetVersion, IpRecord, Attachment, AccessGrant, Need, NeedFacet, Entry)
    }
    media = Path(settings.MEDIA_ROOT)
    counts["files"] = sum(1 for p in media.rglob("*") if p.is_file()) if media.exists() else 0
    return counts


def assert_problem(response, status: int, *fields: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert {"type", "title", "status", "detail", "instance"} <= set(body)
    assert body["status"] == status and body["instance"] == response.request["PATH_INFO"]
    for field in fields:
        assert body["errors"][field], body
    return body


ASSET = {
    "kind": "technology",
    "title": "Gear bearing drive",
    "summary": "A gear and a bearing in one unit.",
    "details": "Tolerances of 0.002 mm, tested for 10,000 hours.",
    "visibility": "public",
    "trl": 4,
    "sdgs": [9, 7],
    "cpc_codes": ["F16H 1/32"],
    "keywords": ["robotics", "gears"],
    "countries_developed": ["JP"],
    "countries_deployed": ["KE"],
    "availability": ["licence"],
    "rights_statement": "https://creativecommons.org/licenses/by/4.0/",
    "reference": "TLO-2024-17",
    "ip_records": [
        {"office": "JP", "number": "JP2021-123456", "kind": "patent", "status": "granted", "filing_date": "2021-03-01"}
    ],
}


@pytest.fixture
def owner(make_user):
    return make_user("owner")


@pytest.fixture
def org(owner, make_org):
    return make_org(owner, "Kyoto TLO", kind="tlo")


@pytest.fixture
def api(owner):
    return bearer(owner)


# Assets: happy paths ---------------------------------------------------------


def test_registering_an_asset_answers_201_with_the_full_asset(api, org):
    response = send(api, "post", "/api/v1/assets/", {**ASSET, "owner_org": org.slug})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["access"] == "manage" and body["version"] == 1 and body["status"] == "published"
    assert body["owner_org"] == org.slug and body["owner_user"] is None
    assert body["sdgs"] == [7, 9] and body["cpc_codes"] == ["F16H1/32"]
    assert body["details"] == ASSET["details"]
    assert body["ip_records"] == [
        {"office": "JP", "number": "JP2021-123456", "kind": "patent", "status": "granted",
         "filing_date": "2021-03-01", "expiry_date": None}
    ]
    assert body["attachments"] == []
    assert body["url"] == f"http://testserver/api/v1/assets/{body['id']}"
    assert Entry.objects.filter(subject=f"asset:{body['id']}", type="asset.registered").count() == 1
    assert api.get(f"/api/v1/assets/{body['id']}").json() == body


def test_an_asset_can_be_registered_as_a_draft_owned_by_its_author(api, owner):
    response = send(api, "post", "/api/v1/assets/", {"kind": "idea", "title": "Kite", "summary": "A kite.", "publish": False})
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "draft" and body["owner_user"] == owner.username and body["owner_org"] is None
    assert Client().get(f"/api/v1/assets/{body['id']}").status_code == 404


def test_the_list_filters_by_text_kind_sdg_country_availability_organisation_and_status(
    owner, org, make_user, make_org, make_asset
):
    other = make_user("other")
    other_org = make_org(other, "Osaka Works", kind="company")
    make_asset(owner, org=org, title="Solar dryer", kind="technology", sdgs=[7], countries_developed=["JP"],
               availability=["licence"], keywords=["drying"])
    make_asset(other, org=other_org, title="Water filter", kind="patent", sdgs=[6], countries_deployed=["KE"],
               availability=["open"])
    make_asset(owner, org=org, title="Unfinished idea", kind="idea", publish=False)
    anonymous = Client()

    def titles(client, **query):
        response = client.get("/api/v1/assets/", query)
        assert response.status_code == 200, response.content
        return sorted(item["title"] for item in response.json()["items"])

    assert titles(anonymous) == ["Solar dryer", "Water filter"]
    assert titles(anonymous, q="", kind="", sdg="", country="", availability="", status="") == ["Solar dryer", "Water filter"]
    assert titles(anonymous, q="solar") == ["Solar dryer"]
    assert titles(anonymous, q="drying") == ["Solar dryer"]
    assert titles(anonymous, kind="patent") == ["Water filter"]
    assert titles(anonymous, sdg=6) == ["Water filter"]
    assert titles(anonymous, country="KE") == ["Water filter"]
    assert titles(anonymous, availability="licence") == ["Solar dryer"]
    assert titles(anonymous, organisation=other_org.slug) == ["Water filter"]
    assert titles(anonymous, status="draft") == []
    assert titles(bearer(owner), status="draft") == ["Unfinished idea"]


def test_lists_are_paged_with_links_to_the_neighbouring_pages(owner, make_asset):
    for n in range(5):
        make_asset(owner, title=f"Asset {n}")
    first = Client().get("/api/v1/assets/", {"page_size": 2, "kind": "technology"}).json()
    assert first["count"] == 5 and first["page"] == 1 and first["page_size"] == 2 and len(first["items"]) == 2
    assert first["previous"] is None
    assert "page=2" in first["next"] and "kind=technology" in first["next"]
    last = Client().get(first["next"].replace("page=2", "page=3")).json()
    assert len(last["items"]) == 1 and last["next"] is None and "page=2" in last["previous"]
    assert "details" not in first["items"][0] and "access" not in first["items"][0]


def test_patch_changes_only_the_fields_sent_and_records_a_new_version(api, org):
    created = send(api, "post", "/api/v1/assets/", {**ASSET, "owner_org": org.slug}).json()
    response = send(api, "patch", f"/api/v1/assets/{created['id']}", {"title": "Gear bearing drive II", "trl": None, "note": "renamed"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["title"] == "Gear bearing drive II" and body["trl"] is None and body["version"] == 2
    assert body["details"] == ASSET["details"] and body["ip_records"] == created["ip_records"]
    assert body["sdgs"] == created["sdgs"] and body["owner_org"] == org.slug

    versions = api.get(f"/api/v1/assets/{created['id']}/versions").json()
    assert [v["number"] for v in versions["items"]] == [1, 2] and versions["items"][1]["note"] == "renamed"
    diff = api.get(f"/api/v1/assets/{created['id']}/versions/2").json()
    assert {c["field"]: (c["before"], c["after"]) for c in diff["changes"]} == {
        "title": ("Gear bearing drive", "Gear bearing drive II"),
        "trl": (4, None),
    }


def test_an_edit_that_changes_nothing_makes_no_new_version(api, owner, make_asset):
    asset = make_asset(owner, title="Same")
    before = state()
    response = send(api, "patch", f"/api/v1/assets/{asset.pk}", {"title": "Same"})
    assert response.status_code == 200 and response.json()["version"] == 1
    assert state() == before


def test_withdrawing_hides_an_asset_from_others_and_publishing_shows_it_again(api, owner, make_asset):
    asset = make_asset(owner, title="Short-lived")
    response = send(api, "post", f"/api/v1/assets/{asset.pk}/status", {"status": "withdrawn", "reason": "superseded"})
    assert response.status_code == 200 and response.json()["status"] == "withdrawn"
    assert Client().get(f"/api/v1/assets/{asset.pk}").status_code == 404
    assert "Short-lived" not in Client().get("/api/v1/assets/").content.decode()
    assert send(api, "post", f"/api/v1/assets/{asset.pk}/status", {"status": "published"}).json()["status"] == "published"
    assert Client().get(f"/api/v1/assets/{asset.pk}").json()["access"] == "full"


def test_files_are_uploaded_listed_downloaded_and_removed(api, owner, make_asset):
    asset = make_asset(owner)
    response = upload(api, asset.pk)
    assert response.status_code == 201, response.content
    attachment = response.json()
    assert attachment["filename"] == "drawing.pdf" and attachment["size"] == len(PDF)
    assert attachment["url"] == f"http://testserver/api/v1/assets/{asset.pk}/attachments/{attachment['id']}"
    assert [a["id"] for a in api.get(f"/api/v1/assets/{asset.pk}/attachments").json()] == [attachment["id"]]
    assert api.get(f"/api/v1/assets/{asset.pk}").json()["version"] == 2

    download = Client().get(f"/api/v1/assets/{asset.pk}/attachments/{attachment['id']}")
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"] == 'attachment; filename="drawing.pdf"'

    assert api.delete(f"/api/v1/assets/{asset.pk}/attachments/{attachment['id']}").status_code == 204
    assert api.get(f"/api/v1/assets/{asset.pk}/attachments").json() == []
    assert_problem(Client().get(f"/api/v1/assets/{asset.pk}/attachments/{attachment['id']}"), 404)


def test_owners_grant_and_revoke_access_to_a_confidential_asset(api, owner, org, make_user, make_asset):
    asset = make_asset(owner, org=org, visibility="confidential", details=SECRET)
    partner = make_user("partner")
    partner_api = bearer(partner)
    assert partner_api.get(f"/api/v1/assets/{asset.pk}").json()["access"] == "teaser"

    response = send(api, "post", f"/api/v1/assets/{asset.pk}/grants", {"username": "partner", "reason": "NDA 2025-04"})
    assert response.status_code == 201, response.content
    assert response.json()["username"] == "partner" and response.json()["granted_by"] == "owner"
    assert [g["username"] for g in api.get(f"/api/v1/assets/{asset.pk}/grants").json()] == ["partner"]
    detail = partner_api.get(f"/api/v1/assets/{asset.pk}").json()
    assert detail["access"] == "full" and detail["details"] == SECRET

    assert api.delete(f"/api/v1/assets/{asset.pk}/grants/partner").status_code == 204
    assert api.get(f"/api/v1/assets/{asset.pk}/grants").json() == []
    assert SECRET not in partner_api.get(f"/api/v1/assets/{asset.pk}").content.decode()


# Needs -----------------------------------------------------------------------

NEED = {
    "title": "Low-cost water purification",
    "description": "For rural clinics without grid power.",
    "sdgs": [6, 3],
    "countries": ["KE"],
    "sector": "Health",
    "deal_types": ["licence", "collaboration"],
    "budget_min": 1_000_000,
    "budget_max": 5_000_000,
    "budget_currency": "JPY",
    "deadline": "2026-03-31",
}


def test_needs_are_posted_read_listed_edited_and_closed(api, org):
    response = send(api, "post", "/api/v1/needs/", {**NEED, "seeker_org": org.slug})
    assert response.status_code == 201, response.content
    need = response.json()
    assert need["seeker_org"] == org.slug and need["seeker_org_name"] == "Kyoto TLO" and need["status"] == "open"
    assert need["sdgs"] == [3, 6] and need["deadline"] == "2026-03-31"
    assert Client().get(f"/api/v1/needs/{need['id']}").json() == need

    anonymous = Client()
    for query, found in (
        ({}, 1), ({"q": "purification"}, 1), ({"q": "rocket"}, 0), ({"sdg": 6}, 1), ({"sdg": 1}, 0),
        ({"country": "KE"}, 1), ({"deal_type": "licence"}, 1), ({"deal_type": "purchase"}, 0),
        ({"organisation": org.slug}, 1), ({"status": "open"}, 1), ({"status": "closed"}, 0),
    ):
        assert anonymous.get("/api/v1/needs/", query).json()["count"] == found, query

    edited = send(api, "patch", f"/api/v1/needs/{need['id']}", {"title": "Solar water purification", "budget_max": None})
    assert edited.status_code == 200, edited.content
    assert edited.json()["title"] == "Solar water purification" and edited.json()["budget_max"] is None
    assert edited.json()["description"] == NEED["description"]

    closed = send(api, "post", f"/api/v1/needs/{need['id']}/status", {"status": "solved"})
    assert closed.status_code == 200 and closed.json()["status"] == "solved"


# Bad input changes nothing ---------------------------------------------------


@pytest.mark.parametrize(
    "body, fields",
    [
        ({}, ["kind", "title", "summary"]),
        ({**ASSET, "title": 5}, ["title"]),
        ({**ASSET, "sdgs": "seven"}, ["sdgs"]),
        ({**ASSET, "sdgs": ["seven"]}, ["sdgs.0"]),
        ({**ASSET, "trl": "high"}, ["trl"]),
        ({**ASSET, "kind": "spaceship"}, ["kind"]),
        ({**ASSET, "ip_records": [{"office": "JP"}]}, ["ip_records.0.number"]),
        ({**ASSET, "titel": "typo"}, ["titel"]),
        ({**ASSET, "sdgs": [18]}, ["sdgs"]),
        ({**ASSET, "cpc_codes": ["Z99Z 1/00"]}, ["cpc_codes"]),
        ({**ASSET, "countries_developed": ["XX"]}, ["countries_developed"]),
        ({**ASSET, "trl": 12}, ["trl"]),
        ({**ASSET, "rights_statement": "https://example.org/my-licence"}, ["rights_statement"]),
        ({**ASSET, "owner_org": "not-my-org"}, ["owner_org"]),
        ({**ASSET, "title": "   "}, ["title"]),
    ],
)
def test_bad_asset_input_is_a_422_problem_by_the_field_and_saves_nothing(api, org, body, fields):
    before = state()
    assert_problem(send(api, "post", "/api/v1/assets/", body), 422, *fields)
    assert state() == before


def test_malformed_json_is_a_400_problem_and_saves_nothing(api):
    before = state()
    response = api.post("/api/v1/assets/", data='{"kind": "idea", "title": ', content_type="application/json")
    assert_problem(response, 400)
    assert state() == before


@pytest.mark.parametrize(
    "body, fields",
    [
        ({"title": None}, ["title"]),
        ({"title": ""}, ["title"]),
        ({"sdgs": [0, 18]}, ["sdgs"]),
        ({"cpc_codes": ["NOPE"]}, ["cpc_codes"]),
        ({"countries_deployed": ["Japan"]}, ["countries_deployed"]),
        ({"owner_org": "someone-else"}, ["owner_org"]),
        ({"visibility": "secret"}, ["visibility"]),
    ],
)
def test_a_bad_patch_is_a_422_problem_and_leaves_the_asset_as_it_was(api, owner, make_asset, body, fields):
    asset = make_asset(owner, title="Original", sdgs=[7])
    before = state()
    assert_problem(send(api, "patch", f"/api/v1/assets/{asset.pk}", body), 422, *fields)
    assert state() == before
    asset.refresh_from_db()
    assert (asset.title, asset.sdgs, asset.version) == ("Original", [7], 1)


def test_an_oversize_upload_is_a_413_problem_and_stores_nothing(api, owner, make_asset, settings):
    settings.CC_ATTACHMENT_MAX_BYTES = 10
    asset = make_asset(owner)
    before = state()
    assert_problem(upload(api, asset.pk, content=PDF), 413, "file")
    assert state() == before


@pytest.mark.parametrize(
    "content, name, content_type",
    [
        (b"MZ\x90\x00 a program", "tool.exe", "application/x-msdownload"),
        (b"not a pdf at all", "fake.pdf", "application/pdf"),
    ],
)
def test_a_refused_file_type_is_a_422_problem_and_stores_nothing(api, owner, make_asset, content, name, content_type):
    asset = make_asset(owner)
    before = state()
    assert_problem(upload(api, asset.pk, content=content, name=name, content_type=content_type), 422, "file")
    assert state() == before


def test_an_upload_without_a_file_is_a_422_problem(api, owner, make_asset):
    asset = make_asset(owner)
    before = state()
    assert_problem(api.post(f"/api/v1/assets/{asset.pk}/attachments", {}), 422, "file")
    assert state() == before


def test_unknown_ids_are_404_problems(api, owner, make_asset):
    asset = make_asset(owner)
    attachment = attachment_add(actor=owner, asset=asset, upload=SimpleUploadedFile("a.pdf", PDF, "application/pdf"))
    before = state()
    for response in (
        api.get("/api/v1/assets/999999"),
        api.get("/api/v1/assets/999999/versions"),
        api.get(f"/api/v1/assets/{asset.pk}/versions/99"),
        api.get(f"/api/v1/assets/{asset.pk}/attachments/999999"),
        api.get(f"/api/v1/assets/999999/attachments/{attachment.pk}"),
        send(api, "patch", "/api/v1/assets/999999", {"title": "x"}),
        send(api, "post", "/api/v1/assets/999999/status", {"status": "withdrawn"}),
        api.delete(f"/api/v1/assets/{asset.pk}/attachments/999999"),
        api.delete(f"/api/v1/assets/{asset.pk}/grants/nobody"),
        api.get("/api/v1/needs/999999"),
        send(api, "patch", "/api/v1/needs/999999", {"title": "x"}),
        api.get("/api/v1/assets/99999999999999999999999"),
    ):
        assert_problem(response, 404)
    assert state() == before


def test_other_peoples_visible_assets_are_403_for_changes_and_their_drafts_404(owner, make_user, make_asset):
    published = make_asset(owner, title="Owner's asset")
    draft = make_asset(owner, title="Owner's draft", publish=False)
    intruder = bearer(make_user("intruder"))
    make_user("friend")
    before = state()
    for response in (
        send(intruder, "patch", f"/api/v1/assets/{published.pk}", {"title": "Mine now"}),
        send(intruder, "post", f"/api/v1/assets/{published.pk}/status", {"status": "withdrawn"}),
        upload(intruder, published.pk),
        send(intruder, "post", f"/api/v1/assets/{published.pk}/grants", {"username": "friend"}),
        intruder.get(f"/api/v1/assets/{published.pk}/grants"),
    ):
        assert_problem(response, 403)
    for response in (
        intruder.get(f"/api/v1/assets/{draft.pk}"),
        send(intruder, "patch", f"/api/v1/assets/{draft.pk}", {"title": "Mine now"}),
        upload(intruder, draft.pk),
    ):
        assert_problem(response, 404)
    assert state() == before
    published.refresh_from_db()
    assert published.title == "Owner's asset" and published.status == "published"


def test_granting_access_to_an_unknown_person_is_a_422_problem(api, owner, make_asset):
    asset = make_asset(owner, visibility="confidential")
    before = state()
    assert_problem(send(api, "post", f"/api/v1/assets/{asset.pk}/grants", {"username": "ghost"}), 422, "username")
    assert_problem(send(api, "post", f"/api/v1/assets/{asset.pk}/grants", {}), 422, "username")
    assert state() == before


def test_an_unknown_status_is_a_422_problem(api, owner, make_asset):
    asset = make_asset(owner)
    before = state()
    assert_problem(send(api, "post", f"/api/v1/assets/{asset.pk}/status", {"status": "deleted"}), 422, "status")
    assert state() == before


@pytest.mark.parametrize(
    "body, fields",
    [
        ({}, ["title", "description", "seeker_org"]),
        ({**NEED, "seeker_org": "nobodys-org"}, ["seeker_org"]),
        ({**NEED, "seeker_org": "ORG", "sdgs": [42]}, ["sdgs"]),
        ({**NEED, "seeker_org": "ORG", "countries": ["ZZ"]}, ["countries"]),
        ({**NEED, "seeker_org": "ORG", "budget_min": "lots"}, ["budget_min"]),
        ({**NEED, "seeker_org": "ORG", "budget_min": 9, "budget_max": 1}, ["budget_min"]),
        ({**NEED, "seeker_org": "ORG", "budget_currency": "XYZ"}, ["budget_currency"]),
        ({**NEED, "seeker_org": "ORG", "deal_types": ["barter"]}, ["deal_types.0"]),
        ({**NEED, "seeker_org": "ORG", "deadline": "next week"}, ["deadline"]),
    ],
)
def test_bad_need_input_is_a_422_problem_and_saves_nothing(api, org, body, fields):
    if body.get("seeker_org") == "ORG":
        body = {**body, "seeker_org": org.slug}
    before = state()
    assert_problem(send(api, "post", "/api/v1/needs/", body), 422, *fields)
    assert state() == before


def test_other_organisations_needs_are_403_for_changes(org, owner, make_user):
    need = need_create(actor=owner, data=NeedData(title="Our need", description="Details", seeker_org=org.slug))
    intruder = bearer(make_user("intruder"))
    before = state()
    assert_problem(send(intruder, "patch", f"/api/v1/needs/{need.pk}", {"title": "Hijacked"}), 403)
    assert_problem(send(intruder, "post", f"/api/v1/needs/{need.pk}/status", {"status": "closed"}), 403)
    assert state() == before
    need.refresh_from_db()
    assert (need.title, need.status) == ("Our need", "open")


def test_a_need_cannot_change_organisation_or_repeat_its_status(api, org, owner):
    need = need_create(actor=owner, data=NeedData(title="Our need", description="Details", seeker_org=org.slug))
    before = state()
    assert_problem(send(api, "patch", f"/api/v1/needs/{need.pk}", {"seeker_org": "elsewhere"}), 422, "seeker_org")
    assert_problem(send(api, "patch", f"/api/v1/needs/{need.pk}", {"title": None}), 422, "title")
    assert_problem(send(api, "post", f"/api/v1/needs/{need.pk}/status", {"status": "open"}), 409)
    assert state() == before


def test_writes_without_credentials_are_401_problems_and_save_nothing(owner, org, make_asset):
    asset = make_asset(owner)
    need = need_create(actor=owner, data=NeedData(title="Our need", description="Details", seeker_org=org.slug))
    anonymous = Client()
    before = state()
    for response in (
        send(anonymous, "post", "/api/v1/assets/", ASSET),
        send(anonymous, "patch", f"/api/v1/assets/{asset.pk}", {"title": "x"}),
        send(anonymous, "post", f"/api/v1/assets/{asset.pk}/status", {"status": "withdrawn"}),
        upload(anonymous, asset.pk),
        anonymous.get(f"/api/v1/assets/{asset.pk}/grants"),
        send(anonymous, "post", "/api/v1/needs/", NEED),
        send(anonymous, "patch", f"/api/v1/needs/{need.pk}", {"title": "x"}),
    ):
        assert_problem(response, 401)
    assert state() == before


# The visibility rule, through every API read path -----------------------------

VIEWERS = ["anonymous", "outsider", "owner_member", "granted"]
VISIBILITIES = ["public", "members", "confidential"]
ALLOWED = {
    "anonymous": {"public"},
    "outsider": {"public", "members"},
    "owner_member": {"public", "members", "confidential"},
    "granted": {"public", "members", "confidential"},
}


@pytest.fixture
def world(owner, org, make_user, make_org, make_asset):
    member = make_user("member")
    join(org, owner, member)
    outsider = make_user("outsider")
    make_org(outsider, "Other Company", kind="company")
    granted = make_user("granted")
    assets = {}
    for visibility in VISIBILITIES:
        asset = make_asset(
            owner, org=org, visibility=visibility, title=f"Teaser title {visibility}",
            summary=f"Teaser summary {visibility}", details=f"{SECRET} {visibility}",
            ip_records=[IpRecordData(office="JP", number=IP_NUMBER, kind="patent", status="pending")],
        )
        attachment = attachment_add(
            actor=owner, asset=asset, upload=SimpleUploadedFile("drawing.pdf", PDF, content_type="application/pdf")
        )
        asset = asset_update(
            actor=owner, asset=asset, note="revise",
            data=AssetData(kind="technology", title=asset.title, summary=asset.summary,
                           details=f"{SECRET_V2} {visibility}", visibility=visibility, owner_org=org.slug),
        )
        access_grant(actor=owner, asset=asset, user=granted, reason="NDA")
        assets[visibility] = (asset, attachment)
    clients = {
        "anonymous": Client(),
        "outsider": bearer(outsider),
        "owner_member": bearer(member),
        "granted": bearer(granted),
    }
    return assets, clients


def shows_secret(response) -> bool:
    return any(secret.encode() in response.content for secret in (SECRET, SECRET_V2, IP_NUMBER))


@pytest.mark.parametrize("visibility", VISIBILITIES)
@pytest.mark.parametrize("viewer", VIEWERS)
def test_the_api_shows_details_exactly_where_the_rule_allows(world, viewer, visibility):
    assets, clients = world
    client = clients[viewer]
    asset, attachment = assets[visibility]
    allowed = visibility in ALLOWED[viewer]

    listing = client.get("/api/v1/assets/", {"page_size": 100})
    assert f"Teaser title {visibility}".encode() in listing.content
    assert not shows_secret(listing), "lists carry teasers only"
    searched = client.get("/api/v1/assets/", {"q": SECRET_V2})
    assert (f"Teaser title {visibility}".encode() in searched.content) is allowed
    assert not shows_secret(searched)

    detail = client.get(f"/api/v1/assets/{asset.pk}")
    assert detail.status_code == 200
    body = detail.json()
    assert body["title"] == f"Teaser title {visibility}" and body["summary"] == f"Teaser summary {visibility}"
    assert shows_secret(detail) is allowed
    if allowed:
        assert body["access"] in ("full", "manage") and body["details"] == f"{SECRET_V2} {visibility}"
        assert [a["filename"] for a in body["attachments"]] == ["drawing.pdf"]
    else:
        assert body["access"] == "teaser"
        assert not {"details", "ip_records", "attachments"} & set(body)

    download = client.get(f"/api/v1/assets/{asset.pk}/attachments/{attachment.pk}")
    if allowed:
        assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    else:
        assert_problem(download, 404)
        assert PDF not in download.content
    files = client.get(f"/api/v1/assets/{asset.pk}/attachments")
    assert files.status_code == 200 and (b"drawing.pdf" in files.content) is allowed

    for history in (
        client.get(f"/api/v1/assets/{asset.pk}/versions"),
        client.get(f"/api/v1/assets/{asset.pk}/versions/1"),
        client.get(f"/api/v1/assets/{asset.pk}/versions/3"),
    ):
        assert history.status_code == 200, history.content
        assert shows_secret(history) is allowed, history.request["PATH_INFO"]
        assert (b"drawing.pdf" in history.content) is (allowed and not history.request["PATH_INFO"].endswith("/1"))


def test_the_owner_members_see_that_they_manage_the_asset(world):
    assets, clients = world
    asset, _attachment = assets["confidential"]
    assert clients["owner_member"].get(f"/api/v1/assets/{asset.pk}").json()["access"] == "manage"
    assert clients["granted"].get(f"/api/v1/assets/{asset.pk}").json()["access"] == "full"


def test_a_teaser_viewer_cannot_manage_the_asset_or_see_its_grants(world):
    assets, clients = world
    asset, attachment = assets["confidential"]
    before = state()
    for viewer in ("outsider", "granted"):
        client = clients[viewer]
        assert_problem(client.get(f"/api/v1/assets/{asset.pk}/grants"), 403)
        assert_problem(client.delete(f"/api/v1/assets/{asset.pk}/attachments/{attachment.pk}"), 403)
        assert_problem(client.delete(f"/api/v1/assets/{asset.pk}/grants/granted"), 403)
    assert state() == before
