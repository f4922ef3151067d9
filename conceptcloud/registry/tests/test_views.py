"""The registry's pages, driven through the test client against a real database."""

from html.parser import HTMLParser

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from conceptcloud.history.models import Entry
from conceptcloud.registry.models import Asset, AssetVersion, Attachment, IpRecord, Need
from conceptcloud.registry.services import (
    AssetData,
    NeedData,
    access_grant,
    asset_update,
    attachment_add,
    need_create,
)
from conceptcloud.registry.views import word_diff

SECRET = "Sintering-window-4471"
PDF = b"%PDF-1.4 drawing of the gear"


def asset_form(**overrides) -> dict:
    """A complete, valid registration form as a browser posts it (two empty IP rows)."""
    data = {
        "kind": "technology",
        "title": "Self-lubricating gear bearing",
        "summary": "A gear and a bearing in one printed part.",
        "details": f"Print at 0.1 mm layers; {SECRET}.",
        "language": "en",
        "visibility": "public",
        "owner_org": "",
        "trl": "4",
        "sdgs": ["7", "9"],
        "cpc_codes": "F16H 1/00, F16C 33/10",
        "keywords": "gear, bearing、3D printing",
        "countries_developed": ["JP"],
        "countries_deployed": ["JP", "KE"],
        "availability": ["licence", "collaboration"],
        "rights_statement": "https://creativecommons.org/licenses/by/4.0/",
        "reference": "TLO-2024-017",
        "action": "publish",
        "ip-TOTAL_FORMS": "2",
        "ip-INITIAL_FORMS": "0",
        "ip-MIN_NUM_FORMS": "0",
        "ip-MAX_NUM_FORMS": "50",
    }
    data.update(overrides)
    return data


def edit_form(asset: Asset, **overrides) -> dict:
    data = asset_form(
        kind=asset.kind, title=asset.title, summary=asset.summary, details=asset.details,
        visibility=asset.visibility, language=asset.language, trl="", sdgs=[str(n) for n in asset.sdgs],
        cpc_codes=", ".join(asset.cpc_codes), keywords=", ".join(asset.keywords),
        countries_developed=asset.countries_developed, countries_deployed=asset.countries_deployed,
        availability=asset.availability, rights_statement=asset.rights_statement, reference=asset.reference,
        note="",
    )
    for key in ("owner_org", "action"):
        data.pop(key)
    data.update(overrides)
    return data


def body(response) -> str:
    return response.content.decode()


# ---------------------------------------------------------------- pages render


