"""The visibility rule across every path a reader can take.

{anonymous, member of another organisation, member of the owning organisation,
person granted access} × {public, members, confidential} × {page, API list, API
detail, attachment download, version history (page and API)}: an asset's details
and files reach a reader exactly where DESIGN.md §4.2 allows.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from conceptcloud.registry.services import AssetData, access_grant, asset_update, attachment_add

SECRET = "Tolerance-secret-7731"
SECRET_V2 = "Revised-secret-9904"
FILE_BYTES = b"%PDF-1.4 secret drawing"

VIEWERS = ["anonymous", "outsider", "owner_member", "granted"]
VISIBILITIES = ["public", "members", "confidential"]

# May this viewer read the details of an asset with this visibility?
ALLOWED = {
    ("anonymous", "public"): True,
    ("anonymous", "members"): False,
    ("anonymous", "confidential"): False,
    ("outsider", "public"): True,
    ("outsider", "members"): True,
    ("outsider", "confidential"): False,
    ("owner_member", "public"): True,
    ("owner_member", "members"): True,
    ("owner_member", "confidential"): True,
    ("granted", "public"): True,
    ("granted", "members"): True,
    ("granted", "confidential"): True,
}


@pytest.fixture
def world(make_user, make_org, make_asset):
    owner = make_user("owner")
    org = make_org(owner, "Owner University TLO", kind="tlo")
    member = make_user("member")
    from conceptcloud.accounts.models import Membership

    Membership.objects.create(user=member, organisation=org, role="member")
    outsider = make_user("outsider")
    make_org(outsider, "Other Company", kind="company")
    granted = make_user("granted")
    assets = {}
    for visibility in VISIBILITIES:
        asset = make_asset(
            owner, org=org, visibility=visibility, title=f"Teaser title {visibility}",
            summary=f"Teaser summary {visibility}", details=f"{SECRET} {visibility}",
        )
        attachment = attachment_add(
            actor=owner, asset=asset,
            upload=SimpleUploadedFile("drawing.pdf", FILE_BYTES, content_type="application/pdf"),
        )
        asset = asset_update(
            actor=owner, asset=asset, note="revise",
            data=AssetData(kind="technology", title=asset.title, summary=asset.summary,
                           details=f"{SECRET_V2} {visibility}", visibility=visibility, owner_org=org.slug),
        )
        access_grant(actor=owner, asset=asset, user=granted, reason="NDA")
        assets[visibility] = (asset, attachment)
    clients = {"anonymous": Client()}
    for name, user in (("outsider", outsider), ("owner_member", member), ("granted", granted)):
        clients[name] = Client()
        clients[name].force_login(user)
    return assets, clients


@pytest.mark.parametrize("visibility", VISIBILITIES)
@pytest.mark.parametrize("viewer", VIEWERS)
def test_details_reach_exactly_the_readers_the_rule_allows(world, viewer, visibility):
    assets, clients = world
    client = clients[viewer]
    asset, attachment = assets[visibility]
    allowed = ALLOWED[(viewer, visibility)]

    def shows_secret(response) -> bool:
        body = response.content.decode()
        return SECRET in body or SECRET_V2 in body

    page = client.get(f"/assets/{asset.pk}/")
    assert page.status_code == 200
    assert f"Teaser title {visibility}" in page.content.decode()
    assert shows_secret(page) is allowed

    listing = client.get("/api/v1/assets/", {"page_size": 100})
    assert listing.status_code == 200
    assert f"Teaser title {visibility}" in listing.content.decode()
    assert not shows_secret(listing), "lists carry teasers only"

    detail = client.get(f"/api/v1/assets/{asset.pk}")
    assert detail.status_code == 200
    assert detail.json()["title"] == f"Teaser title {visibility}"
    assert shows_secret(detail) is allowed

    download_page = client.get(f"/assets/{asset.pk}/attachments/{attachment.pk}/")
    download_api = client.get(f"/api/v1/assets/{asset.pk}/attachments/{attachment.pk}")
    for download in (download_page, download_api):
        if allowed:
            assert download.status_code == 200
            assert b"".join(download.streaming_content) == FILE_BYTES
        else:
            assert download.status_code == 404
    attachment_list = client.get(f"/api/v1/assets/{asset.pk}/attachments")
    assert ("drawing.pdf" in attachment_list.content.decode()) is allowed

    for history in (
        client.get(f"/assets/{asset.pk}/versions/"),
        client.get(f"/assets/{asset.pk}/versions/3/"),
        client.get(f"/api/v1/assets/{asset.pk}/versions"),
        client.get(f"/api/v1/assets/{asset.pk}/versions/3"),
    ):
        assert history.status_code == 200, history.request["PATH_INFO"]
        assert shows_secret(history) is allowed, history.request["PATH_INFO"]


def test_drafts_are_invisible_to_everyone_but_their_managers(make_user, make_org, make_asset):
    owner = make_user("owner")
    org = make_org(owner, "Owner Org")
    draft = make_asset(owner, org=org, publish=False, title="Unannounced draft")
    outsider = Client()
    outsider.force_login(make_user("outsider"))
    for client in (Client(), outsider):
        assert client.get(f"/assets/{draft.pk}/").status_code == 404
        assert client.get(f"/api/v1/assets/{draft.pk}").status_code == 404
        assert "Unannounced draft" not in client.get("/api/v1/assets/").content.decode()
        assert "Unannounced draft" not in client.get("/assets/").content.decode()
    manager = Client()
    manager.force_login(owner)
    assert manager.get(f"/assets/{draft.pk}/").status_code == 200