@pytest.mark.parametrize("signed_in", [False, True])
def test_every_browsing_page_renders_for_anonymous_and_signed_in_people(cast, make_asset, client_of, signed_in):
    asset = make_asset(cast.owner, org=cast.org, sdgs=[7], countries_developed=["JP"], availability=["licence"])
    need = need_create(actor=cast.owner, data=NeedData(title="Cheap water filters", description="For rural clinics.", seeker_org=cast.org.slug))
    client = client_of(cast.outsider if signed_in else None)
    for url in (
        "/", "/assets/", "/assets/?kind=technology&sdg=7&country=JP&availability=licence",
        f"/assets/{asset.pk}/", f"/assets/{asset.pk}/versions/", f"/assets/{asset.pk}/versions/1/",
        "/needs/", "/needs/?status=open&sdg=6", f"/needs/{need.pk}/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "Self-lubricating" not in body(response)  # sanity: the page is about this data only


def test_forms_and_the_dashboard_ask_anonymous_people_to_sign_in(client_of, make_user, make_asset):
    asset = make_asset(make_user("alice"))
    client = client_of(None)
    for url in ("/assets/new/", f"/assets/{asset.pk}/edit/", "/needs/new/", "/dashboard/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/account/login/"), url


def test_the_home_page_counts_published_assets_by_kind_sdg_country_and_availability(cast, make_asset, client_of):
    make_asset(cast.owner, org=cast.org, kind="dataset", title="Tide gauge readings", sdgs=[14], countries_developed=["JP"], availability=["open"])
    make_asset(cast.owner, org=cast.org, kind="dataset", title="Mangrove survey", sdgs=[14, 15], countries_deployed=["KE"])
    make_asset(cast.owner, org=cast.org, title="Unfinished idea", kind="idea", publish=False)
    page = body(client_of(None).get("/"))
    assert 'href="/assets/?kind=dataset">Dataset</a> <span class="muted">(2)</span>' in page
    assert '<li class="tag">Idea <span class="muted">(0)</span></li>' in page  # nothing to link to
    assert '<a href="/assets/?sdg=14">14. Life below water</a>' in page
    assert "17. Partnerships for the goals" in page  # all 17 goals are listed
    assert 'href="/assets/?country=KE">Kenya</a>' in page
    assert 'href="/assets/?availability=open">Free / open</a> <span class="muted">(1)</span>' in page
    assert "Tide gauge readings" in page and "Unfinished idea" not in page
    assert 'action="/assets/"' in page and 'name="q"' in page


# ---------------------------------------------------------------- browsing


def test_the_asset_list_filters_by_text_and_facets_and_counts_what_remains(cast, make_asset, client_of):
    make_asset(cast.owner, org=cast.org, title="Solar dryer for mangoes", sdgs=[2, 7], countries_deployed=["KE"], availability=["licence"])
    make_asset(cast.owner, org=cast.org, title="Solar water pump", sdgs=[6, 7], countries_deployed=["IN"])
    make_asset(cast.outsider, title="Robot gripper", kind="design", sdgs=[9])
    client = client_of(None)

    page = body(client.get("/assets/", {"q": "solar"}))
    assert "Solar dryer" in page and "Solar water pump" in page and "Robot gripper" not in page
    assert "2 assets" in page

    page = body(client.get("/assets/", {"sdg": "7", "country": "KE"}))
    assert "Solar dryer" in page and "Solar water pump" not in page
    assert "1 asset" in page
    assert 'aria-current="true"' in page  # the selected facet values are marked

    page = body(client.get("/assets/", {"organisation": cast.org.slug}))
    assert "Robot gripper" not in page and "Solar dryer" in page

    # A value that does not parse is ignored rather than an error.
    assert client.get("/assets/", {"sdg": "99", "kind": "spaceship"}).status_code == 200


def test_an_empty_result_suggests_fewer_filters(cast, make_asset, client_of):
    make_asset(cast.owner, org=cast.org)
    page = body(client_of(None).get("/assets/", {"q": "no such words anywhere"}))
    assert "No assets match — try fewer filters" in page


def test_the_asset_list_pages_by_twenty(make_user, make_asset, client_of):
    alice = make_user("alice")
    for n in range(23):
        make_asset(alice, title=f"Asset number {n:02d}")
    client = client_of(None)
    first = body(client.get("/assets/", {"sort": "title"}))
    assert "Asset number 00" in first and "Asset number 19" in first and "Asset number 20" not in first
    assert "Page 1 of 2" in first
    second = body(client.get("/assets/", {"sort": "title", "page": "2"}))
    assert "Asset number 22" in second and "Asset number 00" not in second


def test_lists_show_teasers_and_never_details_even_to_the_owner(cast, make_asset, client_of):
    make_asset(cast.owner, org=cast.org, visibility="public", details=f"Public details {SECRET}")
    for client in (client_of(None), client_of(cast.owner)):
        for url in ("/", "/assets/", "/dashboard/"):
            response = client.get(url)
            if response.status_code == 200:
                assert "Gear bearing drive" in body(response)
                assert SECRET not in body(response), url


def test_searching_a_confidential_word_finds_nothing_for_people_without_access(cast, make_asset, client_of):
    make_asset(cast.owner, org=cast.org, visibility="confidential", details=f"Alloy {SECRET}")
    assert "Gear bearing drive" not in body(client_of(cast.outsider).get("/assets/", {"q": SECRET}))
    assert "Gear bearing drive" in body(client_of(cast.member).get("/assets/", {"q": SECRET}))


# ---------------------------------------------------------------- the visibility rule on pages


@pytest.mark.parametrize("visibility", ["members", "confidential"])
def test_restricted_details_never_reach_people_without_access(cast, make_asset, client_of, visibility):
    asset = make_asset(cast.owner, org=cast.org, visibility=visibility, details=f"Alloy {SECRET}")
    attachment_add(actor=cast.owner, asset=asset, upload=SimpleUploadedFile("drawing.pdf", PDF, content_type="application/pdf"))
    asset = asset_update(
        actor=cast.owner, asset=asset, note="tolerances",
        data=AssetData(kind="technology", title=asset.title, summary=asset.summary, details=f"Alloy {SECRET} v2",
                       visibility=visibility, owner_org=cast.org.slug),
    )
    access_grant(actor=cast.owner, asset=asset, user=cast.granted, reason="NDA 2024-3")
    readers = {
        "anonymous": (client_of(None), False),
        "outsider": (client_of(cast.outsider), visibility == "members"),
        "member": (client_of(cast.member), True),
        "granted": (client_of(cast.granted), True),
    }
    for name, (client, allowed) in readers.items():
        for url in (f"/assets/{asset.pk}/", f"/assets/{asset.pk}/versions/", f"/assets/{asset.pk}/versions/3/"):
            page = body(client.get(url))
            assert "Gear bearing drive" in page, (name, url)
            assert (SECRET in page) is allowed, (name, url)
            assert ("drawing.pdf" in page) is allowed, (name, url)
        for url in ("/", "/assets/"):
            assert SECRET not in body(client.get(url)), (name, url)


def test_a_teaser_reader_is_told_why_the_details_are_hidden_and_how_to_get_them(cast, make_asset, client_of):
    confidential = make_asset(cast.owner, org=cast.org, visibility="confidential")
    members = make_asset(cast.owner, org=cast.org, visibility="members")
    page = body(client_of(cast.outsider).get(f"/assets/{confidential.pk}/"))
    assert "are confidential" in page and "To request access, contact the owner" in page
    assert f'href="/organisations/{cast.org.slug}/"' in page
    page = body(client_of(None).get(f"/assets/{members.pk}/"))
    assert "are for members: sign in to read them" in page
    assert f'href="/account/login/?next=/assets/{members.pk}/"' in page


def test_drafts_answer_404_to_everyone_but_their_managers(cast, make_asset, client_of):
    draft = make_asset(cast.owner, org=cast.org, publish=False)
    assert client_of(None).get(f"/assets/{draft.pk}/").status_code == 404
    assert client_of(cast.outsider).get(f"/assets/{draft.pk}/versions/").status_code == 404
    assert client_of(cast.member).get(f"/assets/{draft.pk}/").status_code == 200
    assert client_of(None).get("/assets/999999/").status_code == 404


# ---------------------------------------------------------------- registering


def test_registering_with_bad_input_shows_errors_by_the_fields_and_saves_nothing(cast, client_of):
    before = (Asset.objects.count(), Entry.objects.count())
    response = client_of(cast.owner).post("/assets/new/", asset_form(title="", cpc_codes="Z99Z 1/00, F16H 1/00", sdgs=["18"]))
    assert response.status_code == 200
    page = body(response)
    assert "Nothing was saved" in page
    assert 'id="id_title_error"' in page and 'aria-describedby="id_title_error"' in page
    assert (Asset.objects.count(), Entry.objects.count()) == before


def test_service_errors_appear_by_their_fields(cast, client_of):
    before = (Asset.objects.count(), Entry.objects.count())
    response = client_of(cast.owner).post("/assets/new/", asset_form(cpc_codes="Z99Z 1/00"))
    page = body(response)
    assert 'id="id_cpc_codes_error"' in page and "Unknown CPC code: Z99Z 1/00." in page
    assert (Asset.objects.count(), Entry.objects.count()) == before


def test_an_ip_record_with_the_expiry_before_the_filing_is_refused_with_its_message(cast, client_of):
    response = client_of(cast.owner).post("/assets/new/", asset_form(**{
        "ip-0-office": "JP", "ip-0-number": "2020-123456", "ip-0-kind": "patent", "ip-0-status": "granted",
        "ip-0-filing_date": "2020-05-01", "ip-0-expiry_date": "2019-01-01",
    }))
    assert "IP record 1: the expiry date is before the filing date." in body(response)
    assert not Asset.objects.exists()


def test_registering_with_good_input_redirects_to_the_new_asset(cast, client_of):
    response = client_of(cast.owner).post("/assets/new/", asset_form(owner_org=cast.org.slug, **{
        "ip-0-office": "JP", "ip-0-number": "2020-123456", "ip-0-kind": "patent", "ip-0-status": "granted",
        "ip-0-filing_date": "2020-05-01", "ip-0-expiry_date": "2040-05-01",
    }))
    asset = Asset.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/assets/{asset.pk}/"
    assert asset.owner_org == cast.org and asset.status == "published" and asset.trl == 4
    assert asset.sdgs == [7, 9] and asset.cpc_codes == ["F16H1/00", "F16C33/10"]
    assert asset.keywords == ["gear", "bearing", "3D printing"]
    assert asset.countries_deployed == ["JP", "KE"] and asset.availability == ["licence", "collaboration"]
    assert IpRecord.objects.get(asset=asset).number == "2020-123456"
    page = body(client_of(None).get(response["Location"]))
    assert "Registered and published" not in page  # the message belongs to the registrant's session
    assert "F16H1/00</strong> — Toothed gearings" in page
    assert 'rel="license" href="https://creativecommons.org/licenses/by/4.0/">CC BY 4.0</a>' in page
    assert "2020-123456" in page and SECRET in page


def test_saving_as_a_draft_keeps_the_asset_out_of_lists(cast, client_of):
    client_of(cast.owner).post("/assets/new/", asset_form(action="draft"))
    asset = Asset.objects.get()
    assert asset.status == "draft"
    assert asset.title not in body(client_of(None).get("/assets/"))
    assert asset.title in body(client_of(cast.owner).get("/dashboard/"))


def test_a_first_attachment_is_stored_with_version_one(cast, client_of):
    upload = SimpleUploadedFile("drawing.pdf", PDF, content_type="application/pdf")
    response = client_of(cast.owner).post("/assets/new/", asset_form(file=upload))
    asset = Asset.objects.get()
    assert response.status_code == 302 and asset.version == 1
    assert AssetVersion.objects.get(asset=asset).snapshot["attachments"][0]["filename"] == "drawing.pdf"


@pytest.mark.parametrize(
    "upload, message",
    [
        (SimpleUploadedFile("run.exe", b"MZ\x90\x00", content_type="application/x-msdownload"), "This file type is not accepted"),
        (SimpleUploadedFile("fake.pdf", b"<html>not a pdf</html>", content_type="application/pdf"), "does not match its type"),
        (SimpleUploadedFile("big.pdf", b"%PDF-1.4" + b"x" * 2048, content_type="application/pdf"), "The file is larger than"),
    ],
)
def test_a_rejected_attachment_shows_a_field_error_and_creates_no_asset(cast, client_of, settings, upload, message):
    settings.CC_ATTACHMENT_MAX_BYTES = 1024
    before = (Asset.objects.count(), Entry.objects.count(), Attachment.objects.count())
    page = body(client_of(cast.owner).post("/assets/new/", asset_form(file=upload)))
    assert 'id="id_file_error"' in page and message in page
    assert (Asset.objects.count(), Entry.objects.count(), Attachment.objects.count()) == before


def test_only_organisations_you_belong_to_are_offered_as_owners(cast, client_of):
    page = body(client_of(cast.owner).get("/assets/new/"))
    assert cast.org.name in page and "Other Robotics Inc" not in page
    response = client_of(cast.owner).post("/assets/new/", asset_form(owner_org="other-robotics-inc"))
    assert 'id="id_owner_org_error"' in body(response) and not Asset.objects.exists()


class _Controls(HTMLParser):
    """Collects form controls, label targets, fieldset legends and ids of one page."""

    def __init__(self):
        super().__init__()
        self.controls, self.labelled, self.ids, self.fieldsets, self.legends = [], set(), set(), 0, 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if tag == "label" and attrs.get("for"):
            self.labelled.add(attrs["for"])
        if tag in ("input", "select", "textarea") and attrs.get("type") not in ("hidden", "submit"):
            self.controls.append(attrs)
        self.fieldsets += tag == "fieldset"
        self.legends += tag == "legend"


@pytest.mark.parametrize("url", ["/assets/new/", "/needs/new/", "/assets/", "/needs/"])
def test_every_form_control_has_a_label_and_every_description_exists(cast, client_of, url):
    page = _Controls()
    page.feed(body(client_of(cast.owner).get(url)))
    assert page.controls
    for control in page.controls:
        assert control.get("id") in page.labelled, control
        for described_by in control.get("aria-describedby", "").split():
            assert described_by in page.ids, (control, described_by)
    assert page.fieldsets == page.legends


def test_field_errors_are_tied_to_their_inputs(cast, client_of):
    page = _Controls()
    page.feed(body(client_of(cast.owner).post("/assets/new/", asset_form(title="", summary=""))))
    title = next(c for c in page.controls if c.get("name") == "title")
    assert title["aria-invalid"] == "true" and "id_title_error" in title["aria-describedby"].split()
    assert "id_title_error" in page.ids


# ---------------------------------------------------------------- editing and versions


def test_an_edit_makes_version_two_and_the_version_page_shows_the_change(cast, make_asset, client_of):
    asset = make_asset(cast.owner, org=cast.org, summary="A gear and a bearing in one unit.")
    client = client_of(cast.member)
    response = client.post(f"/assets/{asset.pk}/edit/", edit_form(asset, summary="A gear and a ball bearing in one printed unit.", note="clarified bearing type"))
    assert response.status_code == 302
    asset.refresh_from_db()
    assert asset.version == 2 and asset.versions.count() == 2
    page = body(client_of(None).get(f"/assets/{asset.pk}/versions/2/"))
    assert "clarified bearing type" in page
    assert "<ins>" in page and "ball" in page and "printed" in page
    history = body(client_of(None).get(f"/assets/{asset.pk}/versions/"))
    assert "Version 2" in history and "Version 1" in history and "clarified bearing type" in history


def test_an_edit_that_changes_nothing_makes_no_version(cast, make_asset, client_of):
    asset = make_asset(cast.owner, org=cast.org)
    client = client_of(cast.owner)
    client.post(f"/assets/{asset.pk}/edit/", edit_form(asset))
    asset.refresh_from_db()
    assert asset.version == 1


def test_editing_keeps_ip_records_and_can_remove_one(cast, client_of):
    client = client_of(cast.owner)
    client.post("/assets/new/", asset_form(**{
        "ip-0-office": "US", "ip-0-number": "US 9,999,999", "ip-0-kind": "patent", "ip-0-status": "pending",
    }))
    asset = Asset.objects.get()
    form_page = body(client.get(f"/assets/{asset.pk}/edit/"))
    assert 'value="US 9,999,999"' in form_page
    data = edit_form(asset, **{
        "ip-TOTAL_FORMS": "3", "ip-INITIAL_FORMS": "1",
        "ip-0-office": "US", "ip-0-number": "US 9,999,999", "ip-0-kind": "patent", "ip-0-status": "pending",
        "ip-0-DELETE": "on",
    })
    client.post(f"/assets/{asset.pk}/edit/", data)
    assert not IpRecord.objects.filter(asset=asset).exists()
    assert Asset.objects.get().version == 2


def test_an_edit_keeps_the_ip_records_nobody_touched(cast, client_of):
    client = client_of(cast.owner)
    client.post("/assets/new/", asset_form(**{
        "ip-0-office": "JP", "ip-0-number": "2019-000111", "ip-0-kind": "utility-model", "ip-0-status": "granted",
    }))
    asset = Asset.objects.get()
    client.post(f"/assets/{asset.pk}/edit/", edit_form(asset, title="Self-lubricating gear bearing, mark II", **{
        "ip-TOTAL_FORMS": "2", "ip-INITIAL_FORMS": "1",
        "ip-0-office": "JP", "ip-0-number": "2019-000111", "ip-0-kind": "utility-model", "ip-0-status": "granted",
    }))
    asset.refresh_from_db()
    assert asset.version == 2 and asset.title.endswith("mark II")
    assert list(IpRecord.objects.filter(asset=asset).values_list("number", flat=True)) == ["2019-000111"]


def test_people_who_do_not_manage_an_asset_cannot_edit_it(cast, make_asset, client_of):
    asset = make_asset(cast.owner, org=cast.org)
    client = client_of(cast.outsider)
    assert client.get(f"/assets/{asset.pk}/edit/").status_code == 404
    assert client.post(f"/assets/{asset.pk}/edit/", edit_form(asset, title="Hijacked")).status_code == 404
    assert client.post(f"/assets/{asset.pk}/status/", {"status": "withdrawn"}).status_code == 404
    asset.refresh_from_db()
    assert asset.title == "Gear bearing drive" and asset.status == "published"


def test_word_diff_marks_removed_and_added_words_and_escapes_text():
    html = word_diff("A <b>bold</b> gear", "A <i>bold</i> gear & bearing")
    assert "<b>" not in html and "&lt;b&gt;bold&lt;/b&gt;" in html
    assert "<del>" in html and "<ins>" in html and "&amp; bearing" in html
    assert word_diff("same text", "same text") == "same text"


def test_the_teaser_history_hides_the_names_of_confidential_files(cast, make_asset, client_of):
    asset = make_asset(cast.owner, org=cast.org, visibility="confidential")
    attachment_add(actor=cast.owner, asset=asset, upload=SimpleUploadedFile("alloy-recipe.pdf", PDF, content_type="application/pdf"))
    for url in (f"/assets/{asset.pk}/versions/", f"/assets/{asset.pk}/versions/2/"):
        assert "alloy-recipe" not in body(client_of(cast.outsider).get(url))
        assert "alloy-recipe" in body(client_of(cast.member).get(url))


def test_the_cpc_check_names_known_codes_and_flags_unknown_ones(client_of):
    response = client_of(None).get("/assets/cpc-check/", {"cpc_codes": "f16h 1/00\nZ99Z 1/00"}, HTTP_HX_REQUEST="true")
    page = body(response)
    assert "F16H1/00</strong> — Toothed gearings" in page
    assert "Z99Z 1/00 is not a CPC code." in page


# ---------------------------------------------------------------- status, attachments, access


def test_withdrawing_hides_the_asset_from_lists_and_from_outsiders(cast, make_asset, client_of):
    asset = make_asset(cast.owner, org=cast.org, title="Soon withdrawn")
    client = client_of(cast.owner)
    response = client.post(f"/assets/{asset.pk}/status/", {"status": "withdrawn", "reason": "licensed exclusively"})
    assert response.status_code == 302
    assert "Soon withdrawn" not in body(client_of(None).get("/assets/"))
    assert "Soon withdrawn" not in body(client_of(None).get("/"))
    assert client_of(cast.outsider).get(f"/assets/{asset.pk}/").status_code == 404
    assert "Withdrawn" in body(client.get("/dashboard/"))
    client.post(f"/assets/{asset.pk}/status/", {"status": "published"})
    assert "Soon withdrawn" in body(client_of(None).get("/assets/"))


def test_attachments_download_for_readers_with_access_and_404_for_others(cast, make_asset, client_of):
    asset = make_asset(cast.owner, org=cast.org, visibility="confidential")
    attachment = attachment_add(actor=cast.owner, asset=asset, upload=SimpleUploadedFile("drawing.pdf", PDF, content_type="application/pdf"))
    access_grant(actor=cast.owner, asset=asset, user=cast.granted)
    url = f"/assets/{asset.pk}/attachments/{attachment.pk}/"
    for user in (None, cast.outsider):
        assert client_of(user).get(url).status_code == 404
    for user in (cast.member, cast.granted):
        response = client_of(user).get(url)
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PDF
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"].startswith('attachment; filename="drawing.pdf"')
        assert response["X-Content-Type-Options"] == "nosniff"
    assert client_of(cast.member).get(f"/assets/{asset.pk}/attachments/{attachment.pk + 99}/").status_code == 404


def test_managers_upload_and_remove_attachments_from_the_asset_page(cast, make_asset, client_of):
    asset = make_asset(cast.owner, org=cast.org)
    client = client_of(cast.member)
    response = client.post(f"/assets/{asset.pk}/attachments/", {"file": SimpleUploadedFile("notes.txt", "歯車の公差".encode(), content_type="text/plain")})
    assert response.status_code == 302
    attachment = Attachment.objects.get(asset=asset)
    assert "notes.txt" in body(client_of(None).get(f"/assets/{asset.pk}/"))
    page = body(client.post(f"/assets/{asset.pk}/attachments/", {"file": SimpleUploadedFile("x.exe", b"MZ", content_type="application/x-msdownload")}))
    assert 'id="id_file_error"' in page and Attachment.objects.filter(asset=asset).count() == 1
    client.post(f"/assets/{asset.pk}/attachments/{attachment.pk}/remove/")
    assert "notes.txt" not in body(client_of(None).get(f"/assets/{asset.pk}/"))
    assert client_of(cast.outsider).post(f"/assets/{asset.pk}/attachments/{attachment.pk}/remove/").status_code == 404


def test_access_is_granted_by_username_and_revoked(cast, make_asset, client_of):
    asset = make_asset(cast.owner, org=cast.org, visibility="confidential", details=f"Alloy {SECRET}")
    manager = client_of(cast.owner)
    reader = client_of(cast.granted)
    assert SECRET not in body(reader.get(f"/assets/{asset.pk}/"))
    assert manager.post(f"/assets/{asset.pk}/access/", {"username": "granted", "reason": "NDA 17"}).status_code == 302
    assert SECRET in body(reader.get(f"/assets/{asset.pk}/"))
    assert "NDA 17" in body(manager.get(f"/assets/{asset.pk}/"))
    assert asset.title in body(reader.get("/dashboard/"))  # shared with me
    manager.post(f"/assets/{asset.pk}/access/revoke/", {"username": "granted"})
    assert SECRET not in body(reader.get(f"/assets/{asset.pk}/"))
    page = body(manager.post(f"/assets/{asset.pk}/access/", {"username": "nobody-here"}))
    assert 'id="id_username_error"' in page and "No active person has this username." in page


# ---------------------------------------------------------------- needs


def need_form(**overrides) -> dict:
    data = {
        "title": "Low-cost water filters for rural clinics",
        "description": "Filters that remove bacteria without electricity.",
        "seeker_org": "",
        "sdgs": ["3", "6"],
        "countries": ["KE"],
        "region": "Kisumu",
        "sector": "Health",
        "deal_types": ["licence", "collaboration"],
        "budget_min": "10000",
        "budget_max": "50000",
        "budget_currency": "USD",
        "deadline": "2030-03-31",
        "reference": "",
    }
    data.update(overrides)
    return data


def test_a_need_is_posted_edited_and_its_status_changed_by_the_seeker(cast, client_of):
    client = client_of(cast.member)
    response = client.post("/needs/new/", need_form(seeker_org=cast.org.slug))
    need = Need.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/needs/{need.pk}/"
    assert need.seeker_org == cast.org and need.sdgs == [3, 6] and need.budget_max == 50000
    page = body(client_of(None).get(f"/needs/{need.pk}/"))
    assert "Low-cost water filters" in page and "Kenya" in page and "USD" in page
    assert "Change the status" not in page

    response = client.post(f"/needs/{need.pk}/edit/", need_form(title="Gravity water filters for clinics"))
    assert response.status_code == 302
    need.refresh_from_db()
    assert need.title == "Gravity water filters for clinics"

    response = client.post(f"/needs/{need.pk}/status/", {"status": "in-discussion"})
    assert response.status_code == 302
    need.refresh_from_db()
    assert need.status == "in-discussion"
    assert "already has this status" in body(client.post(f"/needs/{need.pk}/status/", {"status": "in-discussion"}))


def test_a_need_with_bad_input_shows_field_errors_and_saves_nothing(cast, client_of):
    response = client_of(cast.owner).post("/needs/new/", need_form(seeker_org=cast.org.slug, budget_min="90000", budget_max="100"))
    assert "The lower end of the budget is above the upper end." in body(response)
    assert 'id="id_budget_min_error"' in body(response)
    assert not Need.objects.exists()


def test_posting_a_need_without_an_organisation_explains_how_to_get_one(cast, client_of):
    page = body(client_of(cast.granted).get("/needs/new/"))
    assert "you do not belong to one yet" in page and 'href="/organisations/new/"' in page
    client_of(cast.granted).post("/needs/new/", need_form(seeker_org=cast.org.slug))
    assert not Need.objects.exists()


def test_only_the_seeker_organisation_edits_a_need_or_changes_its_status(cast, client_of):
    need = need_create(actor=cast.owner, data=NeedData(title="Drones for crop scouting", description="Rice paddies.", seeker_org=cast.org.slug))
    client = client_of(cast.outsider)
    assert client.get(f"/needs/{need.pk}/edit/").status_code == 404
    assert client.post(f"/needs/{need.pk}/status/", {"status": "closed"}).status_code == 404
    need.refresh_from_db()
    assert need.status == "open"


def test_the_need_list_filters_by_status_sdg_and_organisation(cast, client_of):
    need_create(actor=cast.owner, data=NeedData(title="Solar cold storage", description="For fishermen.", seeker_org=cast.org.slug, sdgs=[14], deal_types=["purchase"]))
    need_create(actor=cast.outsider, data=NeedData(title="Factory robot vision", description="Sorting parts.", seeker_org="other-robotics-inc", sdgs=[9]))
    client = client_of(None)
    page = body(client.get("/needs/", {"sdg": "14"}))
    assert "Solar cold storage" in page and "Factory robot vision" not in page
    page = body(client.get("/needs/", {"organisation": "other-robotics-inc"}))
    assert "Factory robot vision" in page and "Solar cold storage" not in page
    page = body(client.get("/needs/", {"deal_type": "funding"}))
    assert "No needs match — try fewer filters." in page


# ---------------------------------------------------------------- dashboard


def test_the_dashboard_shows_my_assets_organisations_and_needs(cast, make_asset, client_of):
    make_asset(cast.owner, org=cast.org, title="Published gear")
    make_asset(cast.owner, org=cast.org, title="Draft gear", publish=False)
    make_asset(cast.outsider, title="Someone else's gear")
    need_create(actor=cast.owner, data=NeedData(title="Need for sensors", description="Soil moisture.", seeker_org=cast.org.slug))
    page = body(client_of(cast.member).get("/dashboard/"))
    assert "Published gear" in page and "Draft gear" in page and "Someone else" not in page
    assert '<span class="badge draft">Draft</span>' in page
    assert "1 published · 1 drafts · 0 withdrawn" in page
    assert f'href="/organisations/{cast.org.slug}/">Kansai University TLO</a>' in page
    assert "Need for sensors" in page


# ---------------------------------------------------------------- Japanese


def test_the_pages_speak_japanese_to_japanese_readers(cast, make_asset, client_of):
    asset = make_asset(cast.owner, org=cast.org, visibility="confidential")
    anonymous = client_of(None)
    owner = client_of(cast.owner)
    owner.cookies["django_language"] = "ja"
    pages = {
        "/": (anonymous, ["種類から探す", "新着の資産", "SDGs の目標から探す"]),
        "/assets/": (anonymous, ["資産を検索", "1 件の資産"]),
        f"/assets/{asset.pk}/": (anonymous, ["機密", "概要", "この資産の詳細、知的財産権、ファイルは機密です。"]),
        "/assets/new/": (owner, ["資産を登録", "公開範囲", "* の付いた項目は必須です。", "技術成熟度（TRL）"]),
        "/needs/new/": (owner, ["ニーズを投稿", "課題を一行で。"]),
        "/dashboard/": (owner, ["ダッシュボード", "自分の資産"]),
    }
    for url, (client, phrases) in pages.items():
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="ja")
        assert response.status_code == 200, url
        assert '<html lang="ja">' in body(response), url
        for phrase in phrases:
            assert phrase in body(response), (url, phrase)


def test_service_errors_are_translated_too(cast, client_of):
    client = client_of(cast.owner)
    client.cookies["django_language"] = "ja"
    page = body(client.post("/assets/new/", asset_form(cpc_codes="Z99Z 1/00")))
    assert "不明なCPCコード: Z99Z 1/00" in page


# ---------------------------------------------------------------- timeline and receipts


def test_the_asset_page_shows_its_timeline_with_people_and_receipt_links(cast, make_asset, client_of):
    asset = make_asset(cast.owner, org=cast.org)
    asset_update(
        actor=cast.member, asset=asset, note="clearer",
        data=AssetData(kind="technology", title=asset.title, summary="Clearer summary.", owner_org=cast.org.slug),
    )
    seqs = list(Entry.objects.filter(subject=f"asset:{asset.pk}").order_by("seq").values_list("seq", flat=True))
    page = body(client_of(None).get(f"/assets/{asset.pk}/"))
    timeline = page[page.index('id="timeline-heading"'):]
    assert timeline.index("Registered") < timeline.index("Updated")
    assert 'by <a href="/people/owner/">Owner</a>' in timeline and 'by <a href="/people/member/">Member</a>' in timeline
    for seq in seqs:
        assert f'href="/log/entries/{seq}/receipt.json" download' in timeline


def test_a_receipt_downloads_as_the_same_json_as_the_api_and_verifies_with_the_cli(
    cast, make_asset, client_of, tmp_path
):
    from conceptcloud.cli import main

    asset = make_asset(cast.owner)
    seq = Entry.objects.filter(subject=f"asset:{asset.pk}").last().seq
    client = client_of(None)
    response = client.get(f"/log/entries/{seq}/receipt.json")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == f'attachment; filename="receipt-{seq}.json"'
    assert "private" in response["Cache-Control"]
    assert response.json() == client.get(f"/api/v1/log/entries/{seq}/receipt").json()
    path = tmp_path / f"receipt-{seq}.json"
    path.write_bytes(response.content)
    key = client.get("/.well-known/conceptcloud-log-key").content.decode().strip()
    assert main(["verify", str(path), "--key", key]) == 0


def test_a_receipt_download_follows_the_visibility_rule_and_opens_the_commitment_for_managers_only(
    cast, make_asset, client_of
):
    draft = make_asset(cast.owner, org=cast.org, publish=False)
    draft_seq = Entry.objects.filter(subject=f"asset:{draft.pk}").last().seq
    assert client_of(None).get(f"/log/entries/{draft_seq}/receipt.json").status_code == 404
    assert client_of(cast.outsider).get(f"/log/entries/{draft_seq}/receipt.json").status_code == 404
    assert client_of(cast.member).get(f"/log/entries/{draft_seq}/receipt.json").status_code == 200
    secret = make_asset(cast.owner, org=cast.org, visibility="confidential")
    seq = Entry.objects.filter(subject=f"asset:{secret.pk}").last().seq
    for viewer in (None, cast.outsider):
        receipt = client_of(viewer).get(f"/log/entries/{seq}/receipt.json").json()
        assert "commitment" not in receipt and "Confidential tolerances" not in str(receipt)
    opened = client_of(cast.member).get(f"/log/entries/{seq}/receipt.json").json()
    assert opened["commitment"]["content"]["details"] == "Confidential tolerances: 0.002 mm."
    assert client_of(None).post(f"/log/entries/{seq}/receipt.json").status_code == 405
